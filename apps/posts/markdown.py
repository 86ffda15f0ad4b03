"""The extended-markdown pipeline: markdown text in, sanitised HTML with embed slots out.

Pure: no database, no settings. Embeds (```assetComponent blocks) become slots in the stored
HTML; what fills a slot is decided at display time, for the reader, with permission checks.
Everything that reaches the HTML passes an nh3 allowlist, and a slot can only come from an
embed block (the slot attribute is not on the allowlist, so raw HTML cannot forge one).

Rendering is bounded (apps.core.bounded_markdown): text too large, nested too deeply or too
costly to render, or with more than MAX_EMBEDS embeds, raises RenderLimitError.
"""

import json
import re
import secrets
import uuid
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from pygments.token import STANDARD_TYPES

from apps.core.bounded_markdown import BoundedExtension, RenderLimitError, convert, text_check
from apps.core.safe_text import InputError, json_loads

ASSET_TYPES = ("route", "file", "dataset", "post", "service")
VIEW_MODES = ("preview", "card")
LINK_KINDS = ("route", "action", "file", "post", "dataset", "service")
CALLOUT_KINDS = ("note", "tip", "important", "warning", "caution")

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
TYPED_LINK = re.compile(rf"^({'|'.join(LINK_KINDS)}):({_UUID})$")
LINK_PATH = re.compile(rf"^/links/({'|'.join(LINK_KINDS)})/({_UUID})$")
MENTION = r"\{@([A-Za-z0-9_.+-]{1,150})\}"
# ouro-mcp writes a mention in backticks (`{@name}`): a mention still, not inline code.
MENTION_IN_CODE = r"`\{@([A-Za-z0-9_.+-]{1,150})\}`"
SLOT = re.compile(r'<div data-embed-slot="(\d+)"></div>')
CALLOUT_MARKER = re.compile(r"^\[!([A-Za-z]+)\][ \t]*\n?")
# Each embed is a block the reader's page fills (with its own queries) on every view.
MAX_EMBEDS = 100
# An embed block's JSON is small: an id, a type, a mode and a few display settings.
EMBED_MAX_DEPTH = 8


class EmbedError(ValueError):
    """An assetComponent block that is not a valid embed."""


@dataclass(frozen=True)
class Embed:
    """One assetComponent block, validated: what to show and how."""

    asset_id: str
    asset_type: str
    view_mode: str = "preview"
    display_config: dict = field(default_factory=dict)

    @property
    def action_id(self) -> str | None:
        value = self.display_config.get("actionId")
        return str(value) if value else None

    def to_attrs(self) -> dict:
        """The TipTap `assetComponent` attrs (and the JSON of the markdown block)."""
        attrs = {"id": self.asset_id, "assetType": self.asset_type, "viewMode": self.view_mode}
        if self.display_config:
            attrs["displayConfig"] = self.display_config
        return attrs

    @classmethod
    def from_attrs(cls, attrs: dict) -> "Embed":
        if not isinstance(attrs, dict):
            raise EmbedError("an embed must be a JSON object")
        try:
            asset_id = str(uuid.UUID(str(attrs.get("id"))))
        except ValueError:
            raise EmbedError("an embed needs an asset id (a UUID)") from None
        asset_type = attrs.get("assetType")
        if asset_type not in ASSET_TYPES:
            raise EmbedError(f"assetType must be one of {', '.join(ASSET_TYPES)}")
        view_mode = attrs.get("viewMode") or "preview"
        if view_mode not in VIEW_MODES:
            raise EmbedError(f"viewMode must be one of {', '.join(VIEW_MODES)}")
        config = attrs.get("displayConfig") or {}
        if isinstance(config, str):
            # The TipTap editor may hold displayConfig as the JSON text it was written as.
            try:
                config = json_loads(config, max_depth=EMBED_MAX_DEPTH, whole="displayConfig")
            except InputError as exc:
                raise EmbedError(exc.message) from None
        if not isinstance(config, dict):
            raise EmbedError("displayConfig must be a JSON object")
        if config.get("actionId") is not None:
            try:
                config = {**config, "actionId": str(uuid.UUID(str(config["actionId"])))}
            except ValueError:
                raise EmbedError("displayConfig.actionId must be a UUID") from None
        return cls(asset_id, asset_type, view_mode, config)

    def block(self) -> str:
        return f"```assetComponent\n{json.dumps(self.to_attrs())}\n```"


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitised, with `<div data-embed-slot="N"></div>` for embeds[N]
    embeds: list[Embed]
    errors: list[str]  # one line per invalid embed block


# --- markdown extensions -------------------------------------------------------------------


class _MentionPattern(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 (Markdown's API)
        el = etree.Element("span")
        el.set("class", "mention")
        el.text = f"@{m.group(1)}"
        return el, m.start(0), m.end(0)


class _OuroTree(Treeprocessor):
    """Typed links become local /links/<kind>/<id> paths; `> [!NOTE]` quotes become callouts."""

    def run(self, root):
        for a in root.iter("a"):
            match = TYPED_LINK.match(a.get("href", "").strip())
            if match:
                a.set("href", f"/links/{match.group(1)}/{match.group(2).lower()}")
                a.set("class", f"asset-link {match.group(1)}")
        for quote in list(root.iter("blockquote")):
            first = quote[0] if len(quote) else None
            if first is None or first.tag != "p" or not first.text:
                continue
            marker = CALLOUT_MARKER.match(first.text)
            if not marker or marker.group(1).lower() not in CALLOUT_KINDS:
                continue
            kind = marker.group(1).lower()
            first.text = first.text[marker.end() :]
            if not first.text and not len(first):
                quote.remove(first)
            quote.tag = "div"
            quote.set("class", f"callout {kind}")
            title = etree.Element("p")
            title.set("class", "callout-title")
            title.text = kind.capitalize()
            quote.insert(0, title)


class _OuroExtension(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.inlinePatterns.register(_MentionPattern(MENTION, md), "ouro_mention", 175)
        # Above the backtick pattern (190), which would make it inline code.
        md.inlinePatterns.register(_MentionPattern(MENTION_IN_CODE, md), "ouro_mention_code", 195)
        md.treeprocessors.register(_OuroTree(md), "ouro_tree", 5)


# --- sanitising ----------------------------------------------------------------------------

_PYGMENTS_CLASSES = {c for c in STANDARD_TYPES.values() if c}
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "img",
    "span", "div", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_CLASSES = {
    "a": {"asset-link", *LINK_KINDS},
    "span": {"mention", "arithmatex", *_PYGMENTS_CLASSES},
    "div": {"arithmatex", "highlight", "callout", *CALLOUT_KINDS},
    "p": {"callout-title", "embed-invalid"},
}
LANGUAGE_CLASS = re.compile(r'class="language-([A-Za-z0-9_+#.-]{1,40}) highlight"')


def _sanitise(html: str) -> str:
    # Code blocks carry their language as a class; keep it by allowing exactly the ones used.
    languages = {f"language-{m}" for m in LANGUAGE_CLASS.findall(html)}
    classes = {**ALLOWED_CLASSES, "div": ALLOWED_CLASSES["div"] | languages}
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=classes,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# --- the pipeline --------------------------------------------------------------------------


def render(text: str) -> Rendered:
    """Render extended markdown to sanitised HTML with embed slots (RenderLimitError when the
    text is beyond the limits)."""
    text = text or ""
    text_check(text)
    nonce = secrets.token_hex(8)
    embeds: list[Embed] = []
    errors: list[str] = []
    blocks = [0]

    def embed_fence(source, language, class_name, options, md, **kwargs) -> str:
        # (Python-Markdown's fences swallow what a formatter raises: limits are told after.)
        blocks[0] += 1
        if blocks[0] > MAX_EMBEDS:
            return ""
        try:
            embed = Embed.from_attrs(json_loads(source, max_depth=EMBED_MAX_DEPTH, whole="it"))
        except (InputError, EmbedError) as exc:
            message = str(exc) if isinstance(exc, EmbedError) else exc.message
            if isinstance(exc, InputError) and exc.code == "invalid_json":
                message = "not valid JSON"
            errors.append(f"Embed block {len(errors) + len(embeds) + 1}: {message}")
            return '<p class="embed-invalid">This embed block is not valid.</p>'
        embeds.append(embed)
        return f"<p>ouro-embed-{nonce}-{len(embeds) - 1}</p>"

    md = markdown.Markdown(
        extensions=[
            "tables",
            "sane_lists",
            "pymdownx.tilde",
            "pymdownx.arithmatex",
            "pymdownx.highlight",
            "pymdownx.superfences",
            _OuroExtension(),
            BoundedExtension(),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "pymdownx.tilde": {"subscript": False},
            # Math ($..$ or \(..\), $$..$$ or \[..\]) is marked as \(..\) spans and \[..\] divs
            # for KaTeX in the browser; the TeX inside stays escaped text.
            "pymdownx.arithmatex": {
                "generic": True,
                "inline_syntax": ["dollar", "round"],
                "block_syntax": ["dollar", "square"],
            },
            "pymdownx.highlight": {"use_pygments": True, "pygments_lang_class": True},
            "pymdownx.superfences": {
                "custom_fences": [
                    {"name": "assetComponent", "class": "asset-component", "format": embed_fence}
                ]
            },
        },
    )
    html = convert(md, text, checked=True)
    if blocks[0] > MAX_EMBEDS:
        raise RenderLimitError(
            f"The text has more than {MAX_EMBEDS} embeds; a post has at most that many"
        )
    html = _sanitise(html)
    html = re.sub(rf"<p>ouro-embed-{nonce}-(\d+)</p>", r'<div data-embed-slot="\1"></div>', html)
    return Rendered(html=html, embeds=embeds, errors=errors)


def slots_fill(html: str, fragments: list[str]) -> str:
    """Put each embed's (trusted, template-rendered) HTML into its slot."""

    def fill(match: re.Match) -> str:
        index = int(match.group(1))
        return fragments[index] if index < len(fragments) else ""

    return SLOT.sub(fill, html)
