"""Duplicate callbacks sent at the same moment, over real HTTP: exactly one of them wins.

Two servers: the test's live server (on PostgreSQL; the in-memory SQLite test database is
shared by every live-server thread through a single connection, which cannot take concurrent
writes), and the embedded deployment as it runs for real: gunicorn with two worker processes
of four threads on a file-backed SQLite database in WAL mode.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from apps.actions.models import ActionLog, CallbackDelivery, Status

ROOT = Path(__file__).resolve().parents[2]
SENDERS = 16


def send_concurrently(url: str, token: str) -> list[int]:
    """SENDERS threads released together, each posting the same kind of result."""
    barrier = threading.Barrier(SENDERS)
    codes: list[int] = []

    def send(i: int) -> None:
        barrier.wait()
        answer = requests.post(
            url,
            json={"status": "success", "response": {"sender": i}},
            headers={"ouro-webhook-token": token},
            timeout=60,
        )
        codes.append(answer.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


@pytest.mark.django_db(transaction=True)
def test_duplicates_against_the_live_server_make_one_transition(live_site, running_action):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the in-memory SQLite test database serves all live-server threads over one connection"
        )
    action, token = running_action()
    codes = send_concurrently(f"{live_site.url}/api/actions/{action.pk}/webhook", token)
    assert codes == [200] + [409] * (SENDERS - 1)
    action.refresh_from_db()
    assert action.status == Status.SUCCESS
    verdicts = list(
        CallbackDelivery.objects.filter(action=action).values_list("verdict", flat=True)
    )
    assert sorted(verdicts) == ["accepted"] + ["duplicate"] * (SENDERS - 1)
    assert (
        ActionLog.objects.filter(action=action, message="The upstream reported success").count()
        == 1
    )


SETUP = """
from django.core.management import call_command
call_command("migrate", "--no-input", verbosity=0)
from apps.accounts.services import personal_org, user_create
from apps.actions.models import Action, Status
from apps.actions.webhooks import webhook_issue
from apps.routes.models import Route
from apps.services.models import Service
org = personal_org()
user = user_create(username="alice", email="alice@example.org")
owner = dict(user=user, org=org, team=org.default_team)
service = Service.objects.create(**owner, name="Jobs", base_url="http://127.0.0.1:9", visibility="public")
route = Route.objects.create(
    **owner, parent=service, service=service, name="jobs", visibility="inherit",
    method="POST", path="/jobs", execution_mode="async",
)
action = Action.objects.create(route=route, **owner, status=Status.IN_PROGRESS)
print(action.pk, webhook_issue(action)[1])
"""

OUTCOME = """
import json
from apps.actions.models import Action
action = Action.objects.get(pk="{action_id}")
print(json.dumps({{
    "status": action.status,
    "response": action.response,
    "verdicts": sorted(action.deliveries.values_list("verdict", flat=True)),
    "success_lines": action.logs.filter(message="The upstream reported success").count(),
}}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_site(tmp_path):
    """gunicorn (2 workers x 4 threads) on its own data folder, with one in-progress action.

    Yields the action's webhook URL, its token, and a function reading the outcome.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    action_id, token = manage("shell", "-v", "0", "-c", SETUP).split()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ouro_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/api/user", timeout=5)
            break
        except requests.RequestException:
            assert server.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
    yield (
        f"{url}/api/actions/{action_id}/webhook",
        token,
        lambda: manage("shell", "-v", "0", "-c", OUTCOME.format(action_id=action_id)),
    )
    server.terminate()
    server.wait(timeout=30)


def test_duplicates_against_gunicorn_on_sqlite_make_one_transition(embedded_site):
    webhook, token, read_outcome = embedded_site
    codes = send_concurrently(webhook, token)
    assert codes == [200] + [409] * (SENDERS - 1)
    outcome = json.loads(read_outcome())
    assert outcome["status"] == "success"
    assert list(outcome["response"]) == ["sender"]
    assert outcome["verdicts"] == ["accepted"] + ["duplicate"] * (SENDERS - 1)
    assert outcome["success_lines"] == 1
