"""The pure core behind comparing two runs: JSON differences by key path."""

import json

from hypothesis import given
from hypothesis import strategies as st

from apps.actions.json_diff import Change, json_diff, path_join


def test_equal_values_have_no_changes():
    value = {"a": [1, {"b": None}], "c": "x"}
    assert json_diff(value, json.loads(json.dumps(value))).changes == []


def test_changes_by_key_path_in_key_order():
    left = {"name": "ada", "items": [1, 2, 3], "deep": {"x": {"y": 1}}, "gone": True}
    right = {"name": "bob", "items": [1, 5], "deep": {"x": {"y": 1, "z": 2}}, "new": None}
    assert json_diff(left, right).changes == [
        Change("name", "changed", "ada", "bob"),
        Change("items[1]", "changed", 2, 5),
        Change("items[2]", "removed", left=3),
        Change("deep.x.z", "added", right=2),
        Change("gone", "removed", left=True),
        Change("new", "added", right=None),
    ]


def test_a_type_change_is_one_change_at_its_path():
    assert json_diff({"a": [1, 2]}, {"a": {"0": 1}}).changes == [
        Change("a", "changed", [1, 2], {"0": 1})
    ]
    assert json_diff({"a": True}, {"a": 1}).changes == [Change("a", "changed", True, 1)]
    assert json_diff({"a": 1}, {"a": "1"}).changes == [Change("a", "changed", 1, "1")]
    assert json_diff(1, 1.0).changes == []


def test_odd_keys_are_quoted():
    assert path_join("", "a b") == '["a b"]'
    assert path_join("body", 'say "hi"') == 'body["say \\"hi\\""]'
    assert path_join("body", "content-type") == "body.content-type"
    assert json_diff({"1x": 1}, {"1x": 2}).paths == {'["1x"]'}


def test_deep_nesting_does_not_recurse():
    left: dict = {}
    right: dict = {}
    a, b = left, right
    for _ in range(5000):
        a["n"], b["n"] = {}, {}
        a, b = a["n"], b["n"]
    b["leaf"] = 1
    (change,) = json_diff(left, right).changes
    assert change.kind == "added" and change.path.endswith(".n.leaf")


def test_long_lists_stop_at_the_limit():
    diff = json_diff(list(range(2000)), [-1] * 2000, limit=50)
    assert diff.truncated and len(diff.changes) == 50


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values, json_values)
def test_no_changes_exactly_when_equal(left, right):
    diff = json_diff(left, right)
    same = json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)
    assert (diff.changes == []) == same
    assert json_diff(left, left).changes == []
