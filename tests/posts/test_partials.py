"""Finding, checking and rewriting partial embeds in a TipTap document (pure)."""

import base64
import copy

import pytest

from apps.posts.partials import PartialError, partials_find, partials_present, partials_replace

PLACEHOLDER = "7d0c6d3e-0000-4000-8000-000000000001"
REAL = "7d0c6d3e-0000-4000-8000-0000000000ff"


def partial_node(data: dict, *, node_id=PLACEHOLDER, **attrs) -> dict:
    """The node `Editor.new_partial_asset()` appends."""
    return {
        "type": "assetComponent",
        "attrs": {
            "id": node_id,
            "assetType": data.get("asset_type", "file"),
            "partial": True,
            "partialData": data,
            "filters": {},
            "viewMode": "card",
            **attrs,
        },
    }


def file_data(content: bytes = b"hello", **extra) -> dict:
    return {
        "asset_type": "file",
        "name": "Greeting",
        "description": "A word",
        "metadata": {"name": "hello.txt", "type": "text/plain", "extension": "txt", "size": 5},
        "base64": base64.b64encode(content).decode(),
        **extra,
    }


def doc(*nodes) -> dict:
    return {"type": "doc", "content": [{"type": "paragraph"}, *nodes]}


def test_a_file_partial_is_found_with_its_decoded_bytes_and_file_name():
    [partial] = partials_find(doc(partial_node(file_data())))
    assert partial.placeholder == PLACEHOLDER and partial.asset_type == "file"
    assert (partial.name, partial.description) == ("Greeting", "A word")
    assert partial.content == b"hello" and partial.file_name == "hello.txt"


def test_dataset_and_post_partials_keep_rows_view_and_content():
    rows = [{"x": 1, "y": None}, {"x": 2, "y": "b"}]
    view = {"name": "Line", "sql_query": "SELECT x FROM {{table}}", "config": {"type": "line"}}
    dataset = {"asset_type": "dataset", "name": "Runs", "data": rows, "view": view}
    post = {"asset_type": "post", "name": "Notes", "content": {"text": "## Method"}}
    found = partials_find(
        doc(partial_node(dataset), partial_node(post, node_id="second", viewMode="preview"))
    )
    assert [p.asset_type for p in found] == ["dataset", "post"]
    assert found[0].rows == rows and found[0].view == view
    assert found[1].placeholder == "second" and found[1].body == "## Method"


def test_a_post_partial_may_carry_a_structured_document():
    content = {"json": doc(), "text": ""}
    [partial] = partials_find(
        doc(partial_node({"asset_type": "post", "name": "N", "content": content}))
    )
    assert partial.body == content


def test_partials_nested_in_blocks_are_found_in_document_order():
    nested = {
        "type": "bulletList",
        "content": [{"type": "listItem", "content": [partial_node(file_data(), node_id="a")]}],
    }
    found = partials_find(doc(nested, partial_node(file_data(), node_id="b")))
    assert [p.placeholder for p in found] == ["a", "b"]


def test_ordinary_embeds_are_not_partials():
    embed = {"type": "assetComponent", "attrs": {"id": REAL, "assetType": "file"}}
    assert partials_find(doc(embed)) == []
    assert not partials_present(doc(embed))
    assert partials_present(doc(embed, partial_node(file_data())))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (file_data(base64="not base64!"), "not valid base64"),
        ({**file_data(), "base64": None}, "base64 string"),
        ({**file_data(), "asset_type": "route"}, "asset_type 'route' cannot be created"),
        ({**file_data(), "name": ""}, "needs a name"),
        ({"asset_type": "dataset", "name": "D", "data": []}, "at least one row"),
        ({"asset_type": "dataset", "name": "D", "data": [{}]}, "at least one row"),
        ({"asset_type": "dataset", "name": "D", "data": "a,b"}, "list of row objects"),
        ({"asset_type": "dataset", "name": "D", "data": [{"a": 1}], "view": "x"}, "view"),
        ({"asset_type": "post", "name": "P", "content": 3}, "needs `content`"),
    ],
)
def test_a_malformed_partial_is_named_by_its_position(data, message):
    fine = partial_node(file_data(), node_id="fine")
    with pytest.raises(PartialError, match=f"Partial embed 2: .*{message}"):
        partials_find(doc(fine, partial_node(data)))


def test_partial_data_must_be_an_object_and_placeholders_unique():
    with pytest.raises(PartialError, match="partialData must be an object"):
        partials_find(doc(partial_node(file_data(), partialData="x")))
    with pytest.raises(PartialError, match="used twice"):
        partials_find(doc(partial_node(file_data()), partial_node(file_data())))


def test_replacing_rewrites_the_node_as_an_ordinary_embed_and_leaves_the_input_alone():
    node = partial_node(
        file_data(),
        viewMode="preview",
        filters={"column": "x"},
        displayConfig={"height": 300},
    )
    original = doc(node, {"type": "paragraph", "content": [{"type": "text", "text": "after"}]})
    before = copy.deepcopy(original)
    result = partials_replace(original, {PLACEHOLDER: (REAL, "file")})
    assert original == before
    assert result["content"][1] == {
        "type": "assetComponent",
        "attrs": {
            "id": REAL,
            "assetType": "file",
            "viewMode": "preview",
            "displayConfig": {"height": 300, "filters": {"column": "x"}},
        },
    }
    assert result["content"][2] == before["content"][2]
    assert not partials_present(result)


def test_replacing_leaves_partials_it_has_no_asset_for():
    original = doc(partial_node(file_data(), node_id="other"))
    assert partials_replace(original, {PLACEHOLDER: (REAL, "file")}) == original


def test_empty_filters_are_dropped_and_no_display_config_is_invented():
    result = partials_replace(doc(partial_node(file_data())), {PLACEHOLDER: (REAL, "file")})
    assert result["content"][1]["attrs"] == {"id": REAL, "assetType": "file", "viewMode": "card"}
