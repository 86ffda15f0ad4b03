"""Rows and columns: type inference, CSV in and out. Pure functions, no database."""

import csv
import io
import json
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
