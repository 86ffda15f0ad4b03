"""The pure OpenAPI importer on the hand-written specs in tests/fixtures/specs (one per feature
group: Swagger 2.0, OpenAPI 3.0 and 3.1, YAML anchors, a spec split over files, the Ouro
extensions), on generated large and many-branched recursive specs, and on synthetic hostile
ones. test_spec_corpus.py runs the same checks on real public specs when they are present."""

import json
from pathlib import Path

import pytest

from apps.services.importer import SpecError, import_bytes, load_document, parse_spec
from apps.services.openapi.refs import SCHEMA_BYTES_BUDGET
from tests.spec_files import FIXTURE_SPECS

LIMIT = 16 * 1024 * 1024

# (fixture, operations) for every spec in tests/fixtures/specs.
FIXTURE_COUNTS = [
    ("swagger-2.0-store.yaml", 6),
    ("openapi-3.0-store.yaml", 8),
    ("openapi-3.0-yaml-anchors.yaml", 3),
    ("openapi-3.1-webhooks.yaml", 0),
    ("openapi-3.1-ouro-tools.json", 6),
]
SPLIT = FIXTURE_SPECS / "split-swagger"


def fixture(name: str):
    return import_bytes((FIXTURE_SPECS / name).read_bytes(), max_bytes=LIMIT)


def route(result, method: str, path: str):
    return next(r for r in result.routes if r.method == method and r.path == path)


def spec(paths: dict, **extra) -> bytes:
    return json.dumps(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}
    ).encode()


def folder_fetch(folder: Path):
    def fetch(uri: str) -> bytes:
        target = Path(uri).resolve()
        assert target.is_relative_to(folder)
        return target.read_bytes()

    return fetch


# The fixture specs ---------------------------------------------------------------------------


def test_the_fixture_list_covers_every_fixture_spec():
    files = {p.name for p in FIXTURE_SPECS.iterdir() if p.suffix in (".json", ".yaml")}
    assert files == {name for name, _ in FIXTURE_COUNTS}


@pytest.mark.parametrize(("name", "count"), FIXTURE_COUNTS)
def test_it_imports_every_fixture_spec_with_its_operation_count(name, count):
    result = fixture(name)
    assert len(result.routes) == count
    assert len({r.key for r in result.routes}) == count
    assert len({r.name for r in result.routes}) == count
    json.dumps(result.as_dict())


def test_the_version_title_and_description_are_read():
    swagger = fixture("swagger-2.0-store.yaml")
    assert (swagger.spec_version, swagger.title, swagger.version) == (
        "2.0",
        "Pet Store (Swagger 2.0)",
        "1.0.0",
    )
    assert swagger.description == "Pets, their photos and a chat call."
    assert fixture("openapi-3.0-store.yaml").spec_version == "3.0.3"
    assert fixture("openapi-3.1-ouro-tools.json").spec_version == "3.1.0"


def test_it_imports_a_swagger_spec_split_over_files_from_its_folder():
    root = SPLIT / "spec" / "swagger.json"
    result = import_bytes(
        root.read_bytes(), spec_url=str(root), fetch=folder_fetch(SPLIT), max_bytes=LIMIT
    )
    assert len(result.routes) == 4
    create = route(result, "POST", "/books")
    schema = create.request_body["content"]["application/json"]["schema"]
    assert "title" in schema["allOf"][0]["properties"]  # NewBook.json -> Book.json
    listing = route(result, "GET", "/books")
    assert [p["name"] for p in listing.parameters] == ["author", "limit"]  # parameters.json
    assert listing.parameters[0]["schema"]["x-collection-format"] == "csv"
    error = listing.responses["default"]["content"]["application/json"]["schema"]
    assert error["required"] == ["code", "message"]  # ../common/Error.json
    assert result.base_url == "http://library.example.org/api"
    assert result.warnings == []


def test_a_spec_split_over_files_is_refused_without_a_folder():
    root = SPLIT / "spec" / "swagger.json"
    with pytest.raises(SpecError, match="another document"):
        import_bytes(root.read_bytes(), max_bytes=LIMIT)


def test_swagger_body_and_form_data_become_request_bodies():
    result = fixture("swagger-2.0-store.yaml")
    add = route(result, "POST", "/pets")
    assert set(add.request_body["content"]) == {"application/json", "application/xml"}
    assert add.request_body["required"] is True
    assert add.request_body["content"]["application/json"]["schema"]["properties"]["category"][
        "properties"
    ] == {"id": {"type": "integer"}, "name": {"type": "string"}}  # Pet -> Category
    upload = route(result, "POST", "/pets/{petId}/photo")
    form = upload.request_body["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "The photo",
    }
    assert form["properties"]["extras"]["items"] == {"type": "string", "format": "binary"}
    assert form["required"] == ["file"]
    assert [p["name"] for p in upload.parameters] == ["petId"]
    update = route(result, "POST", "/pets/{petId}")
    assert list(update.request_body["content"]) == ["application/x-www-form-urlencoded"]
    assert [p["name"] for p in update.parameters] == ["petId"]  # a path-level shared parameter
    assert update.parameters[0]["required"] is True
    not_found = update.responses["404"]  # a shared response, under every `produces` type
    assert not_found["description"] == "No such pet"
    assert set(not_found["content"]) == {"application/json", "application/xml"}
    assert result.base_url == "https://store.example.org/v1"  # https preferred over http


def test_swagger_query_and_header_parameters_keep_their_constraints():
    result = fixture("swagger-2.0-store.yaml")
    listing = route(result, "GET", "/pets")
    tags, limit, request_id = listing.parameters
    assert tags["schema"] == {
        "type": "array",
        "items": {"type": "string"},
        "x-collection-format": "csv",
    }
    assert limit["schema"] == {"type": "integer", "format": "int32", "maximum": 100}
    assert (request_id["name"], request_id["in"]) == ("X-Request-Id", "header")
    assert list(listing.responses) == ["200"]  # the x- key is not a response
    items = listing.responses["200"]["content"]["application/json"]["schema"]["items"]
    assert items["required"] == ["name"]


def test_a_urlencoded_method_call_keeps_its_header_token():
    chat = route(fixture("swagger-2.0-store.yaml"), "POST", "/chat.postMessage")
    assert [(p["name"], p["in"], p["required"]) for p in chat.parameters] == [
        ("token", "header", True)
    ]
    assert list(chat.request_body["content"]) == ["application/x-www-form-urlencoded"]
    assert chat.request_body["content"]["application/x-www-form-urlencoded"]["schema"][
        "required"
    ] == ["channel"]
    assert list(chat.responses["200"]["content"]) == ["application/json"]  # its own produces


def test_a_swagger_spec_without_a_host_takes_the_spec_url_or_asks_for_a_base_url():
    document = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "basePath": "/v2",
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    from_url = parse_spec(document, spec_url="http://127.0.0.1:8000/swagger.json")
    assert from_url.base_url == "http://127.0.0.1:8000/v2"
    pasted = parse_spec(document)
    assert pasted.base_url == "/v2"
    assert any(w.where == "host" for w in pasted.warnings)


def test_openapi_3_parameters_bodies_and_responses_are_normalized():
    result = fixture("openapi-3.0-store.yaml")
    find = route(result, "GET", "/pets")
    status = find.parameters[0]  # a shared component parameter
    assert status["in"] == "query" and status["schema"]["enum"] == ["available", "pending", "sold"]
    assert status["explode"] is True and status["description"] == "Status values to filter by"
    ok = find.responses["200"]["content"]["application/json"]
    assert ok["schema"]["type"] == "array" and ok["example"] == [{"id": 1, "name": "Rex"}]
    assert find.responses["default"]["description"] == "Something went wrong"
    add = route(result, "POST", "/pets")  # a shared request body
    assert set(add.request_body["content"]) == {
        "application/json",
        "application/xml",
        "application/x-www-form-urlencoded",
    }
    assert add.request_body["required"] is True
    order = route(result, "POST", "/orders")
    assert list(order.request_body["content"]) == ["application/x-www-form-urlencoded"]
    assert order.execution_mode == "async"  # its only success response is 202
    upload = route(result, "POST", "/files/content")
    assert upload.request_body["content"]["multipart/form-data"]["encoding"] == {
        "attributes": {"contentType": "application/json"}
    }
    assert route(result, "GET", "/pets/{petId}").deprecated is True
    assert find.tags == ["pets"] and find.summary == "Pets by status"
    # The first server, its variable filled with the default.
    assert result.base_url == "https://eu.store.example.org/v3"


def test_a_chain_of_schema_refs_is_followed_and_examples_are_data():
    result = fixture("openapi-3.0-store.yaml")
    pet = route(result, "GET", "/pets/{petId}").responses["200"]["content"]["application/json"]
    schema = pet["schema"]  # PetAlias -> PetEntry -> Pet
    assert schema["required"] == ["name"]
    assert schema["properties"]["tags"]["items"] == {
        "type": "object",
        "properties": {"name": {"type": "string"}},
    }
    assert schema["example"] == {"$ref": "not a reference, just an example"}


def test_operations_on_one_path_told_apart_by_a_fragment_are_both_routes():
    result = fixture("openapi-3.0-store.yaml")
    shared = route(result, "GET", "/files/{file_id}#get_shared_link")
    assert [(p["name"], p["in"]) for p in shared.parameters] == [
        ("file_id", "path"),
        ("fields", "query"),
    ]
    assert route(result, "GET", "/files/{file_id}").name == "getFile"
    assert any(w.where == "/files/{file_id}#get_shared_link" for w in result.warnings)


def test_the_report_of_a_fixture_lists_what_the_platform_cannot_send():
    # What the run form renders is reported from the form builder (tests/routes).
    result = fixture("openapi-3.0-store.yaml")
    flagged = {(w.where, w.message) for w in result.warnings if w.kind == "unrepresentable"}
    assert flagged == {("GET /pets", "Parameter 'filter' is serialized as application/json")}


def test_yaml_anchors_are_expanded_and_the_result_serializes():
    result = fixture("openapi-3.0-yaml-anchors.yaml")
    files = route(result, "GET", "/files")
    assistants = route(result, "GET", "/assistants")
    assert files.parameters == assistants.parameters  # one aliased list
    assert files.parameters[0]["description"].startswith("A limit on the number")
    assert assistants.responses["200"]["description"] == "The assistants"  # a merge key
    listing = assistants.responses["200"]["content"]["application/json"]["schema"]
    assert listing["properties"]["has_more"] == {"type": "boolean"}
    chat = route(result, "POST", "/chat/completions")
    body = chat.request_body["content"]["application/json"]
    assert body["example"] == chat.responses["200"]["content"]["application/json"]["example"]
    assert json.loads(json.dumps(result.as_dict()))["routes"][0]["parameters"][0]["name"] == (
        "limit"
    )


def test_callbacks_and_webhooks_are_not_routes():
    store = fixture("openapi-3.0-store.yaml")
    assert any(
        w.where == "POST /orders" and "Callbacks (orderShipped)" in w.message
        for w in store.warnings
    )
    webhooks = fixture("openapi-3.1-webhooks.yaml")
    assert webhooks.routes == []
    notice = next(w for w in webhooks.warnings if w.where == "webhooks")
    assert "2 webhook(s)" in notice.message and "newPet, petSold" in notice.message


def test_openapi_3_1_schemas_keep_type_lists_const_and_ref_siblings():
    result = fixture("openapi-3.1-ouro-tools.json")
    echo = route(result, "POST", "/slow-echo").request_body["content"]["application/json"]
    assert echo["schema"]["properties"] == {
        "message": {"type": ["string", "null"]},
        "kind": {"const": "echo"},
    }
    inspect = route(result, "POST", "/inspect-file").request_body["content"]["application/json"]
    assert inspect["schema"]["required"] == ["asset_id"]
    assert inspect["schema"]["description"] == "The file to inspect"  # beside the $ref
    assert result.base_url == "https://tools.example.org"


def test_ouro_extensions_are_read():
    result = fixture("openapi-3.1-ouro-tools.json")
    assert route(result, "POST", "/slow-echo").execution_mode == "async"
    inspect = route(result, "POST", "/inspect-file")
    assert inspect.input_assets == {"structure": {"asset_type": "file"}}
    assert inspect.input_type == "file"
    report = route(result, "POST", "/make-report")
    assert report.output_assets == {"report": {"asset_type": "post", "role": "summary"}}
    assert report.output_type == "post"


def test_legacy_ouro_keys_fill_the_declarations_and_projection():
    result = fixture("openapi-3.1-ouro-tools.json")
    sketch = route(result, "POST", "/stable-image/control/sketch")
    assert sketch.input_assets == {
        "file": {"asset_type": "file", "primary": True, "input_filter": "image"}
    }
    assert (sketch.input_type, sketch.input_filter) == ("file", "image")
    assert sketch.output_assets == {"file": {"asset_type": "file", "primary": True}}
    assert (sketch.output_type, sketch.output_filter) == ("file", "image")
    forecast = route(result, "POST", "/forecast")
    assert forecast.input_assets == {
        "dataset": {"asset_type": "dataset", "primary": True, "file_extensions": ["csv"]}
    }
    assert (forecast.input_type, forecast.input_file_extension) == ("dataset", "csv")
    assert forecast.output_type == "dataset"
    assert forecast.name == "forecast_forecast_post"


def test_misdeclared_ouro_extensions_are_reported_and_ignored():
    result = fixture("openapi-3.1-ouro-tools.json")
    bad = route(result, "POST", "/misdeclared")
    assert (bad.input_assets, bad.input_type, bad.pricing) == ({}, "", {})
    assert bad.execution_mode == "async"  # the default for a 202-only operation
    notices = [w.message for w in result.warnings if w.where == "POST /misdeclared"]
    assert len(notices) == 4
    assert any("has no valid asset_type" in m for m in notices)
    assert any("'smell' is not known" in m for m in notices)
    assert any("'eventually' is neither sync nor async" in m for m in notices)
    assert any("x-ouro-pricing needs model" in m for m in notices)


# Pricing: kept as declared, as exact text ----------------------------------------------------


def test_a_declared_price_is_kept_as_exact_text_never_a_float():
    result = fixture("openapi-3.1-ouro-tools.json")
    assert route(result, "POST", "/make-report").pricing == {
        "model": "per_call",
        "unit_cost": "0.1",  # a JSON number, as its decimal text
        "currency": "usd",
    }
    assert route(result, "POST", "/stable-image/control/sketch").pricing == {
        "model": "per_second",
        "unit_cost": "0.002",  # a string, as written
        "max_billable_seconds": 600,
        "currency": "usd",
    }


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("0.1", "0.1"),
        ("0.30", "0.3"),  # a YAML number, as its decimal text
        ("1e-7", "1e-7"),  # YAML 1.1 reads this as a string: kept as written
        ("1.0e-7", "1e-07"),
        ("3", "3"),
        ("'0.20'", "0.20"),
    ],
)
def test_a_yaml_price_keeps_its_declared_digits(declared, kept):
    document = load_document(
        (
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n"
            f"      x-ouro-pricing: {{model: per_call, unit_cost: {declared}}}\n"
            "      responses: {}\n"
        ).encode(),
        max_bytes=LIMIT,
    )
    pricing = parse_spec(document).routes[0].pricing
    assert pricing["unit_cost"] == kept
    assert not any(isinstance(value, float) for value in pricing.values())


@pytest.mark.parametrize(
    "pricing",
    [
        {"model": "per_call", "unit_cost": True},
        {"model": "per_call", "unit_cost": [1]},
        {"model": "per_call", "unit_cost": {"usd": 1}},
        {"model": "per_second", "unit_cost": 1, "max_billable_seconds": "long"},
        "per_call",
    ],
)
def test_a_price_of_the_wrong_shape_is_reported_and_ignored(pricing):
    data = spec({"/a": {"post": {"x-ouro-pricing": pricing, "responses": {}}}})
    result = import_bytes(data, max_bytes=LIMIT)
    assert result.routes[0].pricing == {}
    assert any("x-ouro-pricing" in w.message for w in result.warnings)


# Generated specs: large, and many-branched recursive -----------------------------------------


def large_spec(operations: int = 320, schemas: int = 40) -> bytes:
    """A spec of more than 1 MB: many operations over shared parameters and schemas, with
    repeated operationIds, form bodies and long descriptions (as Twilio's and Box's are)."""
    components = {
        f"Resource{i}": {
            "type": "object",
            "description": f"Resource {i}. " + "A long description of the resource. " * 20,
            "properties": {
                "sid": {"type": "string", "pattern": "^RE[0-9a-f]{32}$"},
                "owner": {"$ref": f"#/components/schemas/Resource{(i + 1) % schemas}"},
                "links": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
        for i in range(schemas)
    }
    parameters = {
        "AccountSid": {
            "name": "AccountSid",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
        },
        "PageSize": {"name": "PageSize", "in": "query", "schema": {"type": "integer"}},
    }
    paths = {}
    for n in range(operations):
        schema = {"$ref": f"#/components/schemas/Resource{n % schemas}"}
        paths[f"/2010-04-01/Accounts/{{AccountSid}}/Resources{n}.json"] = {
            "parameters": [{"$ref": "#/components/parameters/AccountSid"}],
            "get": {
                "operationId": f"FetchResource{n % 300}",  # the last 20 repeat earlier ones
                "description": "Fetches the resource. " * 150,
                "parameters": [{"$ref": "#/components/parameters/PageSize"}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": schema}},
                    }
                },
            },
            "post": {
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"FriendlyName": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": schema}},
                    }
                },
            },
        }
    document = {
        "openapi": "3.0.1",
        "info": {"title": "Large", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.org"}],
        "paths": paths,
        "components": {"schemas": components, "parameters": parameters},
    }
    return json.dumps(document, indent=1).encode()


def test_a_large_spec_imports_every_operation_with_unique_names():
    data = large_spec()
    assert len(data) > 1024 * 1024
    result = import_bytes(data, max_bytes=LIMIT)
    assert len(result.routes) == 640
    assert len({r.name for r in result.routes}) == 640
    fetch = route(result, "GET", "/2010-04-01/Accounts/{AccountSid}/Resources7.json")
    assert fetch.name == "FetchResource7"
    assert [(p["name"], p["in"], p["required"]) for p in fetch.parameters] == [
        ("AccountSid", "path", True),
        ("PageSize", "query", False),
    ]
    repeated = route(result, "GET", "/2010-04-01/Accounts/{AccountSid}/Resources307.json")
    assert repeated.name == "FetchResource7_2"
    assert any("'FetchResource7' is repeated" in w.message for w in result.warnings)
    create = route(result, "POST", "/2010-04-01/Accounts/{AccountSid}/Resources7.json")
    assert create.name == "post_2010_04_01_Accounts_AccountSid_Resources7_json"
    assert list(create.request_body["content"]) == ["application/x-www-form-urlencoded"]
    assert result.base_url == "https://api.example.org"
    json.dumps(result.as_dict())


def branching_spec(schemas: int = 12) -> dict:
    """Schemas that each refer to the next ones three times over and back to the first: once
    every reference is inlined, one body would be megabytes (as in Box's spec)."""
    components = {
        f"Node{i}": {
            "type": "object",
            "description": f"Node {i}: " + "text " * 10,
            "properties": {
                "first": {"$ref": f"#/components/schemas/Node{(i + 1) % schemas}"},
                "second": {"$ref": f"#/components/schemas/Node{(i + 2) % schemas}"},
                "items": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/Node{(i + 3) % schemas}"},
                },
                "name": {"type": "string"},
            },
        }
        for i in range(schemas)
    }
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node0"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/graph": {"post": {"requestBody": body, "responses": {}}}},
        "components": {"schemas": components},
    }


def test_many_branched_recursive_schemas_are_inlined_only_as_deep_as_the_budget_allows():
    result = parse_spec(branching_spec())
    schema = result.routes[0].request_body["content"]["application/json"]["schema"]
    stored = json.dumps(schema)
    assert len(stored) <= SCHEMA_BYTES_BUDGET
    assert schema["properties"]["first"]["properties"]["first"]["type"] == "object"  # inlined
    assert '"$ref": "#/components/schemas/Node' in stored  # deeper ones keep their $ref
    json.dumps(result.as_dict())


# Synthetic specs -----------------------------------------------------------------------------


def test_pricing_execution_mode_and_file_extensions_extensions():
    result = import_bytes(
        spec(
            {
                "/run": {
                    "post": {
                        "operationId": "run",
                        "x-ouro-pricing": {"model": "per_call", "unit_cost": 0.25},
                        "x-ouro-input-assets": {
                            "structure": {
                                "asset_type": "file",
                                "primary": True,
                                "input_file_extensions": [".CIF", "xyz"],
                            }
                        },
                        "x-ouro-input-file-extension": "ignored-when-plural-given",
                        "responses": {"202": {"description": "accepted"}},
                    }
                }
            }
        ),
        max_bytes=LIMIT,
    )
    run = result.routes[0]
    assert run.pricing == {"model": "per_call", "unit_cost": "0.25", "currency": "usd"}
    assert run.execution_mode == "async"  # its only success response is 202
    assert run.input_assets["structure"]["file_extensions"] == ["cif", "xyz"]
    assert run.input_file_extension == "cif"


def test_path_level_parameters_are_merged_and_operation_ones_win():
    result = import_bytes(
        spec(
            {
                "/items/{id}": {
                    "parameters": [
                        {"name": "id", "in": "path", "schema": {"type": "string"}},
                        {"name": "lang", "in": "query", "schema": {"type": "string"}},
                    ],
                    "get": {
                        "parameters": [
                            {"name": "lang", "in": "query", "schema": {"enum": ["en", "fr"]}}
                        ],
                        "responses": {"200": {"description": "ok"}},
                    },
                }
            }
        ),
        max_bytes=LIMIT,
    )
    params = {p["name"]: p for p in result.routes[0].parameters}
    assert params["id"]["required"] is True
    assert params["lang"]["schema"] == {"enum": ["en", "fr"]}
    assert result.routes[0].name == "get_items_id"


def test_cyclic_schemas_are_cut_and_still_serialize():
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/tree": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        },
                        "parent": {"$ref": "#/components/schemas/Other"},
                    },
                },
                "Other": {"properties": {"back": {"$ref": "#/components/schemas/Node"}}},
            }
        },
    }
    result = parse_spec(document)
    schema = result.routes[0].request_body["content"]["application/json"]["schema"]
    assert schema["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}
    assert schema["properties"]["parent"]["properties"]["back"] == {
        "$ref": "#/components/schemas/Node"
    }
    json.dumps(result.as_dict())


def test_path_items_given_as_refs_are_followed():
    document = json.loads(spec({"/a": {"$ref": "#/x-items/a"}}))
    document["x-items"] = {"a": {"get": {"operationId": "a", "responses": {}}}}
    assert [r.name for r in parse_spec(document).routes] == ["a"]


def test_operation_and_path_servers_are_kept_and_the_first_server_is_the_base():
    document = json.loads(
        spec(
            {
                "/a": {"servers": [{"url": "https://a.example.org"}], "get": {"responses": {}}},
                "/b": {"get": {"servers": [{"url": "/b-api"}], "responses": {}}},
            },
            servers=[
                {
                    "url": "{scheme}://api.example.org/v1",
                    "variables": {"scheme": {"default": "https"}},
                }
            ],
        )
    )
    result = parse_spec(document, spec_url="https://docs.example.org/spec.json")
    assert result.base_url == "https://api.example.org/v1"
    assert route(result, "GET", "/a").servers == ["https://a.example.org"]
    assert route(result, "GET", "/b").servers == ["/b-api"]


def test_a_relative_server_is_resolved_against_the_spec_url():
    document = json.loads(spec({"/a": {"get": {"responses": {}}}}, servers=[{"url": "/api/v2"}]))
    result = parse_spec(document, spec_url="http://127.0.0.1:9000/openapi.json")
    assert result.base_url == "http://127.0.0.1:9000/api/v2"
    assert parse_spec({**document, "servers": []}, spec_url="http://h:1/x/spec.json").base_url == (
        "http://h:1"
    )


def test_odd_path_keys_are_kept_or_skipped_deliberately_and_never_crash():
    document = json.loads(
        spec(
            {
                "/search?type=user": {"get": {"responses": {}}},
                "/files/{id}#shared": {"get": {"responses": {}}},
                "no-slash": {"get": {"responses": {}}},
                "/with space": {"get": {"responses": {}}},
                "/broken/{id": {"get": {"responses": {}}},
                "/notanobject": "text",
                "/op-not-object": {"get": "text"},
            }
        )
    )
    result = parse_spec(document)
    assert sorted(r.path for r in result.routes) == ["/files/{id}#shared", "/search?type=user"]
    skipped = {w.where for w in result.warnings if w.kind == "skipped"}
    assert {
        "no-slash",
        "/with space",
        "/broken/{id",
        "/notanobject",
        "GET /op-not-object",
    } <= skipped


def test_the_report_lists_what_the_platform_cannot_send():
    result = import_bytes(
        spec(
            {
                "/upload": {
                    "post": {
                        "parameters": [{"name": "session", "in": "cookie", "schema": {}}],
                        "requestBody": {
                            "content": {
                                "multipart/form-data": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "files": {
                                                "type": "array",
                                                "items": {"type": "string", "format": "binary"},
                                            },
                                            "mode": {
                                                "oneOf": [{"type": "string"}, {"type": "integer"}]
                                            },
                                        },
                                    }
                                }
                            }
                        },
                        "security": [{"cookieAuth": []}],
                        "responses": {},
                    }
                },
                "/raw": {
                    "put": {
                        "requestBody": {"content": {"application/octet-stream": {"schema": {}}}},
                        "responses": {},
                    }
                },
            },
            components={
                "securitySchemes": {"cookieAuth": {"type": "apiKey", "in": "cookie", "name": "s"}}
            },
        ),
        max_bytes=LIMIT,
    )
    messages = [w.message for w in result.warnings if w.kind == "unrepresentable"]
    assert messages == [
        "The operation authenticates with a cookie, which the platform does not send"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON: .* line 1, column 2"),
        (b"a: [1, 2\nb: c", "not valid YAML"),
        (b"[1, 2]", "top level is not an object"),
        (b'{"info": {}}', "not an OpenAPI document"),
        (b'{"openapi": "4.0.0", "paths": {}}', "version '4.0.0' is not supported"),
        (b'{"swagger": "1.2", "paths": {}}', "Swagger version"),
        (b'{"openapi": "3.0.0", "info": {}}', "no 'paths'"),
        (b'{"swagger": "2.0", "info": {}}', "no 'paths'"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_input_gets_an_error_naming_the_problem(data, message):
    with pytest.raises(SpecError, match=message):
        import_bytes(data, max_bytes=LIMIT)


def test_an_oversized_spec_is_refused_before_parsing():
    with pytest.raises(SpecError, match="the limit is 1,024 bytes"):
        import_bytes(b"{" + b" " * 2000 + b"}", max_bytes=1024)


def test_a_yaml_alias_bomb_is_refused():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    lines.append("openapi: 3.0.0\npaths: {}")
    with pytest.raises(SpecError, match="alias bomb"):
        load_document("\n".join(lines).encode(), max_bytes=LIMIT)


def test_a_self_referencing_yaml_alias_is_refused():
    with pytest.raises(SpecError, match="refers to itself"):
        load_document(b"openapi: 3.0.0\nloop: &x\n  - *x\n", max_bytes=LIMIT)


def test_yaml_tags_that_build_python_objects_are_refused():
    with pytest.raises(SpecError, match="not valid YAML"):
        load_document(b"openapi: !!python/object/apply:os.system ['true']\n", max_bytes=LIMIT)


def test_yaml_dates_and_numeric_keys_become_text():
    document = load_document(
        b"openapi: 3.0.0\ndate: 2024-01-02\npaths:\n  200: {}\n", max_bytes=LIMIT
    )
    assert document["date"] == "2024-01-02"
    assert list(document["paths"]) == ["200"]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("#/components/schemas/Missing", "cannot be resolved"),
        ("file:///etc/passwd", "file: references are never read"),
        ("https://evil.example.org/x.json", "another origin"),
        ("other.json#/X", "another document"),
    ],
)
def test_unresolvable_and_forbidden_refs_are_refused_with_their_location(ref, message):
    data = spec(
        {
            "/a": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": ref}}}},
                    "responses": {},
                }
            }
        }
    )
    fetch = None if ref == "other.json#/X" else (lambda uri: b"{}")
    with pytest.raises(SpecError, match=message) as info:
        import_bytes(
            data, spec_url="https://api.example.org/spec.json", fetch=fetch, max_bytes=LIMIT
        )
    assert "paths['/a'].post" in str(info.value)


def test_a_local_import_cannot_reach_a_url_through_a_ref():
    data = spec(
        {"/a": {"get": {"parameters": [{"$ref": "https://x.example.org/p.json"}], "responses": {}}}}
    )
    with pytest.raises(SpecError, match="only relative files"):
        import_bytes(
            data, spec_url="/tmp/spec/openapi.json", fetch=lambda uri: b"{}", max_bytes=LIMIT
        )


def test_a_circular_chain_of_parameter_refs_is_an_error_not_a_hang():
    document = json.loads(
        spec({"/a": {"get": {"parameters": [{"$ref": "#/x/p"}], "responses": {}}}})
    )
    document["x"] = {"p": {"$ref": "#/x/q"}, "q": {"$ref": "#/x/p"}}
    with pytest.raises(SpecError, match="circular"):
        parse_spec(document)


def test_deeply_nested_input_is_refused_cleanly():
    deep = b'{"openapi": "3.0.0", "paths": {}, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(SpecError, match="nested"):
        import_bytes(deep, max_bytes=LIMIT)


def test_an_operation_without_responses_is_a_sync_route_with_none():
    result = import_bytes(spec({"/ping": {"get": {"operationId": "ping"}}}), max_bytes=LIMIT)
    ping = result.routes[0]
    assert (ping.name, ping.responses, ping.execution_mode) == ("ping", {}, "sync")


def test_the_spec_corpus_folder_is_set_by_spec_corpus_dir(monkeypatch, tmp_path):
    from tests.spec_files import REPOSITORY, spec_corpus_dir

    monkeypatch.delenv("SPEC_CORPUS_DIR", raising=False)
    assert spec_corpus_dir() == (REPOSITORY.parent / "shared" / "specs").resolve()
    monkeypatch.setenv("SPEC_CORPUS_DIR", str(tmp_path))
    assert spec_corpus_dir() == tmp_path.resolve()
