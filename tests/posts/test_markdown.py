"""The pure extended-markdown pipeline: embeds as slots, links, mentions, callouts, math, code,
and an allowlist no payload gets through."""

import json

import pytest

from apps.posts.markdown import Embed, EmbedError, render, slots_fill

ROUTE = "0b5f0b62-1111-4e4e-9a9a-123456789abc"
ACTION = "0b5f0b62-2222-4e4e-9a9a-123456789abc"


def block(attrs) -> str:
    return f"```assetComponent\n{json.dumps(attrs)}\n```"


@pytest.mark.parametrize("asset_type", ["route", "file", "dataset", "post", "service"])
@pytest.mark.parametrize("view_mode", ["preview", "card"])
def test_every_embed_kind_and_mode_becomes_a_slot(asset_type, view_mode):
    rendered = render(
        f"Before\n\n{block({'id': ROUTE, 'assetType': asset_type, 'viewMode': view_mode})}\n\nAfter"
    )
    assert '<div data-embed-slot="0"></div>' in rendered.html
    assert rendered.embeds == [Embed(ROUTE, asset_type, view_mode, {})]
    assert "assetComponent" not in rendered.html


def test_a_pinned_action_is_kept_in_the_display_config():
    rendered = render(
        block({"id": ROUTE, "assetType": "route", "displayConfig": {"actionId": ACTION}})
    )
    assert rendered.embeds[0].action_id == ACTION
    assert rendered.embeds[0].view_mode == "preview"


def test_slots_are_numbered_in_order_and_filled_with_their_fragments():
    text = "\n\n".join(block({"id": ROUTE, "assetType": t}) for t in ("route", "file"))
    rendered = render(text)
    filled = slots_fill(rendered.html, ["<b>first</b>", "<i>second</i>"])
    assert filled.index("<b>first</b>") < filled.index("<i>second</i>")


def test_an_invalid_embed_block_is_reported_and_shown_as_such():
    rendered = render(
        block({"id": "nope", "assetType": "route"}) + "\n\n```assetComponent\n{oops\n```"
    )
    assert rendered.embeds == []
    assert len(rendered.errors) == 2
    assert "UUID" in rendered.errors[0] and "JSON" in rendered.errors[1]
    assert rendered.html.count("This embed block is not valid.") == 2


@pytest.mark.parametrize(
    "attrs",
    [
        {"id": ROUTE, "assetType": "user"},
        {"id": ROUTE, "assetType": "route", "viewMode": "full"},
        {"id": ROUTE, "assetType": "route", "displayConfig": {"actionId": "x"}},
        {"id": ROUTE, "assetType": "route", "displayConfig": [1]},
    ],
)
def test_embed_attributes_are_validated(attrs):
    with pytest.raises(EmbedError):
        Embed.from_attrs(attrs)


def test_display_config_written_as_json_text_is_read():
    embed = Embed.from_attrs(
        {"id": ROUTE, "assetType": "route", "displayConfig": json.dumps({"actionId": ACTION})}
    )
    assert embed.action_id == ACTION


@pytest.mark.parametrize("kind", ["route", "action", "file", "post", "dataset", "service"])
def test_typed_links_lead_to_the_local_link_resolver(kind):
    html = render(f"See [the thing]({kind}:{ROUTE}).").html
    assert f'href="/links/{kind}/{ROUTE}"' in html
    assert ">the thing</a>" in html


def test_a_typed_link_without_a_uuid_loses_its_href():
    html = render("[x](route:../../admin)").html
    assert "href" not in html


def test_mentions_become_spans():
    assert '<span class="mention">@alice</span>' in render("Thanks {@alice}!").html


def test_note_and_warning_quotes_become_callouts():
    html = render("> [!NOTE]\n> Read this.\n\nText\n\n> [!WARNING]\n> Careful").html
    assert '<div class="callout note">' in html and '<div class="callout warning">' in html
    assert "[!NOTE]" not in html and "Read this." in html


def test_a_plain_quote_stays_a_quote():
    assert "<blockquote>" in render("> just a quote").html


def test_math_is_passed_through_for_the_browser():
    html = render(r"Inline \(a < b_1\) and" + "\n\n" + r"\[ \int_0^1 x\,dx \]").html
    assert r'<span class="arithmatex">\(a &lt; b_1\)</span>' in html
    assert r'<div class="arithmatex">\[ \int_0^1 x\,dx \]</div>' in html


@pytest.mark.parametrize("text", [r"Energy $E = mc^2$ here", r"Energy \(E = mc^2\) here"])
def test_inline_math_becomes_a_marked_span(text):
    html = render(text).html
    assert html == r'<p>Energy <span class="arithmatex">\(E = mc^2\)</span> here</p>'


@pytest.mark.parametrize("text", ["$$\na^2 + b^2 = c^2\n$$", "\\[\na^2 + b^2 = c^2\n\\]"])
def test_display_math_becomes_a_marked_div(text):
    html = render(text).html
    assert html == '<div class="arithmatex">\\[\na^2 + b^2 = c^2\n\\]</div>'


@pytest.mark.parametrize(
    "text",
    [
        "Code `$x^2$` and `\\(y\\)`",
        "```\n$$\nx^2\n$$\n```",
        "```text\n$x^2$ \\[y\\]\n```",
        "    $x^2$ indented",
    ],
)
def test_math_in_code_is_left_alone(text):
    html = render(text).html
    assert "arithmatex" not in html
    assert "x^2" in html


def test_dollar_amounts_are_not_math():
    assert "arithmatex" not in render("It costs $5 and $10.").html


@pytest.mark.parametrize(
    "text",
    [
        "$<script>alert(1)</script>$",
        "$$\n</div><script>alert(1)</script>\n$$",
        "\\(<img src=x onerror=alert(1)>\\)",
    ],
)
def test_markup_inside_a_formula_is_escaped(text):
    html = render(text).html
    assert "arithmatex" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;" in html


def test_math_markup_carries_only_its_class():
    html = render('<span class="arithmatex katex" onclick="x" style="c:red">x</span>').html
    assert html == '<p><span class="arithmatex">x</span></p>'


def test_fenced_code_is_highlighted_with_its_language():
    html = render("```python\ndef f():\n    return '<b>'\n```").html
    assert 'class="language-python highlight"' in html
    assert '<span class="k">def</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_tables_and_strikethrough_render():
    html = render("| a | b |\n|:--|---|\n| 1 | ~~2~~ |").html
    assert '<th align="left">a</th>' in html and "<del>2</del>" in html


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<div style="position:fixed" onclick="alert(1)">x</div>',
    "<svg><script>alert(1)</script></svg>",
    '<span class="badge status-success">success</span>',
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    '<form action="/logout"><button>x</button></form>',
]


@pytest.mark.parametrize("payload", XSS)
def test_markup_payloads_are_stripped(payload):
    html = render(f"Hello\n\n{payload}\n\nbye").html.lower()
    for marker in (
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "onclick",
        "style=",
        "data:",
        "<form",
        "status-success",
    ):
        assert marker not in html


def test_raw_html_cannot_forge_an_embed_slot():
    rendered = render(
        '<div data-embed-slot="0"></div>\n\n' + block({"id": ROUTE, "assetType": "route"})
    )
    assert rendered.html.count("data-embed-slot") == 1


def test_a_mention_or_link_label_cannot_inject_markup():
    import re

    html = render("[<img src=x onerror=alert(1)>](route:" + ROUTE + ') {@a"onmouseover=x}').html
    tags = re.findall(r"<[^>]+>", html)
    assert not [t for t in tags if "onerror" in t or "onmouseover" in t]
