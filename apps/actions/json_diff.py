"""The differences between two JSON values, by key path: what comparing two runs shows.

Pure: no Django. Objects are compared key by key, arrays index by index; a value whose type
differs (an object against an array, `1` against `"1"`, `true` against `1`) is one change at its
path. The walk uses its own stack, so any nesting depth is fine, and stops after `limit` changes.
"""

import re
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["added", "removed", "changed"]

MAX_CHANGES = 500

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_MISSING = object()


@dataclass(frozen=True)
class Change:
    path: str  # "body.items[2].name"; "" is the value itself
    kind: Kind
    left: Any = None
    right: Any = None


@dataclass(frozen=True)
class Diff:
    changes: list[Change]
    truncated: bool  # more than `limit` changes: only the first ones are listed

    @property
    def paths(self) -> set[str]:
        return {change.path for change in self.changes}


def path_join(path: str, key: str | int) -> str:
    """`body` + `name` -> `body.name`; + 2 -> `body[2]`; odd keys are quoted: `body["a b"]`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{quoted}"]'


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def json_diff(left: Any, right: Any, *, limit: int = MAX_CHANGES) -> Diff:
    changes: list[Change] = []
    stack: list[tuple[str, Any, Any]] = [("", left, right)]
    while stack:
        if len(changes) >= limit:
            return Diff(changes=changes, truncated=True)
        path, a, b = stack.pop()
        if a is _MISSING:
            changes.append(Change(path=path, kind="added", right=b))
            continue
        if b is _MISSING:
            changes.append(Change(path=path, kind="removed", left=a))
            continue
        kind = _kind_of(a)
        if kind != _kind_of(b):
            changes.append(Change(path=path, kind="changed", left=a, right=b))
        elif kind == "object":
            keys = list(a) + [key for key in b if key not in a]
            # Pushed in reverse so that the changes come out in the objects' own key order.
            for key in reversed(keys):
                stack.append(
                    (path_join(path, str(key)), a.get(key, _MISSING), b.get(key, _MISSING))
                )
        elif kind == "array":
            for index in reversed(range(max(len(a), len(b)))):
                stack.append(
                    (
                        path_join(path, index),
                        a[index] if index < len(a) else _MISSING,
                        b[index] if index < len(b) else _MISSING,
                    )
                )
        elif a != b:
            changes.append(Change(path=path, kind="changed", left=a, right=b))
    return Diff(changes=changes, truncated=False)
