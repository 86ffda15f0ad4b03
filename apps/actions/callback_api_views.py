"""The endpoints a running action talks through: the upstream's webhook and log lines, the
caller's log lines, reading the logs back, and cancel (CONTRACT §6)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

from apps.accounts.serializers import iso, user_profile_dict
from apps.actions.callbacks import (
    LOG_LEVELS,
    MAX_LOG_MESSAGE,
    MAX_STATUS_MESSAGE,
    RESULT_STATUSES,
    TOKEN_HEADER,
    DeliveryRefused,
    action_callback_receive,
    action_cancel,
    action_log_append,
    action_log_receive,
    log_entry_parse,
)
from apps.actions.models import Action, ActionLog
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import action_for_user
from apps.actions.serializers import action_dict
from apps.api.envelope import body_object, ok, paged, parse_uuid, window
from apps.api.errors import ApiError
from apps.api.schema import PAGE, field, json_object, query

# The clients' short name for a level (ouro-mcp offers "warn").
LEVEL_ALIASES = {"warn": ActionLog.Level.WARNING}


def action_log_dict(line: ActionLog, action: Action) -> dict:
    """A log line as the official client's ActionLog reads it."""
    return {
        "id": str(line.pk),
        "action_id": str(action.pk),
        "asset_id": str(action.route_id),
        "user_id": str(line.user_id) if line.user_id else None,
        "user": user_profile_dict(line.user) if line.user_id else None,
        "event_type": "log",
        "level": line.level,
        "message": line.message,
        "origin": line.origin,
        "metadata": line.metadata or {},
        "created_at": iso(line.created_at),
    }


def _refused(refusal: DeliveryRefused) -> ApiError:
    return ApiError(refusal.message, status=refusal.status, code=refusal.code)


def _action_for_upstream(action_id: str) -> Action:
    """The upstream holds a capability (URL + token), not an account: look the action up bare."""
    action = (
        Action.objects.select_related("route__service", "canceled_by")
        .filter(pk=parse_uuid(action_id, "action id"))
        .first()
    )
    if action is None:
        raise ApiError("Action not found", status=404, code="not_found")
    return action


def _action_for_caller(request: Request, action_id: str) -> Action:
    action = action_for_user(user=request.user, action_id=parse_uuid(action_id, "action id"))
    if action is None:
        raise ApiError("Action not found", status=404, code="not_found")
    return action


@extend_schema(
    request=json_object(
        "ActionCallback",
        {
            "status": field(str, "How the run ended", required=True, enum=tuple(RESULT_STATUSES)),
            "response": field(object, "The run's result, any JSON (or the error's message)"),
        },
        "The upstream's result for an async run, signed with the run's token header.",
    )
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def action_webhook(request: Request, action_id: str):
    action = _action_for_upstream(action_id)
    try:
        action_callback_receive(action=action, headers=request.headers, body=request.body)
    except DeliveryRefused as refusal:
        raise _refused(refusal) from None
    return ok({"id": str(action.pk), "status": action.status})


@extend_schema(
    request=json_object(
        "ActionLogLine",
        {
            "message": field(str, f"The line (at most {MAX_LOG_MESSAGE} characters)"),
            "level": field(str, "Its level (default info)", enum=LOG_LEVELS),
            "progress": field(float, "How far the run is, from 0 to 100"),
            "status_message": field(
                str, f"A short status (at most {MAX_STATUS_MESSAGE} characters)"
            ),
        },
        "A log line from the upstream (its token header) or the caller: a message, a "
        "progress value and/or a status message.",
    )
)
@api_view(["POST"])
@permission_classes([AllowAny])
def action_log(request: Request, action_id: str):
    """From the upstream (its token header) or from the caller who ran the action."""
    if TOKEN_HEADER in request.headers or not request.user.is_authenticated:
        action = _action_for_upstream(action_id)
        try:
            line = action_log_receive(action=action, headers=request.headers, body=request.body)
        except DeliveryRefused as refusal:
            raise _refused(refusal) from None
    else:
        action = _action_for_caller(request, action_id)
        if action.user_id != request.user.pk:
            raise ApiError(
                "Only the caller who ran this action may add log lines to it",
                status=403,
                code="permission_denied",
            )
        try:
            entry = log_entry_parse(body_object(request))
        except DeliveryRefused as refusal:
            raise _refused(refusal) from None
        line = action_log_append(action=action, entry=entry, origin="caller", user=request.user)
    return ok(action_log_dict(line, action) if line else None)


@extend_schema(
    parameters=[
        *PAGE,
        query("sort_order", "Oldest or newest first", enum=["asc", "desc"]),
        query("level", "Only lines of this level"),
    ]
)
@api_view(["GET"])
def action_logs(request: Request, action_id: str):
    action = _action_for_caller(request, action_id)
    order = request.query_params.get("sort_order", "desc")
    if order not in ("asc", "desc"):
        raise ApiError(f"sort_order must be asc or desc, not {order!r}", code="invalid_parameter")
    lines = ActionLog.objects.filter(action=action).select_related("user")
    if level := request.query_params.get("level"):
        level = LEVEL_ALIASES.get(level, level)
        if level not in LOG_LEVELS:
            raise ApiError(
                f"level must be one of {', '.join(LOG_LEVELS)}, not {level!r}",
                code="invalid_parameter",
            )
        lines = lines.filter(level=level)
    lines = lines.order_by(*(("created_at", "id") if order == "asc" else ("-created_at", "-id")))
    return paged(
        lines, window(request, default_limit=100), lambda line: action_log_dict(line, action)
    )


@extend_schema(request=None)  # reads no body
@api_view(["POST"])
def action_cancel_view(request: Request, action_id: str):
    action = _action_for_caller(request, action_id)
    action_expire_if_overdue(action)
    try:
        canceled = action_cancel(action=action, user=request.user)
    except PermissionDenied as exc:
        raise ApiError(str(exc), status=403, code="permission_denied") from None
    if not canceled:
        raise ApiError(
            f"This action already ended with status {action.status}; nothing to cancel",
            status=409,
            code="action_finished",
        )
    return ok(action_dict(action))
