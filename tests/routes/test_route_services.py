"""route_create / route_update / route_archive and the sync step that applies an import."""

import pytest

from apps.routes.models import Route
from apps.routes.serializers import route_dict
from apps.routes.services import RouteError, route_create, route_diff, route_update, routes_sync
from apps.services.importer import parse_spec


def imported(paths: dict):
    return parse_spec(
        {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    ).routes


def op(operation_id: str, **extra) -> dict:
    return {"operationId": operation_id, "responses": {"200": {"description": "ok"}}, **extra}


def test_sync_adds_routes_that_inherit_the_service(service):
    diff = routes_sync(service=service, imported=imported({"/a": {"get": op("a")}}))
    route = Route.objects.get(service=service)
    assert len(diff.added) == 1 and route.visibility == "inherit"
    assert route.parent_id == service.pk and route.effective_visibility == "public"


def test_sync_keeps_ids_archives_removed_routes_and_restores_them(service):
    routes_sync(service=service, imported=imported({"/a": {"get": op("a"), "post": op("b")}}))
    ids = {r.name: r.pk for r in Route.objects.all()}
    diff = routes_sync(service=service, imported=imported({"/a": {"get": op("a", summary="new")}}))
    assert [r.name for r in diff.removed] == ["b"] and diff.changed[0][2] == ["summary"]
    assert Route.objects.get(pk=ids["a"]).summary == "new"
    assert Route.objects.get(pk=ids["b"]).archived_at is not None
    back = routes_sync(
        service=service, imported=imported({"/a": {"get": op("a"), "post": op("b")}})
    )
    assert [route.pk for route, _ in back.restored] == [ids["b"]]
    assert Route.objects.get(pk=ids["b"]).archived_at is None


def test_sync_leaves_the_owners_visibility_alone(service):
    routes_sync(service=service, imported=imported({"/a": {"get": op("a")}}))
    route = Route.objects.get()
    route_update(route=route, data={"visibility": "private"})
    routes_sync(service=service, imported=imported({"/a": {"get": op("a", summary="x")}}))
    assert Route.objects.get().visibility == "private"


def test_a_diff_changes_nothing(service):
    diff = route_diff(service=service, imported=imported({"/a": {"get": op("a")}}))
    assert len(diff.added) == 1 and not Route.objects.exists()


def test_create_keeps_the_projection_in_sync(service, alice):
    route = route_create(
        service=service,
        user=alice,
        data={
            "method": "post",
            "path": "/run",
            "input_assets": {
                "a": {"asset_type": "dataset"},
                "b": {"asset_type": "file", "primary": True, "file_extensions": ["PNG"]},
            },
        },
    )
    assert (route.input_type, route.input_file_extension, route.name) == ("file", "png", "post_run")
    route_update(route=route, data={"input_assets": {}})
    assert route.input_type == "" and route.input_file_extension == ""


def test_create_refuses_duplicates_and_bad_paths(service, alice):
    route_create(service=service, user=alice, data={"method": "GET", "path": "/a", "name": "a"})
    with pytest.raises(RouteError, match="already has a route GET /a"):
        route_create(service=service, user=alice, data={"method": "GET", "path": "/a", "name": "b"})
    with pytest.raises(RouteError, match="already has a route named 'a'"):
        route_create(service=service, user=alice, data={"method": "GET", "path": "/b", "name": "a"})
    with pytest.raises(RouteError, match="must start with '/'"):
        route_create(service=service, user=alice, data={"method": "GET", "path": "b"})


def test_route_dict_has_the_contract_fields(service, alice):
    route = route_create(
        service=service,
        user=alice,
        data={
            "method": "GET",
            "path": "/a",
            "pricing": {"model": "per_second", "unit_cost": 0.01, "max_billable_seconds": 60},
        },
    )
    data = route_dict(route)
    assert set(data["route"]) >= {
        "method",
        "path",
        "description",
        "parameters",
        "request_body",
        "responses",
        "execution_mode",
        "input_assets",
        "output_assets",
        "input_type",
        "input_filter",
        "input_file_extension",
        "output_type",
        "output_file_extension",
    }
    assert data["parent_id"] == str(service.pk)
    assert data["monetization"] == "pay-per-use" and data["cost_unit"] == "seconds"
    assert data["max_billable_seconds"] == 60
