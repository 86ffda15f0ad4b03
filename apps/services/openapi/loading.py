"""Loading: the bytes of a spec into a plain JSON-like document, and which OpenAPI it is.

JSON or YAML, capped in size. YAML is read with a safe loader (no Python objects; dates and
binary stay text), and its aliases are loaded as shared objects: the size the document would
have once every alias is expanded is counted before anything walks it, so an alias bomb is
refused instead of filling memory.
"""

import json
import math
import re

import yaml

from apps.core.safe_text import InputError, value_check
from apps.services.openapi.results import SpecError

MAX_NESTING = 256
# What in JSON or YAML text can decode to a value no database column holds: an escaped
# surrogate or NUL, or a number that is not finite.
_UNSTORABLE = re.compile(
    r"\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F]|u0000|U00000000|x00|0)"
    r"|NaN|Infinity|[eE][+-]?\d{3}"
)
# An alias-free document of this many nodes is several hundred megabytes of JSON.
MAX_EXPANDED_NODES = 4_000_000


class _SpecLoader(yaml.CSafeLoader):
    """Safe YAML where timestamps and binary stay text, so the result is plain JSON data."""


_SpecLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str
)
_SpecLoader.add_constructor(
    "tag:yaml.org,2002:binary", yaml.constructor.SafeConstructor.construct_yaml_str
)


def load_document(data: bytes, *, max_bytes: int, where: str = "the spec") -> dict:
    """Parse JSON or YAML bytes into plain data, refusing oversized input and alias bombs."""
    if len(data) > max_bytes:
        raise SpecError(
            f"{where} is {len(data):,} bytes; the limit is {max_bytes:,} bytes (SPEC_MAX_BYTES)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{where} is not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise SpecError(
                    f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
                ) from None
        else:
            try:
                document = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 (a safe loader)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark or exc.context_mark
                at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
                raise SpecError(f"{where} is not valid YAML: {exc.problem}{at}") from None
            except yaml.YAMLError as exc:
                raise SpecError(f"{where} is not valid YAML: {exc}") from None
            document = _plain(document, where)
    except RecursionError:
        raise SpecError(f"{where} is nested too deeply to import") from None
    if _UNSTORABLE.search(text):
        try:
            value_check(document, max_depth=MAX_NESTING + 1, whole=where)
        except InputError as exc:
            raise SpecError(f"{exc.message}; it cannot be stored") from None
    if not isinstance(document, dict):
        raise SpecError(f"{where} is not an OpenAPI document: its top level is not an object")
    return document


def _plain(document, where: str):
    """Turn YAML data into JSON data, keeping shared (aliased) nodes shared, and count size.

    The count is of the document as it would be if every alias were expanded: a handful of
    aliases can stand for billions of nodes, and anything that later serializes the spec
    would expand them.
    """
    memo: dict[int, tuple[object, int]] = {}
    active: set[int] = set()

    def walk(node, depth: int):
        if depth > MAX_NESTING:
            raise SpecError(f"{where} is nested more than {MAX_NESTING} levels deep")
        if isinstance(node, dict | list):
            key = id(node)
            if key in memo:
                return memo[key]
            if key in active:
                raise SpecError(f"{where} contains a YAML alias that refers to itself")
            active.add(key)
            size = 1
            if isinstance(node, dict):
                out = {}
                for k, v in node.items():
                    value, n = walk(v, depth + 1)
                    out[_key_text(k)] = value
                    size += n
            else:
                out = []
                for v in node:
                    value, n = walk(v, depth + 1)
                    out.append(value)
                    size += n
            active.discard(key)
            if size > MAX_EXPANDED_NODES:
                raise SpecError(
                    f"{where} expands to more than {MAX_EXPANDED_NODES:,} nodes through YAML "
                    "aliases (an alias bomb?)"
                )
            memo[key] = (out, size)
            return out, size
        if isinstance(node, float) and not math.isfinite(node):
            return str(node), 1
        if isinstance(node, set | tuple):
            return walk(list(node), depth)
        if node is None or isinstance(node, str | int | float | bool):
            return node, 1
        return str(node), 1

    return walk(document, 0)[0]


def _key_text(key) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


def spec_version(document: dict) -> str:
    """The document's version ("2.0", or the `openapi` field of a 3.0 or 3.1 document), or a
    SpecError when it is not a document the importer reads."""
    swagger = document.get("swagger")
    openapi = document.get("openapi")
    if swagger is not None:
        if str(swagger) != "2.0":
            raise SpecError(f"Swagger version {swagger!r} is not supported (2.0 is)")
        return "2.0"
    if openapi is None:
        raise SpecError(
            "The document is not an OpenAPI document: it has neither an 'openapi' nor a "
            "'swagger' field"
        )
    if not re.match(r"^3\.[01](\.\d+)?", str(openapi)):
        raise SpecError(f"OpenAPI version {openapi!r} is not supported (2.0, 3.0 and 3.1 are)")
    has_paths = isinstance(document.get("paths"), dict)
    if not has_paths and not str(openapi).startswith("3.1"):
        raise SpecError("The document has no 'paths': there is nothing to import")
    if not has_paths and not document.get("webhooks") and not document.get("components"):
        raise SpecError("The document has no 'paths': there is nothing to import")
    return str(openapi)
