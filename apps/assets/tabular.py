"""Rows and columns: type inference, CSV in and out. Pure functions, no database."""

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

# Column types go by their SQL names, as the official client reads them.
TEXT, BIGINT, DOUBLE = "text", "bigint", "double precision"
BOOLEAN, TIMESTAMP, DATE, JSONB = "boolean", "timestamp with time zone", "date", "jsonb"
SQL_TYPES = (TEXT, BIGINT, DOUBLE, BOOLEAN, TIMESTAMP, DATE, JSONB)


def value_type(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return BIGINT
    if isinstance(value, float):
        return DOUBLE
    if isinstance(value, str):
        return TEXT
    return JSONB


def _widen(current: str | None, new: str | None) -> str | None:
    if current is None:
        return new
    if new is None or new == current:
        return current
    if {current, new} == {BIGINT, DOUBLE}:
        return DOUBLE
    if JSONB in (current, new):
        return JSONB
    return TEXT


def infer_columns(rows: Iterable[dict], existing: list[dict] | None = None) -> list[dict]:
    """Columns in first-seen order. A new column takes the narrowest type that fits every value;
    an existing one keeps its type, except that a bigint column widens to double precision
    for a fractional number."""
    columns: dict[str, dict] = {c["name"]: dict(c) for c in existing or []}
    fresh: dict[str, str | None] = {}
    for row in rows:
        for name, value in row.items():
            kind = value_type(value)
            if name not in columns:
                columns[name] = {"name": name, "type": None, "is_nullable": False}
                fresh[name] = None
            if name in fresh:
                fresh[name] = _widen(fresh[name], kind)
            elif (
                columns[name]["type"] == BIGINT
                and isinstance(value, float)
                and not value.is_integer()
            ):
                columns[name]["type"] = DOUBLE
            if value is None:
                columns[name]["is_nullable"] = True
    for name, kind in fresh.items():
        columns[name]["type"] = kind or TEXT
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


# What a column's type may be called (SQL names and their usual aliases) -> its SQL name.
COLUMN_TYPES = {
    **dict.fromkeys(
        ("text", "string", "varchar", "character varying", "char", "uuid", "enum", "time"), TEXT
    ),
    "date": DATE,
    **dict.fromkeys(
        (
            "timestamp",
            "timestamptz",
            "timestamp with time zone",
            "timestamp without time zone",
            "datetime",
        ),
        TIMESTAMP,
    ),
    **dict.fromkeys(
        ("numeric", "decimal", "number", "float", "float8", "double", DOUBLE, "real"), DOUBLE
    ),
    **dict.fromkeys(("integer", "int", "int4", "int8", "bigint", "smallint"), BIGINT),
    **dict.fromkeys(("boolean", "bool"), BOOLEAN),
    **dict.fromkeys(("json", "jsonb"), JSONB),
}
TRUE_WORDS, FALSE_WORDS = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")


def column_type(name: str) -> str:
    """The SQL name of a column type name, or ValueError naming the accepted ones."""
    found = COLUMN_TYPES.get(" ".join(str(name or "").lower().split()))
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
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,30}\s*", value):
        return int(value)
    number = _as_float(value)
    if not number.is_integer():
        raise ValueError
    return int(number)


def _as_timestamp(value) -> str:
    """An ISO 8601 instant in UTC; one without an offset is read as UTC."""
    if not isinstance(value, str):
        raise ValueError
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _as_date(value) -> str:
    if not isinstance(value, str):
        raise ValueError
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return datetime.fromisoformat(text).date().isoformat()


def _as_json(value):
    """A JSON value; text holding a JSON object or array is read as that value."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_CONVERTERS = {
    TEXT: _as_string,
    BOOLEAN: _as_boolean,
    BIGINT: _as_integer,
    DOUBLE: _as_float,
    TIMESTAMP: _as_timestamp,
    DATE: _as_date,
    JSONB: _as_json,
}


def convert_value(value, to: str):
    """`value` as a value of column type `to` (None stays None), or ValueError."""
    if value is None:
        return None
    try:
        return _CONVERTERS[to](value)
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} cannot be read as {to}") from None


def typed_row(row: dict, types: dict[str, str]) -> dict:
    """`row` with each value as a value of its column's type; ValueError naming the column."""
    typed = {}
    for name, value in row.items():
        try:
            typed[name] = convert_value(value, types.get(name, JSONB))
        except ValueError as exc:
            raise ValueError(f"column {name!r}: {exc}") from None
    return typed


_CREATE_TABLE = re.compile(r"^\s*CREATE\s+TABLE\b[^(]*\((?P<body>.*)\)\s*;?\s*$", re.I | re.S)
_COLUMN = re.compile(
    r'^\s*(?:"(?P<quoted>(?:[^"]|"")+)"|(?P<bare>[A-Za-z_][\w$]*))\s+(?P<rest>.+)$', re.S
)
_TABLE_CONSTRAINT = re.compile(r"^\s*(CONSTRAINT|PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY)\b", re.I)
_TYPE_END = re.compile(
    r"\s+(NOT\s+NULL|NULL|PRIMARY|UNIQUE|DEFAULT|CHECK|REFERENCES|CONSTRAINT)\b", re.I
)
SCHEMA_MAX_COLUMNS = 1000


def _split_top_level(body: str) -> list[str]:
    """`body` cut at the commas outside parentheses and quotes."""
    parts, depth, start, quote = [], 0, 0, ""
    for index, char in enumerate(body):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and char == ",":
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    return [p for p in parts if p.strip()]


def columns_from_create_table(sql: str) -> list[dict]:
    """The columns a CREATE TABLE statement declares (as the official client generates it
    from a DataFrame), or ValueError saying what is wrong."""
    found = _CREATE_TABLE.match(sql or "")
    if found is None:
        raise ValueError("schema must be one CREATE TABLE statement")
    columns: list[dict] = []
    for part in _split_top_level(found["body"]):
        if _TABLE_CONSTRAINT.match(part):
            continue
        column = _COLUMN.match(part)
        if column is None:
            raise ValueError(f"schema: cannot read the column definition {part.strip()[:80]!r}")
        name = column["quoted"].replace('""', '"') if column["quoted"] else column["bare"]
        rest = column["rest"].strip()
        end = _TYPE_END.search(rest)
        type_name = re.sub(r"\(.*?\)", "", rest[: end.start()] if end else rest).strip()
        columns.append(
            {
                "name": name,
                "type": column_type(type_name),
                "is_nullable": not re.search(r"\bNOT\s+NULL\b|\bPRIMARY\s+KEY\b", rest, re.I),
            }
        )
        if len(columns) > SCHEMA_MAX_COLUMNS:
            raise ValueError(f"schema: more than {SCHEMA_MAX_COLUMNS} columns")
    if not columns:
        raise ValueError("schema declares no columns")
    return columns
