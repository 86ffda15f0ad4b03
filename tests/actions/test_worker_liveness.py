"""Liveness of workers and runs: a run held by a worker records which worker and its heartbeat;
the reaper, a thread of every worker process, ends a run whose worker stopped with a reason
that says so and releases its charge, even while every worker thread waits on an upstream.

The rule and the sweeps are tested in this process; the rest with real `run_huey` processes on
the test's database (SQLite, or PostgreSQL with Redis where TEST_REDIS_URL is set), one of them
killed with SIGKILL while its upstream is slow.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

from apps.accounts.services import personal_org
from apps.actions.models import Action, ActionLog, Status
from apps.actions.reaper import (
    actions_sweep,
    actions_sweep_stopped_workers,
    worker_stopped_reason,
)
from apps.actions.services import route_run
from apps.billing.models import UsageRecord, Wallet
from apps.billing.services import run_price, usage_reserve, wallet_adjust
from apps.routes.models import ExecutionMode

ROOT = Path(__file__).resolve().parents[2]
STOPPED = "the worker running it stopped"
PER_CALL = {"model": "per_call", "unit_cost": 0.05, "currency": "usd"}
# The worker processes' heartbeat timeout in these tests (they beat every half second).
TIMEOUT = 3
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def wallet(user) -> tuple[int, int]:
    row = Wallet.objects.get(user=user)
    return row.available_cents, row.escrowed_cents


def held_run(route, user, *, seen_ago: float | None, worker="gone-host:4242:20260101T000000"):
    """A run a worker claimed, as the claim writes it, its last heartbeat `seen_ago` seconds
    ago (None: no worker holds it, as after the upstream's 202)."""
    now = timezone.now()
    org = personal_org()
    return Action.objects.create(
        route=route,
        user=user,
        org=org,
        team=org.default_team,
        status=Status.IN_PROGRESS,
        started_at=now - timedelta(seconds=90),
        worker=worker,
        worker_seen_at=None if seen_ago is None else now - timedelta(seconds=seen_ago),
    )


class TestTheRule:
    def rule(self, now, **values):
        return worker_stopped_reason(
            **{
                "now": now,
                "status": Status.IN_PROGRESS,
                "worker_seen_at": T0,
                "heartbeat_timeout_seconds": 60,
                **values,
            }
        )

    def test_a_run_whose_worker_beat_within_the_timeout_is_alive(self):
        assert self.rule(T0 + timedelta(seconds=60)) is None

    def test_a_run_whose_worker_went_silent_has_stopped_with_a_reason_and_a_hint(self):
        reason = self.rule(T0 + timedelta(seconds=61))
        assert STOPPED in reason
        assert "no heartbeat from it for 1 minute" in reason
        assert "Nothing was charged" in reason and "run it again" in reason
        assert "No word from the upstream" not in reason

    def test_a_run_no_worker_holds_is_judged_by_its_quiet_window_only(self):
        assert self.rule(T0 + timedelta(days=1), worker_seen_at=None) is None

    def test_queued_and_finished_runs_are_not_held(self):
        for status in (Status.QUEUED, Status.SUCCESS, Status.ERROR, Status.TIMED_OUT):
            assert self.rule(T0 + timedelta(days=1), status=status) is None


@pytest.mark.django_db
class TestTheSweeps:
    def test_a_run_whose_worker_stopped_ends_as_an_error_and_its_charge_is_released(
        self, make_route, alice, bob
    ):
        route = make_route("GET", "/hello", pricing=PER_CALL)
        wallet_adjust(user=bob, cents=100, note="test funds")
        # As route_run records a paid run, then a worker's claim: its price held.
        action = held_run(route, bob, seen_ago=120)
        Action.objects.filter(pk=action.pk).update(paid=True)
        action.refresh_from_db()
        usage_reserve(action=action, route=route, price=run_price(route=route, user=bob))
        assert wallet(bob) == (95, 5)
        assert actions_sweep_stopped_workers() == 1
        action.refresh_from_db()
        assert action.status == Status.ERROR and STOPPED in action.error_message
        assert wallet(bob) == (100, 0)
        assert UsageRecord.objects.get(action=action).status == "released"
        call_command("billing_audit", stdout=StringIO())

    def test_the_sweeps_end_stale_held_runs_only(self, make_route, alice, bob, settings):
        settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS = 60
        route = make_route("GET", "/hello")
        stale = held_run(route, bob, seen_ago=61)
        fresh = held_run(route, bob, seen_ago=5)
        waiting = held_run(route, bob, seen_ago=None)  # acknowledged: waits for its callback
        assert actions_sweep_stopped_workers() == 1
        assert actions_sweep() == 0
        for action in (stale, fresh, waiting):
            action.refresh_from_db()
        assert stale.status == Status.ERROR
        assert STOPPED in stale.error_message
        assert stale.response["error"]["code"] == "worker_stopped"
        assert STOPPED in ActionLog.objects.get(action=stale, origin="system").message
        assert (fresh.status, waiting.status) == (Status.IN_PROGRESS, Status.IN_PROGRESS)

    def test_the_full_sweep_ends_them_too_but_never_the_calling_workers_own(
        self, make_route, alice
    ):
        route = make_route("GET", "/hello")
        mine = held_run(route, alice, seen_ago=600, worker="here:1:20260101T000000")
        theirs = held_run(route, alice, seen_ago=600)
        assert actions_sweep(alive_worker="here:1:20260101T000000") == 1
        assert actions_sweep_stopped_workers(alive_worker="here:1:20260101T000000") == 0
        mine.refresh_from_db()
        theirs.refresh_from_db()
        assert (mine.status, theirs.status) == (Status.IN_PROGRESS, Status.ERROR)

    def test_a_status_poll_ends_a_run_whose_worker_stopped(self, make_route, alice, alice_key, api):
        action = held_run(make_route("GET", "/hello"), alice, seen_ago=3600)
        answer = api(alice_key).get(f"/actions/{action.id}")
        assert answer.status_code == 200
        assert answer.json()["data"]["status"] == Status.ERROR
        action.refresh_from_db()
        assert STOPPED in action.error_message

    def test_the_sweep_command_ends_them(self, make_route, alice):
        action = held_run(make_route("GET", "/hello"), alice, seen_ago=3600)
        out = StringIO()
        call_command("sweep_actions", stdout=out)
        assert "Ended 1 action" in out.getvalue()
        action.refresh_from_db()
        assert action.status == Status.ERROR and STOPPED in action.error_message


# Real worker processes ---------------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test database is a file (tests/conftest.py)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """`run_huey` processes on the test's database and a queue of this test's own, which this
    process hands runs to."""

    def __init__(self, tmp_path: Path):
        self.name = f"ouro-liveness-{uuid.uuid4().hex[:8]}"
        self.redis_url = os.environ.get("TEST_REDIS_URL") if connection.vendor != "sqlite" else ""
        self.logs = tmp_path
        self.processes: list[subprocess.Popen] = []
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        self.env = {
            **env,
            "DATABASE_URL": _database_url(),
            "HUEY_NAME": self.name,
            "TASKS_EAGER": "false",
            "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
            "WORKER_HEARTBEAT_TIMEOUT_SECONDS": str(TIMEOUT),
            "PYTHONUNBUFFERED": "1",
        }
        if self.redis_url:
            self.env["REDIS_URL"] = self.redis_url
            self.storage = RedisStorage(self.name, url=self.redis_url)
        else:
            from django.conf import settings

            self.storage = SqliteStorage(self.name, filename=settings.HUEY["filename"])

    def start(self, threads: int = 2) -> subprocess.Popen:
        log = open(self.logs / f"worker-{len(self.processes)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "run_huey",
                "-w",
                str(threads),
                "-k",
                "thread",
                "--no-periodic",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log_path = log.name
        self.processes.append(process)
        return process

    def output(self) -> str:
        return "\n".join(Path(p.log_path).read_text()[-3000:] for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.storage.flush_queue()


@pytest.fixture
def workers(tmp_path, settings):
    settings.WORKER_HEARTBEAT_TIMEOUT_SECONDS = TIMEOUT
    pool = Workers(tmp_path)
    saved = HUEY.storage
    HUEY.immediate = False  # (which replaces the storage: set it after)
    HUEY.storage = pool.storage  # runs go to the workers' queue
    try:
        yield pool
    finally:
        HUEY.storage = saved
        HUEY.immediate = True
        pool.stop()


def wait_for(check, *, seconds: float, workers: Workers, what: str):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        alive = [p for p in workers.processes if p.poll() is None]
        assert alive, f"every worker exited:\n{workers.output()}"
        assert time.monotonic() < deadline, f"{what} within {seconds} s:\n{workers.output()}"
        time.sleep(0.1)


def _worker_pid(action: Action) -> int:
    return int(action.worker.rsplit(":", 2)[1])


live = pytest.mark.django_db(transaction=True)


@live
def test_a_worker_killed_mid_run_has_its_run_ended_by_the_reaper_and_nothing_charged(
    workers, recorder, make_route, make_service, alice, bob
):
    service = make_service(base_url=recorder.url)
    slow = make_route("GET", "/sleep/120", service=service, name="slow", pricing=PER_CALL)
    jobs = make_route("POST", "/accept", service=service, execution_mode=ExecutionMode.ASYNC)
    wallet_adjust(user=bob, cents=100, note="test funds")
    first = workers.start(threads=2)
    held = route_run(route=slow, user=bob, inputs={}, source="test", prefer_async=True)
    waiting = route_run(route=jobs, user=bob, inputs={"body": {}}, source="test")
    assert wallet(bob) == (95, 5)

    def both_reached_the_upstream():
        return (
            recorder.for_action(held.pk)
            and Action.objects.filter(pk=waiting.pk, ack_at__isnull=False).exists()
        )

    wait_for(both_reached_the_upstream, seconds=60, workers=workers, what="runs started")
    held.refresh_from_db()
    waiting.refresh_from_db()
    # The claim recorded the worker process and its heartbeat; the acknowledged run no longer
    # has a worker holding it.
    assert held.status == Status.IN_PROGRESS
    assert _worker_pid(held) == first.pid and held.worker_seen_at is not None
    assert waiting.status == Status.IN_PROGRESS
    assert waiting.worker == held.worker and waiting.worker_seen_at is None

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    workers.start(threads=1)  # the worker restarted (or another one): its reaper ends the run
    ended = wait_for(
        lambda: Action.objects.filter(pk=held.pk).exclude(status=Status.IN_PROGRESS).first(),
        seconds=60,
        workers=workers,
        what="the killed worker's run ended",
    )
    assert ended.status == Status.ERROR
    assert STOPPED in ended.error_message and "run it again" in ended.error_message
    assert "No word from the upstream" not in ended.error_message
    assert ended.response["error"]["code"] == "worker_stopped"
    assert ended.finished_at - ended.worker_seen_at > timedelta(seconds=TIMEOUT)
    assert ActionLog.objects.filter(action=ended, message=ended.error_message).exists()
    # Nothing charged: the hold is back, and the books balance.
    assert wallet(bob) == (100, 0)
    assert UsageRecord.objects.get(action=ended).status == "released"
    call_command("billing_audit", stdout=StringIO())
    # The run waiting for its callback keeps its quiet window.
    assert actions_sweep() == 0
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_PROGRESS
    assert len(recorder.for_action(held.pk)) == 1


@live
def test_the_reaper_runs_while_every_worker_thread_waits_and_heartbeats_keep_live_runs(
    workers, recorder, make_route, make_service, alice
):
    slow = make_route("GET", "/sleep/8", service=make_service(base_url=recorder.url))
    workers.start(threads=1)
    busy = route_run(route=slow, user=alice, inputs={}, source="test", prefer_async=True)
    wait_for(
        lambda: recorder.for_action(busy.pk), seconds=60, workers=workers, what="the run started"
    )
    # A run claimed by a worker process that is gone, while the only worker thread is busy.
    gone = held_run(slow, alice, seen_ago=60)

    def gone_ended():
        gone.refresh_from_db()
        return gone.status != Status.IN_PROGRESS

    wait_for(gone_ended, seconds=10, workers=workers, what="the reaper ended the orphan")
    assert Action.objects.get(pk=busy.pk).status == Status.IN_PROGRESS
    assert gone.status == Status.ERROR and STOPPED in gone.error_message
    # The live run's heartbeats hold it past the timeout, seen from another process's sweeps.
    while Action.objects.filter(pk=busy.pk, status=Status.IN_PROGRESS).exists():
        assert actions_sweep_stopped_workers() == 0
        assert actions_sweep() == 0
        time.sleep(0.5)
    busy.refresh_from_db()
    assert busy.status == Status.SUCCESS, busy.error_message
    assert busy.worker_seen_at - busy.started_at > timedelta(seconds=TIMEOUT)
