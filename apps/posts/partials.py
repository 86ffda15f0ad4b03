"""Partial embeds: assetComponent nodes that carry an asset to create together with the post.

The official client's `Editor.new_partial_asset()` writes such a node, with a placeholder id,
`"partial": true` and the asset under `partialData` (a file as base64, dataset rows, or a
post's content). Pure: finding and checking the nodes, and rewriting them into ordinary embeds
once their assets exist. No database, no settings.
"""

import base64
import binascii
import copy
from dataclasses import dataclass, field

from apps.assets.tabular import coerce_rows

PARTIAL_TYPES = ("file", "dataset", "post")
# Attributes a partial node has that an ordinary embed does not.
PARTIAL_KEYS = ("partial", "partialData", "filters")


class PartialError(ValueError):
    """A partial embed whose asset cannot be created, with a message naming it."""


@dataclass(frozen=True)
class Partial:
    """One partial node's asset, checked: what to create in place of its placeholder id."""

    placeholder: str
    asset_type: str  # file | dataset | post
    name: str
    description: str = ""
    file_name: str = ""  # file
    content: bytes = b""  # file
    rows: list[dict] = field(default_factory=list)  # dataset
    view: dict | None = None  # dataset: a chart view, kept as written
    body: str | dict = ""  # post: markdown, or {json, text}


def is_partial(node) -> bool:
    """Whether a TipTap node is an assetComponent carrying an asset still to create."""
    if not isinstance(node, dict) or node.get("type") != "assetComponent":
        return False
    attrs = node.get("attrs")
    return isinstance(attrs, dict) and bool(attrs.get("partial") or "partialData" in attrs)


def partials_present(doc: dict) -> bool:
    """Whether the document has a partial node anywhere."""
    return bool(_partial_nodes(doc))


def _partial_nodes(node) -> list[dict]:
    """The partial nodes under `node`, in document order."""
    if is_partial(node):
        return [node]
    found: list[dict] = []
    if isinstance(node, dict):
        for child in node.get("content") or []:
            found += _partial_nodes(child)
    return found


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PartialError(f"{key} must be a string")
    return value.strip()


def _file(data: dict) -> dict:
    encoded = data.get("base64")
    if not isinstance(encoded, str) or not encoded:
        raise PartialError("a file needs its bytes as a base64 string under `base64`")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise PartialError("`base64` is not valid base64") from None
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise PartialError("metadata must be an object")
    file_name = metadata.get("name") if isinstance(metadata.get("name"), str) else ""
    return {"content": content, "file_name": file_name or _text(data, "name")}


def _dataset(data: dict) -> dict:
    rows = data["data"] if data.get("data") is not None else data.get("rows")
    try:
        rows = coerce_rows(rows)
    except ValueError:
        raise PartialError("a dataset's `data` must be a list of row objects") from None
    if not rows or not any(rows):
        raise PartialError("a dataset needs at least one row with a column")
    view = data.get("view")
    if view is not None and not isinstance(view, dict):
        raise PartialError("a dataset's `view` must be an object")
    return {"rows": rows, "view": view}


def _post(data: dict) -> dict:
    body = data.get("content")
    if isinstance(body, dict) and set(body) <= {"text"}:
        body = body.get("text")  # {"text": markdown}, as posts.partial() sends a string
    if not isinstance(body, str | dict):
        raise PartialError("a post needs `content`: markdown, or an object with json and text")
    return {"body": body}


PARSERS = {"file": _file, "dataset": _dataset, "post": _post}


def _partial(node: dict) -> Partial:
    attrs = node["attrs"]
    placeholder = attrs.get("id")
    if not isinstance(placeholder, str) or not placeholder:
        raise PartialError("it needs a placeholder id")
    data = attrs.get("partialData")
    if not isinstance(data, dict):
        raise PartialError("partialData must be an object")
    asset_type = data.get("asset_type") or attrs.get("assetType")
    if asset_type not in PARTIAL_TYPES:
        raise PartialError(
            f"asset_type {asset_type!r} cannot be created here; "
            f"it must be one of {', '.join(PARTIAL_TYPES)}"
        )
    name = _text(data, "name")
    if not name:
        raise PartialError("it needs a name")
    return Partial(
        placeholder=placeholder,
        asset_type=asset_type,
        name=name,
        description=_text(data, "description"),
        **PARSERS[asset_type](data),
    )


def partials_find(doc: dict) -> list[Partial]:
    """The checked partials of a TipTap document, in document order; PartialError if one is
    malformed (the message names it by its position, counting from 1)."""
    partials: list[Partial] = []
    for number, node in enumerate(_partial_nodes(doc), start=1):
        try:
            partial = _partial(node)
        except PartialError as exc:
            raise PartialError(f"Partial embed {number}: {exc}") from None
        if any(p.placeholder == partial.placeholder for p in partials):
            raise PartialError(
                f"Partial embed {number}: placeholder id {partial.placeholder} is used twice"
            )
        partials.append(partial)
    return partials


def _embed_attrs(attrs: dict, asset_id: str, asset_type: str) -> dict:
    """A partial node's attrs as an ordinary embed of the created asset.

    The view mode and display settings stay; `filters` moves into `displayConfig`, where the
    client's ordinary embeds keep them.
    """
    out = {k: v for k, v in attrs.items() if k not in PARTIAL_KEYS}
    out.update(id=asset_id, assetType=asset_type)
    filters = attrs.get("filters")
    config = out.get("displayConfig") or {}
    if filters and isinstance(config, dict) and "filters" not in config:
        out["displayConfig"] = {**config, "filters": filters}
    return out


def partials_replace(doc: dict, created: dict[str, tuple[str, str]]) -> dict:
    """A copy of the document with each partial node whose placeholder is in `created`
    ({placeholder: (asset id, asset type)}) rewritten as an ordinary embed of that asset."""
    result = copy.deepcopy(doc)
    for node in _partial_nodes(result):
        placeholder = node["attrs"].get("id")
        if isinstance(placeholder, str) and placeholder in created:
            asset_id, asset_type = created[placeholder]
            node["attrs"] = _embed_attrs(node["attrs"], asset_id, asset_type)
    return result
