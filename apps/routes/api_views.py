"""Routes over the Ouro HTTP API (CONTRACT §4): create, update, get, delete, name-to-id."""

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.envelope import body_object, ok, paged, parse_uuid, window
from apps.api.errors import ApiError
from apps.api.schema import ASSET_CHANGES, PAGE, VISIBILITIES, field, json_object, query
from apps.assets.api_views.common import asset_for_request
from apps.assets.models import AssetType
from apps.assets.selectors import asset_can_edit, asset_concrete
from apps.routes.models import ExecutionMode, Route
from apps.routes.selectors import (
    route_by_name,
    route_for_user,
    routes_compatible_with,
    routes_visible,
)
from apps.routes.serializers import route_brief_dict, route_dict
from apps.routes.services import RouteError, route_create, route_update
from apps.services.selectors import service_for_user, services_visible

# A route's fields as the client sends them (apps.routes.services._validated checks them).
ROUTE_FIELDS = {
    "method": field(str, "Its HTTP method, e.g. `GET` or `post`"),
    "path": field(str, "Its path on the service, starting with `/`"),
    "name": ASSET_CHANGES["name"],
    "description": ASSET_CHANGES["description"],
    "visibility": field(
        str,
        "Who may see it (default inherit: as its service; monetized: public, and priced)",
        enum=VISIBILITIES,
    ),
    "license_id": ASSET_CHANGES["license_id"],
    "attribution": ASSET_CHANGES["attribution"],
    "summary": field(str, "A one-line summary"),
    "operation_id": field(str, "The OpenAPI operation id (the default name)"),
    "parameters": field(list, "OpenAPI parameters: objects with `name` and `in`", items=dict),
    "request_body": field(dict, "The OpenAPI request body, or null for none", null=True),
    "responses": field(dict, "The OpenAPI responses, by status"),
    "execution_mode": field(str, "Whether a run waits for the result", enum=ExecutionMode.values),
    "input_assets": field(dict, "Assets it takes: `{name: {asset_type, ...}}`"),
    "output_assets": field(dict, "Assets it makes: `{name: {asset_type, ...}}`"),
    "input_filter": field(str, "The input file extension or type it accepts"),
    "output_filter": field(str, "The output file extension or type it makes"),
    "total_timeout_seconds": field(int, "The most a run may take, or null", null=True),
    "sync_timeout_seconds": field(int, "How long a sync run waits (1 to 3600)"),
    "quiet_window_seconds": field(int, "How long an async run may stay silent"),
    "hard_timeout_seconds": field(int, "When an async run is given up"),
    "pricing": field(dict, "Its price: `{model, unit_cost, currency, ...}`"),
    "monetization": field(str, "`none` makes it free; else `pay-per-use`"),
    "unit_cost": field(float, "The price of a run (or a second), in `price_currency`"),
    "unit_cost_usd": field(float, "The price of a run (or a second), in US dollars"),
    "unit_cost_sats": field(int, "The price of a run (or a second), in satoshis"),
    "price": field(float, "`unit_cost`, when that is not given"),
    "price_currency": field(str, "The currency of `unit_cost` (default usd)"),
    "cost_unit": field(str, "`seconds` prices each second of a run"),
    "cost_accounting": field(str, "`runtime` prices each second of a run"),
    "max_billable_seconds": field(int, "The most seconds a run is charged for"),
}


def _route(request: Request, route_id: str) -> Route:
    route = route_for_user(user=request.user, route_id=parse_uuid(route_id, "route id"))
    if route is None:
        raise ApiError("Route not found", status=404, code="not_found")
    return route


def _route_error(exc: RouteError) -> ApiError:
    return ApiError(exc.message, code="invalid_route", field=exc.field or None)


@extend_schema(
    request=json_object(
        "RouteCreate",
        {
            "route": json_object(
                "RouteFields",
                {
                    **ROUTE_FIELDS,
                    "method": field(str, "Its HTTP method, e.g. `GET` or `post`", required=True),
                    "path": field(str, "Its path on the service, starting with `/`", required=True),
                },
                "A route added by hand; its visibility defaults to `inherit` (the service's).",
            )
        },
    )
)
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


@extend_schema(
    request=json_object(
        "RouteUpdate",
        {
            "route": json_object(
                "RouteChanges", ROUTE_FIELDS, "The fields to change; those left out are kept."
            )
        },
    )
)
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


@extend_schema(
    request=json_object(
        "NameToId",
        {
            "name": field(str, "The asset's name", required=True),
            "entityName": field(
                str,
                "Its owner: a username or an organization's name (for a route, also its "
                "service's id)",
                required=True,
            ),
            "assetType": field(
                str, "What to look up (default route)", enum=(AssetType.ROUTE, AssetType.SERVICE)
            ),
        },
    )
)
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


# Assets and the routes they meet --------------------------------------------------------------


TAG_NAMESPACE = uuid.UUID("6f1c3a52-9d1e-4f0e-8a57-3c1d2b0e7a90")


@extend_schema(
    parameters=[
        *PAGE,
        query("query", "Words to find"),
        query("sort", "Order", enum=["popular", "recent", "updated", "relevant"]),
    ]
)
@api_view(["GET"])
def asset_compatible_routes(request: Request, asset_id: str):
    asset = asset_concrete(asset_for_request(request, asset_id))
    sort = request.query_params.get("sort") or "popular"
    if sort not in ("popular", "recent", "updated", "relevant"):
        raise ApiError("sort must be popular, recent or updated", code="invalid_parameter")
    routes = routes_compatible_with(
        asset=asset,
        user=request.user,
        query=request.query_params.get("query") or "",
        sort=sort,
    )
    if "limit" not in request.query_params:
        data = [{**route_brief_dict(r), "compatible_inputs": r.compatible_inputs} for r in routes]
        pagination = {"hasMore": False, "offset": 0, "limit": len(data)}
        return Response({"data": data, "pagination": pagination})
    return paged(
        routes,
        window(request),
        lambda r: {**route_brief_dict(r), "compatible_inputs": r.compatible_inputs},
    )


@api_view(["GET"])
def asset_tags(request: Request, asset_id: str):
    """A route's tags from its OpenAPI operation (the only tags kept here)."""
    from apps.routes.models import Route

    asset = asset_for_request(request, asset_id)
    names = []
    if asset.asset_type == "route":
        names = Route.objects.filter(pk=asset.pk).values_list("tags", flat=True).first() or []
    rows = []
    for name in dict.fromkeys(str(n) for n in names if n):
        tag_id = uuid.uuid5(TAG_NAMESPACE, name.lower())
        rows.append(
            {
                "id": str(uuid.uuid5(tag_id, str(asset.pk))),
                "asset_id": str(asset.pk),
                "tag_id": str(tag_id),
                "tag": {"id": str(tag_id), "name": name, "type": "openapi"},
                "source": "spec",
            }
        )
    return ok(rows)
