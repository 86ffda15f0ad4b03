"""Markdown <-> the TipTap document the official client sends and reads."""

import pytest

from apps.posts.tiptap import markdown_to_tiptap, tiptap_to_markdown

ROUTE = "0b5f0b62-1111-4e4e-9a9a-123456789abc"
ACTION = "0b5f0b62-2222-4e4e-9a9a-123456789abc"

EMBED = (
    "```assetComponent\n"
    f'{{"id": "{ROUTE}", "assetType": "route", "viewMode": "preview", '
    f'"displayConfig": {{"actionId": "{ACTION}"}}}}\n'
    "```"
)

DOCUMENT = rf"""# Results {{@alice}}

Some **bold**, *italic*, ~~gone~~, `code`, a [link](https://example.org) and [the route](route:{ROUTE}).
Inline math \(E = mc^2\).

\[ \sum_i x_i \]

> [!WARNING]
> Check the units.

> A plain quote

- one
- two
    - nested

3. three
4. four

```python
print("hi")
```

{EMBED}

| element | count |
| --- | --- |
| Fe | 2 |

---

![chart](https://example.org/chart.png)
"""


def nodes(doc, kind):
    found = []
    for node in doc.get("content", []):
        if node.get("type") == kind:
            found.append(node)
        found += nodes(node, kind)
    return found


def test_an_embed_block_becomes_an_asset_component_node():
    doc = markdown_to_tiptap(EMBED)
    assert doc == {
        "type": "doc",
        "content": [
            {
                "type": "assetComponent",
                "attrs": {
                    "id": ROUTE,
                    "assetType": "route",
                    "viewMode": "preview",
                    "displayConfig": {"actionId": ACTION},
                },
            }
        ],
    }


def test_callouts_mentions_math_and_typed_links_have_their_nodes():
    doc = markdown_to_tiptap(DOCUMENT)
    assert nodes(doc, "callout")[0]["attrs"] == {"kind": "warning"}
    assert nodes(doc, "mention")[0]["attrs"]["label"] == "alice"
    maths = nodes(doc, "mathematics")
    assert [m["attrs"] for m in maths] == [
        {"latex": "E = mc^2", "displayMode": False},
        {"latex": r"\sum_i x_i", "displayMode": True},
    ]
    hrefs = [
        mark["attrs"]["href"]
        for text in nodes(doc, "text")
        for mark in text.get("marks", [])
        if mark["type"] == "link"
    ]
    assert hrefs == ["https://example.org", f"route:{ROUTE}"]
    assert nodes(doc, "codeBlock")[0]["attrs"]["language"] == "python"
    assert nodes(doc, "orderedList")[0]["attrs"]["start"] == 3
    assert nodes(doc, "table")[0]["content"][0]["content"][0]["type"] == "tableHeader"


def test_dollar_math_has_math_nodes_too():
    maths = nodes(markdown_to_tiptap("Inline $E = mc^2$\n\n$$\n\\sum_i x_i\n$$"), "mathematics")
    assert [m["attrs"] for m in maths] == [
        {"latex": "E = mc^2", "displayMode": False},
        {"latex": r"\sum_i x_i", "displayMode": True},
    ]


def test_markdown_survives_a_round_trip_through_tiptap():
    doc = markdown_to_tiptap(DOCUMENT)
    again = markdown_to_tiptap(tiptap_to_markdown(doc))
    assert again == doc


def test_the_way_back_writes_callouts_mentions_and_embeds_in_our_syntax():
    text = tiptap_to_markdown(markdown_to_tiptap(DOCUMENT))
    assert "> [!WARNING]\n> Check the units." in text
    assert "{@alice}" in text
    assert EMBED in text
    assert r"\(E = mc^2\)" in text


def test_an_editor_built_document_converts_to_markdown():
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "heading",
                "attrs": {"level": 2},
                "content": [{"type": "text", "text": "Run"}],
            },
            {"type": "paragraph", "content": [{"type": "text", "text": "See below."}]},
            {
                "type": "assetComponent",
                "attrs": {
                    "id": ROUTE,
                    "assetType": "route",
                    "viewMode": "card",
                    "displayConfig": {"actionId": ACTION},
                },
            },
            {
                "type": "codeBlock",
                "attrs": {"language": None},
                "content": [{"type": "text", "text": "x = 1"}],
            },
        ],
    }
    text = tiptap_to_markdown(doc)
    assert text.startswith("## Run\n\nSee below.\n\n```assetComponent\n")
    assert markdown_to_tiptap(text)["content"][2] == doc["content"][2]


@pytest.mark.parametrize("value", [None, {}, {"type": "doc"}, "text"])
def test_empty_or_odd_documents_give_empty_markdown(value):
    assert tiptap_to_markdown(value).strip() == ""
