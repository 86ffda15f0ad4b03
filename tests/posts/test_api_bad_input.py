"""Posts refuse what they cannot store or render, with a clear 400 (a form error on pages):
fields of the wrong type, lone surrogates in embed blocks, markdown bombs."""

import pytest

from apps.posts.models import Post

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    return response.json()["error"]


def test_a_post_with_a_name_that_is_not_text_is_a_400(api, alice_key):
    response = api(alice_key).post("/posts/create", {"post": {"name": 5}, "content": 5})
    assert response.status_code == 400
    assert "post.name" in error_of(response)["message"]
    response = api(alice_key).post("/posts/create", {"post": {"name": "R"}, "content": 5})
    assert response.status_code == 400
    assert "content" in error_of(response)["message"]
    assert not Post.objects.exists()


def test_a_lone_surrogate_in_an_embed_block_is_refused(api, alice_key, client, alice):
    block = (
        '```assetComponent\n{"id": "00000000-0000-4000-8000-000000000001", '
        '"assetType": "route", "displayConfig": {"note": "\\udfff"}}\n```'
    )
    response = api(alice_key).post("/posts/create", {"post": {"name": "R"}, "content": block})
    assert response.status_code == 400
    assert "displayConfig.note contains a lone surrogate" in error_of(response)["message"]
    client.force_login(alice)
    response = client.post("/posts/new", {"name": "R", "visibility": "private", "text": block})
    assert response.status_code == 200  # the form again, with the error
    assert "displayConfig.note contains a lone surrogate" in response.content.decode()
    assert not Post.objects.exists()


def test_a_markdown_bomb_in_the_post_editor_is_a_form_error(client, alice):
    client.force_login(alice)
    response = client.post(
        "/posts/new",
        {"name": "R", "visibility": "private", "text": "[" * 10000 + "x" + "]" * 10000},
    )
    assert response.status_code == 200
    assert "nested more than 32 levels deep" in response.content.decode()
    assert not Post.objects.exists()
