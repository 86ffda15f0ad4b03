"""Extended markdown <-> the TipTap JSON document the official clients send and read.

Pure. Markdown goes through the same pipeline as the page (so the two never disagree about
what a block is), then the sanitised HTML is read back into TipTap nodes. The way back writes
markdown that the pipeline parses to the same document.

A document that arrives (from a client) is checked first: DocumentError names the first node
that is not of the shape TipTap writes, by its path from the document.
"""

import json
import re
from html.parser import HTMLParser

from apps.core.safe_text import path_join
from apps.posts.markdown import (
    LINK_PATH,
    Embed,
    EmbedError,
    Rendered,
    RenderLimitError,
    render,
)

MARK_TAGS = {"strong": "bold", "em": "italic", "del": "strike", "code": "code"}
BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "div", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
VOID_TAGS = {"br", "hr", "img"}
HEADING = re.compile(r"^h([1-6])$")
INDENT = "    "  # Python-Markdown nests list content by four spaces
# The rendered HTML read back: how deep its elements may nest (raw HTML can nest divs).
MAX_HTML_DEPTH = 128
# A document sent by a client: how many nodes (marks included), and how deep.
MAX_NODES = 50_000
MAX_DEPTH = 64


class DocumentError(ValueError):
    """A TipTap document of the wrong shape; `path` names the node from the document."""

    def __init__(self, path: str, problem: str):
        super().__init__(f"{path or 'the document'} {problem}")
        self.path = path
        self.problem = problem


# --- HTML to a small tree ------------------------------------------------------------------


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict):
        self.tag = tag
        self.attrs = attrs
        self.children: list = []  # _Node or str

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if len(self.stack) > MAX_HTML_DEPTH:
            raise RenderLimitError(f"The text is nested more than {MAX_HTML_DEPTH} elements deep")
        node = _Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID_TAGS:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(html: str) -> _Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- HTML tree to TipTap -------------------------------------------------------------------


def _text(text: str, marks: list[dict]) -> dict | None:
    if not text:
        return None
    node = {"type": "text", "text": text}
    if marks:
        node["marks"] = [dict(m) for m in marks]
    return node


def _link_href(href: str) -> str:
    match = LINK_PATH.match(href)
    return f"{match.group(1)}:{match.group(2)}" if match else href


def _inline(node: _Node, marks: list[dict]) -> list[dict]:
    out: list[dict] = []
    for child in node.children:
        if isinstance(child, str):
            item = _text(child, marks)
            if item:
                out.append(item)
            continue
        tag, classes = child.tag, child.classes
        if tag in MARK_TAGS:
            out += _inline(child, [*marks, {"type": MARK_TAGS[tag]}])
        elif tag == "a":
            href = _link_href(child.attrs.get("href") or "")
            link = {"type": "link", "attrs": {"href": href}} if href else None
            out += _inline(child, [*marks, link] if link else marks)
        elif tag == "span" and "mention" in classes:
            name = child.text().lstrip("@")
            out.append({"type": "mention", "attrs": {"id": name, "label": name}})
        elif tag == "span" and "arithmatex" in classes:
            out.append(_math(child.text(), display=False))
        elif tag == "br":
            out.append({"type": "hardBreak"})
        elif tag == "img":
            attrs = {"src": child.attrs.get("src") or "", "alt": child.attrs.get("alt") or ""}
            out.append({"type": "image", "attrs": attrs})
        else:
            out += _inline(child, marks)
    return out


def _math(source: str, *, display: bool) -> dict:
    latex = source.strip()
    if latex[:2] in ("\\(", "\\[") and latex[-2:] in ("\\)", "\\]"):
        latex = latex[2:-2].strip()
    return {"type": "mathematics", "attrs": {"latex": latex, "displayMode": display}}


def _with_content(node: dict, content: list[dict]) -> dict:
    if content:
        node["content"] = content
    return node


def _blocks(node: _Node, embeds: list[Embed]) -> list[dict]:
    """Block children of `node`; loose inline runs become paragraphs (as in list items)."""
    out: list[dict] = []
    run = _Node("p", {})
    for child in node.children:
        if isinstance(child, _Node) and child.tag in BLOCK_TAGS:
            if _inline(run, []):
                out.append(_block(run, embeds))
            run = _Node("p", {})
            block = _block(child, embeds)
            if block is not None:
                out.append(block)
        elif isinstance(child, str) and not run.children and not child.strip():
            continue
        else:
            run.children.append(child)
    inline = _inline(run, [])
    if inline:
        # Trailing whitespace between the last inline run and the closing tag is not content.
        if inline[-1]["type"] == "text":
            inline[-1]["text"] = inline[-1]["text"].rstrip("\n")
        out.append({"type": "paragraph", "content": [n for n in inline if n.get("text", "x")]})
    return out


def _code_block(node: _Node) -> dict:
    language = next(
        (c[len("language-") :] for c in node.classes if c.startswith("language-")), None
    )
    code = node.text().removesuffix("\n")
    return _with_content(
        {"type": "codeBlock", "attrs": {"language": None if language == "text" else language}},
        [{"type": "text", "text": code}] if code else [],
    )


def _table(node: _Node) -> dict:
    rows = []
    for tr in _descendants(node, "tr"):
        cells = []
        for cell in tr.children:
            if isinstance(cell, _Node) and cell.tag in ("th", "td"):
                cell_type = "tableHeader" if cell.tag == "th" else "tableCell"
                paragraph = _with_content({"type": "paragraph"}, _inline(cell, []))
                attrs = {"colspan": 1, "rowspan": 1, "colwidth": None}
                cells.append({"type": cell_type, "attrs": attrs, "content": [paragraph]})
        rows.append({"type": "tableRow", "content": cells})
    return {"type": "table", "content": rows}


def _descendants(node: _Node, tag: str) -> list[_Node]:
    found = []
    for child in node.children:
        if isinstance(child, _Node):
            found += [child] if child.tag == tag else _descendants(child, tag)
    return found


def _block(node: _Node, embeds: list[Embed]) -> dict | None:
    tag, classes = node.tag, node.classes
    if tag == "p":
        if "callout-title" in classes:
            return None
        return _with_content({"type": "paragraph"}, _inline(node, []))
    if heading := HEADING.match(tag):
        return _with_content(
            {"type": "heading", "attrs": {"level": int(heading.group(1))}}, _inline(node, [])
        )
    if tag in ("ul", "ol"):
        items = [
            _with_content({"type": "listItem"}, _blocks(li, embeds))
            for li in node.children
            if isinstance(li, _Node) and li.tag == "li"
        ]
        if tag == "ul":
            return {"type": "bulletList", "content": items}
        start = _whole(node.attrs.get("start"), 0, 10**9) or 1
        return {"type": "orderedList", "attrs": {"start": start}, "content": items}
    if tag == "blockquote":
        return _with_content({"type": "blockquote"}, _blocks(node, embeds))
    if tag == "div" and "data-embed-slot" in node.attrs:
        index = int(node.attrs["data-embed-slot"])
        return {"type": "assetComponent", "attrs": embeds[index].to_attrs()}
    if tag == "div" and "callout" in classes:
        kind = next((c for c in classes if c != "callout"), "note")
        return _with_content({"type": "callout", "attrs": {"kind": kind}}, _blocks(node, embeds))
    if tag == "div" and "arithmatex" in classes:
        return {"type": "paragraph", "content": [_math(node.text(), display=True)]}
    if (tag == "div" and "highlight" in classes) or tag == "pre":
        return _code_block(node)
    if tag == "table":
        return _table(node)
    if tag == "hr":
        return {"type": "horizontalRule"}
    content = _blocks(node, embeds)
    return content[0] if len(content) == 1 else _with_content({"type": "paragraph"}, [])


def tiptap_from_rendered(rendered: Rendered) -> dict:
    """The TipTap document of markdown already rendered (so it is rendered once)."""
    return {"type": "doc", "content": _blocks(_parse(rendered.html), rendered.embeds)}


def markdown_to_tiptap(text: str) -> dict:
    return tiptap_from_rendered(render(text))


# --- checking a document -------------------------------------------------------------------


def _whole(value, low: int, high: int | None) -> int | None:
    """An attribute that must be a whole number (as a number or digits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 9:
        number = int(value.strip())
    else:
        return None
    return number if number >= low and (high is None or number <= high) else None


NUMBER_ATTRS = {"heading": ("level", 1, 6), "orderedList": ("start", 0, 10**9)}


def _node_check(node, path: str) -> tuple[dict, list]:
    """The node's attrs and its children (content and marks) with their paths."""
    if not isinstance(node, dict):
        raise DocumentError(path, "must be a node: an object with a type")
    kind = node.get("type")
    if not isinstance(kind, str):
        raise DocumentError(path_join(path, "type"), "must be a string")
    attrs = node.get("attrs")
    if attrs is not None and not isinstance(attrs, dict):
        raise DocumentError(path_join(path, "attrs"), "must be an object")
    attrs = attrs or {}
    if kind in NUMBER_ATTRS:
        name, low, high = NUMBER_ATTRS[kind]
        if attrs.get(name) is not None and _whole(attrs[name], low, high) is None:
            wanted = f"{low} to {high}" if high else f"{low} or more"
            raise DocumentError(
                path_join(path_join(path, "attrs"), name), f"must be a whole number, {wanted}"
            )
    if kind == "text" and not isinstance(node.get("text", ""), str):
        raise DocumentError(path_join(path, "text"), "must be a string")
    children = []
    for key in ("content", "marks"):
        value = node.get(key)
        if value is None:
            continue
        if not isinstance(value, list):
            raise DocumentError(path_join(path, key), "must be a list")
        children += [(child, path_join(path_join(path, key), i)) for i, child in enumerate(value)]
    return attrs, children


def document_check(doc) -> None:
    """Whether `doc` is a TipTap document of the shape TipTap writes, within MAX_NODES nodes
    nested at most MAX_DEPTH deep; DocumentError otherwise."""
    if not isinstance(doc, dict) or doc.get("type") != "doc":
        raise DocumentError("", "must be a TipTap document ({'type': 'doc', ...})")
    stack = [(doc, "", 0)]
    count = 0
    while stack:
        node, path, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise DocumentError("", f"has more than {MAX_NODES:,} nodes")
        if depth > MAX_DEPTH:
            raise DocumentError(path, f"is nested more than {MAX_DEPTH} nodes deep")
        _attrs, children = _node_check(node, path)
        stack.extend((child, where, depth + 1) for child, where in reversed(children))


# --- TipTap to markdown --------------------------------------------------------------------


def _marks_apply(text: str, marks: list[dict]) -> str:
    for mark in marks or []:
        kind = mark.get("type")
        if kind == "bold":
            text = f"**{text}**"
        elif kind == "italic":
            text = f"*{text}*"
        elif kind == "strike":
            text = f"~~{text}~~"
        elif kind == "code":
            text = f"`{text}`"
        elif kind == "link":
            text = f"[{text}]({(mark.get('attrs') or {}).get('href', '')})"
    return text


def _inline_md(nodes: list) -> str:
    parts = []
    for node in nodes or []:
        if not isinstance(node, dict):
            continue
        kind, attrs = node.get("type"), node.get("attrs") or {}
        if kind == "text":
            parts.append(_marks_apply(str(node.get("text", "")), node.get("marks") or []))
        elif kind == "mention":
            parts.append(f"{{@{attrs.get('label') or attrs.get('username') or attrs.get('id')}}}")
        elif kind == "mathematics":
            latex = attrs.get("latex", "")
            display = str(attrs.get("displayMode")).lower() == "true"
            parts.append(f"\\[{latex}\\]" if display else f"\\({latex}\\)")
        elif kind == "hardBreak":
            parts.append("  \n")
        elif kind == "image":
            parts.append(f"![{attrs.get('alt', '')}]({attrs.get('src', '')})")
    return "".join(parts)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def _list_item(item: dict, marker: str) -> str:
    blocks = [_block_md(child) for child in item.get("content") or []]
    blocks = [b for b in blocks if b is not None]
    if not blocks:
        return marker.rstrip()
    first, rest = blocks[0], blocks[1:]
    lines = [marker + _indent(first, INDENT).removeprefix(INDENT)]
    lines += [_indent(block, INDENT) for block in rest]
    return "\n".join(lines)


def _block_md(node: dict) -> str | None:
    if not isinstance(node, dict):
        return None
    kind, attrs, content = node.get("type"), node.get("attrs") or {}, node.get("content") or []
    if kind == "paragraph":
        return _inline_md(content)
    if kind == "heading":
        return "#" * (_whole(attrs.get("level"), 1, 6) or 1) + " " + _inline_md(content)
    if kind == "codeBlock":
        code = "".join(str(n.get("text", "")) for n in content if isinstance(n, dict))
        fence = "````" if "```" in code else "```"
        return f"{fence}{attrs.get('language') or ''}\n{code}\n{fence}"
    if kind == "blockquote":
        return _indent(_blocks_md(content), "> ").replace("\n\n", "\n>\n")
    if kind == "callout":
        inner = _blocks_md(content)
        kind_name = str(attrs.get("kind") or "note").upper()
        lines = [f"[!{kind_name}]", *inner.split("\n")]
        return "\n".join(f"> {line}" if line else ">" for line in lines)
    if kind in ("bulletList", "orderedList"):
        start = _whole(attrs.get("start"), 0, 10**9) or 1
        items = [
            _list_item(item, "- " if kind == "bulletList" else f"{start + i}. ")
            for i, item in enumerate(content)
            if isinstance(item, dict)
        ]
        return "\n".join(items)
    if kind == "table":
        return _table_md(content)
    if kind == "image":
        return f"![{attrs.get('alt', '')}]({attrs.get('src', '')})"
    if kind == "horizontalRule":
        return "---"
    if kind == "assetComponent":
        try:
            return Embed.from_attrs(attrs).block()
        except EmbedError:
            return f"```assetComponent\n{json.dumps(attrs)}\n```"
    if content:
        return _blocks_md(content)
    return None


def _table_md(rows: list) -> str:
    lines = []
    for i, row in enumerate(r for r in rows if isinstance(r, dict)):
        cells = [
            _blocks_md(cell.get("content") or []).replace("\n", " ").replace("|", "\\|")
            for cell in row.get("content") or []
            if isinstance(cell, dict)
        ]
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("| " + " | ".join("---" for _ in cells) + " |")
    return "\n".join(lines)


def _blocks_md(nodes: list) -> str:
    return "\n\n".join(b for b in (_block_md(n) for n in nodes or []) if b is not None)


def tiptap_to_markdown(doc: dict) -> str:
    """The markdown of a document: none for what is not an object (DocumentError for an
    object whose nodes are not of TipTap's shape)."""
    if not isinstance(doc, dict):
        return ""
    document_check({**doc, "type": "doc"})
    return _blocks_md(doc.get("content") or []).strip() + "\n"
