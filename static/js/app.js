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
