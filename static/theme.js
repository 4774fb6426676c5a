// Applies the saved colour theme before the page paints (no flash of the wrong theme).
// Loaded as a small blocking script so it runs before first render; no inline script is
// needed, so the site works under `Content-Security-Policy: script-src 'self'`.
(function () {
  try {
    var t = localStorage.getItem("errkb-theme");
    if (t === "light" || t === "dark") {
      document.documentElement.setAttribute("data-theme", t);
    }
  } catch (e) {
    /* storage blocked: follow the system preference */
  }
})();
