// Formulas in posts (`.arithmatex` spans and divs holding \(..\) or \[..\]) are typeset with
// the bundled KaTeX on page load and whenever htmx puts new content in (the editor preview).
(function () {
  function typeset(el) {
    if (el.dataset.math === "done") return;
    var tex = el.textContent.trim();
    var display = el.tagName === "DIV";
    if (/^\\[([]/.test(tex) && /\\[)\]]$/.test(tex)) tex = tex.slice(2, -2);
    el.dataset.math = "done";
    window.katex.render(tex, el, { displayMode: display, throwOnError: false });
  }

  function typesetIn(root) {
    if (!window.katex || !root || !root.querySelectorAll) return;
    if (root.matches(".arithmatex")) typeset(root);
    root.querySelectorAll(".arithmatex").forEach(typeset);
  }

  document.addEventListener("DOMContentLoaded", function () {
    typesetIn(document.body);
  });
  document.addEventListener("htmx:load", function (event) {
    typesetIn(event.detail.elt);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    typesetIn(event.detail.target);
  });
})();
