"""The pure core: column types, CSV in and out."""

import pytest

from apps.assets.tabular import coerce_rows, infer_columns, rows_from_csv, rows_to_csv


def test_columns_take_the_narrowest_type_that_fits():
    columns = infer_columns([{"a": 1, "b": "x", "c": True}, {"a": 2.5, "b": None, "c": False}])
    assert columns == [
        {"name": "a", "type": "double precision", "is_nullable": False},
        {"name": "b", "type": "text", "is_nullable": True},
        {"name": "c", "type": "boolean", "is_nullable": False},
    ]


def test_nested_values_make_a_json_column():
    assert infer_columns([{"a": {"x": 1}}, {"a": 3}])[0]["type"] == "jsonb"


def test_csv_cells_become_json_values():
    rows = rows_from_csv("name,n,ok,score\nA,1,true,2.5\nB,,false,x\n")
    assert rows == [
        {"name": "A", "n": 1, "ok": True, "score": 2.5},
        {"name": "B", "n": None, "ok": False, "score": "x"},
    ]


def test_rows_round_trip_through_csv():
    text = rows_to_csv(["a", "b"], [{"a": 1, "b": "x"}, {"a": None, "b": [1]}])
    assert text.splitlines() == ["a,b", "1,x", ",[1]"]


def test_rows_must_be_objects():
    assert coerce_rows({"a": 1}) == [{"a": 1}]
    with pytest.raises(ValueError):
        coerce_rows([1, 2])
