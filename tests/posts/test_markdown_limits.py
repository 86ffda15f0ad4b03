"""The markdown pipeline's work is bounded: inputs that make Python-Markdown slow (nested or
unclosed brackets, long blocks of headings, unclosed tags, deep nesting, thousands of code
blocks or elements) are refused at once or render quickly, within the size limit."""

import time

import pytest

from apps.core.bounded_markdown import LIMITS
from apps.posts.markdown import MAX_EMBEDS, RenderLimitError, render
from apps.posts.tiptap import markdown_to_tiptap

SIZE = LIMITS.max_chars - 100
# CPU seconds (of this thread: other processes on the machine do not count) for the render
# and the TipTap conversion together; the bomb took a minute.
BUDGET = 1.5


def fill(unit: str, tail: str = "") -> str:
    return unit * ((SIZE - len(tail)) // len(unit)) + tail


HOSTILE = {
    "nested brackets": "[" * 10000 + "x" + "]" * 10000,
    "unclosed brackets": fill("[x "),
    "brackets 30 deep, repeated": fill("[" * 30 + "x" + "]" * 30 + "\n\n"),
    "unclosed link targets": fill("[x]("),
    "link targets closed far away": fill("[x](" * 900 + ")"),
    "links in one paragraph": fill("[x](http://example.org/a) "),
    "images": fill("![x] "),
    "emphasis": fill("*x"),
    "mixed emphasis": fill("*_"),
    "code spans": fill("`x"),
    "backticks": fill("`"),
    "unclosed tags": fill("<a"),
    "entities": fill("&amp;"),
    "inline math": fill("\\("),
    "mentions": fill("{@a}"),
    "quotes 3000 deep": "> " * 3000 + "x",
    "lists 3000 deep on a line": "- " * 3000 + "x",
    "lists nested by indentation": "\n".join("    " * i + "- x" for i in range(40)),
    "divs 3000 deep": "<div>" * 3000,
    "headings in one block": fill("# h\n"),
    "rules in one block": fill("---\n"),
    "paragraphs": fill("x\n\n"),
    "list items": fill("- x\n"),
    "table rows": "|a|b|\n|-|-|\n" + fill("|x|y|\n"),
    "wide table": "|a" * 3000 + "\n" + "|-" * 3000 + "\n" + "|b" * 3000,
    "fences": fill("```\n"),
    "indented code blocks": fill("    x\n\ny\n\n"),
    "reference definitions": "".join(f"[a{i}]: http://x/{i}\n" for i in range(2900))
    + "[a1] " * 2900,
    "one long word": "a" * SIZE,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_is_refused_at_once_or_rendered_quickly(text):
    started = time.thread_time()
    try:
        markdown_to_tiptap(text)
        render(text)
    except RenderLimitError as exc:
        assert str(exc)  # a message for the author
    assert time.thread_time() - started < BUDGET


def test_text_longer_than_the_limit_is_refused():
    with pytest.raises(RenderLimitError, match="characters long"):
        render("x" * (LIMITS.max_chars + 1))


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 40 + "x" + "]" * 40, "brackets"),
        ("> " * 40 + "x", "at line 1"),
        ("x\n\n" + "\n".join("    " * i + "- x" for i in range(40)), "at line 35"),
        ("<div>" * 200, "elements deep"),
        ("```\nx\n```\n\n" * (LIMITS.max_code_blocks + 1), "code blocks"),
        ("x\n" * (LIMITS.max_lines + 1), "lines outside code blocks"),
    ],
)
def test_each_limit_says_what_it_is(text, message):
    with pytest.raises(RenderLimitError, match=message):
        markdown_to_tiptap(text)


def test_content_within_the_limits_renders_as_before():
    nested = "\n".join("    " * i + "- level" for i in range(LIMITS.max_nesting - 1))
    doc = markdown_to_tiptap(nested)
    depth, node = 0, doc["content"][0]
    while node.get("type") == "bulletList":
        depth += 1
        item = node["content"][0]
        node = item["content"][-1]
    assert depth == LIMITS.max_nesting - 1
    assert "<a" in render("[" * 3 + "[x](http://example.org)" + "]" * 3).html
    code = "\n\n".join(f"```python\nprint({i})\n```" for i in range(LIMITS.max_code_blocks))
    assert render(code).html.count("<pre>") == LIMITS.max_code_blocks
    readme = render("# Title\n\nSome *text* with [a link](http://example.org) and `code`.\n")
    assert '<a href="http://example.org"' in readme.html and "<em>text</em>" in readme.html


def test_an_embed_over_the_limit_is_refused():
    block = '```assetComponent\n{"id": "00000000-0000-4000-8000-000000000001", "assetType": "route"}\n```'
    assert len(render("\n\n".join([block] * MAX_EMBEDS)).embeds) == MAX_EMBEDS
    with pytest.raises(RenderLimitError, match=f"more than {MAX_EMBEDS} embeds"):
        render("\n\n".join([block] * (MAX_EMBEDS + 1)))
