// Small behaviours without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
// "Select all" checkboxes: <input type="checkbox" data-select-all="name-of-boxes">
document.addEventListener("change", (event) => {
  const box = event.target;
  const name = box.getAttribute && box.getAttribute("data-select-all");
  if (name) {
    document.querySelectorAll(`input[type=checkbox][name="${name}"]`).forEach((b) => {
      b.checked = box.checked;
    });
  }
});
