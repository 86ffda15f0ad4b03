"""import_openapi, rotate_credentials and the demo seed."""

import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.routes.models import Route
from apps.services.credentials import encrypt_secret
from apps.services.models import Service
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


def test_a_ref_outside_the_folder_is_refused(tmp_path):
    folder = tmp_path / "spec"
    folder.mkdir()
    (tmp_path / "secret.json").write_text('{"type": "string"}')
    (folder / "openapi.json").write_text(
        json.dumps(
            {
                "openapi": "3.0.0",
                "info": {"title": "t", "version": "1"},
                "paths": {
                    "/a": {"get": {"parameters": [{"$ref": "../secret.json"}], "responses": {}}}
                },
            }
        )
    )
    with pytest.raises(CommandError, match="outside the spec folder"):
        run("import_openapi", str(folder), "--dry-run")


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
