"""Ending runs that went silent or ran too long, as `timed-out`.

`overdue_reason` is the rule (pure, with the clock passed in). The periodic sweep and the
status views apply the same rule, so a page never shows a run past its deadline as running.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from apps.actions.models import ACTIVE_STATUSES, Action, ActionLog, Status
from apps.actions.transitions import action_transition


def duration_text(seconds: int) -> str:
    """A window as a person reads it: "45 minutes", "24 hours", "90 seconds"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def overdue_reason(
    *,
    now: datetime,
    status: str,
    created_at: datetime,
    started_at: datetime | None,
    ack_at: datetime | None,
    last_heartbeat_at: datetime | None,
    quiet_window_seconds: int,
    hard_timeout_seconds: int,
) -> str | None:
    """Why an active run is past its deadline, or None while it may still finish.

    The quiet window counts from the last sign of life (a log line, progress, the upstream's
    acknowledgement, the start, or the creation); the hard cap counts from the creation.
    """
    if status not in ACTIVE_STATUSES:
        return None
    if now - created_at > timedelta(seconds=hard_timeout_seconds):
        limit = duration_text(hard_timeout_seconds)
        return (
            f"The run took longer than this route's limit of {limit}, so it was ended as timed "
            "out. A result that arrives later is not accepted."
        )
    last_sign_of_life = max(t for t in (created_at, started_at, ack_at, last_heartbeat_at) if t)
    if now - last_sign_of_life > timedelta(seconds=quiet_window_seconds):
        window = duration_text(quiet_window_seconds)
        return (
            f"No word from the upstream for {window} (this route's quiet window), so the run "
            f"was ended as timed out. A long job should post a log line or its progress at "
            f"least every {window}; a result that arrives later is not accepted."
        )
    return None


def action_time_out(*, action: Action, reason: str, now: datetime) -> bool:
    """End an active run as timed out; False when it already ended some other way."""
    ended = action_transition(
        action=action,
        to=Status.TIMED_OUT,
        expected=ACTIVE_STATUSES,
        finished_at=now,
        error_message=reason,
        response={"error": {"type": "timeout", "code": "action_timed_out", "message": reason}},
    )
    if ended:
        action.log_system(reason, level=ActionLog.Level.ERROR)
    return ended


def action_expire_if_overdue(action: Action, now: datetime | None = None) -> bool:
    """Time the run out if its deadline has passed; True when this call ended it."""
    if action.is_terminal:
        return False
    now = now or timezone.now()
    route = action.route
    reason = overdue_reason(
        now=now,
        status=action.status,
        created_at=action.created_at,
        started_at=action.started_at,
        ack_at=action.ack_at,
        last_heartbeat_at=action.last_heartbeat_at,
        quiet_window_seconds=route.quiet_window_seconds,
        hard_timeout_seconds=route.hard_timeout_seconds,
    )
    if reason is None:
        return False
    return action_time_out(action=action, reason=reason, now=now)


def actions_sweep(*, now: datetime | None = None) -> int:
    """Time out every active run past its deadline; returns how many were ended."""
    now = now or timezone.now()
    # Read the (few) active runs first, then write: no cursor stays open across the updates.
    active = list(Action.objects.active().select_related("route").order_by("created_at"))
    return sum(action_expire_if_overdue(action, now=now) for action in active)
