"""The read-only SQL core on its own (no database of ours): what it answers, what it refuses,
and that no text makes it do anything else."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.assets.query import QueryError, query_sql, run_query
from apps.assets.tabular import columns_from_create_table

COLUMNS = [
    {"name": "n", "type": "bigint"},
    {"name": "flag", "type": "boolean"},
    {"name": "doc", "type": "jsonb"},
    {"name": 'odd "name"', "type": "text"},
]
ROWS = [{"n": i, "flag": i % 2 == 0, "doc": {"k": i}, 'odd "name"': f"x{i}"} for i in range(30)]
TABLE = "dataset_0123"


def run(sql: str, **kwargs):
    return run_query(
        sql=sql, table=TABLE, columns=COLUMNS, rows=ROWS, limit=kwargs.pop("limit", 10), **kwargs
    )


def test_a_select_answers_one_page_with_the_total_and_typed_values():
    result = run("SELECT * FROM {{table}} WHERE n >= 5 ORDER BY n", limit=3, offset=1)
    assert [r["n"] for r in result.rows] == [6, 7, 8]
    assert (result.total, result.has_more) == (25, True)
    assert result.rows[0]["flag"] is True and result.rows[0]["doc"] == {"k": 6}
    assert result.rows[0]['odd "name"'] == "x6"


def test_the_table_is_also_found_by_its_name_and_json_is_queryable():
    named = run(f"SELECT count(*) AS c FROM datasets.{TABLE} WHERE flag")
    assert named.rows == [{"c": 15}] and named.total == 1
    inside = run("SELECT sum(value) AS s FROM {{table}}, json_each({{table}}.doc)")
    assert inside.rows == [{"s": sum(range(30))}]
    assert query_sql("select * from {{ table }};;", TABLE) == f'select * from datasets."{TABLE}"'


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE {{table}} SET n = 0", "only a read-only SELECT"),
        ("REPLACE INTO {{table}} (n) VALUES (1)", "only a read-only SELECT"),
        ("ALTER TABLE {{table}} ADD COLUMN x", "only a read-only SELECT"),
        ("CREATE VIEW v AS SELECT 1", "only a read-only SELECT"),
        ("BEGIN", "only a read-only SELECT"),
        ("ANALYZE", "only a read-only SELECT"),
        ("DETACH DATABASE datasets", "ATTACH and DETACH are not allowed"),
        ("PRAGMA writable_schema = 1", "PRAGMA is not allowed"),
        ("SELECT * FROM pragma_table_info('dataset_0123')", "only the dataset's table"),
        ("SELECT * FROM datasets.sqlite_master", "only the dataset's table"),
        ("SELECT 1; SELECT 2", "Only one SQL statement"),
        ("", "non-empty"),
        ("SELECT '\x00'", "NUL"),
        ("SELECT " + "1 + " * 10_000 + "1", "over 20000 characters"),
    ],
)
def test_anything_but_one_read_of_the_table_is_refused(sql, message):
    with pytest.raises(QueryError, match=message):
        run(sql)


def test_a_query_stops_at_its_time_limit():
    started = time.monotonic()
    with pytest.raises(QueryError, match="ran for over 0.5 s"):
        run("SELECT count(*) FROM {{table}} a, {{table}} b, {{table}} c, {{table}} d, {{table}} e"
            ", {{table}} f", timeout_seconds=0.5)  # fmt: skip
    assert time.monotonic() - started < 3


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            st.sampled_from(
                [
                    "SELECT",
                    "*",
                    "FROM",
                    "{{table}}",
                    "WHERE",
                    "n",
                    "=",
                    "1",
                    ";",
                    "DELETE",
                    "INSERT",
                    "INTO",
                    "ATTACH",
                    "PRAGMA",
                    "(",
                    ")",
                    ",",
                    "'x'",
                    "--",
                    "UNION",
                    "WITH",
                    "RECURSIVE",
                    "r",
                    "AS",
                    "VALUES",
                    "DROP",
                    "TABLE",
                    "main.",
                    "temp.",
                ]
            ),  # fmt: skip
            max_size=12,
        ).map(" ".join),
    )
)
def test_any_text_answers_rows_or_a_query_error(sql):
    try:
        result = run(sql, timeout_seconds=0.5)
    except QueryError:
        return
    assert isinstance(result.rows, list) and result.total >= len(result.rows)


def test_a_create_table_statement_names_its_columns_and_types():
    columns = columns_from_create_table(
        'CREATE TABLE IF NOT EXISTS datasets."dataset" (\n"id" BIGINT NOT NULL,\n'
        '  "at" TIMESTAMP WITH TIME ZONE,\n  "on" DATE, "v" VARCHAR(20) DEFAULT \'a,b\',\n'
        '  "say ""hi""" TEXT, PRIMARY KEY ("id")\n)'
    )
    assert [(c["name"], c["type"], c["is_nullable"]) for c in columns] == [
        ("id", "bigint", False),
        ("at", "timestamp with time zone", True),
        ("on", "date", True),
        ("v", "text", True),
        ('say "hi"', "text", True),
    ]
    for bad in ("DROP TABLE x", "CREATE TABLE x ()", 'CREATE TABLE x ("a" MONEY)'):
        with pytest.raises(ValueError):
            columns_from_create_table(bad)
