"""Bad input under /api is a clear 4xx and is never stored: text that is not UTF-8 or holds a
lone surrogate (in a body, a query or a header), JSON nested too deeply, bodies over the size
limit and values of the wrong type."""

import json

import pytest

from apps.actions.models import Action
from apps.assets.models import Dataset, File
from apps.posts.models import Post

pytestmark = pytest.mark.django_db


def raw_post(client, path, body: bytes, key, **extra):
    return client.post(
        f"/api{path}",
        data=body,
        content_type="application/json",
        headers={"Authorization": key, **extra.pop("headers", {})},
        **extra,
    )


def use_path(route) -> str:
    return f"/services/{route.service_id}/routes/{route.pk}/use"


def error_of(response) -> dict:
    return response.json()["error"]


def nested(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


# Text: UTF-8 and lone surrogates -------------------------------------------------------------


def test_a_lone_surrogate_in_a_run_input_is_a_400_and_no_action_is_stored(
    client, alice_key, hello_route
):
    body = b'{"config": {"query": {"name": "\\ud800"}}}'
    response = raw_post(client, use_path(hello_route), body, alice_key)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_text"
    assert "config.query.name" in error["message"]
    assert not Action.objects.exists()
    # The caller's listings stay readable.
    assert client.get("/api/actions", headers={"Authorization": alice_key}).status_code == 200


def test_a_lone_surrogate_in_a_post_is_a_400(client, alice_key):
    body = b'{"post": {"name": "Results"}, "content": "x \\udfff y"}'
    response = raw_post(client, "/posts/create", body, alice_key)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_text"
    assert "content" in error_of(response)["message"]
    assert not Post.objects.exists()


def test_a_lone_surrogate_in_an_object_key_is_a_400(client, alice_key):
    body = b'{"post": {"name": "Results", "metadata": {"\\udc00": 1}}, "content": "x"}'
    response = raw_post(client, "/posts/create", body, alice_key)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_text"
    assert "post.metadata" in error_of(response)["message"]


def test_a_body_that_is_not_utf8_is_a_400(client, alice_key, hello_route):
    body = b'{"post": {"name": "R\xff\xfe"}, "content": "x"}'
    response = raw_post(client, "/posts/create", body, alice_key)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_text"
    assert "UTF-8" in error_of(response)["message"]
    # An encoded surrogate (CESU-style) is not UTF-8 either.
    body = b'{"config": {"query": {"name": "\xed\xa0\x80"}}}'
    response = raw_post(client, use_path(hello_route), body, alice_key)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_text"
    assert not Post.objects.exists() and not Action.objects.exists()


def test_a_lone_surrogate_or_bad_utf8_in_the_query_string_is_a_400(client, alice_key):
    for query in ("query=%ED%A0%80", "query=%FF", "filters=%7B%22a%22%3A%22%5Cud800%22%7D"):
        response = client.get(
            "/api/search/assets", QUERY_STRING=query, headers={"Authorization": alice_key}
        )
        assert response.status_code == 400, query
        assert error_of(response)["code"] == "invalid_text"


def test_a_lone_surrogate_in_a_header_value_is_a_400(client, alice_key):
    response = client.get(
        "/api/actions", headers={"Authorization": alice_key, "X-Note": "a\udfffb"}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_text"
    assert "X-Note" in error_of(response)["message"]


def test_a_nul_in_the_path_or_the_query_is_a_400(api, alice_key, client):
    # No database text column holds one (PostgreSQL refuses them outright).
    for path in ("/users/al%00ice", "/search/assets?query=a%00b"):
        response = api(alice_key).get(path)
        assert response.status_code == 400, path
        assert error_of(response)["code"] == "invalid_text"
    assert client.get("/routes/alice/a%00b").status_code == 400


def test_an_offset_beyond_any_table_is_a_400(api, alice_key):
    response = api(alice_key).get("/actions?offset=99999999999999999999")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_pagination"


def test_not_a_number_and_nul_characters_are_refused(client, alice_key):
    # Neither can be stored as JSON in PostgreSQL; refused alike on every database.
    for body in (
        b'{"post": {"name": "R", "metadata": {"x": NaN}}, "content": "x"}',
        b'{"post": {"name": "R", "metadata": {"x": 1e999}}, "content": "x"}',
        b'{"post": {"name": "R\\u0000"}, "content": "x"}',
    ):
        response = raw_post(client, "/posts/create", body, alice_key)
        assert response.status_code == 400, body
        assert "post." in error_of(response)["message"]
    assert not Post.objects.exists()


# Nesting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 100_000])
def test_json_nested_too_deeply_is_a_400_on_every_endpoint(
    client, alice_key, hello_route, running_action, depth
):
    action, token = running_action()
    paths = [use_path(hello_route), "/posts/create", "/files/upload"]
    for path in paths:
        response = raw_post(client, path, nested(depth), alice_key)
        assert response.status_code == 400, path
        assert error_of(response)["code"] == "too_deep", path
        assert "64" in error_of(response)["message"]
    response = client.post(
        f"/api/actions/{action.pk}/webhook",
        data=nested(depth),
        content_type="application/json",
        headers={"ouro-webhook-token": token},
    )
    assert response.status_code == 400
    assert "64" in error_of(response)["message"]
    action.refresh_from_db()
    assert action.status == "in-progress"


def test_nesting_within_the_limit_is_accepted(client, alice_key):
    body = json.dumps(
        {"post": {"name": "Deep", "metadata": json.loads(nested(60))}, "content": "x"}
    ).encode()
    assert raw_post(client, "/posts/create", body, alice_key).status_code == 201


# Size ------------------------------------------------------------------------------------------


def test_a_body_over_the_size_limit_is_a_413_with_the_json_envelope(
    client, alice_key, hello_route, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = json.dumps({"config": {"query": {"name": "x" * 5000}}}).encode()
    for path in (use_path(hello_route), "/posts/create", "/files/upload"):
        response = raw_post(client, path, body, alice_key)
        assert response.status_code == 413, path
        error = error_of(response)
        assert error["code"] == "too_large" and error["status"] == 413
        assert "4096" in error["message"]
    assert not Action.objects.exists()


# Wrong types -----------------------------------------------------------------------------------


def test_updating_a_file_with_a_path_that_is_not_text_is_a_400(api, alice_key):
    import base64

    upload = api(alice_key).post(
        "/files/upload",
        {"file_name": "a.txt", "file_base64": base64.b64encode(b"hello").decode()},
    )
    created = api(alice_key).post(
        "/files/create", {"file": {"id": upload.json()["data"]["id"], "name": "a"}}
    )
    file_id = created.json()["data"]["id"]
    for path in (5, {"a": 1}, ["x"]):
        response = api(alice_key).put(f"/files/{file_id}", {"file": {"metadata": {"path": path}}})
        assert response.status_code == 400, path
        assert "file.metadata.path" in error_of(response)["message"]
    response = api(alice_key).put(f"/files/{file_id}", {"file": {"name": 5}})
    assert response.status_code == 400 and "file.name" in error_of(response)["message"]
    assert File.objects.get().name == "a"


def test_searching_with_an_id_that_is_not_a_uuid_is_a_400(api, alice_key):
    for query in ("user_id=bad", "org_id=bad", "team_id=1", 'filters={"user_id": 5}'):
        response = api(alice_key).get(f"/search/assets?{query}")
        assert response.status_code == 400, query
        assert "must be a UUID" in error_of(response)["message"]
    response = api(alice_key).get('/search/assets?filters={"visibility": {"a": 1}}')
    assert response.status_code == 400 and "visibility" in error_of(response)["message"]
    assert api(alice_key).get("/search/assets?user_id=").status_code == 200


# Pages ---------------------------------------------------------------------------------------


def test_a_form_that_is_not_utf8_is_a_400_and_nothing_is_stored(client, alice):
    client.force_login(alice)
    response = client.post(
        "/posts/new",
        data=b"name=R%FF%FE&visibility=private&text=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert b"'name' in the form is not valid UTF-8" in response.content
    assert client.get("/posts?q=%ED%A0%80").status_code == 400
    assert not Post.objects.exists()


def test_a_lone_surrogate_in_json_typed_into_a_form_is_a_form_error(client, alice):
    client.force_login(alice)
    response = client.post(
        "/datasets/new", {"name": "d", "visibility": "private", "rows": '[{"a": "\\ud800"}]'}
    )
    assert response.status_code == 400  # the form again, with the error
    assert "[0].a contains a lone surrogate" in response.content.decode()
    assert not Dataset.objects.exists()


# Repair --------------------------------------------------------------------------------------


def test_repair_text_replaces_lone_surrogates_already_stored(api, alice_key, hello_route):
    import io

    from django.core.management import call_command
    from django.db import DataError, connection, transaction

    run = api(alice_key).post(use_path(hello_route), {"config": {"query": {"name": "ok"}}})
    action_id = run.json()["action"]["id"]
    poisoned = {"query": {"name": "\ud800"}, "body": None, "parameters": {}}
    if connection.vendor == "postgresql":
        # PostgreSQL refuses to store one at all: nothing to repair, and the API refuses
        # them before they reach it.
        with pytest.raises(DataError), transaction.atomic():
            Action.objects.filter(pk=action_id).update(metadata=poisoned)
        out = io.StringIO()
        call_command("repair_text", stdout=out)
        assert "0 value(s) repaired" in out.getvalue()
        return
    Action.objects.filter(pk=action_id).update(metadata=poisoned, response={"\udc00": "x"})
    post = api(alice_key).post("/posts/create", {"post": {"name": "P"}, "content": "x"})
    doc = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "a\udfffb"}]}],
    }
    Post.objects.filter(pk=post.json()["data"]["id"]).update(content_json=doc)

    out = io.StringIO()
    call_command("repair_text", "--dry-run", stdout=out)
    assert "actions.Action.metadata: 1 row(s) would be repaired" in out.getvalue()
    assert "actions.Action.response: 1 row(s) would be repaired" in out.getvalue()
    assert "posts.Post.content_json: 1 row(s) would be repaired" in out.getvalue()
    assert Action.objects.get(pk=action_id).metadata["query"]["name"] == "\ud800"

    out = io.StringIO()
    call_command("repair_text", stdout=out)
    assert "3 value(s) repaired" in out.getvalue()
    action = Action.objects.get(pk=action_id)
    assert action.metadata["query"]["name"] == "\ufffd"
    assert action.response == {"\ufffd": "x"}
    assert Post.objects.get().content_json["content"][0]["content"][0]["text"] == "a\ufffdb"
    assert api(alice_key).get("/actions").status_code == 200
    assert api(alice_key).get(f"/actions/{action_id}").status_code == 200
    out = io.StringIO()
    call_command("repair_text", stdout=out)
    assert "0 value(s) repaired" in out.getvalue()
