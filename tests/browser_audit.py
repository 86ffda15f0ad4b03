"""Audits a page open in the browser: no sideways scrolling at its width, no serious accessibility fault.

    from tests.browser_audit import audit
    audit(page, "route-page")

`audit` saves a full-page screenshot to `$SCREENSHOT_DIR/<name>-<width>.png` when SCREENSHOT_DIR
is set, then asserts that nothing is wider than the viewport (naming the elements that stick out)
and that axe-core (vendored in `tests/browser_vendor/axe-core/`) finds no violation of impact
serious or critical under WCAG 2.1 A/AA and best practice.
"""

import os
from functools import cache
from pathlib import Path

AXE_PATH = Path(__file__).parent / "browser_vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
SERIOUS = {"serious", "critical"}

# Elements whose right edge passes the viewport, innermost first, with their widths: an element
# inside a scrolling box (overflow-x auto/scroll/hidden) is clipped by it and does not count.
_OVERFLOWING = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const clips = (style) => ["auto", "scroll", "hidden", "clip"].includes(style.overflowX);
  // Inside a box that scrolls or clips sideways, an element does not widen the page; one
  // positioned absolutely escapes such boxes up to its positioned ancestor.
  const clipped = (el) => {
    const position = getComputedStyle(el).position;
    let escaping = position === "absolute" || position === "fixed";
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (!escaping && clips(style)) return true;
      if (escaping && style.position !== "static") {
        escaping = style.position === "fixed";
        if (clips(style)) return true;
      }
    }
    return false;
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    for (const c of el.classList) s += "." + c;
    return s;
  };
  const path = (el) => {
    const parts = [];
    for (let n = el; n && n !== document.body; n = n.parentElement) parts.unshift(name(n));
    return parts.slice(-4).join(" > ");
  };
  const wide = [...document.body.querySelectorAll("*")].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > limit && !clipped(el);
  });
  // The innermost ones: those with no such element inside them.
  const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  return innermost.slice(0, 12).map((el) => {
    const r = el.getBoundingClientRect();
    const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return `${path(el)} (right edge ${Math.round(r.right)}px, width ${Math.round(r.width)}px) "${text}"`;
  });
}"""


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text()


def _width(page) -> int:
    return page.evaluate("window.innerWidth")


def screenshot(page, name: str) -> None:
    """A full-page screenshot in $SCREENSHOT_DIR, when it is set."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"{name}-{_width(page)}.png"), full_page=True)


def overflow_problems(page) -> list[str]:
    """What sticks out past the viewport's right edge (empty when the page fits its width)."""
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if fits:
        return []
    sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    found = page.evaluate(_OVERFLOWING)
    return [f"the page is {sizes[0]}px wide in a {sizes[1]}px viewport", *found]


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    # Evaluated over the DevTools protocol, so the pages' Content-Security-Policy does not stop it.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(f"() => {{ {_axe_source()}\n}}")
    results = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags},
                                        resultTypes: ["violations"]})""",
        AXE_TAGS,
    )
    return [v for v in results["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            lines.append(f"    {target}  {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def audit(page, name: str) -> None:
    """Screenshot (if SCREENSHOT_DIR), then assert the page fits its width and passes axe."""
    screenshot(page, name)
    width = _width(page)
    problems = overflow_problems(page)
    violations = axe_violations(page)
    messages = []
    if problems:
        messages.append(f"{name} at {width}px scrolls sideways:\n  " + "\n  ".join(problems))
    if violations:
        messages.append(
            f"{name} at {width}px has accessibility violations:\n{describe(violations)}"
        )
    assert not messages, "\n".join(messages)
