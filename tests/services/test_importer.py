"""The pure OpenAPI importer: every shared spec, plus synthetic recursive, multi-file and hostile ones."""

import json
from pathlib import Path

import pytest

from apps.services.importer import SpecError, import_bytes, load_document, parse_spec

SPECS = (Path(__file__).resolve().parents[3] / "shared" / "specs").resolve()
LIMIT = 16 * 1024 * 1024

# (file, operations) as listed in shared/specs/README.md.
SPEC_COUNTS = [
    ("swagger-petstore-v2.yaml", 20),
    ("oai-v3.0-petstore.yaml", 3),
    ("oai-v3.0-petstore-expanded.yaml", 4),
    ("oai-v3.0-callback-example.yaml", 1),
    ("oai-v3.0-uspto.yaml", 3),
    ("oai-v3.1-webhook-example.yaml", 0),
    ("oai-v3.1-non-oauth-scopes.yaml", 1),
    ("swagger-petstore3-v3.0.yaml", 19),
    ("openai-openapi-2024-09-24-yaml-anchors.yaml", 94),
    ("twilio-api-v2010.json", 197),
    ("slack-web-openapi-v2.json", 174),
    ("box-openapi.json", 296),
    ("ouro-wrappers-stability-openapi.json", 6),
    ("ouro-wrappers-stability-generated.json", 6),
    ("ouro-wrappers-nixtla-timegpt-generated.json", 2),
    ("ouro-py-mock-service.json", 7),
]


def load(name: str):
    return import_bytes((SPECS / name).read_bytes(), max_bytes=LIMIT)


def route(result, method: str, path: str):
    return next(r for r in result.routes if r.method == method and r.path == path)


def spec(paths: dict, **extra) -> bytes:
    return json.dumps(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}
    ).encode()


def test_the_spec_list_covers_every_shared_spec():
    files = {p.name for p in SPECS.iterdir() if p.suffix in (".json", ".yaml")}
    assert files == {name for name, _ in SPEC_COUNTS}


@pytest.mark.parametrize(("name", "count"), SPEC_COUNTS)
def test_it_imports_every_shared_spec_with_its_operation_count(name, count):
    result = load(name)
    assert len(result.routes) == count
    assert len({r.key for r in result.routes}) == count
    assert len({r.name for r in result.routes}) == count
    json.dumps(result.as_dict())


def test_it_imports_the_split_swagger_spec_from_its_folder():
    root = SPECS / "oai-v2.0-petstore-separate" / "spec" / "swagger.json"
    folder = SPECS / "oai-v2.0-petstore-separate"

    def fetch(uri: str) -> bytes:
        target = Path(uri).resolve()
        assert target.is_relative_to(folder)
        return target.read_bytes()

    result = import_bytes(root.read_bytes(), spec_url=str(root), fetch=fetch, max_bytes=LIMIT)
    assert len(result.routes) == 4
    create = route(result, "POST", "/pets")
    schema = create.request_body["content"]["application/json"]["schema"]
    assert "name" in schema["allOf"][0]["properties"]  # NewPet.json -> Pet.json
    listing = route(result, "GET", "/pets")
    assert [p["name"] for p in listing.parameters] == ["tags", "limit"]  # parameters.json
    error = listing.responses["default"]["content"]["application/json"]["schema"]
    assert error["required"] == ["code", "message"]  # ../common/Error.json
    assert result.base_url == "http://petstore.swagger.io/api"


def test_the_split_spec_is_refused_without_a_folder():
    root = SPECS / "oai-v2.0-petstore-separate" / "spec" / "swagger.json"
    with pytest.raises(SpecError, match="another document"):
        import_bytes(root.read_bytes(), max_bytes=LIMIT)


def test_swagger_body_and_form_data_become_request_bodies():
    result = load("swagger-petstore-v2.yaml")
    add = route(result, "POST", "/pet")
    assert set(add.request_body["content"]) == {"application/json", "application/xml"}
    assert add.request_body["required"] is True
    upload = route(result, "POST", "/pet/{petId}/uploadImage")
    form = upload.request_body["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "file to upload",
    }
    update = route(result, "POST", "/pet/{petId}")
    assert "application/x-www-form-urlencoded" in update.request_body["content"]
    assert [p["name"] for p in update.parameters] == ["petId"]
    assert update.parameters[0]["required"] is True
    assert result.base_url == "https://petstore.swagger.io/v2"


def test_openapi_3_parameters_bodies_and_responses_are_normalized():
    result = load("swagger-petstore3-v3.0.yaml")
    find = route(result, "GET", "/pet/findByStatus")
    status = find.parameters[0]
    assert status["in"] == "query" and status["schema"]["enum"] == ["available", "pending", "sold"]
    assert find.responses["200"]["content"]["application/json"]["schema"]["type"] == "array"
    add = route(result, "POST", "/pet")
    assert set(add.request_body["content"]) == {
        "application/json",
        "application/xml",
        "application/x-www-form-urlencoded",
    }
    assert result.base_url == "https://petstore3.swagger.io/api/v3"


def test_yaml_anchors_are_expanded_and_the_result_serializes():
    result = load("openai-openapi-2024-09-24-yaml-anchors.yaml")
    chat = route(result, "POST", "/chat/completions")
    assert "application/json" in chat.request_body["content"]
    assert len(json.dumps(result.as_dict())) > 100_000


def test_callbacks_and_webhooks_are_not_routes():
    callback = load("oai-v3.0-callback-example.yaml")
    assert [r.method for r in callback.routes] == ["POST"]
    assert any("Callbacks" in w.message for w in callback.warnings)
    webhooks = load("oai-v3.1-webhook-example.yaml")
    assert webhooks.routes == []
    assert any(w.where == "webhooks" and "newPet" in w.message for w in webhooks.warnings)


def test_ouro_extensions_are_read():
    mock = load("ouro-py-mock-service.json")
    assert route(mock, "POST", "/slow-echo").execution_mode == "async"
    inspect = route(mock, "POST", "/inspect-file")
    assert inspect.input_assets == {"structure": {"asset_type": "file"}}
    assert inspect.input_type == "file"
    report = route(mock, "POST", "/make-report")
    assert report.output_assets == {"report": {"asset_type": "post"}}
    assert report.output_type == "post"


def test_legacy_ouro_keys_fill_the_declarations_and_projection():
    legacy = load("ouro-wrappers-stability-openapi.json")
    sketch = route(legacy, "POST", "/stable-image/control/sketch")
    assert sketch.input_assets == {
        "file": {"asset_type": "file", "primary": True, "input_filter": "image"}
    }
    assert (sketch.input_type, sketch.input_filter) == ("file", "image")
    assert sketch.output_assets == {"file": {"asset_type": "file", "primary": True}}
    assert (sketch.output_type, sketch.output_filter) == ("file", "image")
    nixtla = load("ouro-wrappers-nixtla-timegpt-generated.json")
    forecast = route(nixtla, "POST", "/forecast")
    assert forecast.input_type == "dataset" and forecast.output_type == "dataset"
    assert forecast.name == "forecast_forecast_post"


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


def test_the_report_lists_what_the_run_form_cannot_represent():
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
    assert any("Cookie parameters (session)" in m for m in messages)
    assert any("authenticates with a cookie" in m for m in messages)
    assert any("array of files" in m for m in messages)
    assert any("'mode' is a oneOf/anyOf" in m for m in messages)
    assert any("application/octet-stream" in m for m in messages)


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


def test_large_real_specs_keep_parameters_and_body_media_types():
    slack = route(load("slack-web-openapi-v2.json"), "POST", "/chat.postMessage")
    assert ("token", "header", True) in [
        (p["name"], p["in"], p["required"]) for p in slack.parameters
    ]
    assert list(slack.request_body["content"]) == ["application/x-www-form-urlencoded"]
    twilio_spec = load("twilio-api-v2010.json")
    twilio = route(twilio_spec, "POST", "/2010-04-01/Accounts/{AccountSid}/Messages.json")
    assert twilio.name == "CreateMessage"
    assert list(twilio.request_body["content"]) == ["application/x-www-form-urlencoded"]
    assert twilio_spec.base_url == "https://api.twilio.com"
    box = route(load("box-openapi.json"), "GET", "/files/{file_id}#get_shared_link")
    assert [(p["name"], p["in"]) for p in box.parameters] == [
        ("file_id", "path"),
        ("fields", "query"),
    ]


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
