// "Add a row" for the household and income lists: copies the empty form Django
// rendered in a <template>, numbered after the rows already there.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (set) {
    const prefix = set.dataset.formset;
    const total = set.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const template = set.querySelector("template[data-formset-empty]");
    const rows = set.querySelector("[data-formset-rows]");
    const button = set.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const first = rows.lastElementChild.querySelector("select, input:not([type=hidden]), textarea");
      if (first) first.focus();
    });
  });
})();
