"""Which worker process holds a run, and two threads of that process: heartbeats and the reaper.

Each worker process (`manage.py run_huey`) takes a stable id when it starts: host:pid:start
time. Claiming a queued run records it (`Action.worker`) with a first heartbeat
(`Action.worker_seen_at`). While the process holds the run (until the upstream answers), a
thread of the process renews the heartbeat of every run it holds, every sixth of
WORKER_HEARTBEAT_TIMEOUT_SECONDS (10 s by default): one UPDATE, none while it holds nothing.

A second thread is the reaper. As often, it ends the runs held by a worker whose heartbeat is
older than the timeout ("the worker running it stopped", apps.actions.reaper); once a minute it
also sweeps every active run for its quiet window and hard limit. Both threads run beside the
worker threads, so a queue whose every worker waits on a slow upstream is still reaped; and
every worker process runs them, so a surviving or restarted worker ends the runs of one that
died. A sweep ends a run with a conditional UPDATE: many reapers end it once.

Nothing is started outside a worker process (web processes, tests running tasks inline): such
runs record no worker, and the quiet window is their deadline.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from apps.actions.models import Action, Status
from apps.actions.reaper import actions_sweep, actions_sweep_stopped_workers

log = logging.getLogger(__name__)

# How often the reaper also checks every active run's quiet window and hard limit.
FULL_SWEEP_SECONDS = 60


class WorkerProcess:
    """This worker process: its id and the runs it holds now."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        started = timezone.now().strftime("%Y%m%dT%H%M%S")
        self.worker_id = f"{socket.gethostname()}:{self.pid}:{started}"
        self.held: set = set()
        self.lock = threading.Lock()


_process: WorkerProcess | None = None
_start_lock = threading.Lock()


def heartbeat_interval() -> float:
    """Seconds between two heartbeats (and two checks for stopped workers)."""
    return settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS / 6


def worker_liveness_start() -> str:
    """Start this worker process's heartbeat and reaper threads, once; returns its worker id.

    Called by every worker thread as it starts (a huey start-up hook), so a forked worker
    process starts its own."""
    global _process
    with _start_lock:
        if _current() is None:
            process = _process = WorkerProcess()
            loops = (("ouro-heartbeat", _heartbeat_loop), ("ouro-reaper", _reaper_loop))
            for name, loop in loops:
                threading.Thread(target=loop, args=(process,), name=name, daemon=True).start()
            log.info("Worker %s: heartbeats and the reaper are running", process.worker_id)
        return _process.worker_id


def _current() -> WorkerProcess | None:
    process = _process
    return process if process is not None and process.pid == os.getpid() else None


def worker_claim_fields() -> dict:
    """What a claim writes with the status: this worker's id and a first heartbeat; nothing
    outside a worker process."""
    process = _current()
    if process is None:
        return {}
    return {"worker": process.worker_id, "worker_seen_at": timezone.now()}


@contextmanager
def worker_holding(action_id) -> Iterator[None]:
    """While the block runs, this process's heartbeats renew the run's."""
    process = _current()
    if process is None:
        yield
        return
    with process.lock:
        process.held.add(action_id)
    try:
        yield
    finally:
        with process.lock:
            process.held.discard(action_id)


def worker_heartbeat(process: WorkerProcess, now: datetime | None = None) -> int:
    """Renew the heartbeat of every run the process holds; how many rows were renewed.

    A run the upstream acknowledged (its heartbeat cleared) or that ended is left alone."""
    with process.lock:
        held = list(process.held)
    if not held:
        return 0
    return Action.objects.filter(
        pk__in=held,
        worker=process.worker_id,
        status=Status.IN_PROGRESS,
        worker_seen_at__isnull=False,
    ).update(worker_seen_at=now or timezone.now())


def _heartbeat_loop(process: WorkerProcess) -> None:
    _every(heartbeat_interval, lambda: worker_heartbeat(process))


def _reaper_loop(process: WorkerProcess) -> None:
    last_full = None

    def sweep() -> None:
        nonlocal last_full
        if last_full is None or time.monotonic() - last_full >= FULL_SWEEP_SECONDS:
            last_full = time.monotonic()
            ended = actions_sweep(alive_worker=process.worker_id)
        else:
            ended = actions_sweep_stopped_workers(alive_worker=process.worker_id)
        if ended:
            log.info("The reaper ended %d run%s", ended, "" if ended == 1 else "s")

    _every(heartbeat_interval, sweep)


def _every(seconds: Callable[[], float], step: Callable[[], object]) -> None:
    """Run `step` every `seconds()` for the life of the process, whatever it raises."""
    while True:
        began = time.monotonic()
        try:
            close_old_connections()  # like a request: a broken connection is not reused
            step()
        except Exception:
            log.exception("%s failed; trying again", threading.current_thread().name)
            connection.close()
        time.sleep(max(0.0, seconds() - (time.monotonic() - began)))
