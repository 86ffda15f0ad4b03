"""The service pages: list, create with an import report, detail, edit, re-sync, delete, routes."""

import json

import pytest

from apps.routes.models import Route
from apps.services.models import Service

SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example.org/v1"}],
    "paths": {
        "/pets": {"get": {"operationId": "list_pets", "summary": "List pets", "responses": {}}},
        "/pets/{id}": {"get": {"operationId": "get_pet", "responses": {}}},
        "/raw": {
            "put": {
                "operationId": "raw",
                "requestBody": {"content": {"application/octet-stream": {"schema": {}}}},
                "responses": {},
            }
        },
    },
}


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


def create(client, **fields):
    data = {
        "name": "Pets",
        "visibility": "public",
        "auth_method": "bearer",
        "secret": "very-secret-token",
        "spec_text": json.dumps(SPEC),
        **fields,
    }
    return client.post("/services/new", data)


@pytest.fixture
def service(logged_in):
    create(logged_in)
    return Service.objects.get(name="Pets")


def test_the_description_is_rendered_markdown_with_scripts_removed(logged_in):
    create(logged_in, description="Some **bold** text <script>alert(1)</script>")
    page = logged_in.get(f"/services/{Service.objects.get().pk}").content.decode()
    assert "<strong>bold</strong>" in page and "<script>alert" not in page


def test_the_descriptions_links_are_not_vouched_for(logged_in):
    create(logged_in, description="See [the docs](https://pets.example.org/docs).")
    page = logged_in.get(f"/services/{Service.objects.get().pk}").content.decode()
    assert 'href="https://pets.example.org/docs" rel="nofollow noopener noreferrer"' in page


def test_the_list_shows_public_services_to_everyone(client, service):
    client.logout()
    page = client.get("/services").content.decode()
    assert "Pets" in page and "https://pets.example.org/v1" in page


def test_creating_from_a_pasted_spec_makes_the_routes(service):
    assert service.base_url == "https://pets.example.org/v1"
    assert Route.objects.filter(service=service).count() == 3
    assert service.credential() == "very-secret-token"


def test_creating_from_a_spec_url(logged_in, demo_upstream):
    response = create(
        logged_in, name="Demo", spec_text="", spec_url=f"{demo_upstream}/openapi.json"
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Demo")
    assert service.routes.count() == 7 and service.spec_url.endswith("/openapi.json")


def test_a_service_can_belong_to_an_organization_of_the_user(logged_in, acme):
    assert "acme" in logged_in.get("/services/new").content.decode()
    assert create(logged_in, org=str(acme.pk)).status_code == 302
    service = Service.objects.get()
    assert service.org == acme and service.entity_name == "acme"
    page = logged_in.get(f"/services/{service.pk}").content.decode()
    assert 'href="/routes/acme/list_pets"' in page


def test_an_organization_the_user_is_not_in_cannot_be_chosen(logged_in, bob):
    from apps.accounts.services import organization_create

    other = organization_create(name="other", owner=bob)
    response = create(logged_in, org=str(other.pk))
    assert response.status_code == 200 and not Service.objects.exists()


def test_a_bad_spec_shows_the_error_and_creates_nothing(logged_in):
    response = create(logged_in, spec_text="openapi: 3.0.0\ninfo: {}\n")
    assert response.status_code == 200
    assert "no &#x27;paths&#x27;" in response.content.decode()
    assert not Service.objects.exists()


def test_the_preview_shows_the_import_report_before_publishing(logged_in):
    response = logged_in.post("/services/new/preview", {"spec_text": json.dumps(SPEC)})
    page = response.content.decode()
    assert 'id="import-report"' in page and "<html" not in page
    assert "3 routes" in page and "application/octet-stream" in page
    assert not Service.objects.exists()


def test_the_detail_page_lists_routes_with_links_and_never_shows_the_secret(logged_in, service):
    page = logged_in.get(f"/services/{service.pk}").content.decode()
    assert 'href="/routes/alice/list_pets"' in page
    assert "method-get" in page and "List pets" in page
    assert service.credential_fingerprint in page
    assert "very-secret-token" not in page
    assert "3 of 3 routes run from form fields alone" in page  # the import report


def test_the_route_filter_returns_the_table_fragment(logged_in, service):
    response = logged_in.get(f"/services/{service.pk}?q=raw", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div class="table-wrap" id="route-table">')
    assert "/raw" in page and "/pets" not in page


def test_outsiders_get_404_on_private_services_and_403_on_edit(client, service, charlie):
    client.force_login(charlie)
    assert client.get(f"/services/{service.pk}/edit").status_code == 403
    assert client.get(f"/services/{service.pk}/delete").status_code == 403
    service.visibility = "private"
    service.save()
    assert client.get(f"/services/{service.pk}").status_code == 404


def test_edit_keeps_the_credential_unless_a_new_one_is_given(logged_in, service):
    data = {
        "name": "Pets 2",
        "base_url": "https://pets.example.org/v2",
        "visibility": "private",
        "auth_method": "bearer",
        "description": "",
        "auth_param_name": "",
        "secret": "",
        "signing_secret": "whsec-abc",
    }
    page = logged_in.get(f"/services/{service.pk}/edit").content.decode()
    assert "very-secret-token" not in page
    assert logged_in.post(f"/services/{service.pk}/edit", data).status_code == 302
    service.refresh_from_db()
    assert service.name == "Pets 2" and service.base_url == "https://pets.example.org/v2"
    assert service.credential() == "very-secret-token"
    assert service.signing_secret() == "whsec-abc"


def test_resync_shows_the_diff_then_applies_it_keeping_ids(logged_in, service):
    ids = {r.name: r.pk for r in service.routes.all()}
    spec = json.loads(json.dumps(SPEC))
    del spec["paths"]["/raw"]
    spec["paths"]["/pets"]["get"]["summary"] = "All pets"
    spec["paths"]["/owners"] = {"get": {"operationId": "owners", "responses": {}}}
    preview = logged_in.post(
        f"/services/{service.pk}/resync", {"spec_text": json.dumps(spec), "action": "preview"}
    )
    page = preview.content.decode()
    assert "added" in page and "/owners" in page and "archived" in page and "summary" in page
    assert service.routes.live().count() == 3  # nothing applied yet
    applied = logged_in.post(
        f"/services/{service.pk}/resync", {"spec_text": json.dumps(spec), "action": "apply"}
    )
    assert applied.status_code == 302
    live = {r.name: r.pk for r in service.routes.live()}
    assert live["list_pets"] == ids["list_pets"] and "owners" in live and "raw" not in live
    assert Route.objects.get(pk=ids["raw"]).archived_at is not None


def test_a_resync_keeps_the_owners_price_unless_the_spec_declares_one(logged_in, service):
    from apps.routes.services import route_update

    route = service.routes.get(name="list_pets")
    route_update(route=route, data={"pricing": {"model": "per_call", "unit_cost": 0.1}})
    spec = json.loads(json.dumps(SPEC))
    spec["paths"]["/pets"]["get"]["summary"] = "All pets"

    def resync() -> None:
        body = {"spec_text": json.dumps(spec), "action": "apply"}
        assert logged_in.post(f"/services/{service.pk}/resync", body).status_code == 302
        route.refresh_from_db()

    resync()
    assert route.summary == "All pets"
    assert route.pricing == {"model": "per_call", "unit_cost": "0.1", "currency": "usd"}
    spec["paths"]["/pets"]["get"]["x-ouro-pricing"] = {"model": "per_call", "unit_cost": 0.2}
    resync()
    assert route.pricing == {"model": "per_call", "unit_cost": "0.2", "currency": "usd"}
    spec["paths"]["/pets"]["get"]["x-ouro-pricing"] = {"model": "free"}
    resync()
    assert route.pricing == {"model": "free", "currency": "usd"}


def test_delete_shows_a_dry_run_then_archives(logged_in, service):
    page = logged_in.get(f"/services/{service.pk}/delete").content.decode()
    assert "3 routes" in page and "list_pets" in page
    assert service.routes.live().count() == 3
    assert logged_in.post(f"/services/{service.pk}/delete").status_code == 302
    assert service.routes.live().count() == 0
    assert logged_in.get(f"/services/{service.pk}").status_code == 404


def test_a_route_is_added_and_edited_by_hand(logged_in, service):
    data = {
        "method": "POST",
        "path": "/pets",
        "name": "create_pet",
        "summary": "Add one",
        "description": "",
        "execution_mode": "sync",
        "visibility": "inherit",
        "parameters": "[]",
        "request_body": '{"content": {"application/json": {"schema": {"type": "object"}}}}',
        "responses": "",
        "input_assets": "",
        "output_assets": '{"report": {"asset_type": "post"}}',
        "price": "0.1",
    }
    assert logged_in.post(f"/services/{service.pk}/routes/new", data).status_code == 302
    route = service.routes.get(name="create_pet")
    assert route.output_type == "post" and route.pricing["unit_cost"] == "0.1"
    bad = logged_in.post(f"/services/{service.pk}/routes/new", {**data, "name": "again"})
    assert "already has a route POST /pets" in bad.content.decode()
    edit_url = f"/services/{service.pk}/routes/{route.pk}/edit"
    assert "create_pet" in logged_in.get(edit_url).content.decode()
    assert (
        logged_in.post(edit_url, {**data, "summary": "Add a pet", "parameters": "{bad"}).status_code
        == 200
    )
    assert (
        logged_in.post(edit_url, {**data, "summary": "Add a pet", "price": ""}).status_code == 302
    )
    route.refresh_from_db()
    assert route.summary == "Add a pet" and route.pricing == {} and route.pk == route.pk


def test_a_per_second_price_survives_the_edit_form(logged_in, service):
    from apps.routes.models import Route

    route = Route.objects.create(
        user=service.user, org=service.org, team=service.team, parent=service, service=service,
        name="transcribe", method="POST", path="/transcribe",
        pricing={"model": "per_second", "unit_cost": 0.002, "currency": "usd",
                 "max_billable_seconds": 600},
    )  # fmt: skip
    edit_url = f"/services/{service.pk}/routes/{route.pk}/edit"
    form = logged_in.get(edit_url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("parameters", "request_body", "responses", "input_assets", "output_assets"):
        data[name] = form.fields[name].prepare_value(data[name])
    assert logged_in.post(edit_url, {**data, "summary": "Speech to text"}).status_code == 302
    route.refresh_from_db()
    assert route.summary == "Speech to text"
    assert route.pricing == {
        "model": "per_second", "unit_cost": "0.002", "currency": "usd", "max_billable_seconds": 600
    }  # fmt: skip
    data.update(price="0.25", price_unit="call", max_billable_seconds="")
    assert logged_in.post(edit_url, data).status_code == 302
    route.refresh_from_db()
    assert route.pricing == {"model": "per_call", "unit_cost": "0.25", "currency": "usd"}


def test_the_route_form_sets_and_clears_the_routes_total_timeout(logged_in, service):
    route = service.routes.get(name="list_pets")
    edit_url = f"/services/{service.pk}/routes/{route.pk}/edit"
    data = {
        "method": route.method,
        "path": route.path,
        "name": route.name,
        "execution_mode": "sync",
        "visibility": "inherit",
        "total_timeout_seconds": "15",
    }
    assert "Total timeout (seconds)" in logged_in.get(edit_url).content.decode()
    assert logged_in.post(edit_url, data).status_code == 302
    route.refresh_from_db()
    assert route.total_timeout_seconds == 15
    assert 'value="15"' in logged_in.get(edit_url).content.decode()
    refused = logged_in.post(edit_url, {**data, "total_timeout_seconds": "0"})
    assert refused.status_code == 200 and "greater than or equal to 1" in refused.content.decode()
    assert logged_in.post(edit_url, {**data, "total_timeout_seconds": ""}).status_code == 302
    route.refresh_from_db()
    assert route.total_timeout_seconds is None  # the server's UPSTREAM_TOTAL_TIMEOUT
