"""import_openapi, rotate_credentials and the demo seed."""

import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.routes.models import Route
from apps.services.credentials import encrypt_secret
from apps.services.models import Service
from apps.services.services import spec_from_path
from tests.spec_files import FIXTURE_SPECS


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_routes_and_warnings_as_json_for_a_split_folder():
    output = json.loads(
        run(
            "import_openapi",
            str(FIXTURE_SPECS / "split-swagger"),
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
            str(FIXTURE_SPECS / "swagger-2.0-store.yaml"),
            "--dry-run",
            "--format",
            "json",
        )
    )
    upload = next(r for r in output["routes"] if r["path"] == "/pets/{petId}/photo")
    assert list(upload["request_body"]["content"]) == ["multipart/form-data"]


def spec_with_a_ref_to_a_parent_folder(tmp_path) -> Path:
    folder = tmp_path / "spec"
    folder.mkdir()
    (tmp_path / "common.json").write_text(
        json.dumps({"Name": {"name": "name", "in": "query", "schema": {"type": "string"}}})
    )
    (folder / "openapi.json").write_text(
        json.dumps(
            {
                "openapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "paths": {
                    "/a": {
                        "get": {
                            "parameters": [{"$ref": "../common.json#/Name"}],
                            "responses": {},
                        }
                    }
                },
            }
        )
    )
    return folder


def test_a_relative_ref_to_a_parent_folder_is_read_from_the_command_line(tmp_path):
    folder = spec_with_a_ref_to_a_parent_folder(tmp_path)
    for source in (folder, folder / "openapi.json"):
        output = json.loads(run("import_openapi", str(source), "--dry-run", "--format", "json"))
        assert output["routes"][0]["parameters"][0]["name"] == "name"


def test_base_dir_keeps_relative_refs_inside_it(tmp_path):
    folder = spec_with_a_ref_to_a_parent_folder(tmp_path)
    with pytest.raises(CommandError, match="outside the spec folder"):
        run("import_openapi", str(folder), "--dry-run", "--base-dir", str(folder))


def test_a_ref_to_a_missing_file_is_a_clear_error(tmp_path):
    folder = spec_with_a_ref_to_a_parent_folder(tmp_path)
    (tmp_path / "common.json").unlink()
    with pytest.raises(CommandError, match="no file"):
        run("import_openapi", str(folder), "--dry-run")


def test_the_split_root_file_reads_the_error_schema_beside_its_folder():
    root = FIXTURE_SPECS / "split-swagger" / "spec" / "swagger.json"
    output = json.loads(run("import_openapi", str(root), "--dry-run", "--format", "json"))
    assert len(output["routes"]) == 4
    listing = next(r for r in output["routes"] if r["method"] == "GET" and "{" not in r["path"])
    error = listing["responses"]["default"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "../common/Error.json"}
    assert output["components"]["../common/Error.json"]["required"] == ["code", "message"]
    assert {"Book.json", "NewBook.json"} <= set(output["components"])


def expanded(node, components: dict, stack: tuple = ()):
    """The dry-run JSON with every `$ref` replaced by its component again."""
    if isinstance(node, list):
        return [expanded(v, components, stack) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref in components and ref not in stack and len(node) == 1:
        return expanded(components[ref], components, (*stack, ref))
    return {k: expanded(v, components, stack) for k, v in node.items()}


def test_the_dry_run_json_is_the_inlined_routes_with_their_refs_kept():
    root = FIXTURE_SPECS / "split-swagger" / "spec" / "swagger.json"
    result = spec_from_path(root)
    compact = json.loads(json.dumps(result.as_dict()))
    result.resolver = None
    inlined = json.loads(json.dumps(result.as_dict()))
    assert inlined["components"] == {}
    assert expanded(compact["routes"], compact["components"]) == inlined["routes"]


def test_shared_schemas_are_written_once_not_once_per_use(tmp_path):
    # Each level refers to the one below twice: inlined, the tree doubles at every level.
    schemas = {"L0": {"type": "object", "properties": {"id": {"type": "string"}}}}
    for level in range(1, 16):
        below = {"$ref": f"#/components/schemas/L{level - 1}"}
        schemas[f"L{level}"] = {"type": "object", "properties": {"a": below, "b": below}}
    paths = {
        f"/r{n}": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/L15"}}
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
        for n in range(40)
    }
    document = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    output = json.loads(run("import_openapi", str(spec), "--dry-run", "--format", "json"))
    routes = json.dumps([output["routes"], output["components"]], indent=2)
    assert len(routes) < 3 * len(json.dumps(document, indent=2))
    assert set(output["components"]) >= {f"#/components/schemas/L{n}" for n in range(16)}
    body = output["routes"][0]["request_body"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/L15"}


def test_a_spec_past_the_size_limit_is_refused(settings):
    settings.SPEC_MAX_BYTES = 2048
    with pytest.raises(CommandError, match="SPEC_MAX_BYTES"):
        run("import_openapi", str(FIXTURE_SPECS / "swagger-2.0-store.yaml"), "--dry-run")


@pytest.mark.django_db
def test_without_dry_run_it_creates_then_resyncs_a_service(alice):
    spec = str(FIXTURE_SPECS / "openapi-3.0-store.yaml")
    created = json.loads(run("import_openapi", spec, "--owner", "alice", "--format", "json"))
    assert len(created["added"]) == 8
    service = Service.objects.get(pk=created["service_id"])
    ids = set(service.routes.values_list("pk", flat=True))
    again = json.loads(run("import_openapi", spec, "--owner", "alice", "--format", "json"))
    assert again["service_id"] == created["service_id"] and again["unchanged"] == 8
    assert set(service.routes.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_rotate_credentials_re_encrypts_with_the_newest_key(alice, settings):
    from apps.accounts.services import personal_org

    org = personal_org()
    service = Service.objects.create(
        user=alice,
        org=org,
        team=org.default_team,
        name="S",
        base_url="https://x.example.org",
        credential_encrypted=encrypt_secret("tok"),
        signing_secret_encrypted=encrypt_secret("sig"),
    )
    old_key = settings.CREDENTIAL_KEYS[0]
    settings.CREDENTIAL_KEYS = [Fernet.generate_key().decode(), old_key]
    assert "1 service" in run("rotate_credentials")
    settings.CREDENTIAL_KEYS = settings.CREDENTIAL_KEYS[:1]
    service.refresh_from_db()
    assert service.credential() == "tok" and service.signing_secret() == "sig"


@pytest.mark.django_db
def test_seed_demo_registers_the_demo_upstream_once(demo_upstream):
    run("seed_demo", "--upstream", demo_upstream)
    run("seed_demo", "--upstream", demo_upstream)
    demo = User.objects.get(username="demo")
    service = Service.objects.get(user=demo, name="demo")
    assert service.visibility == "public" and service.base_url == demo_upstream
    assert Service.objects.filter(user=demo).count() == 1
    assert Route.objects.live().filter(service=service, name="hello").exists()


@pytest.mark.django_db(transaction=True)
def test_the_readme_route_is_reachable_with_the_official_client(
    demo_upstream, ouro_client, alice_key
):
    run("seed_demo", "--upstream", demo_upstream)
    route = ouro_client(alice_key).routes.retrieve("demo/hello")
    assert route.route.path == "/hello" and route.name == "hello"
