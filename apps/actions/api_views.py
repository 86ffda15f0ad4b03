"""Running routes and reading actions over the Ouro HTTP API (CONTRACT §5-6)."""

from django.core.exceptions import PermissionDenied
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.actions.models import ACTIVE_STATUSES, Action, Status
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import (
    action_for_user,
    actions_of_user,
    asset_actions,
    asset_lineage,
    route_actions,
    route_metrics,
    route_stats,
    route_to_run,
    statuses_parse,
)
from apps.actions.serializers import action_dict
from apps.actions.services import route_run
from apps.api.context import request_org
from apps.api.envelope import body_object, ok, paged, parse_uuid, query_bool, window
from apps.api.errors import ApiError, error_body
from apps.api.schema import (
    PAGE,
    EnvelopeSerializer,
    ErrorSerializer,
    field,
    json_object,
    query,
)
from apps.assets.api_views.common import asset_for_request
from apps.assets.selectors import asset_can_edit
from apps.assets.serializers import asset_dict
from apps.billing.pricing import PricingError
from apps.billing.services import PaymentRequired
from apps.routes.models import Route
from apps.routes.schema_form import FormInputError
from apps.routes.selectors import route_for_user
from apps.routes.serializers import route_dict
from apps.routes.services import route_archive
from apps.services.upstream import UpstreamBusy


def _route(request: Request, service_id: str, route_id: str) -> Route:
    sid, rid = parse_uuid(service_id, "service id"), parse_uuid(route_id, "route id")
    route = route_to_run(user=request.user, route_id=rid)
    if route is None or route.service_id != sid:
        raise ApiError("Route not found", status=404, code="not_found")
    return route


def _statuses(request: Request) -> list[str]:
    try:
        return statuses_parse(request.query_params.get("status"))
    except ValueError as exc:
        raise ApiError(str(exc), code="invalid_status") from None


def use_response(action: Action) -> Response:
    """200 with the result, 202 while it runs, 502 (still carrying the action) on failure."""
    data = action_dict(action)
    if action.status in ACTIVE_STATUSES:
        return Response({"action": data}, status=202)
    if action.status == Status.SUCCESS:
        return Response(
            {
                "data": {"responseData": action.response},
                "action": data,
                "metadata": {"outputAssets": data["output_assets"]},
            }
        )
    message = action.error_message or f"The run ended {action.status}"
    body = error_body(message, "external_service_error", 502)
    return Response({**body, "action": data}, status=502)


@extend_schema(
    request=json_object(
        "RunRequest",
        {
            "config": json_object(
                "RunConfig",
                {
                    "body": field(
                        object, "The request body for the upstream, as its route declares"
                    ),
                    "query": field(dict, "Query parameters, by name"),
                    "parameters": field(dict, "Path parameters, by name"),
                    "params": field(dict, "`parameters`, when that is not given"),
                    "headers": field(dict, "Header parameters the route declares, by name"),
                    "input_assets": field(dict, "Assets given as inputs: `{name: asset id}`"),
                    "content_type": field(
                        str, "The body's media type, one of those the route declares"
                    ),
                },
                "The route's inputs; checked against its schema (400 `invalid_input`).",
                required=False,
            ),
            "currency": field(str, "The currency to pay a priced route in, e.g. `usd`"),
        },
        "Run the route. `Prefer: respond-async` answers 202 at once with the running action.",
    ),
    responses={200: EnvelopeSerializer, 202: EnvelopeSerializer, 502: ErrorSerializer},
)
@api_view(["POST"])
def route_use(request: Request, service_id: str, route_id: str):
    route = _route(request, service_id, route_id)
    config = body_object(request).get("config") or {}
    if not isinstance(config, dict):
        raise ApiError("config must be an object", code="invalid_body")
    inputs = {
        "body": config.get("body"),
        "query": config.get("query") or {},
        "parameters": config.get("parameters") or config.get("params") or {},
        "headers": config.get("headers") or {},
        "input_assets": config.get("input_assets") or {},
    }
    if config.get("content_type") is not None:  # the body's media type, of those declared
        inputs["content_type"] = config["content_type"]
    for key in ("query", "parameters", "headers", "input_assets"):
        if not isinstance(inputs[key], dict):
            raise ApiError(f"config.{key} must be an object", code="invalid_body")
    prefer_async = "respond-async" in request.headers.get("Prefer", "").lower()
    context = request_org(request)
    try:
        action = route_run(
            route=route,
            user=request.user,
            inputs=inputs,
            org=context.org,
            source="api",
            prefer_async=prefer_async,
            currency=_currency(request),
        )
    except FormInputError as exc:
        raise ApiError(
            f"The inputs do not match the route's schema: {exc}",
            code="invalid_input",
            fields=exc.errors,
        ) from None
    except PermissionDenied as exc:
        raise ApiError(str(exc), status=403, code="permission_denied") from None
    except PricingError as exc:
        raise ApiError(exc.message, code="unsupported_currency") from None
    except PaymentRequired as exc:
        raise ApiError(
            exc.message,
            status=402,
            code="insufficient_funds",
            needed_cents=exc.needed_cents,
            available_cents=exc.available_cents,
        ) from None
    except UpstreamBusy as exc:  # refused before anything was recorded, held or sent
        return Response(
            error_body(exc.message, "upstream_busy", 429, retryable=True),
            status=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    return use_response(action)


def _currency(request: Request) -> str | None:
    currency = body_object(request).get("currency")
    if currency is not None and not isinstance(currency, str):
        raise ApiError('currency must be a string such as "usd"', code="invalid_body")
    return currency or None


@api_view(["GET"])
def action_detail(request: Request, action_id: str):
    action = action_for_user(user=request.user, action_id=parse_uuid(action_id, "action id"))
    if action is None:
        raise ApiError("Action not found", status=404, code="not_found")
    action_expire_if_overdue(action)
    return ok(action_dict(action))


@extend_schema(
    parameters=[
        *PAGE,
        query("status", "Comma-separated statuses"),
        query("since", "Only runs created since (ISO 8601)"),
    ]
)
@api_view(["GET"])
def my_actions(request: Request):
    since = None
    if raw := request.query_params.get("since"):
        try:
            since = parse_datetime(raw)
        except ValueError:
            since = None
        if since is None:
            message = f"since must be an ISO 8601 date-time, not {raw!r}"
            raise ApiError(message, code="invalid_since")
    actions = actions_of_user(user=request.user, statuses=_statuses(request), since=since)
    return paged(actions, window(request), action_dict)


@extend_schema(
    parameters=[
        *PAGE,
        query("status", "Comma-separated statuses"),
        query("global", "Everyone's runs (owners and admins)", bool),
        query("exclude_self", "Leave out the caller's runs", bool),
    ]
)
@api_view(["GET"])
def route_action_list(request: Request, service_id: str, route_id: str):
    route = _route(request, service_id, route_id)
    actions = route_actions(
        route=route,
        user=request.user,
        everyone=query_bool(request, "global"),
        statuses=_statuses(request),
    )
    if query_bool(request, "exclude_self"):
        actions = actions.exclude(user=request.user)
    return paged(actions, window(request), action_dict)


@api_view(["GET"])
def route_stats_view(request: Request, route_id: str):
    route = route_for_user(user=request.user, route_id=parse_uuid(route_id, "route id"))
    if route is None:
        raise ApiError("Route not found", status=404, code="not_found")
    stats = route_stats(route=route, user=request.user)
    return ok({**stats, "inProgress": [action_dict(a) for a in stats["inProgress"]]})


# What an asset came from and went into -----------------------------------------------------


@extend_schema(
    parameters=[
        *PAGE,
        query("role", "Runs it came from, went into, or both", enum=["input", "output", "both"]),
        query("status", "Only runs of this status"),
    ]
)
@api_view(["GET"])
def asset_actions_view(request: Request, asset_id: str):
    asset = asset_for_request(request, asset_id)
    role = request.query_params.get("role") or "both"
    if role not in ("input", "output", "both"):
        raise ApiError("role must be input, output or both", code="invalid_parameter")
    created_by, as_input = asset_actions(asset=asset, user=request.user, role=role)
    status = request.query_params.get("status")
    if status:
        as_input = [a for a in as_input if a.status == status]
    if role == "output":
        return ok(action_dict(created_by) if created_by else None)
    win = window(request, default_limit=200)
    page = as_input[win.offset : win.offset + win.limit]
    pagination = {
        "hasMore": len(as_input) > win.offset + win.limit,
        "offset": win.offset,
        "limit": win.limit,
    }
    inputs = [action_dict(a) for a in page]
    if role == "input":
        return Response({"data": inputs, "pagination": pagination})
    data = {"created_by": action_dict(created_by) if created_by else None, "as_input": inputs}
    return Response({"data": data, "pagination": pagination})


@api_view(["GET"])
def asset_lineage_view(request: Request, asset_id: str):
    asset = asset_for_request(request, asset_id)
    lineage = asset_lineage(asset=asset, user=request.user)
    producer = next((s for s in lineage["sources"] if s["action"] or s["route"]), None)
    sources = [a for s in lineage["sources"] for a in s["inputs"]]
    derived = [{**asset_dict(a), "run": _run(s)} for s in lineage["uses"] for a in s["outputs"]]
    return ok(
        {
            "asset": {
                "id": str(asset.pk),
                "asset_type": asset.asset_type,
                "lineage_role": "result" if producer else "new",
                "source_id": str(sources[0].pk) if sources else None,
                "run": _run(producer) if producer else None,
            },
            "sources": [asset_dict(a) for a in sources],
            "derived": derived,
            "truncated": False,
        }
    )


def _run(step: dict) -> dict | None:
    action = step["action"]
    if action is None:
        return None
    route = step["route"]
    return {
        "action_id": str(action.pk),
        "created_at": action.created_at.isoformat(),
        "route": {"id": str(route.pk), "name": route.name, "slug": route.slug} if route else None,
    }


# A route with its runs' metrics -------------------------------------------------------------


@extend_schema(
    methods=["DELETE"], parameters=[query("dry_run", "Only report what would be deleted", bool)]
)
@api_view(["GET", "DELETE"])
def route_detail(request: Request, route_id: str):
    """A route with its run metrics; DELETE archives it (its actions stay readable)."""
    route = route_for_user(user=request.user, route_id=parse_uuid(route_id, "route id"))
    if route is None:
        raise ApiError("Route not found", status=404, code="not_found")
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
