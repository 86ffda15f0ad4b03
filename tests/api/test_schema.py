"""/api/schema is a valid OpenAPI 3.1 document of the whole API, generated from the code: every
URL pattern under /api, with each method its view answers, is in it; /api/docs reads it and is
linked from every page's footer and from the API-keys page."""

import re

import jsonschema
import pytest
import schemathesis
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from apps.api.schema import VISIBILITIES
from apps.assets.market import MONETIZED
from apps.assets.models import Visibility
from ouro_site import api_urls

pytestmark = pytest.mark.django_db

ALL_METHODS = {"get", "post", "put", "patch", "delete"}


def api_patterns(patterns=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    """Every URL pattern under /api (walking the resolver from ouro_site.api_urls), as an
    OpenAPI path template: `services/<str:service_id>` becomes `/services/{service_id}`, and a
    regular expression its named groups and literal start (`^quests(?:/(?P<rest>.*))?$` is
    `/quests`, `^posts/(?P<post_id>[0-9a-f-]{36})$` is `/posts/{post_id}`)."""
    found = []
    for entry in get_resolver(api_urls).url_patterns if patterns is None else patterns:
        if isinstance(entry.pattern, RegexPattern):
            # Named groups become parameters; the path ends where the expression starts.
            regex = re.sub(r"\(\?P<(\w+)>[^()]*\)", r"<\1>", str(entry.pattern).lstrip("^"))
            route = prefix + re.match(r"[\w/<>-]*", regex).group(0)
        else:
            route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += api_patterns(entry.url_patterns, route)
        elif entry.callback is not api_urls.views.not_found:  # the catch-all 404
            found.append(("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), entry))
    return found


def view_methods(pattern: URLPattern) -> set[str]:
    """The methods a DRF view (function or class based) answers; none for a plain view (one
    that hands requests over to DRF views, which document the path)."""
    view_class = getattr(pattern.callback, "cls", None)
    if view_class is None:
        return set()
    return {m.lower() for m in view_class().allowed_methods} & ALL_METHODS


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return response.json()


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert document["servers"] == [{"url": "/api"}]


def test_every_url_under_api_is_in_the_document_with_each_method(document):
    patterns = api_patterns()
    assert len(patterns) > 50
    missing = []
    for path, pattern in patterns:
        documented = set(document["paths"].get(path, {})) & ALL_METHODS
        missing += [f"{m.upper()} {path}" for m in sorted(view_methods(pattern) - documented)]
        if not documented:
            missing.append(f"{path} ({pattern.callback.__module__})")
    assert missing == []
    assert set(document["paths"]) == {path for path, _ in patterns}
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_every_operation_is_secured_by_the_api_key_unless_public(document):
    assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    public = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if {} in operation.get("security", []):
                public.add(f"{method.upper()} {path}")
            else:
                assert operation["security"] == [{"ApiKey": []}], (method, path)
    # The token exchange, the upstreams' callbacks (their run's token) and this document.
    assert {"POST /users/get-token", "POST /actions/{action_id}/webhook", "GET /schema"} <= public
    assert "GET /actions" not in public


def test_answers_are_the_envelope_and_errors_the_error_envelope(document):
    operation = document["paths"]["/actions/{action_id}"]["get"]
    assert operation["operationId"] == "get_actions_action_id"
    assert operation["parameters"][0]["name"] == "action_id"
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Envelope"}
    assert operation["responses"]["404"] == {"$ref": "#/components/responses/Error404"}
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    envelope = document["components"]["schemas"]["Envelope"]
    assert set(envelope["properties"]) == {"data", "pagination"}
    create = document["paths"]["/posts/create"]["post"]
    assert "application/json" in create["requestBody"]["content"]
    assert "2XX" in create["responses"]


def test_the_document_is_also_yaml_and_needs_no_key(client):
    response = client.get("/api/schema?format=yaml")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["info"]["title"] == "Ouro Routes API"


def test_the_reference_page_is_linked_from_the_footer_and_the_api_keys_page(client, alice):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-schema-url="/api/schema"' in html
    assert "swagger-ui-bundle.js" in html and "/static/js/api-docs.js" in html
    assert "<script>" not in html  # no inline script under the CSP
    assert 'href="/api/docs"' in client.get("/").content.decode()
    client.force_login(alice)
    assert 'href="/api/docs"' in client.get("/settings/api-keys").content.decode()


WRITES = ("post", "put", "patch")
ANY_OBJECT = {"type": "object", "additionalProperties": {}}  # ApiAutoSchema's default body

# Writes whose body is free-form on purpose, with why. None today: even an upstream's callback
# has a shape (`status`, and a free-form `response`).
FREE_FORM_BODIES: dict[str, str] = {}

# Writes that read no body (their view declares `request=None`), with why.
NO_BODIES = {
    **dict.fromkeys(
        [
            "POST /teams/{team_id}/join",
            "POST /teams/{team_id}/leave",
            "POST /teams/{team_id}/join-requests/{request_id}/approve",
            "POST /teams/{team_id}/join-requests/{request_id}/reject",
            "POST /actions/{action_id}/cancel",
        ],
        "the path names all it does",
    ),
    **dict.fromkeys(
        [
            *(
                f"{m} /{name}"
                for name in ("quests", "conversations")
                for m in ("POST", "PUT", "PATCH")
            ),
            *(
                f"POST /wallet/{name}"
                for name in (
                    "balance",
                    "transactions",
                    "deposit-address",
                    "send-sats",
                    "purchase-asset",
                )
            ),
            "POST /datasets/{dataset_id}/indexes",
        ],
        "not offered here: refused whatever the body",
    ),
}


def request_schemas(document) -> dict[str, dict]:
    """Each write operation's JSON request body schema ({} when it has none), by name."""
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in WRITES:
                body = operation.get("requestBody", {"content": {"application/json": {}}})
                found[f"{method.upper()} {path}"] = body["content"]["application/json"].get(
                    "schema", {}
                )
    return found


def test_every_write_declares_its_body_next_to_its_view(document):
    """A new write view without `extend_schema(request=...)` gets the generic "any object"
    body and fails here: declare what it reads (or `request=None`), or list it with why."""
    schemas = request_schemas(document)
    assert len(schemas) > 50
    generic = {name for name, schema in schemas.items() if schema == ANY_OBJECT}
    assert generic == set(FREE_FORM_BODIES)
    assert {name for name, schema in schemas.items() if schema == {}} == set(NO_BODIES)
    for name, schema in schemas.items():
        if schema and name not in FREE_FORM_BODIES:
            component = schema["$ref"].removeprefix("#/components/schemas/")
            assert document["components"]["schemas"][component]["properties"], name


def test_every_field_of_a_request_body_says_what_it_is(document):
    """Each field of every request body has a description, and its required ones exist."""
    undescribed = []
    for name, schema in document["components"]["schemas"].items():
        if not name.endswith("Request") or "properties" not in schema:
            continue
        assert set(schema.get("required", [])) <= set(schema["properties"]), name
        for field, definition in schema["properties"].items():
            nested = "$ref" in definition or "allOf" in definition
            if not definition.get("description") and not nested:
                undescribed.append(f"{name}.{field}")
    assert undescribed == []


def validator(document, operation: str) -> jsonschema.Draft202012Validator:
    schema = request_schemas(document)[operation]
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


@pytest.mark.parametrize(
    "operation, body",
    [
        (
            "POST /teams/create",
            {"team": {"name": "data-science", "org_id": "x", "join_policy": "open"}},
        ),
        (
            "PUT /assets/{asset_id}/share",
            {"permission": {"user": {"user_id": "u"}, "role": "write"}},
        ),
        (
            "POST /datasets/{dataset_id}/data",
            {"rows": [{"id": 1}], "mode": "upsert", "key_columns": ["id"]},
        ),
        (
            "POST /services/{service_id}/routes/{route_id}/use",
            {"config": {"query": {"name": "Ada"}}},
        ),
        ("POST /actions/{action_id}/webhook", {"status": "success", "response": [1, "two"]}),
        ("PUT /services/{service_id}/authentication", {"method": "Ouro", "secret": "s3cret"}),
        (
            "POST /posts/create",
            {"post": {"name": "Notes", "visibility": "public"}, "content": {"text": "# Hi"}},
        ),
    ],
)
def test_what_the_client_sends_matches_the_declared_body(document, operation, body):
    validator(document, operation).validate(body)


@pytest.mark.parametrize(
    "operation, body",
    [
        ("POST /teams/create", {"team": {"name": "x", "org_id": "x", "join_policy": "anyone"}}),
        ("POST /teams/create", {"name": "x"}),  # the fields go under `team`
        ("PUT /assets/{asset_id}/share", {"permission": {"user": {}, "role": "read"}}),
        ("POST /datasets/{dataset_id}/data", {"rows": [], "mode": "merge"}),
        ("POST /actions/{action_id}/webhook", {"response": {}}),
        ("PUT /services/{service_id}/authentication", {"method": "Ouro"}),
    ],
)
def test_a_body_the_view_refuses_does_not_match(document, operation, body):
    assert not validator(document, operation).is_valid(body)


def test_the_document_is_generated_without_warnings(tmp_path):
    # Two sets of choices under one name, or two bodies named alike, would be warnings.
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_the_documented_visibilities_are_the_assets():
    assert set(VISIBILITIES) == {*Visibility.values, MONETIZED}
