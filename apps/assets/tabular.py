"""Rows and columns: type inference, CSV in and out. Pure functions, no database."""

import csv
import io
import json
import math
from collections.abc import Iterable

TYPE_ORDER = ("boolean", "integer", "number", "string", "json")


def value_type(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "json"


def _widen(current: str | None, new: str | None) -> str | None:
    if current is None:
        return new
    if new is None or new == current:
        return current
    if {current, new} == {"integer", "number"}:
        return "number"
    if "json" in (current, new):
        return "json"
    return "string"


def infer_columns(rows: Iterable[dict], existing: list[dict] | None = None) -> list[dict]:
    """Columns in first-seen order with the narrowest type that fits every value."""
    columns: dict[str, dict] = {c["name"]: dict(c) for c in existing or []}
    seen_types: dict[str, str | None] = {c["name"]: c.get("type") for c in existing or []}
    for row in rows:
        for name, value in row.items():
            if name not in columns:
                columns[name] = {"name": name, "type": None, "is_nullable": False}
                seen_types[name] = None
            seen_types[name] = _widen(seen_types[name], value_type(value))
            if value is None:
                columns[name]["is_nullable"] = True
    for name, column in columns.items():
        column["type"] = seen_types[name] or "string"
    return list(columns.values())


def _cell(text: str):
    """A CSV cell as the JSON value it most plausibly is."""
    if text == "":
        return None
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def rows_from_csv(text: str, *, limit: int | None = None) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for row in reader:
        rows.append({k: _cell(v or "") for k, v in row.items() if k is not None})
        if limit is not None and len(rows) >= limit:
            break
    return rows


def rows_to_csv(columns: list[str], rows: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                json.dumps(v) if isinstance(v, dict | list) else ("" if v is None else v)
                for v in (row.get(c) for c in columns)
            ]
        )
    return out.getvalue()


def coerce_rows(rows) -> list[dict]:
    """The rows of a request body (a list of objects, or one object), or ValueError."""
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError("rows must be a list of objects")
    return rows


# What a column's type may be called (the official client uses SQL-ish names) -> ours.
COLUMN_TYPES = {
    **dict.fromkeys(("text", "string", "varchar", "char", "uuid", "enum"), "string"),
    **dict.fromkeys(("date", "timestamp", "timestamptz", "time"), "string"),
    **dict.fromkeys(("numeric", "number", "float", "double", "double precision", "real"), "number"),
    **dict.fromkeys(("integer", "int", "bigint", "smallint"), "integer"),
    **dict.fromkeys(("boolean", "bool"), "boolean"),
    **dict.fromkeys(("json", "jsonb"), "json"),
}
TRUE_WORDS, FALSE_WORDS = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")


def column_type(name: str) -> str:
    """Our type for a column type name, or ValueError naming the accepted ones."""
    found = COLUMN_TYPES.get(str(name or "").strip().lower())
    if found is None:
        accepted = ", ".join(sorted(set(COLUMN_TYPES)))
        raise ValueError(f"Unknown column type {name!r}; use one of {accepted}")
    return found


def _as_string(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _as_boolean(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS or text in FALSE_WORDS:
        return text in TRUE_WORDS
    raise ValueError


def _as_float(value) -> float:
    if isinstance(value, bool | dict | list):
        raise ValueError
    number = float(value)  # ValueError for text that is not a number
    if not math.isfinite(number):
        raise ValueError
    return number


def _as_integer(value):
    number = _as_float(value)
    if not number.is_integer():
        raise ValueError
    return int(number)


def _as_number(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else _as_float(value)


_CONVERTERS = {
    "string": _as_string,
    "boolean": _as_boolean,
    "integer": _as_integer,
    "number": _as_number,
    "json": lambda value: value,
}


def convert_value(value, to: str):
    """`value` as a value of column type `to` (None stays None), or ValueError."""
    if value is None:
        return None
    try:
        return _CONVERTERS[to](value)
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} cannot be read as {to}") from None
