// A running action's elapsed time ticks in the page: its panel is re-rendered only when the
// run changes (a poll that finds nothing new answers 204 and htmx leaves the panel as it is).
(function () {
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-elapsed]").forEach(function (el) {
      if (!el.dataset.shownAt) el.dataset.shownAt = String(now);
      var seconds = parseFloat(el.dataset.elapsed) + (now - Number(el.dataset.shownAt)) / 1000;
      el.textContent = seconds.toFixed(1) + " s";
    });
  }
  setInterval(tick, 1000);
})();

// Behaviour that pages declare in data attributes (the Content-Security-Policy runs no inline
// script or handler): a form with data-confirm asks first; a button with data-copy copies the
// text of the element it names, looked up inside its closest [data-copy-scope].
(function () {
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var scope = button.closest("[data-copy-scope]") || document;
    var source = scope.querySelector(button.getAttribute("data-copy"));
    if (source && navigator.clipboard) navigator.clipboard.writeText(source.textContent);
  });
})();
