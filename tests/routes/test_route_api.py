"""Routes over the API: create, update, get, delete and name-to-id."""

from apps.routes.models import Route


def make(api, key, service, **route):
    body = {"method": "POST", "path": "/predict", "name": "predict", **route}
    return api(key).post(f"/services/{service.pk}/routes/create", {"route": body})


def test_it_creates_a_route_that_inherits_the_service_visibility(api, alice_key, service):
    response = make(
        api,
        alice_key,
        service,
        description="Predicts **things**",
        request_body={
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        input_assets={"structure": {"asset_type": "file", "file_extensions": [".CIF"]}},
        output_assets={"plot": {"asset_type": "file", "primary": True}},
        execution_mode="async",
    )
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["visibility"] == "inherit" and data["parent_id"] == str(service.pk)
    route = data["route"]
    assert route["method"] == "POST" and route["path"] == "/predict"
    assert route["execution_mode"] == "async"
    assert route["input_type"] == "file" and route["input_file_extension"] == "cif"
    assert route["output_type"] == "file"
    assert data["monetization"] == "none"


def test_it_refuses_a_duplicate_method_and_path(api, alice_key, service):
    make(api, alice_key, service)
    response = make(api, alice_key, service, name="other")
    assert response.status_code == 400
    assert "already has a route POST /predict" in response.json()["error"]["message"]


def test_it_refuses_bad_fields_with_their_name(api, alice_key, service):
    bad = make(api, alice_key, service, method="FETCH").json()["error"]
    assert bad["field"] == "method"
    bad = make(api, alice_key, service, input_assets={"x": {"asset_type": "rock"}}).json()["error"]
    assert bad["field"] == "input_assets"


def test_outsiders_cannot_add_routes(api, charlie_key, service):
    assert make(api, charlie_key, service).status_code == 403


def test_update_changes_only_the_fields_given(api, alice_key, service):
    data = make(api, alice_key, service, summary="first").json()["data"]
    response = api(alice_key).put(
        f"/services/{service.pk}/routes/{data['id']}",
        {"route": {"name": "predict", "unit_cost_usd": 0.5, "monetization": "pay-per-use"}},
    )
    assert response.status_code == 200, response.json()
    updated = response.json()["data"]
    assert updated["id"] == data["id"]
    assert updated["route"]["summary"] == "first"
    assert updated["monetization"] == "pay-per-use" and updated["unit_cost_usd"] == 0.5


def test_get_by_id_respects_visibility(api, alice_key, charlie_key, service):
    data = make(api, alice_key, service).json()["data"]
    assert api(charlie_key).get(f"/routes/{data['id']}").status_code == 200
    service.visibility = "private"
    service.save()
    assert api(charlie_key).get(f"/routes/{data['id']}").status_code == 404
    assert api(alice_key).get(f"/routes/{data['id']}").status_code == 200


def test_name_to_id_resolves_entity_and_name(api, alice_key, bob_key, service):
    data = make(api, alice_key, service).json()["data"]
    found = api(bob_key).post(
        "/elements/common/name-to-id",
        {"name": "predict", "assetType": "route", "entityName": "alice"},
    )
    assert found.json()["data"] == {"id": data["id"]}
    by_service = api(bob_key).post(
        "/elements/common/name-to-id",
        {"name": "predict", "assetType": "route", "entityName": str(service.pk)},
    )
    assert by_service.json()["data"] == {"id": data["id"]}
    missing = api(bob_key).post(
        "/elements/common/name-to-id", {"name": "nope", "assetType": "route", "entityName": "alice"}
    )
    assert missing.status_code == 404


def test_delete_archives_the_route(api, alice_key, charlie_key, service):
    data = make(api, alice_key, service).json()["data"]
    assert api(charlie_key).delete(f"/routes/{data['id']}").status_code == 403
    dry = api(alice_key).delete(f"/routes/{data['id']}?dry_run=true").json()["data"]
    assert dry["dry_run"] is True
    assert Route.objects.get(pk=data["id"]).archived_at is None
    api(alice_key).delete(f"/routes/{data['id']}")
    assert Route.objects.get(pk=data["id"]).archived_at is not None
    assert api(alice_key).get(f"/routes/{data['id']}").status_code == 404


def test_a_route_sets_its_total_timeout_and_clears_it(api, alice_key, service):
    data = make(api, alice_key, service, total_timeout_seconds=30).json()["data"]
    assert data["route"]["total_timeout_seconds"] == 30
    path = f"/services/{service.pk}/routes/{data['id']}"
    kept = api(alice_key).put(path, {"route": {"summary": "other"}}).json()["data"]
    assert kept["route"]["total_timeout_seconds"] == 30  # a field not given stays
    cleared = api(alice_key).put(path, {"route": {"total_timeout_seconds": None}}).json()["data"]
    assert cleared["route"]["total_timeout_seconds"] is None
    for bad in (0, "30", 1.5, True):
        error = api(alice_key).put(path, {"route": {"total_timeout_seconds": bad}}).json()["error"]
        assert error["field"] == "total_timeout_seconds", bad
    assert Route.objects.get(pk=data["id"]).total_timeout_seconds is None
