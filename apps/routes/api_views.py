"""Routes over the Ouro HTTP API (CONTRACT §4): create, update, get, delete, name-to-id."""

from rest_framework.decorators import api_view
from rest_framework.request import Request

from apps.actions.selectors import route_metrics
from apps.api.envelope import body_object, ok, parse_uuid, query_bool
from apps.api.errors import ApiError
from apps.assets.models import AssetType
from apps.assets.selectors import asset_can_edit
from apps.routes.models import Route
from apps.routes.selectors import route_by_name, route_for_user, routes_visible
from apps.routes.serializers import route_dict
from apps.routes.services import RouteError, route_archive, route_create, route_update
from apps.services.selectors import service_for_user, services_visible


def _route(request: Request, route_id: str) -> Route:
    route = route_for_user(user=request.user, route_id=parse_uuid(route_id, "route id"))
    if route is None:
        raise ApiError("Route not found", status=404, code="not_found")
    return route


def _route_error(exc: RouteError) -> ApiError:
    return ApiError(exc.message, code="invalid_route", field=exc.field or None)


@api_view(["GET", "DELETE"])
def route_detail(request: Request, route_id: str):
    route = _route(request, route_id)
    if request.method == "GET":
        return ok({**route_dict(route), "metrics": route_metrics(route=route)})
    if not asset_can_edit(user=request.user, asset=route):
        raise ApiError("You may not delete this route", status=403, code="permission_denied")
    dry_run = query_bool(request, "dry_run", False)
    summary = {
        "id": str(route.pk),
        "name": route.name,
        "asset_type": route.asset_type,
        "deleted_children": [],
        "dry_run": dry_run,
    }
    if not dry_run:
        # Archived, not deleted: the route's actions stay readable.
        route_archive(route=route)
    return ok(summary)


@api_view(["POST"])
def route_create_view(request: Request, service_id: str):
    service = service_for_user(user=request.user, service_id=parse_uuid(service_id, "service id"))
    if service is None:
        raise ApiError("Service not found", status=404, code="not_found")
    if not asset_can_edit(user=request.user, asset=service):
        raise ApiError(
            "You may not add routes to this service", status=403, code="permission_denied"
        )
    try:
        route = route_create(
            service=service,
            user=request.user,
            data={**body_object(request, "route"), "source": "api"},
        )
    except RouteError as exc:
        raise _route_error(exc) from None
    return ok(route_dict(route), status=201)


@api_view(["PUT"])
def route_update_view(request: Request, service_id: str, route_id: str):
    route = _route(request, route_id)
    if route.service_id != parse_uuid(service_id, "service id"):
        raise ApiError("Route not found", status=404, code="not_found")
    if not asset_can_edit(user=request.user, asset=route):
        raise ApiError("You may not change this route", status=403, code="permission_denied")
    try:
        route = route_update(route=route, data=body_object(request, "route"))
    except RouteError as exc:
        raise _route_error(exc) from None
    return ok(route_dict(route))


@api_view(["POST"])
def name_to_id(request: Request):
    """`entity/name` to an id. The entity is an organization's name or a username; for routes
    it may also be the id of their service (the client's `service.execute_route("name")`)."""
    body = body_object(request)
    name, entity = str(body.get("name") or ""), str(body.get("entityName") or "")
    asset_type = body.get("assetType") or AssetType.ROUTE
    if not name or not entity:
        raise ApiError("name and entityName are required", code="invalid_body")
    found = None
    if asset_type == AssetType.ROUTE:
        found = route_by_name(user=request.user, entity=entity, name=name)
        if found is None and _is_uuid(entity):
            found = (
                routes_visible(user=request.user).filter(service_id=entity, name=name).first()
                or routes_visible(user=request.user).filter(service_id=entity, slug=name).first()
            )
    elif asset_type == AssetType.SERVICE:
        found = next(
            (
                s
                for s in services_visible(user=request.user).filter(name=name)
                if s.entity_name == entity
            ),
            None,
        )
    else:
        raise ApiError(
            f"name-to-id does not resolve {asset_type!r} assets here", code="invalid_body"
        )
    if found is None:
        raise ApiError(f"No {asset_type} named {entity}/{name}", status=404, code="not_found")
    return ok({"id": str(found.pk)})


def _is_uuid(value: str) -> bool:
    try:
        parse_uuid(value)
    except ApiError:
        return False
    return True
