"""Read-only SQL over one dataset: a pure core on the standard library's sqlite3, no database
of ours. Each query gets a fresh in-memory SQLite database holding only that dataset's rows,
as the table `datasets.<table name>` (what `{{table}}` stands for). An authorizer allows
reading that table and calling functions, nothing else (no writes, ATTACH, PRAGMA, other
tables or extensions); a progress handler ends a query at its time limit, and SQLite's own
limits cap the size of any one value."""

import json
import re
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass

from apps.assets.tabular import BIGINT, BOOLEAN, DATE, DOUBLE, JSONB, TEXT, TIMESTAMP

SCHEMA = "datasets"
PLACEHOLDER = re.compile(r"\{\{\s*table\s*\}\}")
SQL_MAX_CHARS = 20_000
VALUE_MAX_BYTES = 10_000_000
# Functions that could reach outside the database or the query (none are enabled by default
# in Python's sqlite3; refused by name all the same).
DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"})
# Table-valued functions over a value of the row, not over another table.
VALUE_TABLES = frozenset({"json_each", "json_tree"})
_AFFINITY = {BIGINT: "INTEGER", DOUBLE: "REAL", BOOLEAN: "INTEGER"}
# Column types whose stored values are never objects or lists (typed on write).
_PLAIN = frozenset({BIGINT, DOUBLE, BOOLEAN, TEXT, TIMESTAMP, DATE})
_PROGRESS_STEPS = 10_000


class QueryError(Exception):
    """SQL that is refused or fails, with a message a person can act on."""


@dataclass(frozen=True)
class QueryResult:
    rows: list[dict]
    total: int
    has_more: bool


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def query_sql(sql: str, table: str) -> str:
    """The caller's SQL with `{{table}}` standing for the dataset's table, or QueryError."""
    if not isinstance(sql, str) or not sql.strip():
        raise QueryError("query must be a non-empty SQL string")
    if len(sql) > SQL_MAX_CHARS:
        raise QueryError(f"The query is over {SQL_MAX_CHARS} characters")
    if "\x00" in sql:
        raise QueryError("The query holds a NUL character")
    text = PLACEHOLDER.sub(f"{SCHEMA}.{quoted(table)}", sql).strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


class _Guard:
    """The authorizer: what a statement may touch, and why it was refused."""

    def __init__(self, table: str):
        self.table = table
        self.refusal = ""

    def _deny(self, reason: str) -> int:
        self.refusal = self.refusal or reason
        return sqlite3.SQLITE_DENY

    def __call__(self, action: int, arg1, arg2, db_name, _trigger) -> int:
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION:
            if str(arg2).lower() in DENIED_FUNCTIONS:
                return self._deny(f"the function {arg2}() is not allowed")
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ:
            if (arg1 == self.table and db_name == SCHEMA) or db_name is None:
                return sqlite3.SQLITE_OK  # the table, or a common table expression
            if arg1 in VALUE_TABLES or (arg1 == "sqlite_master" and arg2 == "ROWID"):
                return sqlite3.SQLITE_OK  # json_each() reading its own definition
            return self._deny(f"only the dataset's table can be read, not {arg1!r}")
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and db_name == "main":
            return sqlite3.SQLITE_OK  # SQLite registering json_each() on first use
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return self._deny("ATTACH and DETACH are not allowed")
        if action == sqlite3.SQLITE_PRAGMA:
            return self._deny("PRAGMA is not allowed")
        return self._deny("only a read-only SELECT is allowed: nothing can be written or changed")


def _load(connection: sqlite3.Connection, table: str, columns: list[dict], rows: Iterable[dict]):
    names = [c["name"] for c in columns] or ["_"]
    types = {c["name"]: c["type"] for c in columns}
    definition = ", ".join(f"{quoted(n)} {_AFFINITY.get(types.get(n), 'TEXT')}" for n in names)
    connection.execute(f"CREATE TABLE {SCHEMA}.{quoted(table)} ({definition})")

    # Booleans bind as 0/1 as they are; JSON values (jsonb columns, or any odd cell) as text.
    nested = [i for i, n in enumerate(names) if types.get(n) not in _PLAIN]

    def values(row: dict) -> list:
        cells = [row.get(n) for n in names]
        for i in nested:
            if isinstance(cells[i], dict | list):
                cells[i] = json.dumps(cells[i])
        return cells

    connection.execute("BEGIN")  # one transaction for all rows: far faster than one each
    connection.executemany(
        f"INSERT INTO {SCHEMA}.{quoted(table)} VALUES ({', '.join('?' * len(names))})",  # noqa: S608
        (values(row) for row in rows),
    )
    connection.execute("COMMIT")


def _typed(value, kind: str | None):
    """A result value back in its column's JSON form, when its name is a typed column's."""
    if kind == BOOLEAN and value in (0, 1) and not isinstance(value, float):
        return bool(value)
    if kind == JSONB and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def run_query(
    *,
    sql: str,
    table: str,
    columns: list[dict],
    rows: Iterable[dict],
    limit: int,
    offset: int = 0,
    timeout_seconds: float = 10.0,
    count_up_to: int = 100_000,
) -> QueryResult:
    """Run the caller's read-only `sql` over the dataset's rows; one page of its result,
    with the total number of rows (counted up to `count_up_to`)."""
    text = query_sql(sql, table)
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute(f"ATTACH DATABASE ':memory:' AS {SCHEMA}")
        _load(connection, table, columns, rows)
        connection.execute("PRAGMA query_only = 1")
        connection.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 1)
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, VALUE_MAX_BYTES)
        guard = _Guard(table)
        connection.set_authorizer(guard)
        deadline = time.monotonic() + timeout_seconds
        connection.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
        kinds = {c["name"]: c["type"] for c in columns}
        try:
            # Preparing the statement alone runs the authorizer over all it would do.
            connection.execute(f"EXPLAIN {text}")
            cursor = connection.execute(
                f"SELECT * FROM (\n{text}\n) LIMIT ? OFFSET ?",  # noqa: S608
                (limit + 1, offset),
            )
            names = [d[0] for d in cursor.description]
            found = cursor.fetchall()
            total = offset + len(found)
            if len(found) > limit:
                (total,) = connection.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM (\n{text}\n) LIMIT ?)",  # noqa: S608
                    (count_up_to,),
                ).fetchone()
        except sqlite3.Error as exc:
            raise QueryError(_message(exc, guard, timeout_seconds)) from None
        result = [
            {name: _typed(value, kinds.get(name)) for name, value in zip(names, row, strict=True)}
            for row in found[:limit]
        ]
        return QueryResult(rows=result, total=total, has_more=len(found) > limit)
    finally:
        connection.close()


def _message(exc: sqlite3.Error, guard: _Guard, timeout_seconds: float) -> str:
    text = str(exc)
    if guard.refusal:
        return f"The query was refused: {guard.refusal}"
    if text == "interrupted":
        return f"The query ran for over {timeout_seconds:g} s and was stopped; narrow it"
    if "one statement" in text:
        return "Only one SQL statement is allowed"
    if text.startswith("no such table"):
        return f"{text}: a query reads only its dataset's table, as {{{{table}}}}"
    return f"The query failed: {text}"
