"""The census of bench/load.py, small and untimed: many runs at once through a real deployment
(gunicorn on PostgreSQL + Redis, two `run_huey` worker processes), half sync and half async
with callbacks, then: every run answered is recorded once, none is left running, each reached
the upstream exactly once, and the books balance. Then paid runs at once with funds for a
quarter of them: exactly that many are charged, the rest refused with 402, never below zero.

Runs only where DATABASE_URL is PostgreSQL and TEST_REDIS_URL is set (CI's PostgreSQL run).
"""

import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from django.db import connection

from apps.accounts.services import api_key_create
from apps.actions.models import ACTIVE_STATUSES, Action, Status
from apps.billing.models import UsageRecord, UsageStatus, Wallet
from apps.billing.selectors import ledger_discrepancies
from apps.billing.services import wallet_adjust
from apps.routes.models import ExecutionMode
from examples.demo_upstream.app import Handler

ROOT = Path(__file__).resolve().parents[2]
RUNS = 200
CONCURRENCY = 16
PAID = 40
DEADLINE_SECONDS = 180

pytestmark = pytest.mark.django_db(transaction=True)


class CountingUpstream:
    """The demo upstream, counting the requests it receives per ouro-action-id."""

    def __init__(self):
        self.counts: collections.Counter = collections.Counter()
        lock, counts = threading.Lock(), self.counts

        class Counting(Handler):
            def log_message(self, format, *args):  # noqa: A002
                pass

            def _count(self):
                if action_id := self.headers.get("ouro-action-id"):
                    with lock:
                        counts[action_id] += 1

            def do_GET(self):  # noqa: N802
                self._count()
                return super().do_GET()

            def do_POST(self):  # noqa: N802
                self._count()
                return super().do_POST()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Counting)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def upstream():
    counting = CountingUpstream()
    yield counting
    counting.server.shutdown()
    counting.server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def deployment():
    """gunicorn and two queue workers on the test database and Redis: the site's URL."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("needs DATABASE_URL on PostgreSQL and TEST_REDIS_URL (CI's PostgreSQL run)")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    site = f"http://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        "REDIS_URL": redis_url,
        "HUEY_NAME": f"ouro-census-{uuid.uuid4().hex[:8]}",
        "SITE_URL": site,
        "TASKS_EAGER": "false",
        "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
        "API_RATE_LIMIT": str(10**9),
        "UPSTREAM_MAX_CONCURRENCY_PER_SERVICE": "100",
        "LOG_LEVEL": "ERROR",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    web = [gunicorn, "ouro_site.wsgi", "-b", site.removeprefix("http://"), "-w", "1"]
    processes = [
        subprocess.Popen(
            [*web, "-k", "gthread", "--threads", "16", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        ),
        *(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_huey", "--no-periodic", "-q"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
            )
            for _ in range(2)
        ),
    ]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{site}/api/user", timeout=2)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "gunicorn did not start"
                assert all(p.poll() is None for p in processes), "a process exited"
                time.sleep(0.2)
        yield site
    finally:
        for process in processes:
            _stop(process)


def use(site: str, route, key: str, config: dict) -> tuple[int, str | None]:
    answer = requests.post(
        f"{site}/api/services/{route.service_id}/routes/{route.pk}/use",
        json={"config": config},
        headers={"Authorization": key},
        timeout=60,
    )
    return answer.status_code, (answer.json().get("action") or {}).get("id")


def settled(routes, count: int) -> list[Action]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    runs = Action.objects.filter(route__in=routes)
    while runs.filter(status__in=ACTIVE_STATUSES).exists() or runs.count() < count:
        assert time.monotonic() < deadline, "runs were left unfinished"
        time.sleep(0.5)
    return list(runs)


def test_runs_at_once_are_each_recorded_ended_and_sent_once(
    deployment, upstream, make_route, make_service, bob
):
    service = make_service(base_url=upstream.url)
    hello = make_route("GET", "/hello", service=service, name="hello")
    jobs = make_route(
        "POST", "/jobs", service=service, name="jobs", execution_mode=ExecutionMode.ASYNC
    )
    key = api_key_create(user=bob, name="census")[1]
    calls = [
        (hello, {}) if i % 2 == 0 else (jobs, {"body": {"steps": 1, "delay": 0}})
        for i in range(RUNS)
    ]
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        answers = list(pool.map(lambda call: use(deployment, call[0], key, call[1]), calls))

    assert {status for status, _ in answers} <= {200, 202}, collections.Counter(answers)
    answered = [action_id for _, action_id in answers]
    runs = settled([hello, jobs], RUNS)
    assert sorted(str(run.pk) for run in runs) == sorted(answered)  # none lost, none extra
    assert collections.Counter(run.status for run in runs) == {Status.SUCCESS: RUNS}
    assert sorted(upstream.counts) == sorted(answered)
    assert set(upstream.counts.values()) == {1}, "a run reached the upstream more than once"
    assert ledger_discrepancies() == []


def test_paid_runs_at_once_spend_exactly_the_funds(
    deployment, upstream, make_route, make_service, bob
):
    service = make_service(base_url=upstream.url)
    paid = make_route(
        "GET",
        "/hello",
        service=service,
        name="paid",
        pricing={"model": "per_call", "unit_cost": 0.01, "currency": "usd"},
    )
    funded = PAID // 4
    wallet_adjust(user=bob, cents=funded, note="test funds")
    key = api_key_create(user=bob, name="census")[1]
    lowest, sampling = [funded], threading.Event()

    def sample():
        while not sampling.is_set():
            available = Wallet.objects.values_list("available_cents", flat=True).get(user=bob)
            lowest[0] = min(lowest[0], available)
            time.sleep(0.01)
        connection.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = threading.Barrier(PAID)

    def one(_):
        start.wait()
        return use(deployment, paid, key, {})

    try:
        with ThreadPoolExecutor(max_workers=PAID) as pool:
            answers = list(pool.map(one, range(PAID)))
    finally:
        sampling.set()
        sampler.join()

    statuses = collections.Counter(status for status, _ in answers)
    assert statuses == {200: funded, 402: PAID - funded}
    assert lowest[0] >= 0
    wallet = Wallet.objects.get(user=bob)
    assert (wallet.available_cents, wallet.escrowed_cents) == (0, 0)
    assert UsageRecord.objects.filter(status=UsageStatus.CONFIRMED).count() == funded
    assert UsageRecord.objects.filter(status=UsageStatus.RESERVED).count() == 0
    charged = {action_id for status, action_id in answers if status == 200}
    assert set(upstream.counts) == charged  # the refused ones were never sent
    assert ledger_discrepancies() == []
