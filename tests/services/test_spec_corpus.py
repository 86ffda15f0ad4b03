"""The importer and the import command on the public spec corpus (real specs, copied unchanged
from their projects; see the corpus's README.md). Skipped when the corpus folder is absent:
every feature these exercise is also covered by the fixture specs in test_importer.py and
test_commands.py."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.services.importer import SpecError, import_bytes
from apps.services.models import Service
from tests.spec_files import spec_corpus_dir

SPECS = spec_corpus_dir()
if not SPECS.is_dir():
    pytest.skip(
        f"no public spec corpus at {SPECS} (set SPEC_CORPUS_DIR to run these)",
        allow_module_level=True,
    )
LIMIT = 16 * 1024 * 1024

# (file, operations) as listed in the corpus's README.md.
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


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


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


# The import command on corpus specs.


def test_dry_run_prints_routes_and_warnings_as_json_for_a_split_folder():
    output = json.loads(
        run(
            "import_openapi",
            str(SPECS / "oai-v2.0-petstore-separate"),
            "--dry-run",
            "--format",
            "json",
        )
    )
    assert len(output["routes"]) == 4
    first = output["routes"][0]
    assert set(first) >= {
        "method",
        "path",
        "operation_id",
        "summary",
        "parameters",
        "request_body",
        "responses",
        "execution_mode",
        "input_assets",
        "output_assets",
    }
    create = next(r for r in output["routes"] if r["method"] == "POST")
    assert list(create["request_body"]["content"]) == ["application/json"]
    assert output["warnings"] == []


def test_dry_run_of_a_swagger_form_data_operation_shows_its_media_type():
    output = json.loads(
        run(
            "import_openapi",
            str(SPECS / "swagger-petstore-v2.yaml"),
            "--dry-run",
            "--format",
            "json",
        )
    )
    upload = next(r for r in output["routes"] if r["path"] == "/pet/{petId}/uploadImage")
    assert list(upload["request_body"]["content"]) == ["multipart/form-data"]


def test_a_spec_past_the_size_limit_is_refused(settings):
    settings.SPEC_MAX_BYTES = 2048
    with pytest.raises(CommandError, match="SPEC_MAX_BYTES"):
        run("import_openapi", str(SPECS / "swagger-petstore-v2.yaml"), "--dry-run")


@pytest.mark.django_db
def test_without_dry_run_it_creates_then_resyncs_a_service(alice):
    spec = str(SPECS / "oai-v3.0-petstore.yaml")
    created = json.loads(run("import_openapi", spec, "--owner", "alice", "--format", "json"))
    assert len(created["added"]) == 3
    service = Service.objects.get(pk=created["service_id"])
    ids = set(service.routes.values_list("pk", flat=True))
    again = json.loads(run("import_openapi", spec, "--owner", "alice", "--format", "json"))
    assert again["service_id"] == created["service_id"] and again["unchanged"] == 3
    assert set(service.routes.values_list("pk", flat=True)) == ids


def test_the_petstore_separate_root_file_imports_with_its_common_error():
    root = SPECS / "oai-v2.0-petstore-separate" / "spec" / "swagger.json"
    output = json.loads(run("import_openapi", str(root), "--dry-run", "--format", "json"))
    assert len(output["routes"]) == 4
    assert output["components"]["../common/Error.json"]["required"] == ["code", "message"]


@pytest.mark.parametrize(
    "name",
    [
        "box-openapi.json",
        "twilio-api-v2010.json",
        "slack-web-openapi-v2.json",
        "openai-openapi-2024-09-24-yaml-anchors.yaml",
    ],
)
def test_the_dry_run_json_of_a_large_spec_stays_near_the_specs_size(name):
    out = run("import_openapi", str(SPECS / name), "--dry-run", "--format", "json")
    assert len(out) <= 1.25 * (SPECS / name).stat().st_size
    output = json.loads(out)
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([output["routes"], output["components"]])
    assert refs and refs <= set(output["components"])
