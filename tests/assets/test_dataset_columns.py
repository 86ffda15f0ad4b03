"""Editing a dataset's columns through the official client: add, rename, convert, restrict to
allowed values, drop; a value that does not fit refuses the whole change."""

import pytest
from ouro import BadRequestError, NotFoundError, PermissionDeniedError

from apps.assets.models import Dataset
from apps.assets.tabular import column_type, convert_value

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


@pytest.fixture
def scores(ouro):
    rows = [{"name": "a", "score": "1"}, {"name": "b", "score": "2.0"}, {"name": "c"}]
    return str(ouro.datasets.create(name="Scores", visibility="public", data=rows).id)


def schema(ouro, dataset_id) -> dict:
    return {c.name: c for c in ouro.datasets.schema(dataset_id)}


def rows(ouro, dataset_id) -> list[dict]:
    return ouro.datasets.list_rows(dataset_id).data


def test_a_column_is_added_renamed_converted_and_dropped(ouro, scores):
    ouro.datasets.add_column(scores, "grade", enum_values=["pass", "fail"], label="Grade")
    columns = schema(ouro, scores)
    assert columns["grade"].semantic_type == "enum" and columns["grade"].enum_values == [
        "pass",
        "fail",
    ]
    ouro.datasets.update_column(scores, "score", new_name="points", type="integer")
    assert schema(ouro, scores)["points"].type == "bigint"
    assert rows(ouro, scores) == [
        {"name": "a", "points": 1},
        {"name": "b", "points": 2},
        {"name": "c", "points": None},
    ]
    ouro.datasets.drop_column(scores, "name")
    assert list(schema(ouro, scores)) == ["points", "grade"]
    assert rows(ouro, scores) == [{"points": 1}, {"points": 2}, {"points": None}]


def test_a_value_that_does_not_fit_refuses_the_whole_change(ouro, scores):
    ouro.datasets.update_column(scores, "score", type="numeric")
    ouro.datasets.add_column(scores, "note")
    with pytest.raises(
        BadRequestError, match=r"Row 1, column 'name': 'a' cannot be read as bigint"
    ):
        ouro.datasets.update_column(scores, "name", type="integer")
    with pytest.raises(BadRequestError, match=r"Row 1, column 'name': 'a' is not one of x, y"):
        ouro.datasets.update_column(scores, "name", enum_values=["x", "y"])
    assert rows(ouro, scores)[0] == {"name": "a", "score": 1.0}
    assert schema(ouro, scores)["name"].type == "text"


def test_bad_column_requests_say_what_is_wrong(ouro, scores, ouro_client, bob_key):
    with pytest.raises(BadRequestError, match="already has a column 'name'"):
        ouro.datasets.add_column(scores, "name")
    with pytest.raises(BadRequestError, match="Unknown column type 'money'"):
        ouro.datasets.add_column(scores, "price", type="money")
    with pytest.raises(BadRequestError, match="3 rows have no value for 'code'"):
        ouro.datasets.add_column(scores, "code", nullable=False)
    with pytest.raises(NotFoundError, match="no column 'nope'"):
        ouro.datasets.drop_column(scores, "nope")
    with pytest.raises(PermissionDeniedError):
        ouro_client(bob_key).datasets.add_column(scores, "mine")
    assert list(schema(ouro, scores)) == ["name", "score"]


def test_rows_outside_a_columns_allowed_values_are_refused(ouro, scores):
    ouro.datasets.update_column(scores, "name", enum_values=["a", "b", "c", "d"])
    with pytest.raises(BadRequestError, match=r"Row 2: 'name' must be one of a, b, c, d, not 'z'"):
        ouro.datasets.update(scores, data=[{"name": "d"}, {"name": "z"}], data_mode="append")
    assert Dataset.objects.get(pk=scores).row_count == 3


def test_column_types_and_value_conversions():
    assert column_type("TIMESTAMPTZ") == "timestamp with time zone"
    assert column_type("numeric") == "double precision" and column_type("Integer") == "bigint"
    with pytest.raises(ValueError, match="Unknown column type"):
        column_type("money")
    assert convert_value("12", "bigint") == 12 and convert_value(3.0, "bigint") == 3
    assert convert_value(2**62 + 1, "bigint") == 2**62 + 1
    assert convert_value(2, "double precision") == 2.0
    assert convert_value("1.5", "double precision") == 1.5
    assert convert_value("Yes", "boolean") is True and convert_value(0, "boolean") is False
    assert convert_value(True, "text") == "true" and convert_value({"a": 1}, "text") == '{"a": 1}'
    assert convert_value(None, "bigint") is None and convert_value([1], "jsonb") == [1]
    assert convert_value('{"a": 1}', "jsonb") == {"a": 1}
    assert convert_value("2024-05-01T12:00:00+02:00", "timestamp with time zone") == (
        "2024-05-01T10:00:00+00:00"
    )
    assert convert_value("2024-05-01T12:00:00", "date") == "2024-05-01"
    for value, to in [("x", "bigint"), (1.5, "bigint"), (True, "double precision"),
                      ("maybe", "boolean"), ("inf", "double precision"), ("1e400", "double precision"),
                      ({"a": 1}, "bigint"), ("soon", "timestamp with time zone"), (3, "date")]:  # fmt: skip
        with pytest.raises(ValueError, match="cannot be read as"):
            convert_value(value, to)
