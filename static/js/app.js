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

// Times shown relative ("5 minutes ago": the `when` template filter, marked data-when) stay
// true while the page is open; the exact time stays in the title.
(function () {
  var UNITS = [
    ["year", 365 * 86400], ["month", 30 * 86400], ["week", 7 * 86400],
    ["day", 86400], ["hour", 3600], ["minute", 60],
  ];
  function relative(seconds) {
    var span = Math.abs(seconds);
    if (span < 60) return "just now";
    for (var i = 0; i < UNITS.length; i++) {
      var count = Math.floor(span / UNITS[i][1]);
      if (count >= 1) {
        var text = count + "\u00a0" + UNITS[i][0] + (count === 1 ? "" : "s");
        return seconds > 0 ? text + " ago" : "in " + text;
      }
    }
  }
  function refresh() {
    var now = Date.now();
    document.querySelectorAll("time[data-when]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(at)) el.textContent = relative((now - at) / 1000);
    });
  }
  setInterval(refresh, 30000);
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

// Every snippet (a <pre>) and every element marked data-copyable gets a Copy button; an
// element inside [data-no-copy] does not. Runs again on content htmx swaps in.
(function () {
  function addCopyButtons(root) {
    root.querySelectorAll("pre, [data-copyable]").forEach(function (el) {
      if (el.dataset.copyReady || el.closest("[data-no-copy]")) return;
      el.dataset.copyReady = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-btn";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy " + (el.getAttribute("data-copy-label") || "this text"));
      button.addEventListener("click", function () {
        var done = function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(el.textContent.trim()).then(done);
        } else {
          var range = document.createRange();
          range.selectNodeContents(el);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          document.execCommand("copy");
          selection.removeAllRanges();
          done();
        }
      });
      if (el.tagName === "PRE") {
        var bar = document.createElement("div");
        bar.className = "copy-bar";
        bar.appendChild(button);
        el.parentNode.insertBefore(bar, el);
      } else {
        el.insertAdjacentElement("afterend", button);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { addCopyButtons(document); });
  document.addEventListener("htmx:afterSettle", function (event) { addCopyButtons(event.target); });
})();

// A thin bar at the top of the page and aria-busy on the target while any htmx request runs.
(function () {
  var running = 0;
  document.addEventListener("htmx:beforeRequest", function (event) {
    running += 1;
    document.body.classList.add("is-loading");
    if (event.detail && event.detail.target) event.detail.target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    running = Math.max(0, running - 1);
    if (!running) document.body.classList.remove("is-loading");
    if (event.detail && event.detail.target) event.detail.target.removeAttribute("aria-busy");
  });
})();

// A button with data-insert-block puts that text into the textarea data-insert-into names, at
// the cursor, on lines of its own, and tells the textarea it changed (the preview follows).
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-insert-block]");
    if (!button) return;
    var area = document.querySelector(button.getAttribute("data-insert-into"));
    if (!area) return;
    var block = button.getAttribute("data-insert-block");
    var start = area.selectionStart || 0;
    var end = area.selectionEnd || start;
    var before = area.value.slice(0, start);
    var after = area.value.slice(end);
    var lead = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    var tail = after.startsWith("\n") ? "\n" : "\n\n";
    area.value = before + lead + block + tail + after;
    var caret = (before + lead + block + tail).length;
    area.focus();
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
    button.textContent = "Inserted";
  });
})();

// Rows of a Django formset: [data-formset-add=prefix] adds a row from the <template
// data-formset-empty> (its __prefix__ replaced by the next index) and counts it.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-formset-add]");
    if (!button) return;
    var prefix = button.getAttribute("data-formset-add");
    var set = button.closest("[data-formset]");
    var total = set.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var template = set.querySelector("template[data-formset-empty]");
    var index = Number(total.value);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    set.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = set.querySelector("[data-formset-rows] tr:last-child input");
    if (first) first.focus();
  });
})();

// A JSON textarea says whether it holds valid JSON while it is typed into.
(function () {
  function check(area) {
    var status = area.parentNode.querySelector(".json-status");
    if (!status) return;
    var text = area.value.trim();
    if (!text) {
      status.textContent = "Empty";
      area.removeAttribute("aria-invalid");
      return;
    }
    try {
      JSON.parse(text);
      status.textContent = "Valid JSON";
      status.classList.remove("field-error");
      area.removeAttribute("aria-invalid");
    } catch (error) {
      var message = String(error.message || error);
      var match = /position (\d+)/.exec(message);
      if (match) {
        var line = area.value.slice(0, Number(match[1])).split("\n").length;
        message = "Line " + line + ": " + message;
      }
      status.textContent = "Not valid JSON. " + message;
      status.classList.add("field-error");
      area.setAttribute("aria-invalid", "true");
    }
  }
  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("[data-json-editor]")) check(event.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-json-editor] textarea").forEach(check);
  });
})();

// A box that scrolls (a snippet, a wide table, the logs) can be reached and scrolled with the
// keyboard: it takes the focus while its content overflows it. Runs again on content htmx swaps in.
(function () {
  function focusableScrollers() {
    document.querySelectorAll("pre, .table-wrap, .logs, .lineage-graph").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.dataset.scrollFocus = "1";
      } else if (!scrolls && el.dataset.scrollFocus) {
        el.removeAttribute("tabindex");
        delete el.dataset.scrollFocus;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  document.addEventListener("htmx:afterSettle", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
})();
