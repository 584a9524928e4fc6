// The visit form on a phone: the ADL total and group as the items are chosen, the location on
// request (never required), and one submission only, however often it is tapped.
(function () {
  "use strict";
  const form = document.querySelector("form.visit-form");
  if (!form) return;

  // ADL: with all ten Barthel items answered the total is theirs (the server counts it
  // again); with some, how many are left; with none, the group of a typed total.
  const score = form.querySelector("#id_adl_score");
  const group = document.getElementById("adl-group");
  const items = Array.from(form.querySelectorAll("input[data-adl-item]"));
  const names = Array.from(new Set(items.map(function (input) { return input.name; })));
  const clear = document.getElementById("adl-clear");
  function groupOf(value) {
    return value >= 12 ? group.dataset.independent
      : value >= 5 ? group.dataset.housebound : group.dataset.bedbound;
  }
  function showAdl() {
    const chosen = items.filter(function (input) { return input.checked; });
    if (clear) clear.hidden = chosen.length === 0;
    if (chosen.length === names.length && names.length) {
      const total = chosen.reduce(function (sum, input) { return sum + parseInt(input.value, 10); }, 0);
      score.value = String(total);
      group.textContent = group.dataset.total + " " + total + "/20 · " + groupOf(total);
      return;
    }
    if (chosen.length) {
      group.textContent = group.dataset.answered.replace("{n}", String(chosen.length));
      return;
    }
    const value = parseInt(score.value, 10);
    group.textContent = Number.isNaN(value) || value < 0 || value > 20 ? "" : groupOf(value);
  }
  if (score && group) {
    score.addEventListener("input", showAdl);
    items.forEach(function (input) { input.addEventListener("change", showAdl); });
    if (clear) {
      clear.addEventListener("click", function () {
        items.forEach(function (input) { input.checked = false; });
        score.value = "";
        showAdl();
      });
    }
    showAdl();
  }

  const button = document.getElementById("use-location");
  const status = document.getElementById("location-status");
  if (button && "geolocation" in navigator) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("#id_latitude").value = position.coords.latitude.toFixed(6);
        form.querySelector("#id_longitude").value = position.coords.longitude.toFixed(6);
        status.textContent = status.dataset.added;
      }, function () {
        status.textContent = status.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  form.addEventListener("submit", function () {
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
})();
