// The visit form on a phone: the ADL group as the score is typed, the location on
// request (never required), and one submission only, however often it is tapped.
(function () {
  "use strict";
  const form = document.querySelector("form.visit-form");
  if (!form) return;

  const score = form.querySelector("#id_adl_score");
  const group = document.getElementById("adl-group");
  function showGroup() {
    const value = parseInt(score.value, 10);
    if (Number.isNaN(value) || value < 0 || value > 20) { group.textContent = ""; return; }
    group.textContent = value >= 12 ? group.dataset.independent
      : value >= 5 ? group.dataset.housebound : group.dataset.bedbound;
  }
  if (score && group) { score.addEventListener("input", showGroup); showGroup(); }

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
