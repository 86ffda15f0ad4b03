"""Text and JSON that can be stored and sent back: strict UTF-8, no lone surrogates, no NUL,
finite numbers, bounded nesting. Pure: no Django.

A JSON escape such as "\\ud800" decodes to a lone surrogate, which Python holds but cannot
encode: stored, it breaks every later response that includes it (and PostgreSQL refuses it, as
it refuses NUL). Such input is refused with the path of the offending value.
"""

import json
import math
import re
from typing import Any

MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")
_BAD_CHAR = re.compile("[\ud800-\udfff\x00]")
# What in a JSON text can decode to a surrogate or a NUL.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:[dD][89a-fA-F]|0000)")


class InputError(ValueError):
    """Input refused, with a message for the sender; `code` is stable, `path` names the value
    ("" for the whole document)."""

    def __init__(
        self, message: str, *, code: str = "invalid_text", path: str = "", detail: str = ""
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.path = path
        self.detail = detail  # for JSON that does not parse: the parser's words


def path_join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _where(path: str, whole: str) -> str:
    return path or whole


def text_problem(value: str) -> str | None:
    """What makes a string unstorable, or None."""
    if value.isascii() and "\x00" not in value:
        return None
    match = _BAD_CHAR.search(value)
    if match is None:
        return None
    if match.group() == "\x00":
        return "contains a NUL character"
    return f"contains a lone surrogate (U+{ord(match.group()):04X}), which is not text"


def text_check(value: str, path: str, *, whole: str = "the value") -> None:
    problem = text_problem(value)
    if problem:
        raise InputError(f"{_where(path, whole)} {problem}", path=path)


def utf8_decode(raw: bytes, *, whole: str = "the request body") -> str:
    """`raw` as UTF-8, strictly (an encoded surrogate is not UTF-8 either)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{whole} is not valid UTF-8 (at byte {exc.start})") from None


def json_loads(
    raw: bytes | str, *, max_depth: int = MAX_DEPTH, whole: str = "the request body"
) -> Any:
    """Parse JSON strictly: UTF-8, at most `max_depth` levels of arrays and objects, strings
    and keys that are text (no lone surrogate, no NUL), finite numbers. InputError otherwise
    (a ValueError, as json.loads raises)."""
    if isinstance(raw, bytes | bytearray):
        data = raw
        text = utf8_decode(bytes(raw), whole=whole)
    else:
        text_check(raw, "", whole=whole)
        text = raw
        data = raw.encode("utf-8")
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep("", max_depth, whole) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            detail = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        else:
            detail = str(exc)
        raise InputError(
            f"{whole} is not valid JSON ({detail})", code="invalid_json", detail=detail
        ) from None
    # Strict UTF-8 lets no surrogate or NUL through: only an escape can make one.
    texts = _SUSPECT_ESCAPE.search(data) is not None
    if _problem_found(value, max_depth=max_depth, texts=texts, numbers=True):
        _walk(value, max_depth=max_depth, texts=texts, numbers=True, whole=whole)
    return value


def _too_deep(path: str, max_depth: int, whole: str) -> InputError:
    where = f"at {path}" if path else f"in {whole}"
    return InputError(
        f"JSON is nested more than {max_depth} levels deep {where}", code="too_deep", path=path
    )


def value_check(
    value: Any, *, max_depth: int = MAX_DEPTH, path: str = "", whole: str = "the value"
) -> None:
    """Check parsed data (say, from a form) as json_loads checks what it parses."""
    if _problem_found(value, max_depth=max_depth, texts=True, numbers=True):
        _walk(value, max_depth=max_depth, texts=True, numbers=True, whole=whole, path=path)


def _problem_found(value: Any, *, max_depth: int, texts: bool, numbers: bool) -> bool:
    """Whether the data is too deep or holds bad text or numbers: level by level, a level's
    strings checked at once. Fast (a large body's check costs about what parsing it did);
    `_walk` then finds where, for the message."""
    strings: list = []
    floats: list = []

    def bad() -> bool:
        found = (texts and strings and _BAD_CHAR.search("".join(strings))) or (
            numbers and floats and not all(map(math.isfinite, floats))
        )
        strings.clear()
        floats.clear()
        return bool(found)

    kind = type(value)
    level = [value] if kind is dict or kind is list or kind is tuple else []
    if not level:
        strings.extend([value] if kind is str else [])
        floats.extend([value] if kind is float else [])
    depth = 0
    while level:
        if depth >= max_depth:
            return True
        below: list = []
        for item in level:
            if type(item) is dict:
                if texts:
                    strings.extend(k for k in item if type(k) is str)
                children = item.values()
            else:
                children = item
            for child in children:
                kind = type(child)
                if kind is dict or kind is list or kind is tuple:
                    below.append(child)
                elif kind is str:
                    if texts:
                        strings.append(child)
                elif kind is float and numbers:
                    floats.append(child)
        if bad():
            return True
        level, depth = below, depth + 1
    return bad()


def _walk(
    value: Any, *, max_depth: int, texts: bool, numbers: bool, whole: str, path: str = ""
) -> None:
    """Iteratively, so that depth is no risk here. A value's path is spelled out only for the
    message: the walk keeps a chain of (parent, key) pairs."""

    def spelled(trail) -> str:
        keys = []
        while trail is not None:
            trail, key = trail
            keys.append(key)
        out = path
        for key in reversed(keys):
            out = path_join(out, key)
        return out

    def leaf_check(leaf, trail) -> None:
        if texts and isinstance(leaf, str):
            problem = text_problem(leaf)
            if problem:
                where = spelled(trail)
                raise InputError(f"{_where(where, whole)} {problem}", path=where)
        elif numbers and isinstance(leaf, float) and not math.isfinite(leaf):
            where = spelled(trail)
            raise InputError(
                f"{_where(where, whole)} is not a finite number (JSON has no NaN or Infinity)",
                code="invalid_json",
                path=where,
            )

    containers = dict | list | tuple
    if not isinstance(value, containers):
        leaf_check(value, None)
        return
    stack = [(value, None, 0)]
    while stack:
        item, trail, depth = stack.pop()
        if depth >= max_depth:
            where = spelled(trail)
            raise _too_deep(where, max_depth, whole)
        for key, child in item.items() if isinstance(item, dict) else enumerate(item):
            if texts and isinstance(key, str):
                problem = text_problem(key)
                if problem:
                    where = spelled(trail)
                    raise InputError(f"a key of {_where(where, whole)} {problem}", path=where)
            if isinstance(child, containers):
                stack.append((child, (trail, key), depth + 1))
            elif texts or numbers:
                leaf_check(child, (trail, key))


def text_repaired(value: str) -> str:
    """Lone surrogates replaced by U+FFFD (the replacement character)."""
    return _SURROGATE.sub("\ufffd", value)


def value_repaired(value: Any) -> Any:
    """A copy of JSON-like data with every lone surrogate (in strings and keys) replaced."""
    if isinstance(value, str):
        return text_repaired(value)
    if isinstance(value, dict):
        return {value_repaired(k): value_repaired(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [value_repaired(v) for v in value]
    return value


def has_lone_surrogate(value: Any) -> bool:
    """Whether JSON-like data holds a lone surrogate anywhere (strings and keys)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False
