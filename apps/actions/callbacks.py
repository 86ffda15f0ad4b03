"""What comes back while a run is in flight: the upstream's result and log lines, and cancels.

An async upstream reports to the capability it was handed (`ouro-webhook-url` + the token).
Every delivery it makes is recorded with our verdict, refused ones included, so the upstream's
author can see on the action page what arrived and why it was turned down.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, PositiveSmallIntegerField, Value, When
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from apps.actions.models import ACTIVE_STATUSES, Action, ActionLog, CallbackDelivery, Status
from apps.actions.outputs import output_assets_store
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import action_can_view
from apps.actions.services import action_fail
from apps.actions.transitions import action_transition
from apps.actions.webhooks import webhook_token_matches
from apps.core.safe_text import InputError, json_loads

TOKEN_HEADER = "ouro-webhook-token"
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
RESULT_STATUSES = {
    "success": Status.SUCCESS,
    "completed": Status.SUCCESS,
    "error": Status.ERROR,
    "failed": Status.ERROR,
}
LOG_LEVELS = tuple(ActionLog.Level.values)
MAX_LOG_MESSAGE = 10_000
MAX_STATUS_MESSAGE = Action._meta.get_field("status_message").max_length


class DeliveryRefused(Exception):
    """A delivery we turn down: the HTTP status, a stable code and the recorded verdict."""

    def __init__(self, message: str, *, status: int, code: str, verdict: str):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.verdict = verdict


def _malformed(message: str) -> DeliveryRefused:
    return DeliveryRefused(message, status=400, code="invalid_body", verdict="malformed")


# Pure parsing -------------------------------------------------------------------------------


def callback_parse(body: bytes) -> tuple[str, Any]:
    """The `(status, response)` of a callback body, or a 400 saying what is wrong."""
    expected = 'send {"status": "success" | "error", "response": {...}}'
    try:
        data = json_loads(body, whole="the callback body")
    except InputError as exc:
        if exc.code != "invalid_json":
            raise _malformed(exc.message) from None
        raise _malformed(f"The callback body is not valid JSON; {expected}") from None
    if not isinstance(data, dict):
        raise _malformed(f"The callback body must be a JSON object; {expected}")
    status = data.get("status")
    if status not in RESULT_STATUSES:
        raise _malformed(
            f"status must be one of {', '.join(RESULT_STATUSES)}, not {status!r}; {expected}"
        )
    return RESULT_STATUSES[status], data.get("response")


@dataclass(frozen=True)
class LogEntry:
    message: str
    level: str
    progress: int | None
    status_message: str | None


def log_entry_parse(data: Any) -> LogEntry:
    """A log line with optional progress (0-100) and a short status message, or a 400."""
    if not isinstance(data, dict):
        raise _malformed(
            'The log body must be a JSON object like {"message": "...", "level": "info"}'
        )
    message = data.get("message", "")
    if not isinstance(message, str):
        raise _malformed("message must be a string")
    if len(message) > MAX_LOG_MESSAGE:
        raise _malformed(f"message is longer than {MAX_LOG_MESSAGE} characters")
    level = data.get("level") or ActionLog.Level.INFO
    if level not in LOG_LEVELS:
        raise _malformed(f"level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    progress = data.get("progress")
    if progress is not None:
        if isinstance(progress, bool) or not isinstance(progress, int | float):
            raise _malformed("progress must be a number from 0 to 100")
        if not 0 <= progress <= 100:
            raise _malformed(f"progress must be from 0 to 100, not {progress}")
        progress = round(progress)
    status_message = data.get("status_message")
    if status_message is not None:
        if not isinstance(status_message, str):
            raise _malformed("status_message must be a string")
        if len(status_message) > MAX_STATUS_MESSAGE:
            raise _malformed(f"status_message is longer than {MAX_STATUS_MESSAGE} characters")
    if not message and progress is None and status_message is None:
        raise _malformed("Send a message, a progress value or a status_message")
    return LogEntry(message=message, level=level, progress=progress, status_message=status_message)


def upstream_error_message(response: Any) -> str:
    """The message an upstream gave with its error result, wherever it put it."""
    if isinstance(response, str) and response.strip():
        return response.strip()[:1000]
    if isinstance(response, dict):
        error = response.get("error")
        for candidate in (
            response.get("message"),
            error.get("message") if isinstance(error, dict) else error,
            response.get("detail"),
        ):
            if isinstance(candidate, str) and candidate.strip():
                return candidate.strip()[:1000]
    return "The upstream reported an error without a message"


# Authentication -----------------------------------------------------------------------------


def _authenticate_upstream(*, action: Action, headers: Mapping[str, str], body: bytes) -> None:
    token = headers.get(TOKEN_HEADER)
    if not token:
        raise DeliveryRefused(
            f"Send the action's token in the {TOKEN_HEADER} header",
            status=401,
            code="missing_webhook_token",
            verdict="forbidden",
        )
    if not webhook_token_matches(action, token):
        raise DeliveryRefused(
            f"The {TOKEN_HEADER} does not match this action",
            status=403,
            code="invalid_webhook_token",
            verdict="forbidden",
        )
    secret = action.route.service.signing_secret()
    if not secret:
        return
    signature = {name: headers.get(name, "") for name in SIGNATURE_HEADERS}
    try:
        Webhook(secret).verify(body, signature, json_parse=False)
    except (WebhookVerificationError, ValueError) as exc:
        raise DeliveryRefused(
            "This service signs its callbacks: the Standard Webhooks signature (webhook-id, "
            f"webhook-timestamp, webhook-signature; 5 minutes' tolerance) failed: {exc}",
            status=401,
            code="invalid_signature",
            verdict="forbidden",
        ) from None


def _delivery_record(
    *, action: Action, kind: str, body: bytes, refusal: DeliveryRefused | None = None
) -> None:
    CallbackDelivery.objects.create(
        action=action,
        kind=kind,
        verdict=refusal.verdict if refusal else "accepted",
        http_status=refusal.status if refusal else 200,
        size=len(body),
        detail=refusal.message[:500] if refusal else "",
    )


def _already_ended(action: Action) -> DeliveryRefused:
    """The 409 for a delivery that arrives after the run ended (or while its result lands)."""
    if action.status in ACTIVE_STATUSES:
        return DeliveryRefused(
            "A result for this action has already been received; this one changed nothing",
            status=409,
            code="duplicate_callback",
            verdict="duplicate",
        )
    if action.canceled_by_id:
        reason, verdict = f"was canceled by {action.canceled_by.username}", "late"
    elif action.status == Status.TIMED_OUT:
        reason, verdict = "timed out", "late"
    else:
        reason, verdict = f"already ended with status {action.status}", "duplicate"
    return DeliveryRefused(
        f"This action {reason}; the delivery changed nothing",
        status=409,
        code="action_finished",
        verdict=verdict,
    )


# The upstream's result ----------------------------------------------------------------------


def _result_apply(*, action: Action, status: str, response: Any) -> None:
    now = timezone.now()
    # Claim the result with one conditional UPDATE: of concurrent duplicates exactly one gets
    # here, so outputs are stored once, before the status turns terminal for everyone to see.
    claimed = Action.objects.filter(
        pk=action.pk, status__in=ACTIVE_STATUSES, finished_at__isnull=True
    ).update(finished_at=now, last_heartbeat_at=now)
    if not claimed:
        action.refresh_from_db()
        raise _already_ended(action)
    try:
        _result_store(action=action, status=status, response=response, now=now)
    except Exception:
        # Let the upstream's retry through rather than leave the run claimed but unfinished.
        Action.objects.filter(pk=action.pk, status__in=ACTIVE_STATUSES).update(finished_at=None)
        raise


def _result_store(*, action: Action, status: str, response: Any, now: datetime) -> None:
    # A cancel or the reaper may still win in between; then the result is late after all.
    if status == Status.ERROR:
        if not action_fail(
            action=action, message=upstream_error_message(response), finished_at=now
        ):
            raise _already_ended(action)
        return
    stored = output_assets_store(action=action, response=response)
    # A run that reported progress shows it complete (one that never did stays without a bar).
    done = Case(
        When(progress__isnull=False, then=Value(100)),
        default=F("progress"),
        output_field=PositiveSmallIntegerField(),
    )
    if not action_transition(
        action=action,
        to=Status.SUCCESS,
        expected=ACTIVE_STATUSES,
        finished_at=now,
        response=stored,
        progress=done,
    ):
        raise _already_ended(action)
    action.log_system("The upstream reported success")


def action_callback_receive(*, action: Action, headers: Mapping[str, str], body: bytes) -> Action:
    """Check and apply an upstream's result; records the delivery, accepted or refused."""
    try:
        _authenticate_upstream(action=action, headers=headers, body=body)
        status, response = callback_parse(body)
        if action_expire_if_overdue(action):
            raise _already_ended(action)
        _result_apply(action=action, status=status, response=response)
    except DeliveryRefused as refusal:
        _delivery_record(action=action, kind="callback", body=body, refusal=refusal)
        raise
    _delivery_record(action=action, kind="callback", body=body)
    return action


# Log lines and progress ---------------------------------------------------------------------


def action_log_append(
    *, action: Action, entry: LogEntry, origin: str, user=None
) -> ActionLog | None:
    """Add a log line; any report while the run is active is a heartbeat (and its progress)."""
    now = timezone.now()
    fields: dict[str, Any] = {"last_heartbeat_at": now}
    if entry.progress is not None:
        fields["progress"] = entry.progress
    if entry.status_message is not None:
        fields["status_message"] = entry.status_message
    if Action.objects.filter(pk=action.pk, status__in=ACTIVE_STATUSES).update(**fields):
        for name, value in fields.items():
            setattr(action, name, value)
    if not entry.message:
        return None
    metadata = {
        key: value
        for key, value in (("progress", entry.progress), ("status_message", entry.status_message))
        if value is not None
    }
    return ActionLog.objects.create(
        action=action,
        level=entry.level,
        message=entry.message,
        origin=origin,
        user=user,
        metadata=metadata,
        created_at=now,
    )


def action_log_receive(
    *, action: Action, headers: Mapping[str, str], body: bytes
) -> ActionLog | None:
    """A log line from the upstream; refused (409) once the run has ended. Always recorded."""
    try:
        _authenticate_upstream(action=action, headers=headers, body=body)
        try:
            data = json_loads(body, whole="the log body")
        except InputError as exc:
            raise _malformed(
                exc.message if exc.code != "invalid_json" else "The log body is not valid JSON"
            ) from None
        entry = log_entry_parse(data)
        action_expire_if_overdue(action)
        if action.is_terminal:
            raise _already_ended(action)
        line = action_log_append(action=action, entry=entry, origin="upstream")
    except DeliveryRefused as refusal:
        _delivery_record(action=action, kind="log", body=body, refusal=refusal)
        raise
    _delivery_record(action=action, kind="log", body=body)
    return line


# Cancel -------------------------------------------------------------------------------------


def action_can_control(*, user, action: Action) -> bool:
    """May cancel the run and see what its upstream delivered: the caller, the route's owner
    and its organization's admins. Kept apart from who may *see* a run, which grows (readers
    of a post see the run pinned in it) while control must not."""
    return action_can_view(user=user, action=action)


def action_cancel(*, action: Action, user) -> bool:
    """End a queued or in-progress run as an error; False when it had already ended."""
    if not action_can_control(user=user, action=action):
        raise PermissionDenied("Only the caller, the route's owner or an admin may cancel a run")
    message = f"canceled by {user.username}"
    canceled = action_transition(
        action=action,
        to=Status.ERROR,
        expected=ACTIVE_STATUSES,
        canceled_by=user,
        error_message=message,
        response={"error": {"type": "canceled", "code": "action_canceled", "message": message}},
    )
    if canceled:
        action.log_system(f"Canceled by {user.username}", ActionLog.Level.WARNING, user=user)
    return canceled
