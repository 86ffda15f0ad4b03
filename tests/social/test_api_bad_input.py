"""Hostile and malformed requests to the comment, notification and engagement endpoints: a
clear 4xx in the error envelope, never a 500."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(alice, make_post):
    return make_post(alice, "A post")


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"comment": "x", "content": "hi"},
        {"comment": {}, "content": "hi"},
        {"comment": {"parent_id": 12}, "content": "hi"},
        {"comment": {"parent_id": "{post}"}, "content": 12},
        {"comment": {"parent_id": "{post}"}, "content": {"json": {"type": "nope"}}},
        {"comment": {"parent_id": "{post}"}, "content": {"json": {"type": "doc", "content": 5}}},
        {"comment": {"parent_id": "{post}"}, "content": "x" * 3_000_000},
        {"comment": {"parent_id": "{post}"}, "content": "[" * 50_000},
        {"comment": {"parent_id": "{post}", "attribution": "me"}, "content": "hi"},
        {"comment": {"parent_id": "{post}", "license_id": 5}, "content": "hi"},
    ],
)
def test_a_bad_comment_is_a_4xx(api, alice_key, post, body):
    if isinstance(body, dict):
        body = {
            k: (
                {**v, "parent_id": str(post.pk)}
                if isinstance(v, dict) and v.get("parent_id") == "{post}"
                else v
            )
            for k, v in body.items()
        }
    response = api(alice_key).post("/comments/create", body)
    assert 400 <= response.status_code < 500, response.content[:200]
    assert response.json()["error"]["code"]


@pytest.mark.parametrize(
    "path",
    [
        "/assets/nope/comments",
        "/assets/{post}/comments?limit=abc",
        "/assets/{post}/comments?offset=-1",
        "/comments/nope",
        "/assets/{post}/connections?direction=sideways",
        "/assets/{post}/connections?limit=0",
        "/assets/nope/counts",
        "/assets/impact",
        "/assets/impact?ids=nope",
        "/user/notifications?limit=x",
        "/user/notifications?unread_only=maybe",
        "/user/notifications?org_id=nope",
        "/user/notifications/nope",
    ],
)
def test_a_bad_read_is_a_4xx(api, alice_key, post, path):
    response = api(alice_key).get(path.replace("{post}", str(post.pk)))
    assert 400 <= response.status_code < 500, response.content[:200]
    assert response.json()["error"]["code"]


def test_without_a_key_everything_is_refused(api, post):
    for path in (f"/assets/{post.pk}/comments", "/user/notifications", f"/assets/{post.pk}/counts"):
        assert api(None).get(path).status_code == 401
    assert api(None).post(f"/assets/{post.pk}/view").status_code == 401
