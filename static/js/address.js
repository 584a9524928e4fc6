// Province → district → subdistrict: refill the next list when one changes.
// Without JavaScript the form still works: the server narrows the lists on submit.
(function () {
  "use strict";
  const form = document.querySelector("form[data-places-url]");
  if (!form) return;
  const url = form.dataset.placesUrl;

  function fill(select, options) {
    const blank = document.createElement("option");
    blank.value = "";
    blank.textContent = "---------";
    select.replaceChildren(blank, ...options.map(function (o) {
      const option = document.createElement("option");
      option.value = o.code;
      option.textContent = o.name;
      return option;
    }));
  }

  function load(select, params) {
    return fetch(url + "?" + new URLSearchParams(params), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { fill(select, data.options); });
  }

  // The current address is asked only when it differs from the registered one.
  const same = form.querySelector("#id_current_same_as_registered");
  const current = form.querySelector(".address-cur");
  if (same && current) {
    const toggle = function () { current.hidden = same.checked; };
    same.addEventListener("change", toggle);
    toggle();
  }

  form.querySelectorAll(".address").forEach(function (block) {
    const province = block.querySelector("[data-place=province]");
    const district = block.querySelector("[data-place=district]");
    const subdistrict = block.querySelector("[data-place=subdistrict]");
    if (!province || !district || !subdistrict) return;
    province.addEventListener("change", function () {
      fill(subdistrict, []);
      if (province.value) load(district, { province: province.value }); else fill(district, []);
    });
    district.addEventListener("change", function () {
      if (district.value) load(subdistrict, { district: district.value }); else fill(subdistrict, []);
    });
  });
})();
