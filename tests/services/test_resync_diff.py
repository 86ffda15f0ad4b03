"""The re-sync diff: each changed field named in words, breaking changes marked, shown before
anything is applied; what is pasted wins over the service's spec URL filled in beforehand."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.routes.services import service_resync_preview
from apps.services.importer import parse_spec
from apps.services.models import Service
from apps.services.openapi.changes import route_changes, schema_changes

SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example.org/v1"}],
    "paths": {
        "/pets": {
            "get": {
                "operationId": "list_pets",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "tag", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"items": {"type": "array"}},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "add_pet",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"name": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {"201": {"description": "made"}},
            },
        }
    },
}


def changed_spec() -> dict:
    spec = json.loads(json.dumps(SPEC))
    listing = spec["paths"]["/pets"]["get"]
    listing["parameters"] = [
        {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}},
        {"name": "owner", "in": "query", "required": True, "schema": {"type": "string"}},
        {"name": "sort", "in": "query", "schema": {"type": "string"}},
    ]
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]
    schema["properties"] = {"results": {"type": "array"}}
    add = spec["paths"]["/pets"]["post"]
    add["requestBody"]["required"] = True
    content = add["requestBody"]["content"]
    content["application/json"]["schema"]["required"] = ["name"]
    content["application/x-www-form-urlencoded"] = {"schema": {"type": "object"}}
    return spec


def test_each_parameter_change_is_named_and_a_new_required_one_is_breaking():
    old = parse_spec(SPEC).routes[0]
    new = parse_spec(changed_spec()).routes[0]
    changes = route_changes({"parameters": old.parameters}, {"parameters": new.parameters})
    found = {c.change: c.breaking for c in changes}
    assert found == {
        "query parameter 'limit' is now required": True,
        "query parameter 'owner' added, required": True,
        "query parameter 'sort' added": False,
        "query parameter 'tag' removed": True,
    }
    assert {c.field for c in changes} == {"parameters"}


def test_body_media_types_and_schemas_are_compared_per_media_type():
    old = parse_spec(SPEC).routes[1].request_body
    new = parse_spec(changed_spec()).routes[1].request_body
    found = {
        c.change: c.breaking for c in route_changes({"request_body": old}, {"request_body": new})
    }
    assert found == {
        "the request body is now required": True,
        "body media type application/x-www-form-urlencoded added": False,
        "application/json body.name is now required": True,
    }
    removed = route_changes({"request_body": new}, {"request_body": old})
    assert ("body media type application/x-www-form-urlencoded removed", True) in {
        (c.change, c.breaking) for c in removed
    }


def test_a_success_response_losing_a_property_is_breaking():
    old = parse_spec(SPEC).routes[0].responses
    new = parse_spec(changed_spec()).routes[0].responses
    found = {c.change: c.breaking for c in route_changes({"responses": old}, {"responses": new})}
    assert found == {"response 200.items removed": True, "response 200.results added": False}
    gone = route_changes({"responses": old}, {"responses": {"500": {"description": "x"}}})
    assert {(c.change, c.breaking) for c in gone} == {
        ("response 500 added", False),
        ("response 200 removed", True),
    }


def test_schema_types_and_enums_narrowing_are_breaking():
    assert schema_changes({"type": "string"}, {"type": "integer"}, "x") == [
        ("x: type string became integer", True)
    ]
    assert schema_changes({"enum": ["a", "b"]}, {"enum": ["a"]}, "x") == [
        ("x: values no longer allowed: 'b'", True)
    ]
    assert schema_changes({"type": "string"}, {"type": "string", "maxLength": 3}, "x") == [
        ("x: the schema changed", False)
    ]


def test_documentation_changes_are_listed_and_not_breaking():
    found = route_changes(
        {"summary": "a", "deprecated": False}, {"summary": "b", "deprecated": True}
    )
    assert [(c.change, c.breaking) for c in found] == [
        ("summary changed", False),
        ("deprecated", False),
    ]


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def service(logged_in):
    data = {"name": "Pets", "visibility": "public", "auth_method": "none"}
    assert (
        logged_in.post("/services/new", {**data, "spec_text": json.dumps(SPEC)}).status_code == 302
    )
    service = Service.objects.get(name="Pets")
    # As if imported from a URL: the re-sync form fills it in.
    Service.objects.filter(pk=service.pk).update(spec_url="http://127.0.0.1:9/openapi.json")
    service.refresh_from_db()
    return service


def test_the_preview_names_each_change_and_marks_breaking_ones_before_applying(logged_in, service):
    form = logged_in.get(f"/services/{service.pk}/resync").content.decode()
    assert 'value="http://127.0.0.1:9/openapi.json"' in form
    before = {r.pk: (r.parameters, r.request_body) for r in service.routes.all()}
    # The prefilled URL (nothing listens there) is sent too: the pasted text wins.
    preview = logged_in.post(
        f"/services/{service.pk}/resync",
        {
            "spec_url": service.spec_url,
            "spec_text": json.dumps(changed_spec()),
            "action": "preview",
        },
    )
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Read from the pasted text" in page
    assert "query parameter &#x27;owner&#x27; added, required" in page
    assert "body media type application/x-www-form-urlencoded added" in page
    assert "response 200.items removed" in page
    assert "6 breaking changes" in page
    diff = preview.context["diff"]
    # limit, owner, tag and the response losing `items`; the body and its name now required.
    assert sum(c.breaking for c in diff.changes[("GET", "/pets")]) == 4
    assert diff.breaking == 6
    assert {r.pk: (r.parameters, r.request_body) for r in service.routes.all()} == before
    assert 'name="spec_url"' not in page.split('id="resync-diff"')[1]  # the apply re-sends the text
    applied = logged_in.post(
        f"/services/{service.pk}/resync",
        {"spec_text": json.dumps(changed_spec()), "action": "apply"},
    )
    assert applied.status_code == 302
    listing = service.routes.get(name="list_pets")
    assert [p["name"] for p in listing.parameters] == ["limit", "owner", "sort"]


def test_the_diff_summary_lists_the_changes_for_the_api(service):
    diff = service_resync_preview(service=service, result=parse_spec(changed_spec()))
    changed = {c["path"] + " " + c["method"]: c for c in diff.summary()["changed"]}
    listing = changed["/pets GET"]
    assert listing["breaking"] is True
    assert {"field": "parameters", "change": "query parameter 'tag' removed", "breaking": True} in (
        listing["changes"]
    )
    assert diff.summary()["breaking"] == diff.breaking


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)
route_fields = st.fixed_dictionaries(
    {},
    optional={
        name: json_values
        for name in (
            "parameters",
            "request_body",
            "responses",
            "input_assets",
            "output_assets",
            "name",
            "pricing",
            "summary",
        )
    },
)


@settings(max_examples=300, deadline=None)
@given(route_fields, route_fields)
def test_any_stored_fields_compare_without_error(old, new):
    # Hand-edited routes may hold any JSON in these fields.
    for change in route_changes(old, new):
        assert change.field in new and isinstance(change.change, str)


def test_the_api_dry_run_answers_the_diff_and_changes_nothing(api, alice, alice_key):
    from apps.accounts.services import personal_org
    from apps.routes.services import service_import_openapi

    service, _ = service_import_openapi(
        owner=alice, org=personal_org(), source=parse_spec(SPEC), name="Pets", visibility="public"
    )
    before = {r.pk: r.parameters for r in service.routes.all()}
    path = f"/services/{service.pk}/update/from-file"
    body = {"service": {"spec": changed_spec()}}
    dry = api(alice_key).put(f"{path}?dry_run=true", body)
    assert dry.status_code == 200, dry.json()
    data = dry.json()["data"]
    assert data["dry_run"] is True and data["import"]["breaking"] == 6
    listing = next(c for c in data["import"]["changed"] if c["method"] == "GET")
    assert {"field": "parameters", "change": "query parameter 'tag' removed", "breaking": True} in (
        listing["changes"]
    )
    assert {r.pk: r.parameters for r in service.routes.all()} == before
    applied = api(alice_key).put(path, body)
    assert applied.status_code == 200 and "dry_run" not in applied.json()["data"]
    assert {r.pk: r.parameters for r in service.routes.all()} != before
