"""Running routes and reading actions over the Ouro HTTP API (CONTRACT §5-6)."""

from django.core.exceptions import PermissionDenied
from django.utils.dateparse import parse_datetime
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.actions.models import ACTIVE_STATUSES, Action, Status
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import (
    action_for_user,
    actions_of_user,
    route_actions,
    route_stats,
    statuses_parse,
)
from apps.actions.serializers import action_dict
from apps.actions.services import route_run
from apps.api.context import request_org
from apps.api.envelope import body_object, ok, paged, parse_uuid, query_bool, window
from apps.api.errors import ApiError, error_body
from apps.billing.pricing import PricingError
from apps.billing.services import PaymentRequired
from apps.routes.models import Route
from apps.routes.schema_form import FormInputError
from apps.routes.selectors import route_for_user, route_to_run


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
