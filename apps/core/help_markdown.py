"""Help text from API specs (descriptions of parameters, properties, responses) as safe HTML.

Pure: no Django. A spec's descriptions are markdown written by whoever wrote the spec, so:

- they render as markdown (links, code, emphasis, lists) within small bounds
  (apps.core.bounded_markdown), else as escaped plain text;
- the HTML passes an nh3 allowlist: no raw HTML of the spec survives (no script, no image,
  no event handler, no style), links keep only absolute http, https and mailto targets
  (others become their text) and open in a new tab with `rel="nofollow noopener noreferrer"`;
- a text longer than MAX_HELP_CHARS is cut (at a word) and marked as cut; one longer than
  SHORT_HELP_CHARS, or of more than MAX_SHORT_BLOCKS blocks, folds into a <details> whose
  summary is its opening words.
"""

import functools
import html
import re

import markdown
import nh3

from apps.core.bounded_markdown import BoundedExtension, Limits, RenderLimitError, convert

MAX_HELP_CHARS = 4_000
SHORT_HELP_CHARS = 280
EXCERPT_CHARS = 120
MAX_SHORT_BLOCKS = 3
LIMITS = Limits(
    max_chars=MAX_HELP_CHARS + 16,
    max_lines=200,
    max_nesting=8,
    max_code_blocks=10,
    max_elements=600,
    max_block_work=20_000,
    max_html_marks=2_000,
    max_html_scan=200_000,
    max_scan=40_000,
    max_inline_work=2_000_000,
    max_link_text=500,
    max_link_target=1_000,
)
TAGS = {
    "p",
    "br",
    "a",
    "code",
    "pre",
    "em",
    "strong",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}}
_BLOCK = re.compile(r"<(?:p|pre|ul|ol|blockquote|table)\b")
_SPACE = re.compile(r"\s+")
# An anchor the sanitiser left without a target (javascript:, relative): its text only.
_NO_HREF = re.compile(r"<a (?![^>]*\bhref=)[^>]*>(.*?)</a>", re.S)


def _clipped(text: str) -> str:
    if len(text) <= MAX_HELP_CHARS:
        return text
    cut = text[:MAX_HELP_CHARS]
    space = cut.rfind(" ")
    if space > MAX_HELP_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip() + " …"


def _sanitised(fragment: str) -> str:
    cleaned = nh3.clean(
        fragment,
        tags=TAGS,
        clean_content_tags={"script", "style"},
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        # A relative link points into the spec's own site, unknown here: it would lead
        # into this one. It stays as text.
        url_relative="deny",
        link_rel="nofollow noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return _NO_HREF.sub(r"\1", cleaned)


def _rendered(text: str) -> str:
    md = markdown.Markdown(extensions=["fenced_code", "tables", BoundedExtension(LIMITS)])
    try:
        return _sanitised(convert(md, text, LIMITS))
    except RenderLimitError:
        return f"<p>{html.escape(text)}</p>"


def _plain(fragment: str) -> str:
    """The text of sanitised HTML, on one line."""
    text = html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags={"pre"}))
    return _SPACE.sub(" ", text).strip()


def _excerpt(plain: str) -> str:
    if len(plain) <= EXCERPT_CHARS:
        return plain
    cut = plain[:EXCERPT_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > EXCERPT_CHARS // 2 else cut).rstrip(" ,.;:") + " …"


@functools.lru_cache(maxsize=1024)
def help_html(text: str) -> str:
    """A spec's description as sanitised HTML ("" for none); long ones fold. (Cached: a
    page shows the same descriptions on every view.)"""
    text = (text or "").strip()
    if not text:
        return ""
    body = _rendered(_clipped(text))
    plain = _plain(body)
    if len(plain) <= SHORT_HELP_CHARS and len(_BLOCK.findall(body)) <= MAX_SHORT_BLOCKS:
        return body
    summary = html.escape(_excerpt(plain) or "Description")
    return f'<details class="help-more"><summary>{summary}</summary>{body}</details>'
