"""Python-Markdown with bounded work: limits on size, nesting and the work of its patterns, so
that no input makes a render slow. Pure: no Django.

Python-Markdown does several things in time that grows faster than the text: each `[` makes
the link patterns scan to its matching `]` (nested brackets: quadratic or worse); each inline
match restarts its pattern's search from the start of the text; a heading or rule inside a
long block leaves the rest of the block to be tested again, line by line; the raw-HTML pass
scans from each `<` to the next `>`; each code block pays Pygments' set-up; nesting recurses.
So, before rendering, from the text alone:

- it is at most `max_chars` long, with at most `max_lines` lines outside code blocks and at
  most `max_code_blocks` fenced code blocks;
- quotes, lists and indentation nest at most `max_nesting` levels deep, and so do brackets
  within a paragraph;
- the blocks' re-testing and the raw-HTML pass stay within their budgets;

and while rendering: the bracket patterns scan within a bounded window and share a budget of
scanned characters, and before the inline patterns run, the element tree has at most
`max_elements` elements, at most `max_code_blocks` indented code blocks, and an upper bound of
the inline patterns' work (each text's pattern characters times its length) within budget.

Over a limit, RenderLimitError says which, for the author.
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString


class RenderLimitError(ValueError):
    """Markdown the renderer will not render: too large, nested too deeply or too costly."""


@dataclass(frozen=True)
class Limits:
    max_chars: int = 200_000
    max_lines: int = 3_000
    max_nesting: int = 32
    max_code_blocks: int = 200
    max_elements: int = 5_000
    # Lines re-tested after a heading or rule splits their block, for the whole text.
    max_block_work: int = 200_000
    # Raw-HTML marks (`<` and `&`), and the characters scanned from each `<` to its `>`.
    max_html_marks: int = 20_000
    max_html_scan: int = 2_000_000
    # The link patterns' scans, in characters, for the whole text.
    max_scan: int = 300_000
    # The inline patterns' work: for each text, its pattern characters times its length.
    max_inline_work: int = 20_000_000
    # How far a link's text `[...]` and its target `(...)` may reach.
    max_link_text: int = 2_000
    max_link_target: int = 4_000


LIMITS = Limits()
MAX_FENCE = 32  # backticks or tildes opening a code block

# The characters an inline pattern can start at (links, emphasis, code, escapes, HTML,
# entities, mentions, strike-through, math).
INLINE_TRIGGERS = "\\`*_[<&{~$"
_BRACKET_PATTERNS = (
    "reference",
    "link",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
)
_BRACKETS = re.compile(r"[\[\]]")
_BRACKETS_OR_BREAK = re.compile(r"[\[\]]|\n[ \t]*\n")
# A line's container markers: block quotes and list items, after any indentation.
_CONTAINER = re.compile(r"[ \t]{0,3}(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")
_FENCE = re.compile(r"(?:[ \t>]|[-*+][ \t]|\d{1,9}[.)][ \t])*(`{3,}|~{3,})")
# A line that splits its block: a heading, a rule or a setext underline.
_SPLITTER = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|([-*_=])[ \t]*(?:\1[ \t]*){2,}$|=+[ \t]*$)")


def _too_deep(limits: Limits, where: str) -> RenderLimitError:
    return RenderLimitError(
        f"The text is nested more than {limits.max_nesting} levels deep ({where})"
    )


def _lines_check(text: str, limits: Limits) -> None:
    """One pass over the lines: nesting, fences, lines outside code, and block re-testing.

    Quotes and list items open a level each, and so do four columns of indentation before
    them: a line `- - - x` is three lists deep."""
    lines = fences = block_lines = block_splitters = block_work = 0
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" \t")
        if not stripped:
            block_work += block_lines * block_splitters
            block_lines = block_splitters = 0
            continue
        if "`" in line or "~" in line:
            opened = _FENCE.match(line)
            if opened and len(opened.group(1)) > MAX_FENCE:
                # (the fenced-code pass compiles a pattern from each fence)
                raise RenderLimitError(
                    f"A code fence at line {number} is longer than {MAX_FENCE} characters"
                )
            if opened and (fence is None or opened.group(1).startswith(fence)):
                fences += 1
                fence = opened.group(1)[:3] if fence is None else None
                continue
        if fence is not None:
            continue
        lines += 1
        block_lines += 1
        first = stripped[0]
        if first in "#-*_=" and _SPLITTER.match(line):
            block_splitters += 1
        if first in ">-*+" or first.isdigit():
            lead = line[: len(line) - len(stripped)]
            depth = (len(lead) + 3 * lead.count("\t")) // 4
            markers = pos = 0
            while depth + markers <= limits.max_nesting:
                match = _CONTAINER.match(stripped, pos)
                if match is None or match.end() == pos:
                    break
                markers += 1
                pos = match.end()
            if markers and depth + markers > limits.max_nesting:
                raise _too_deep(limits, f"quotes, lists or indentation, at line {number}")
    block_work += block_lines * block_splitters
    if lines > limits.max_lines:
        raise RenderLimitError(
            f"The text has {lines:,} lines outside code blocks; at most {limits.max_lines:,} "
            "are rendered"
        )
    if fences > 2 * limits.max_code_blocks:
        raise RenderLimitError(f"The text has more than {limits.max_code_blocks} code blocks")
    if block_work > limits.max_block_work:
        raise RenderLimitError(
            "The text has long blocks full of headings or rules; separate them with blank lines"
        )


def _brackets_check(text: str, limits: Limits) -> None:
    depth = 0
    for match in _BRACKETS_OR_BREAK.finditer(text):
        bracket = match.group()
        if bracket == "[":
            depth += 1
            if depth > limits.max_nesting:
                raise _too_deep(limits, "brackets [ within a paragraph")
        elif bracket == "]":
            depth = max(0, depth - 1)
        else:  # a blank line: the next paragraph's links are scanned apart
            depth = 0


def _html_check(text: str, limits: Limits) -> None:
    marks = text.count("<") + text.count("&")
    if marks > limits.max_html_marks:
        raise RenderLimitError(
            f"The text has {marks:,} < and & characters; at most {limits.max_html_marks:,} "
            "are rendered (put code in code blocks)"
        )
    scanned = 0
    pos = text.find("<")
    while pos != -1:
        close = text.find(">", pos)
        if close == -1:  # every `<` from here on is scanned to the end
            scanned += text.count("<", pos) * (len(text) - pos)
            break
        scanned += close - pos
        if scanned > limits.max_html_scan:
            break
        pos = text.find("<", pos + 1)
    if scanned > limits.max_html_scan:
        raise RenderLimitError("The text has too many unclosed < tags to render")


def text_check(text: str, limits: Limits = LIMITS) -> None:
    """What can be told from the text alone, before rendering it."""
    if len(text) > limits.max_chars:
        raise RenderLimitError(
            f"The text is {len(text):,} characters long; at most {limits.max_chars:,} are rendered"
        )
    _lines_check(text, limits)
    if "[" in text:
        _brackets_check(text, limits)
    if "<" in text or "&" in text:
        _html_check(text, limits)


class _Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.scanned = 0

    def scan(self, characters: int) -> None:
        self.scanned += characters
        if self.scanned > self.limits.max_scan:
            raise RenderLimitError(
                "The text has too many links or brackets to render (each one is scanned)"
            )


def _bounded_get_text(budget: _Budget):
    """The link text `[...]` after `index`: found within a bounded window, each scan paid for.

    Python-Markdown's own scans to the end of the text for every `[`."""
    limit = budget.limits.max_link_text

    def get_text(data: str, index: int) -> tuple[str, int, bool]:
        end = min(len(data), index + limit)
        depth = steps = 1
        for match in _BRACKETS.finditer(data, index, end):
            steps += 1
            depth += 1 if match.group() == "[" else -1
            if depth == 0:
                budget.scan(steps + (match.start() - index) // 16)
                return data[index : match.start()], match.end(), True
        budget.scan(steps + (end - index) // 16)
        return "", index, False

    return get_text


def _bounded_get_link(budget: _Budget, original):
    """The link target `(...)` at `index`, looked for within a bounded window."""
    limit = budget.limits.max_link_target

    def get_link(data: str, index: int):
        if index >= len(data) or data[index] != "(":
            return original(data, index)  # not an inline target: answered at once
        window = data[index : index + limit]
        if ")" not in window:
            budget.scan(1)
            return "", None, index, False
        href, title, end, handled = original(window, 0)
        budget.scan(end if handled else len(window))
        return href, title, index + end, handled

    return get_link


class _CostCheck(Treeprocessor):
    """Before code is highlighted and inline patterns run: the tree's size, its code blocks and
    an upper bound of the inline patterns' work."""

    def __init__(self, md, limits: Limits):
        super().__init__(md)
        self.limits = limits

    def run(self, root: etree.Element):
        elements = code_blocks = work = 0
        for element in root.iter():
            elements += 1
            if element.tag == "pre":
                code_blocks += 1
            for text in (element.text, element.tail):
                if text and not isinstance(text, AtomicString):
                    triggers = sum(text.count(c) for c in INLINE_TRIGGERS) + text.count("  \n")
                    work += triggers * len(text)
        limits = self.limits
        if elements > limits.max_elements:
            raise RenderLimitError(
                f"The text makes more than {limits.max_elements:,} elements; "
                "split it into several posts"
            )
        if code_blocks > limits.max_code_blocks:
            raise RenderLimitError(f"The text has more than {limits.max_code_blocks} code blocks")
        if work > limits.max_inline_work:
            raise RenderLimitError(
                "The text has too much inline markup in one paragraph to render "
                "(links, emphasis, code or math); break it into shorter paragraphs"
            )


class BoundedExtension(markdown.Extension):
    """Bounds a Markdown instance's work; add it last (after the extensions it bounds)."""

    def __init__(self, limits: Limits = LIMITS, **kwargs):
        self.limits = limits
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        budget = _Budget(self.limits)
        for name in _BRACKET_PATTERNS:
            if name in md.inlinePatterns:
                pattern = md.inlinePatterns[name]
                pattern.getText = _bounded_get_text(budget)
                pattern.getLink = _bounded_get_link(budget, pattern.getLink)
        # Before indented code is highlighted (30) and inline patterns run (20).
        md.treeprocessors.register(_CostCheck(md, self.limits), "bounded_cost", 31)


def convert(
    md: markdown.Markdown, text: str, limits: Limits = LIMITS, *, checked: bool = False
) -> str:
    """`md.convert(text)` within the limits (`md` built with a BoundedExtension); `checked`
    when text_check passed already (it is cheaper than building a Markdown instance)."""
    if not checked:
        text_check(text, limits)
    try:
        return md.convert(text)
    except RecursionError:
        raise RenderLimitError("The text is nested too deeply to render") from None
