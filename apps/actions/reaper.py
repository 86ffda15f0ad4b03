"""Ending runs that went silent or ran too long (`timed-out`), or whose worker stopped (`error`).

`worker_stopped_reason` and `overdue_reason` are the rules (pure, with the clock passed in).
The sweeps (run by a thread of every worker process, apps.actions.liveness, and by
`manage.py sweep_actions`) and the status views apply the same rules, so a page never shows a
run past its deadline, or one whose worker is gone, as running.
"""

from datetime import datetime, timedelta

from django.conf import settings
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


def worker_stopped_reason(
    *,
    now: datetime,
    status: str,
    worker_seen_at: datetime | None,
    heartbeat_timeout_seconds: int,
) -> str | None:
    """Why a run held by a worker process is over because that process stopped, or None.

    A worker renews `worker_seen_at` of the runs it holds every few seconds; it is None when no
    worker holds the run (still queued, run by a web process, or acknowledged by the upstream
    and waiting for its callback: the quiet window applies to those).
    """
    if status != Status.IN_PROGRESS or worker_seen_at is None:
        return None
    if now - worker_seen_at <= timedelta(seconds=heartbeat_timeout_seconds):
        return None
    window = duration_text(heartbeat_timeout_seconds)
    return (
        f"This run was ended because the worker running it stopped (no heartbeat from it for "
        f"{window}) before the upstream answered. Nothing was charged for it; run it again."
    )


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


def action_worker_stopped(*, action: Action, reason: str, now: datetime) -> bool:
    """End a run whose worker stopped as an error (any charge held for it is released); False
    when it already ended some other way."""
    ended = action_transition(
        action=action,
        to=Status.ERROR,
        expected=(Status.IN_PROGRESS,),
        finished_at=now,
        error_message=reason,
        response={"error": {"type": "worker", "code": "worker_stopped", "message": reason}},
    )
    if ended:
        action.log_system(reason, level=ActionLog.Level.ERROR)
    return ended


def action_expire_if_overdue(
    action: Action, now: datetime | None = None, *, alive_worker: str | None = None
) -> bool:
    """End the run if its worker stopped or its deadline has passed; True when this call
    ended it. `alive_worker`: the id of the worker process calling, whose runs are not judged
    by their heartbeat (it is evidently running)."""
    if action.is_terminal:
        return False
    now = now or timezone.now()
    if not alive_worker or action.worker != alive_worker:
        stopped = worker_stopped_reason(
            now=now,
            status=action.status,
            worker_seen_at=action.worker_seen_at,
            heartbeat_timeout_seconds=settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS,
        )
        if stopped is not None:
            return action_worker_stopped(action=action, reason=stopped, now=now)
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


def actions_sweep(*, now: datetime | None = None, alive_worker: str | None = None) -> int:
    """End every active run past its deadline or whose worker stopped; how many were ended."""
    now = now or timezone.now()
    # Read the (few) active runs first, then write: no cursor stays open across the updates.
    active = list(Action.objects.active().select_related("route").order_by("created_at"))
    return sum(
        action_expire_if_overdue(action, now=now, alive_worker=alive_worker) for action in active
    )


def actions_sweep_stopped_workers(
    *, now: datetime | None = None, alive_worker: str | None = None
) -> int:
    """End every run held by a worker whose heartbeat stopped; how many were ended.

    The cheap part of the sweep, run every few seconds: one indexed read of the in-progress
    runs whose heartbeat is older than WORKER_HEARTBEAT_TIMEOUT_SECONDS (usually none)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS)
    stale = Action.objects.filter(status=Status.IN_PROGRESS, worker_seen_at__lt=cutoff)
    if alive_worker:
        stale = stale.exclude(worker=alive_worker)
    found = list(stale.order_by("created_at"))
    return sum(
        action_expire_if_overdue(action, now=now, alive_worker=alive_worker) for action in found
    )
