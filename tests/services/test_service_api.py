"""Services over the API: create from a spec URL or a form, get, update, re-sync, auth, delete."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.routes.models import Route
from apps.services.models import Service


def create(api, key, spec_url, **service):
    payload = {
        "name": service.pop("name", "Demo"),
        "visibility": service.pop("visibility", "public"),
        "metadata": {"spec_url": spec_url, "authentication": "None", **service.pop("metadata", {})},
        **service,
    }
    return api(key).post("/services/create/from-file", {"service": payload})


@pytest.fixture
def spec_server():
    """A loopback server answering the spec held in `spec_server.spec` (mutable per test)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            if self.path == "/slow.json":
                threading.Event().wait(3)
            body = json.dumps(server.spec).encode()
            self.send_response(200 if self.path != "/missing.json" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    server.spec = {
        "openapi": "3.0.0",
        "info": {"title": "Pets", "version": "1"},
        "servers": [{"url": "/v1"}],
        "paths": {
            "/pets": {
                "get": {"operationId": "list_pets", "responses": {"200": {"description": "ok"}}}
            },
            "/pets/{id}": {
                "get": {"operationId": "get_pet", "responses": {"200": {"description": "ok"}}},
                "delete": {
                    "operationId": "delete_pet",
                    "responses": {"204": {"description": "gone"}},
                },
            },
        },
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_it_creates_a_service_and_one_route_per_operation(api, alice_key, demo_upstream):
    response = create(api, alice_key, f"{demo_upstream}/openapi.json")
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["asset_type"] == "service"
    assert data["metadata"]["base_url"] == demo_upstream
    assert data["metadata"]["authentication"] == "None"
    assert len(data["import"]["added"]) == 7
    routes = Route.objects.filter(service_id=data["id"])
    assert sorted(r.name for r in routes) == [
        "echo",
        "fail",
        "get_item",
        "hello",
        "make_chart",
        "slow",
        "start_job",
    ]
    assert {r.visibility for r in routes} == {"inherit"}
    assert routes.get(name="start_job").execution_mode == "async"


def test_the_base_url_is_the_first_server_resolved_against_the_spec_url(
    api, alice_key, spec_server
):
    data = create(api, alice_key, f"{spec_server.url}/spec.json").json()["data"]
    assert data["metadata"]["base_url"] == f"{spec_server.url}/v1"
    explicit = create(
        api,
        alice_key,
        f"{spec_server.url}/spec.json",
        name="Other",
        metadata={"base_url": "https://api.example.org"},
    ).json()["data"]
    assert explicit["metadata"]["base_url"] == "https://api.example.org"


def test_a_bad_spec_creates_nothing(api, alice_key, spec_server):
    spec_server.spec = {"openapi": "3.0.0", "info": {}}
    response = create(api, alice_key, f"{spec_server.url}/spec.json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_spec"
    assert "no 'paths'" in response.json()["error"]["message"]
    assert not Service.objects.exists() and not Route.objects.exists()


def test_an_unreachable_missing_or_slow_spec_url_is_reported(api, alice_key, spec_server, settings):
    missing = create(api, alice_key, f"{spec_server.url}/missing.json").json()["error"]
    assert "answered HTTP 404" in missing["message"]
    settings.SPEC_FETCH_TIMEOUT = 1
    slow = create(api, alice_key, f"{spec_server.url}/slow.json").json()["error"]
    assert "could not be fetched" in slow["message"]
    closed = create(api, alice_key, "http://127.0.0.1:9/spec.json").json()["error"]
    assert "could not be fetched" in closed["message"]


def test_a_private_spec_url_is_refused_when_private_addresses_are_off(
    api, alice_key, settings, spec_server
):
    settings.UPSTREAM_ALLOW_PRIVATE_IPS = False
    error = create(api, alice_key, f"{spec_server.url}/spec.json").json()["error"]
    assert "private" in error["message"] or "loopback" in error["message"]
    assert not Service.objects.exists()


def test_a_same_origin_split_spec_is_resolved_through_the_url(api, alice_key, spec_server):
    spec_server.spec = {
        "openapi": "3.0.0",
        "info": {"title": "Split", "version": "1"},
        "servers": [{"url": "https://api.example.org"}],
        "paths": {"/a": {"$ref": "spec.json#/x-paths/a"}},
        "x-paths": {"a": {"get": {"operationId": "a", "responses": {}}}},
    }
    response = create(api, alice_key, f"{spec_server.url}/spec.json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["data"]["import"]["added"]) == 1


def test_create_from_form_makes_a_service_without_routes(api, alice_key):
    response = api(alice_key).post(
        "/services/create/from-form",
        {
            "service": {
                "name": "Manual",
                "visibility": "private",
                "metadata": {"base_url": "https://x.example.org", "authentication": "Ouro"},
            }
        },
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["metadata"]["authentication"] == "Ouro"
    assert data["visibility"] == "private"
    assert not Route.objects.exists()


def test_outsiders_cannot_see_a_private_service(api, alice_key, charlie_key, demo_upstream):
    data = create(api, alice_key, f"{demo_upstream}/openapi.json", visibility="private").json()[
        "data"
    ]
    assert api(charlie_key).get(f"/services/{data['id']}").status_code == 404
    assert api(charlie_key).get(f"/services/{data['id']}/routes").status_code == 404
    assert api(alice_key).get(f"/services/{data['id']}").status_code == 200
    assert api(alice_key).get("/services/not-a-uuid").status_code == 400


def test_a_metadata_update_merges(api, alice_key, demo_upstream):
    data = create(
        api, alice_key, f"{demo_upstream}/openapi.json", metadata={"version": "1.0.0"}
    ).json()["data"]
    response = api(alice_key).put(
        f"/services/{data['id']}",
        {"service": {"name": "Demo", "metadata": {"auth_url": "https://auth.example.org"}}},
    )
    assert response.status_code == 200
    metadata = response.json()["data"]["metadata"]
    assert metadata["auth_url"] == "https://auth.example.org"
    assert metadata["version"] == "1.0.0"
    assert metadata["spec_url"] == f"{demo_upstream}/openapi.json"
    assert metadata["base_url"] == demo_upstream


def test_others_cannot_update_or_delete(api, alice_key, charlie_key, demo_upstream):
    data = create(api, alice_key, f"{demo_upstream}/openapi.json").json()["data"]
    assert (
        api(charlie_key).put(f"/services/{data['id']}", {"service": {"name": "x"}}).status_code
        == 403
    )
    assert api(charlie_key).delete(f"/services/{data['id']}").status_code == 403
    assert (
        api(charlie_key).put(f"/services/{data['id']}/authentication", {"secret": "x"}).status_code
        == 403
    )


def test_update_from_file_keeps_route_ids_and_archives_removed_routes(api, alice_key, spec_server):
    data = create(api, alice_key, f"{spec_server.url}/spec.json").json()["data"]
    before = {r.name: r.pk for r in Route.objects.filter(service_id=data["id"])}
    spec_server.spec["paths"]["/pets"]["get"]["summary"] = "List them"
    del spec_server.spec["paths"]["/pets/{id}"]["delete"]
    spec_server.spec["paths"]["/owners"] = {"get": {"operationId": "owners", "responses": {}}}
    response = api(alice_key).put(
        f"/services/{data['id']}/update/from-file", {"service": {"name": "Demo"}}
    )
    assert response.status_code == 200, response.json()
    diff = response.json()["data"]["import"]
    assert [a["path"] for a in diff["added"]] == ["/owners"]
    assert [(c["path"], c["fields"]) for c in diff["changed"]] == [("/pets", ["summary"])]
    assert [r["name"] for r in diff["removed"]] == ["delete_pet"]
    after = {r.name: r.pk for r in Route.objects.live().filter(service_id=data["id"])}
    assert after["list_pets"] == before["list_pets"] and after["get_pet"] == before["get_pet"]
    archived = Route.objects.get(pk=before["delete_pet"])
    assert archived.archived_at is not None
    assert api(alice_key).get(f"/routes/{archived.pk}").status_code == 404


def test_spec_and_routes_endpoints(api, alice_key, demo_upstream):
    data = create(api, alice_key, f"{demo_upstream}/openapi.json").json()["data"]
    spec = api(alice_key).get(f"/services/{data['id']}/spec").json()["data"]
    assert spec["openapi"] == "3.1.0"
    routes = api(alice_key).get(f"/services/{data['id']}/routes").json()
    assert len(routes["data"]) == 7
    assert routes["data"][0]["route"]["path"]


def test_set_authentication_is_idempotent_and_never_returns_the_secret(
    api, alice_key, demo_upstream
):
    data = create(api, alice_key, f"{demo_upstream}/openapi.json").json()["data"]
    url = f"/services/{data['id']}/authentication"
    first = api(alice_key).put(url, {"method": "Ouro", "secret": "s3cret-value"}).json()["data"]
    second = api(alice_key).put(url, {"method": "Ouro", "secret": "s3cret-value"}).json()["data"]
    third = api(alice_key).put(url, {"method": "Ouro", "secret": "other-value"}).json()["data"]
    assert first["rotated"] is True and second["rotated"] is False and third["rotated"] is True
    assert first["secret_id"] == second["secret_id"] == third["secret_id"]
    service = Service.objects.get(pk=data["id"])
    assert service.credential() == "other-value"
    assert "other-value" not in service.credential_encrypted
    detail = api(alice_key).get(f"/services/{data['id']}").content.decode()
    assert "other-value" not in detail and "s3cret" not in detail
    assert service.credential_fingerprint in detail


def test_delete_dry_run_lists_the_routes_and_delete_archives_them(api, alice_key, demo_upstream):
    data = create(api, alice_key, f"{demo_upstream}/openapi.json").json()["data"]
    dry = (
        api(alice_key)
        .delete(f"/services/{data['id']}?dry_run=true&delete_children=true")
        .json()["data"]
    )
    assert dry["dry_run"] is True and len(dry["deleted_children"]) == 7
    assert Route.objects.live().filter(service_id=data["id"]).count() == 7
    refused = api(alice_key).delete(f"/services/{data['id']}?delete_children=false")
    assert refused.status_code == 400
    done = api(alice_key).delete(f"/services/{data['id']}?delete_children=true").json()["data"]
    assert done["dry_run"] is False
    assert Route.objects.live().filter(service_id=data["id"]).count() == 0
    assert api(alice_key).get(f"/services/{data['id']}").status_code == 404
