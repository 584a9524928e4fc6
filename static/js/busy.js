// A form marked data-busy="…" shows that it is working once sent: its button is
// disabled (no second submission of a long import) and says the text given, and the
// form is aria-busy for screen readers. A file (not inline): the CSP allows no inline script.
document.querySelectorAll("form[data-busy]").forEach((form) => {
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[type=submit]");
    form.setAttribute("aria-busy", "true");
    if (button) {
      // Disabled after this turn of the event loop, or the click would not submit.
      setTimeout(() => {
        button.disabled = true;
        button.textContent = form.dataset.busy;
      });
    }
  });
});
