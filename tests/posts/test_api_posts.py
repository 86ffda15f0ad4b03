"""POST /posts/create, GET|PUT|DELETE /posts/{id}, POST /utilities/convert/from-markdown."""

import pytest

from apps.assets.models import AssetShare
from apps.posts.models import Post
from tests.posts.conftest import embed_block

pytestmark = pytest.mark.django_db


def create(api, key, content, **post):
    return api(key).post(
        "/posts/create",
        {"post": {"name": "Results", "visibility": "public", **post}, "content": content},
    )


def test_creating_a_post_from_markdown_answers_the_post_with_its_content(
    api, alice_key, route, make_action
):
    action = make_action(route)
    text = f"# Results\n\n{embed_block(route.pk, action_id=action.pk)}"
    response = create(api, alice_key, text)
    assert response.status_code == 201
    data = response.json()["data"]
    assert (
        data["asset_type"] == "post"
        and data["name"] == "Results"
        and data["visibility"] == "public"
    )
    assert data["content"]["text"] == text
    assert data["content"]["json"]["content"][1] == {
        "type": "assetComponent",
        "attrs": {
            "id": str(route.pk),
            "assetType": "route",
            "viewMode": "preview",
            "displayConfig": {"actionId": str(action.pk)},
        },
    }
    assert [a["id"] for a in data["assets"]] == [str(route.pk)]
    assert data["org_id"] == "00000000-0000-0000-0000-000000000000"


def test_creating_from_a_tiptap_document(api, alice_key):
    doc = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hello"}]}],
    }
    data = create(api, alice_key, {"json": doc, "text": "Hello"}).json()["data"]
    assert data["content"]["json"] == doc


def test_pinning_someone_elses_action_is_forbidden(api, bob_key, route, make_action):
    response = create(api, bob_key, embed_block(route.pk, action_id=make_action(route).pk))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "pin_forbidden"


def test_an_invalid_embed_is_a_400(api, alice_key):
    response = create(api, alice_key, '```assetComponent\n{"id": "x"}\n```')
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_embed"


def test_a_post_needs_a_name_and_a_known_visibility(api, alice_key):
    assert create(api, alice_key, "x", name="").status_code == 400
    assert (
        create(api, alice_key, "x", visibility="everyone").json()["error"]["code"]
        == "invalid_visibility"
    )


def test_creating_in_an_organization_needs_membership(api, alice_key, charlie_key, acme):
    assert create(api, alice_key, "x", org_id=str(acme.pk)).json()["data"]["org_id"] == str(acme.pk)
    assert create(api, charlie_key, "x", org_id=str(acme.pk)).status_code == 403


def test_reading_follows_visibility(api, alice_key, charlie_key):
    post_id = create(api, alice_key, "secret", visibility="private").json()["data"]["id"]
    assert api(alice_key).get(f"/posts/{post_id}").status_code == 200
    assert api(charlie_key).get(f"/posts/{post_id}").status_code == 404
    assert api(alice_key).get("/posts/not-a-uuid").status_code == 400


def test_embedded_assets_are_listed_only_when_the_reader_may_see_them(
    api, alice_key, bob_key, make_route
):
    hidden = make_route(visibility="private", name="hidden")
    shown = make_route(name="shown")
    text = embed_block(hidden.pk) + "\n\n" + embed_block(shown.pk)
    post_id = create(api, alice_key, text).json()["data"]["id"]
    assert len(api(alice_key).get(f"/posts/{post_id}").json()["data"]["assets"]) == 2
    assert [a["name"] for a in api(bob_key).get(f"/posts/{post_id}").json()["data"]["assets"]] == [
        "shown"
    ]


def test_updating_needs_write_access(api, alice_key, bob_key, bob):
    post_id = create(api, alice_key, "v1").json()["data"]["id"]
    update = {"post": {"name": "v2"}, "content": "# Version 2"}
    assert api(bob_key).put(f"/posts/{post_id}", update).status_code == 403
    AssetShare.objects.create(asset_id=post_id, user=bob, role="write")
    data = api(bob_key).put(f"/posts/{post_id}", update).json()["data"]
    assert data["name"] == "v2" and data["content"]["text"] == "# Version 2"
    assert data["content"]["json"]["content"][0]["type"] == "heading"


def test_an_update_without_content_keeps_the_content(api, alice_key):
    post_id = create(api, alice_key, "keep me").json()["data"]["id"]
    data = (
        api(alice_key)
        .put(f"/posts/{post_id}", {"post": {"description": "About"}, "content": None})
        .json()["data"]
    )
    assert data["content"]["text"] == "keep me" and data["description"] == {"text": "About"}


def test_delete_with_dry_run_reports_and_keeps_the_post(api, alice_key, bob_key):
    post_id = create(api, alice_key, "x").json()["data"]["id"]
    assert api(bob_key).delete(f"/posts/{post_id}").status_code == 403
    dry = api(alice_key).delete(f"/posts/{post_id}?dry_run=true").json()["data"]
    assert dry == {
        "id": post_id,
        "name": "Results",
        "asset_type": "post",
        "deleted_children": [],
        "dry_run": True,
    }
    assert Post.objects.filter(pk=post_id).exists()
    assert (
        api(alice_key).delete(f"/posts/{post_id}?dry_run=false").json()["data"]["dry_run"] is False
    )
    assert not Post.objects.filter(pk=post_id).exists()
    assert api(alice_key).get(f"/posts/{post_id}").status_code == 404


def test_convert_from_markdown_answers_json_and_markdown_at_the_top_level(api, alice_key, route):
    markdown = "> [!NOTE]\n> hi {@alice}\n\n" + embed_block(route.pk)
    response = api(alice_key).post("/utilities/convert/from-markdown", {"markdown": markdown})
    body = response.json()
    assert response.status_code == 200 and set(body) == {"json", "markdown"}
    assert body["markdown"] == markdown
    assert [n["type"] for n in body["json"]["content"]] == ["callout", "assetComponent"]


def test_convert_needs_a_markdown_string_and_a_token(api, alice_key):
    assert (
        api(alice_key).post("/utilities/convert/from-markdown", {"markdown": 1}).status_code == 400
    )
    assert api(None).post("/utilities/convert/from-markdown", {"markdown": "x"}).status_code == 401
