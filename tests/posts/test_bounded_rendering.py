"""Rendering is bounded: a markdown bomb answers a clear 400 at once, outside any database
transaction, so another user's run goes ahead; TipTap documents of the wrong shape are 400s."""

import threading
import time

import pytest
import requests

from apps.accounts.services import api_key_create
from apps.actions.models import Action, Status
from apps.posts.models import Post
from apps.routes.models import Route
from apps.services.models import Service

BOMB = "[" * 10000 + "x" + "]" * 10000


@pytest.fixture
def hello_route(alice, personal, demo_upstream):
    """The demo upstream's fast /hello, on a public service of alice's."""
    service = Service.objects.create(
        user=alice,
        org=personal,
        team=personal.default_team,
        name="Demo",
        visibility="public",
        base_url=demo_upstream,
    )
    return Route.objects.create(
        user=service.user,
        org=service.org,
        team=service.team,
        parent=service,
        service=service,
        name="hello",
        visibility="inherit",
        method="GET",
        path="/hello",
        parameters=[{"name": "name", "in": "query", "schema": {"type": "string"}}],
    )


def create(api, key, content, **post):
    return api(key).post(
        "/posts/create",
        {"post": {"name": "Results", "visibility": "public", **post}, "content": content},
    )


@pytest.mark.django_db
def test_a_markdown_bomb_is_a_clear_400_well_under_a_second(api, alice_key):
    assert create(api, alice_key, "A warm-up post").status_code == 201
    started = time.monotonic()
    response = create(api, alice_key, BOMB)
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "content_too_complex"
    assert "nested" in error["message"]
    assert elapsed < 1.0
    assert Post.objects.count() == 1


@pytest.mark.django_db
def test_a_bomb_in_a_tiptap_document_is_a_clear_400(api, alice_key):
    doc = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": BOMB}]}],
    }
    started = time.monotonic()
    response = create(api, alice_key, {"json": doc, "text": ""})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "content_too_complex"
    assert time.monotonic() - started < 1.0


@pytest.mark.django_db(transaction=True)
def test_another_users_run_succeeds_while_a_bomb_is_posted(
    live_site, alice, bob, hello_route, django_db_blocker
):
    alice_key = api_key_create(user=alice, name="alice key")[1]
    bob_key = api_key_create(user=bob, name="bob key")[1]
    base = f"{live_site.url}/api"
    bomb: dict = {}

    def post_bomb():
        started = time.monotonic()
        response = requests.post(
            f"{base}/posts/create",
            json={"post": {"name": "Bomb"}, "content": BOMB},
            headers={"Authorization": alice_key},
            timeout=300,
        )
        bomb.update(status=response.status_code, elapsed=time.monotonic() - started)

    thread = threading.Thread(target=post_bomb)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    run = requests.post(
        f"{base}/services/{hello_route.service_id}/routes/{hello_route.pk}/use",
        json={"config": {"query": {"name": "bob"}}},
        headers={"Authorization": bob_key},
        timeout=300,
    )
    run_elapsed = time.monotonic() - started
    thread.join()
    assert run.status_code == 200, run.text
    assert run.json()["action"]["status"] == "success"
    assert run_elapsed < 5.0
    assert bomb["status"] == 400 and bomb["elapsed"] < 1.0
    assert Action.objects.get().status == Status.SUCCESS
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_converting_a_deeply_nested_list_is_a_clear_400_or_quick(api, alice_key):
    for markdown in ("- " * 3000, "- " * 3000 + "x", "> " * 3000 + "x", "<div>" * 3000):
        started = time.monotonic()
        response = api(alice_key).post("/utilities/convert/from-markdown", {"markdown": markdown})
        assert time.monotonic() - started < 1.0, markdown[:10]
        assert response.status_code in (200, 400), markdown[:10]
        if response.status_code == 400:
            error = response.json()["error"]
            assert error["code"] == "content_too_complex"
            assert "nested" in error["message"]


@pytest.mark.django_db
def test_a_tiptap_heading_with_a_level_that_is_not_a_number_is_a_400(api, alice_key):
    doc = {
        "type": "doc",
        "content": [
            {"type": "heading", "attrs": {"level": "x"}, "content": [{"type": "text", "text": "T"}]}
        ],
    }
    response = create(api, alice_key, {"json": doc, "text": "# T"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_content"
    assert "content.json.content[0].attrs.level" in error["message"]
    assert not Post.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "node, where",
    [
        (
            {"type": "orderedList", "attrs": {"start": "one"}, "content": []},
            "content[0].attrs.start",
        ),
        ({"type": "paragraph", "content": "text"}, "content[0].content"),
        ({"type": "paragraph", "attrs": ["x"]}, "content[0].attrs"),
        (
            {"type": "paragraph", "content": [{"type": "text", "text": 5}]},
            "content[0].content[0].text",
        ),
        (
            {"type": "paragraph", "content": [{"type": "text", "text": "a", "marks": [5]}]},
            "content[0].content[0].marks[0]",
        ),
        ("paragraph", "content[0]"),
    ],
)
def test_tiptap_nodes_of_the_wrong_shape_are_400s_naming_the_node(api, alice_key, node, where):
    response = create(api, alice_key, {"json": {"type": "doc", "content": [node]}})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_content"
    assert f"content.json.{where}" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_post_with_more_embeds_than_the_limit_is_a_400(api, alice_key, route):
    from apps.posts.markdown import MAX_EMBEDS
    from tests.posts.conftest import embed_block

    text = "\n\n".join(embed_block(route.pk) for _ in range(MAX_EMBEDS + 1))
    response = create(api, alice_key, text)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "content_too_complex"
    assert str(MAX_EMBEDS) in response.json()["error"]["message"]
    text = "\n\n".join(embed_block(route.pk) for _ in range(MAX_EMBEDS))
    assert create(api, alice_key, text).status_code == 201
