"""Scale-out: PostgreSQL + Redis with two real `run_huey` worker processes on one queue.

Many actions are enqueued (each one twice, as a redelivered task would be); the upstream
counts the requests it receives per ouro-action-id. Every action must reach the upstream
exactly once and end `success`: none runs twice, none is lost.

Runs only where DATABASE_URL is PostgreSQL and TEST_REDIS_URL is set (CI's PostgreSQL run).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from apps.actions.models import Action, Status

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = 60
DEADLINE_SECONDS = 90

pytestmark = pytest.mark.django_db(transaction=True)

ENQUEUE = """
import os
from apps.accounts.models import User
from apps.actions.services import route_run
from apps.actions.tasks import run_action_task
from apps.routes.models import Route

route = Route.objects.get(pk=os.environ["SCALE_ROUTE_ID"])
user = User.objects.get(pk=os.environ["SCALE_USER_ID"])
for _ in range(int(os.environ["SCALE_ACTIONS"])):
    action = route_run(route=route, user=user, inputs={}, source="test", prefer_async=True)
    run_action_task.enqueue(action_id=str(action.pk))  # a duplicate delivery
"""


def _worker_env(redis_url: str) -> dict:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    database_url = (
        f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HUEY_NAME": f"ouro-scale-{uuid.uuid4().hex[:8]}",
        "HUEY_WORKERS": "4",
        "TASKS_EAGER": "false",
        "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
        "PYTHONUNBUFFERED": "1",
    }


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_two_workers_run_every_action_exactly_once(make_route, make_service, recorder, alice):
    redis_url = os.environ.get("TEST_REDIS_URL")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("needs DATABASE_URL on PostgreSQL and TEST_REDIS_URL (CI's PostgreSQL run)")
    route = make_route("GET", "/json", service=make_service(base_url=recorder.url))
    env = _worker_env(redis_url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    workers = [
        subprocess.Popen(
            [*manage, "run_huey", "--no-periodic", "-w", "4", "-k", "thread", "-q"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        subprocess.run(
            [*manage, "shell", "-c", ENQUEUE],
            cwd=ROOT,
            env={
                **env,
                "SCALE_ROUTE_ID": str(route.pk),
                "SCALE_USER_ID": str(alice.pk),
                "SCALE_ACTIONS": str(ACTIONS),
            },
            check=True,
            capture_output=True,
            timeout=120,
        )
        deadline = time.monotonic() + DEADLINE_SECONDS
        while Action.objects.filter(
            route=route, status__in=(Status.QUEUED, Status.IN_PROGRESS)
        ).exists():
            alive = [w for w in workers if w.poll() is None]
            assert alive, "both workers exited: " + workers[0].stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "actions were left unfinished"
            time.sleep(0.5)
    finally:
        for worker in workers:
            _stop(worker)

    actions = list(Action.objects.filter(route=route))
    assert len(actions) == ACTIONS
    assert {a.status for a in actions} == {Status.SUCCESS}
    counts = {str(a.pk): len(recorder.for_action(a.pk)) for a in actions}
    assert set(counts.values()) == {1}, "an action reached the upstream more or less than once"
    assert len(recorder.requests) == ACTIONS
