"""A run's request body on the wire, in the media type the route declares.

Pure: no Django, no settings. `media_kind` sorts a declared media type into what the run form
and the encoder know how to send; `body_encode` turns the checked body into bytes and a
Content-Type:

- json: `application/json` and every `*/*+json` (the declared type is the Content-Type);
- form: `application/x-www-form-urlencoded`, with OpenAPI's `encoding` per property
  (`style` form, spaceDelimited, pipeDelimited or deepObject; `explode`; `contentType:
  application/json` sends that property as JSON text);
- multipart: `multipart/form-data`, text parts, JSON parts (objects, or `encoding.contentType`
  naming JSON), one or many files per property with their names and content types
  (`encoding.contentType` wins when it names one concrete type);
- file: `application/octet-stream`, images, audio, video, PDF and other single-file bodies:
  the file's bytes as the whole body;
- text: `text/plain` and other text (XML too): the text as typed, UTF-8.

A file travels in the body as a reference, `{"assetId": "<file asset id>"}`; the caller reads
the files and passes them in `files` (asset id -> WireFile).
"""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from urllib3.fields import RequestField
from urllib3.filepost import encode_multipart_formdata

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FILE_TYPES = ("application/octet-stream", "application/pdf", "application/zip", "*/*")
FILE_PREFIXES = ("image/", "audio/", "video/", "font/")
TEXT_TYPES = ("application/xml", "application/yaml", "application/x-yaml", "application/csv")
KIND_ORDER = ("json", "form", "multipart", "text", "file")


class BodyEncodeError(ValueError):
    """A body that cannot be written in its media type; the message says why."""


@dataclass(frozen=True)
class WireFile:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class EncodedBody:
    content: bytes
    content_type: str


def media_base(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


def media_kind(media_type: str) -> str:
    """json, form, multipart, text or file: how a body of this media type is sent ("" for
    other multipart types, which cannot be)."""
    base = media_base(media_type)
    if base == FORM:
        return "form"
    if base == MULTIPART:
        return "multipart"
    if base.startswith("multipart/"):
        return ""
    if base.endswith("/json") or base.endswith("+json") or base == "json":
        return "json"
    if base.startswith("text/") or base in TEXT_TYPES or base.endswith("+xml"):
        return "text"
    return "file"


def file_ref(value: Any) -> str | None:
    """The file asset id a body value stands for, or None when it is not a file reference."""
    if isinstance(value, dict) and len(value) == 1:
        ref = value.get("assetId") or value.get("asset_id")
        return str(ref) if isinstance(ref, str) and ref else None
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _json_type(content_type: str) -> bool:
    return media_kind(content_type) == "json"


DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def _form_pairs(name: str, value: Any, rule: dict) -> list[tuple[str, str]]:
    """The key=value pairs one property of a urlencoded body becomes."""
    if value is None:
        return []
    if rule.get("contentType") and _json_type(str(rule["contentType"])):
        return [(name, json.dumps(value, separators=(",", ":")))]
    style = rule.get("style") or "form"
    explode = rule.get("explode", style == "form")
    if isinstance(value, dict):
        if style == "deepObject":
            return _deep_pairs(name, value)
        if explode:
            return [(str(k), _text(v)) for k, v in value.items() if v is not None]
        flat = [part for k, v in value.items() if v is not None for part in (str(k), _text(v))]
        return [(name, ",".join(flat))]
    if isinstance(value, list):
        if style == "deepObject":
            return _deep_pairs(name, value)
        if explode:
            return [(name, _text(v)) for v in value]
        return [(name, DELIMITERS.get(style, ",").join(_text(v) for v in value))]
    return [(name, _text(value))]


def _deep_pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    """`a[b][c]=v` for nested objects, `a[b][0]=v` for lists in them (as Stripe reads them)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [(prefix, _text(value))]
    pairs = []
    for key, item in items:
        if item is not None:
            pairs.extend(_deep_pairs(f"{prefix}[{key}]", item))
    return pairs


def form_urlencode(body: Any, encoding: dict | None = None) -> str:
    if body is None:
        return ""
    if not isinstance(body, dict):
        raise BodyEncodeError("A form-encoded body must be an object of fields")
    encoding = encoding or {}
    pairs = []
    for name, value in body.items():
        rule = encoding.get(name) if isinstance(encoding.get(name), dict) else {}
        pairs.extend(_form_pairs(str(name), value, rule))
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def _concrete(content_type: Any) -> str:
    """The declared part type when it names one type (not a list or a wildcard), else ""."""
    text = str(content_type or "")
    return "" if ("," in text or "*" in text) else text.strip()


def _file_part(name: str, file: WireFile, declared: str) -> RequestField:
    part = RequestField(name=name, data=file.content, filename=file.name or "file")
    part.make_multipart(content_type=declared or file.content_type or "application/octet-stream")
    return part


def _multipart_parts(name: str, value: Any, rule: dict, files: dict) -> list[RequestField]:
    declared = _concrete(rule.get("contentType"))
    ref = file_ref(value)
    if ref is not None:
        if ref not in files:
            raise BodyEncodeError(f"The file for {name!r} could not be read")
        return [_file_part(name, files[ref], declared)]
    if isinstance(value, list) and rule.get("explode") is False and not file_refs(value):
        # One part of delimited values (Swagger 2.0's csv, ssv and pipes).
        delimiter = DELIMITERS.get(rule.get("style") or "form", ",")
        part = RequestField(name=name, data=delimiter.join(_text(v) for v in value))
        part.make_multipart(content_type=declared or None)
        return [part]
    if isinstance(value, list) and not (declared and _json_type(declared)):
        parts = []
        for item in value:
            parts.extend(_multipart_parts(name, item, rule, files))
        return parts
    if isinstance(value, dict) or (declared and _json_type(declared)):
        part = RequestField(name=name, data=json.dumps(value, separators=(",", ":")))
        part.make_multipart(content_type=declared or "application/json")
        return [part]
    part = RequestField(name=name, data=_text(value))
    part.make_multipart(content_type=declared or None)
    return [part]


def multipart_encode(
    body: Any, encoding: dict | None, files: dict[str, WireFile], boundary: str | None = None
) -> EncodedBody:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise BodyEncodeError("A multipart body must be an object of parts")
    encoding = encoding or {}
    parts = []
    for name, value in body.items():
        if value is None:
            continue
        rule = encoding.get(name) if isinstance(encoding.get(name), dict) else {}
        parts.extend(_multipart_parts(str(name), value, rule, files))
    content, content_type = encode_multipart_formdata(parts, boundary=boundary)
    return EncodedBody(content=content, content_type=content_type)


def body_encode(
    *,
    media_type: str,
    body: Any,
    encoding: dict | None = None,
    files: dict[str, WireFile] | None = None,
    boundary: str | None = None,
) -> EncodedBody:
    """The body as bytes with its Content-Type, for a route that declares `media_type`."""
    files = files or {}
    kind = media_kind(media_type)
    if kind == "form":
        return EncodedBody(form_urlencode(body, encoding).encode(), FORM)
    if kind == "multipart":
        return multipart_encode(body, encoding, files, boundary)
    if kind == "file":
        ref = file_ref(body)
        if ref is None or ref not in files:
            raise BodyEncodeError("This body is a file: choose or upload one")
        file = files[ref]
        declared = _concrete(media_type)
        if not declared or declared.endswith("/*"):
            declared = file.content_type or "application/octet-stream"
        return EncodedBody(file.content, declared)
    if kind == "text":
        return EncodedBody(_text(body).encode(), media_type)
    try:
        content = json.dumps(body, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise BodyEncodeError(f"The request body cannot be sent as JSON: {exc}") from None
    return EncodedBody(content, media_type)


def file_refs(value: Any, path: str = "body") -> list[tuple[str, str]]:
    """(field path, file asset id) of every file reference in a body, in order."""
    ref = file_ref(value)
    if ref is not None:
        return [(path, ref)]
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(file_refs(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(file_refs(item, f"{path}.{index}"))
    return found
