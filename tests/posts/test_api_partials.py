"""Partial embeds through the posts API: their assets are created as the post's children."""

import base64
import re

import pytest

from apps.accounts.services import personal_org
from apps.assets.models import Asset, AssetShare, Dataset, File
from apps.assets.services import file_read
from apps.posts.models import Post
from apps.posts.services import post_create, post_publish
from tests.posts.conftest import embed_block, png_bytes

pytestmark = pytest.mark.django_db


def partial_node(data: dict, placeholder: str, view_mode: str = "card") -> dict:
    """The node `Editor.new_partial_asset()` appends."""
    return {
        "type": "assetComponent",
        "attrs": {
            "id": placeholder,
            "assetType": data["asset_type"],
            "partial": True,
            "partialData": data,
            "filters": {},
            "viewMode": view_mode,
        },
    }


def file_partial(content: bytes, file_name: str = "chart.bin", **extra) -> dict:
    return {
        "asset_type": "file",
        "name": "Energy chart",
        "description": "Energy vs. step",
        "metadata": {"name": file_name, "type": "application/octet-stream", "size": len(content)},
        "base64": base64.b64encode(content).decode(),
        **extra,
    }


DATASET = {
    "asset_type": "dataset",
    "name": "Runs table",
    "description": "One row a run",
    "data": [{"step": 1, "energy": -4.2}, {"step": 2, "energy": -4.5}],
    "view": {"name": "Energy", "sql_query": "SELECT * FROM {{table}}", "config": {"type": "line"}},
}
NOTES = {
    "asset_type": "post",
    "name": "Method notes",
    "description": "",
    "content": {"text": "## Method\n\nRelaxed with **care**."},
}
PLACEHOLDERS = [f"00000000-0000-4000-8000-00000000000{i}" for i in (1, 2, 3)]


def document(*nodes) -> dict:
    intro = {"type": "paragraph", "content": [{"type": "text", "text": "Results below."}]}
    return {"type": "doc", "content": [intro, *nodes]}


def three_partials() -> dict:
    return document(
        partial_node(file_partial(png_bytes()), PLACEHOLDERS[0], "preview"),
        partial_node(DATASET, PLACEHOLDERS[1], "preview"),
        partial_node(NOTES, PLACEHOLDERS[2]),
    )


def create(api, key, doc: dict, **post):
    text = "".join(f"{{asset:{p}}}" for p in PLACEHOLDERS)
    return api(key).post(
        "/posts/create",
        {
            "post": {"name": "Results", "visibility": "public", **post},
            "content": {"json": doc, "text": text},
        },
    )


def embeds_of(data: dict) -> list[dict]:
    return [n["attrs"] for n in data["content"]["json"]["content"] if n["type"] == "assetComponent"]


def test_a_post_with_three_partials_gets_three_children_embedded_by_their_ids(
    api, alice, alice_key
):
    response = create(api, alice_key, three_partials())
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    post = Post.objects.get(pk=data["id"])
    children = {a.asset_type: a for a in Asset.objects.filter(parent=post)}
    assert set(children) == {"file", "dataset", "post"} and Asset.objects.count() == 4
    for child in children.values():
        assert (child.user, child.org_id, child.team_id) == (alice, post.org_id, post.team_id)
        assert child.visibility == "inherit" and child.effective_visibility == "public"

    assert embeds_of(data) == [
        {"id": str(children["file"].pk), "assetType": "file", "viewMode": "preview"},
        {"id": str(children["dataset"].pk), "assetType": "dataset", "viewMode": "preview"},
        {"id": str(children["post"].pk), "assetType": "post", "viewMode": "card"},
    ]
    assert "partialData" not in str(post.content_json) and "base64" not in post.content_text
    assert post.embeds == embeds_of(data)
    assert all(p not in post.content_text for p in PLACEHOLDERS)
    assert sorted(a["id"] for a in data["assets"]) == sorted(str(c.pk) for c in children.values())

    file = File.objects.get(pk=children["file"].pk)
    assert (file.name, file.description) == ("Energy chart", "Energy vs. step")
    assert file.content_type == "image/png" and file.extension == "png"  # sniffed, not declared
    assert file_read(file=file) == png_bytes()
    dataset = Dataset.objects.get(pk=children["dataset"].pk)
    assert dataset.row_count == 2 and [c["name"] for c in dataset.columns] == ["step", "energy"]
    assert dataset.metadata["view"] == DATASET["view"]
    (view,) = dataset.views.all()
    assert (view.name, view.sql_query) == ("Energy", "SELECT * FROM {{table}}")
    notes = Post.objects.get(pk=children["post"].pk)
    assert notes.is_published and "<strong>care</strong>" in notes.html


def test_the_post_page_shows_the_new_assets_in_place(client, api, alice_key, bob):
    post_id = create(api, alice_key, three_partials()).json()["data"]["id"]
    client.force_login(bob)
    html = client.get(f"/posts/{post_id}").content.decode()
    assert re.findall(r'data-embed="([a-z]+)"', html) == ["file", "dataset", "post"]
    assert "This embed is not available." not in html
    assert "Energy chart" in html and '<img class="output"' in html
    assert "Runs table" in html and "<td>-4.5</td>" in html
    assert "Method notes" in html


def test_saving_the_stored_content_again_creates_nothing(api, alice_key):
    data = create(api, alice_key, three_partials()).json()["data"]
    again = api(alice_key).put(f"/posts/{data['id']}", {"post": {}, "content": data["content"]})
    assert again.status_code == 200
    assert embeds_of(again.json()["data"]) == embeds_of(data)
    assert Asset.objects.count() == 4


def test_an_update_materialises_new_partials(api, alice_key):
    data = create(api, alice_key, document()).json()["data"]
    doc = document(partial_node(NOTES, PLACEHOLDERS[0]))
    response = api(alice_key).put(f"/posts/{data['id']}", {"post": {}, "content": {"json": doc}})
    assert response.status_code == 200
    [child] = Asset.objects.filter(parent_id=data["id"])
    assert embeds_of(response.json()["data"])[0]["id"] == str(child.pk)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (file_partial(b"x", base64="%%%"), "Partial embed 3: `base64` is not valid base64"),
        ({**DATASET, "data": []}, "Partial embed 3: a dataset needs at least one row"),
        ({**NOTES, "asset_type": "service"}, "Partial embed 3: asset_type 'service' cannot"),
    ],
)
def test_a_malformed_partial_is_a_400_and_nothing_is_created(api, alice_key, bad, message):
    doc = three_partials()
    doc["content"][3] = partial_node(bad, PLACEHOLDERS[2])
    response = create(api, alice_key, doc)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_partial" and error["message"].startswith(message)
    assert not Asset.objects.exists()


def test_a_partial_datasets_view_with_a_write_is_refused(api, alice_key):
    bad_view = {**DATASET["view"], "sql_query": "DELETE FROM {{table}}"}
    doc = document(partial_node({**DATASET, "view": bad_view}, PLACEHOLDERS[0]))
    response = create(api, alice_key, doc)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("Partial embed 1:")
    assert "only a read-only SELECT" in error["message"]
    assert not Asset.objects.exists()


def test_a_failure_after_some_assets_were_created_undoes_them_all(api, alice_key):
    broken = {**NOTES, "content": '```assetComponent\n{"id": "x"}\n```'}
    doc = document(
        partial_node(DATASET, PLACEHOLDERS[0]),
        partial_node(file_partial(b"hello", "hello.txt"), PLACEHOLDERS[1]),
        partial_node(broken, PLACEHOLDERS[2]),
    )
    response = create(api, alice_key, doc)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_embed" and error["message"].startswith("Partial embed 3:")
    assert not Asset.objects.exists()


def test_a_file_over_the_limit_is_refused_before_anything_is_created(api, alice_key, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1024
    doc = document(
        partial_node(DATASET, PLACEHOLDERS[0]),
        partial_node(file_partial(b"x" * 2048), PLACEHOLDERS[1]),
    )
    response = create(api, alice_key, doc)
    error = response.json()["error"]
    assert response.status_code == 413 and error["code"] == "file_too_large"
    assert error["message"].startswith("Partial embed 2: The file is 2048 bytes")
    assert not Asset.objects.exists()


def test_a_co_editors_partial_belongs_to_the_author(api, alice, alice_key, bob, bob_key):
    data = create(api, alice_key, document()).json()["data"]
    AssetShare.objects.create(asset_id=data["id"], user=bob, role="write")
    doc = document(partial_node(DATASET, PLACEHOLDERS[0]))
    response = api(bob_key).put(f"/posts/{data['id']}", {"post": {}, "content": {"json": doc}})
    assert response.status_code == 200, response.content
    assert Asset.objects.get(parent_id=data["id"]).user == alice


def test_a_co_editor_cannot_pin_through_a_partial_post(
    api, alice_key, bob, bob_key, route, make_action
):
    data = create(api, alice_key, document()).json()["data"]
    AssetShare.objects.create(asset_id=data["id"], user=bob, role="write")
    pinning = {**NOTES, "content": embed_block(route.pk, action_id=make_action(route).pk)}
    doc = document(partial_node(pinning, PLACEHOLDERS[0]))
    response = api(bob_key).put(f"/posts/{data['id']}", {"post": {}, "content": {"json": doc}})
    assert response.status_code == 403 and response.json()["error"]["code"] == "pin_forbidden"
    assert not Asset.objects.filter(parent_id=data["id"]).exists()


def test_deleting_with_children_removes_the_created_assets(api, alice_key):
    post_id = create(api, alice_key, three_partials()).json()["data"]["id"]
    response = api(alice_key).delete(f"/posts/{post_id}?delete_children=true")
    assert response.status_code == 200
    assert not Asset.objects.exists()


def test_a_drafts_partial_post_is_a_draft_until_the_draft_is_published(alice):
    org = personal_org()
    post = post_create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Draft",
        content={"json": document(partial_node(NOTES, PLACEHOLDERS[0]))},
        visibility="public",
        publish=False,
    )
    child = Post.objects.get(parent=post)
    assert not child.is_published
    post_publish(post=post)
    child.refresh_from_db()
    assert child.is_published
