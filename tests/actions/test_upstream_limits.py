"""Faulty and slow upstreams: every call has a total deadline, and one service's calls in flight
are bounded per process, so neither can take every web thread or worker.

The upstreams are real loopback servers: the demo's /drip promises 100 kB and sends a byte every
0.5 s (each well within the read timeout), /slow answers after a while.
"""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import close_old_connections, connection

from apps.actions.models import Action, Status
from apps.actions.services import route_run
from apps.routes.models import ExecutionMode

DRIP = [
    {"name": "bytes", "in": "query", "schema": {"type": "integer"}},
    {"name": "interval", "in": "query", "schema": {"type": "number"}},
]
DRIPPING = {"bytes": 100_000, "interval": 0.5}
ROOT = Path(__file__).resolve().parents[2]
SECONDS = [{"name": "seconds", "in": "query", "schema": {"type": "number"}}]
ROUTE_LIMIT = "took longer than the 2 s total limit (the route's total timeout)"


def use(api, key, route, config=None, **extra):
    path = f"/services/{route.service_id}/routes/{route.pk}/use"
    return api(key).post(path, {"config": config or {}}, **extra)


@pytest.fixture
def drip_route(make_route):
    return make_route("GET", "/drip", name="drip", parameters=DRIP, total_timeout_seconds=2)


# The total deadline ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dripping_upstream_ends_a_sync_run_at_the_routes_total_timeout(
    api, alice_key, drip_route
):
    started = time.monotonic()
    response = use(api, alice_key, drip_route, {"query": DRIPPING})
    assert time.monotonic() - started < 3.5  # the run's 2 s, and a first request's set-up
    assert response.status_code == 502
    body = response.json()
    assert ROUTE_LIMIT in body["error"]["message"]
    assert body["action"]["status"] == "error"
    action = Action.objects.get()
    assert action.status == Status.ERROR and ROUTE_LIMIT in action.error_message
    assert action.response["error"]["type"] == "external_service_error"
    assert (action.finished_at - action.started_at).total_seconds() < 2.5


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["queued", "async route"])
def test_a_dripping_upstream_ends_a_queued_run_at_the_routes_total_timeout(
    make_route, alice, mode, django_capture_on_commit_callbacks
):
    route = make_route(
        "GET",
        "/drip",
        name="drip",
        parameters=DRIP,
        total_timeout_seconds=2,
        execution_mode=ExecutionMode.ASYNC if mode == "async route" else ExecutionMode.SYNC,
    )
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # the queue runs it inline here
        action = route_run(route=route, user=alice, inputs={"query": DRIPPING}, prefer_async=True)
    assert time.monotonic() - started < 3
    action.refresh_from_db()
    assert action.status == Status.ERROR
    assert ROUTE_LIMIT in action.error_message, action.error_message


@pytest.mark.django_db
def test_without_a_route_limit_the_servers_holds_and_a_route_cannot_raise_it(
    make_route, alice, settings
):
    settings.UPSTREAM_TOTAL_TIMEOUT = 1
    for limit in (None, 30):
        route = make_route(
            "GET", "/drip", name=f"drip-{limit}", parameters=DRIP, total_timeout_seconds=limit
        )
        started = time.monotonic()
        action = route_run(route=route, user=alice, inputs={"query": DRIPPING})
        assert time.monotonic() - started < 2
        assert action.status == Status.ERROR
        assert "took longer than the 1 s total limit (UPSTREAM_TOTAL_TIMEOUT)" in (
            action.error_message
        )


# Calls in flight per service ----------------------------------------------------------------


def _in_flight(route, user, seconds: float) -> threading.Thread:
    """A sync run of the slow route on a thread of its own (as a web request would), started
    and seen in progress before this returns."""

    def run():
        try:
            route_run(route=route, user=user, inputs={"query": {"seconds": seconds}})
        finally:
            close_old_connections()

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 5
    while not Action.objects.filter(route=route, status=Status.IN_PROGRESS).exists():
        assert time.monotonic() < deadline, "the slow run did not start"
        time.sleep(0.02)
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_sync_run_over_the_services_limit_answers_429_and_records_nothing(
    api, alice_key, alice, make_service, make_route, settings
):
    settings.UPSTREAM_MAX_CONCURRENCY_PER_SERVICE = 1
    service = make_service()
    slow = make_route("GET", "/slow", name="slow", service=service, parameters=SECONDS)
    hello = make_route("GET", "/hello", name="hello", service=service)
    elsewhere = make_route("GET", "/hello", name="hello", service=make_service(name="Other"))
    holder = _in_flight(slow, alice, seconds=1.5)
    try:
        refused = use(api, alice_key, hello)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "2"
        error = refused.json()["error"]
        assert error["code"] == "upstream_busy" and error["status"] == 429
        assert "UPSTREAM_MAX_CONCURRENCY_PER_SERVICE" in error["message"]
        assert not Action.objects.filter(route=hello).exists()  # nothing recorded or charged
        # Another service's upstream is not held up by this one's.
        assert use(api, alice_key, elsewhere).status_code == 200
    finally:
        holder.join(10)
    assert Action.objects.get(route=slow).status == Status.SUCCESS
    assert use(api, alice_key, hello).status_code == 200  # its place is free again


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test database is a file (tests/conftest.py)
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path, settings):
    """A real `run_huey` process with two worker threads, its service limit 1, on the test's
    database and a queue of its own (Redis at TEST_REDIS_URL on PostgreSQL, else the SQLite
    queue file), which this process hands runs to. Yields the process."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage, SqliteStorage

    name = f"ouro-limits-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DATABASE_URL=_database_url(),
        HUEY_NAME=name,
        TASKS_EAGER="false",
        UPSTREAM_ALLOW_PRIVATE_IPS="true",
        UPSTREAM_MAX_CONCURRENCY_PER_SERVICE="1",
        PYTHONUNBUFFERED="1",
    )
    redis_url = os.environ.get("TEST_REDIS_URL") if connection.vendor != "sqlite" else ""
    if redis_url:
        env["REDIS_URL"] = redis_url
        storage = RedisStorage(name, url=redis_url)
    else:
        storage = SqliteStorage(name, filename=settings.HUEY["filename"])
    saved = HUEY.storage
    HUEY.immediate = False  # (which replaces the storage: set it after)
    HUEY.storage = storage
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    command = [sys.executable, str(ROOT / "manage.py"), "run_huey", "-w", "2", "-k", "thread"]
    process = subprocess.Popen(
        [*command, "--no-periodic"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.log = tmp_path / "worker.log"
    try:
        yield process
    finally:
        HUEY.storage = saved
        HUEY.immediate = True
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        storage.flush_queue()
        storage.flush_schedule()


def _wait_for(action, statuses, seconds: float, worker) -> Action:
    deadline = time.monotonic() + seconds
    while True:
        action.refresh_from_db()
        if action.status in statuses or time.monotonic() > deadline:
            return action
        assert worker.poll() is None, worker.log.read_text()[-3000:]
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_over_the_limit_waits_in_the_queue_without_holding_a_worker(
    alice, make_service, make_route, worker
):
    service = make_service()
    slow = make_route("GET", "/slow", name="slow", service=service, parameters=SECONDS)
    hello = make_route("GET", "/hello", name="hello", service=service)
    elsewhere = make_route("GET", "/hello", name="hello", service=make_service(name="Other"))
    held = route_run(route=slow, user=alice, inputs={"query": {"seconds": 3}}, prefer_async=True)
    held = _wait_for(held, (Status.IN_PROGRESS,), 60, worker)  # the worker has started
    assert held.status == Status.IN_PROGRESS, worker.log.read_text()[-3000:]
    waiting = route_run(route=hello, user=alice, inputs={}, prefer_async=True)
    time.sleep(0.5)  # a worker thread has taken it, found no place and handed it back
    # The other worker thread is free: another service's run goes ahead of the waiting one,
    # while the slow run still holds its service's one place.
    other = route_run(route=elsewhere, user=alice, inputs={}, prefer_async=True)
    assert _wait_for(other, (Status.SUCCESS,), 1.5, worker).status == Status.SUCCESS
    waiting.refresh_from_db()
    assert (waiting.status, waiting.started_at) == (Status.QUEUED, None)
    assert Action.objects.get(pk=held.pk).status == Status.IN_PROGRESS
    # Once the slow run has ended, the waiting one is taken up again and succeeds.
    waiting = _wait_for(waiting, (Status.SUCCESS, Status.ERROR), 8, worker)
    assert waiting.status == Status.SUCCESS, waiting.error_message
    assert waiting.response == {"message": "Hello, world!"}
    assert waiting.started_at > Action.objects.get(pk=held.pk).finished_at
