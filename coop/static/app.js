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
// Staff sessions end after a while without activity: <meta name="coop-idle-deadline">
// says when (templates/auth/_idle_deadline.html). Warn 5 minutes before, then show the
// sign-in page once it has passed.
(() => {
  const meta = document.querySelector('meta[name="coop-idle-deadline"]');
  const deadline = meta ? Date.parse(meta.getAttribute("content")) : NaN;
  if (Number.isNaN(deadline)) {
    return;
  }
  const warnAt = deadline - 5 * 60 * 1000;
  const warn = () => {
    const main = document.getElementById("main");
    if (!main || document.getElementById("idle-warning")) {
      return;
    }
    const alert = document.createElement("div");
    alert.id = "idle-warning";
    alert.className = "alert alert-warning";
    alert.setAttribute("role", "alert");
    alert.textContent =
      "Your session ends in 5 minutes without activity. Open a page or send a form to stay signed in.";
    main.prepend(alert);
  };
  window.setTimeout(warn, Math.max(0, warnAt - Date.now()));
  window.setTimeout(() => window.location.assign(window.location.href), Math.max(0, deadline - Date.now() + 1000));
})();
