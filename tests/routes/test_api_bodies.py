"""The API sends every body media type too: `config.body` with file asset ids and
`config.content_type`, through the official ouro-py client; errors come back all at once as a
400 naming each field path."""

import hashlib

import pytest
from ouro import BadRequestError

from apps.accounts.services import personal_org
from apps.actions.models import Action
from apps.assets.services import Owner, file_create
from tests.routes.body_upstream import BodyUpstream

pytestmark = pytest.mark.django_db(transaction=True)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(500)
FORM = "application/x-www-form-urlencoded"
EDIT = {
    "type": "object",
    "required": ["image", "prompt"],
    "properties": {
        "image": {"type": "string", "format": "binary"},
        "prompt": {"type": "string"},
        "n": {"type": "integer", "maximum": 4},
    },
}


@pytest.fixture
def upstream():
    server = BodyUpstream()
    yield server
    server.close()


@pytest.fixture
def image_route(make_route, make_service, upstream):
    return make_route(
        "POST",
        "/images/edits",
        name="edit-image",
        service=make_service(base_url=upstream.url),
        request_body={
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "multipart/form-data": {"schema": EDIT},
            },
        },
    )


def own_file(user, name: str = "cat.png"):
    org = personal_org()
    return file_create(
        owner=Owner(user=user, org=org, team=org.default_team),
        name=name,
        file_name=name,
        content=PNG,
        source="api",
    )


def test_a_multipart_body_with_a_file_asset_goes_out_through_the_client(
    ouro_client, alice, alice_key, image_route, upstream
):
    file = own_file(alice)
    action = ouro_client(alice_key).routes.execute(
        "alice/edit-image",
        body={"image": {"assetId": str(file.pk)}, "prompt": "a hat", "n": 2},
        content_type="multipart/form-data",
    )
    assert action.status == "success"
    seen = upstream.for_action(action.id)
    assert seen["content_type"] == "multipart/form-data"
    parts = {p["name"]: p for p in seen["parts"]}
    assert parts["image"]["filename"] == "cat.png"
    assert parts["image"]["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert (parts["prompt"]["text"], parts["n"]["text"]) == ("a hat", "2")
    recorded = Action.objects.get(pk=action.id)
    assert recorded.metadata["content_type"] == "multipart/form-data"
    assert recorded.request["body"]["image"] == {
        "assetId": str(file.pk),
        "filename": "cat.png",
        "contentType": "image/png",
        "size": len(PNG),
    }


def test_without_a_content_type_the_first_declared_json_is_sent(
    ouro_client, alice_key, image_route, upstream
):
    action = ouro_client(alice_key).routes.execute("alice/edit-image", body={"any": "thing"})
    assert upstream.for_action(action.id)["json"] == {"any": "thing"}


def test_every_mistake_is_a_400_naming_each_field_and_nothing_is_sent(
    ouro_client, alice_key, image_route, upstream
):
    with pytest.raises(BadRequestError) as caught:
        ouro_client(alice_key).routes.execute(
            "alice/edit-image", body={"n": 9}, content_type="multipart/form-data"
        )
    fields = caught.value.body["error"]["fields"]
    assert fields == {"body.image": "Required", "body.prompt": "Required", "body.n": "At most 4"}
    assert Action.objects.count() == 0 and upstream.requests == []


def test_a_file_the_caller_may_not_see_or_an_undeclared_media_type_is_refused(
    ouro_client, bob, alice_key, image_route, upstream
):
    hidden = own_file(bob, "bobs.png")
    client = ouro_client(alice_key)
    with pytest.raises(BadRequestError) as caught:
        client.routes.execute(
            "alice/edit-image",
            body={"image": {"assetId": str(hidden.pk)}, "prompt": "x"},
            content_type="multipart/form-data",
        )
    assert caught.value.body["error"]["fields"] == {
        "body.image": "No file with that id that you may use"
    }
    with pytest.raises(BadRequestError) as caught:
        client.routes.execute("alice/edit-image", body={}, content_type="text/csv")
    assert "multipart/form-data" in caught.value.body["error"]["fields"]["content_type"]
    assert Action.objects.count() == 0 and upstream.requests == []


def test_a_body_left_out_is_sent_empty_in_its_media_type(
    ouro_client, alice_key, make_route, make_service, upstream
):
    service = make_service(base_url=upstream.url)
    for name, media in [("opt-json", "application/json"), ("opt-form", FORM)]:
        make_route(
            "POST",
            f"/{name}",
            name=name,
            service=service,
            request_body={"required": False, "content": {media: {"schema": {"type": "object"}}}},
        )
    client = ouro_client(alice_key)
    sent_json = upstream.for_action(client.routes.execute("alice/opt-json").id)
    assert (sent_json["content_type"], sent_json["json"]) == ("application/json", {})
    sent_form = upstream.for_action(client.routes.execute("alice/opt-form").id)
    assert (sent_form["content_type"], sent_form["form"]) == (FORM, {})
