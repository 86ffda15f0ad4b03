"""Load: many runs at once through the whole deployment, then a census of what became of them.

    .venv/bin/python bench/load.py [--runs 10000] [--concurrency 32] [--paid 200]
        [--database-url postgres://postgres@127.0.0.1:5432/ouro_load]
        [--redis-url redis://127.0.0.1:6379/14]

Scaled out as in production: gunicorn (2 processes x 16 threads) on PostgreSQL + Redis, two
`run_huey` worker processes, and the demo upstream in a process of its own that counts the
requests it receives per `ouro-action-id`. Half the runs are sync (`GET /hello`, answered
inline), half async (`POST /jobs`, answered 202, then a log line and the result posted back
to the webhook by the upstream). Each run is one `POST .../use` with an API key, from
`--concurrency` client threads.

Printed: runs per second from the first request to the last run ended, the latency of each
request (p50/p99; an async run's request ends when it is queued) and of each async run from
its request to its callback, then the census: every run answered is recorded once (0 lost),
ended (0 stuck), reached the upstream once (0 run twice), and `manage.py billing_audit` finds
the books balanced. Then `--paid` paid runs at once (one thread each) by a caller whose wallet
holds a quarter of their price: exactly that many are charged, the others refused with 402,
and the balance, sampled all along, is never negative.

The database named is dropped and made again; the bench raises API_RATE_LIMIT and
UPSTREAM_MAX_CONCURRENCY_PER_SERVICE for itself, so neither limit refuses the load.
"""

import argparse
import collections
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PRICE_CENTS = 1
SETTLE_SECONDS = 300  # how long the runs still going after the last request may take to end

SEED = """
import json, os
from apps.accounts.services import api_key_create, personal_org, user_create
from apps.billing.services import wallet_adjust
from apps.routes.models import ExecutionMode, Route
from apps.services.models import Service

org = personal_org()
owner = user_create(username="owner", email="owner@example.org")
caller = user_create(username="caller", email="caller@example.org")
payer = user_create(username="payer", email="payer@example.org")
service = Service.objects.create(user=owner, org=org, team=org.default_team, name="Demo",
                                 visibility="public", base_url=os.environ["LOAD_UPSTREAM"])

def route(name, method, path, **fields):
    return str(Route.objects.create(user=owner, org=org, team=org.default_team, parent=service,
                                    service=service, name=name, visibility="inherit",
                                    method=method, path=path, **fields).pk)

ids = {
    "service": str(service.pk),
    "sync": route("hello", "GET", "/hello"),
    "async": route("jobs", "POST", "/jobs", execution_mode=ExecutionMode.ASYNC),
    "paid": route("paid", "GET", "/hello",
                  pricing={"model": "per_call", "unit_cost": 0.01, "currency": "usd"}),
    "caller_key": api_key_create(user=caller, name="load")[1],
    "payer_key": api_key_create(user=payer, name="load")[1],
    "payer": str(payer.pk),
}
wallet_adjust(user=payer, cents=int(os.environ["LOAD_FUNDED_CENTS"]), note="load test funds")
print(json.dumps(ids))
"""

CENSUS = """
import json, os, time
from django.db.models import Count
from apps.actions.models import ACTIVE_STATUSES, Action
from apps.billing.models import UsageRecord, Wallet

routes = json.loads(os.environ["LOAD_ROUTES"])
runs = Action.objects.filter(route_id__in=routes)
deadline = time.monotonic() + float(os.environ["LOAD_SETTLE_SECONDS"])
while runs.filter(status__in=ACTIVE_STATUSES).exists() and time.monotonic() < deadline:
    time.sleep(0.5)
rows = runs.values_list("id", "route_id", "status", "created_at", "finished_at")
actions = [
    {"id": str(pk), "route": str(route), "status": status, "created": created.timestamp(),
     "finished": finished.timestamp() if finished else None}
    for pk, route, status, created, finished in rows
]
wallet = Wallet.objects.get(user_id=os.environ["LOAD_PAYER"])
print(json.dumps({
    "actions": actions,
    "charged": UsageRecord.objects.filter(status="confirmed").count(),
    "held": UsageRecord.objects.exclude(status__in=("confirmed", "released")).count(),
    "payer": [wallet.available_cents, wallet.escrowed_cents],
}))
"""


# The upstream: the demo upstream, counting what reaches it --------------------------------------


def serve_upstream(port: int) -> None:
    """The demo upstream, counting requests per ouro-action-id; GET /census answers the counts."""
    sys.path.insert(0, str(ROOT))
    from examples.demo_upstream.app import Handler

    counts: collections.Counter = collections.Counter()
    lock = threading.Lock()

    class Counting(Handler):
        def log_message(self, format, *args):  # noqa: A002
            pass

        def _count(self) -> None:
            action_id = self.headers.get("ouro-action-id")
            if action_id:
                with lock:
                    counts[action_id] += 1

        def do_GET(self):  # noqa: N802
            if self.path == "/census":
                self._body()
                with lock:
                    return self._send(200, dict(counts))
            self._count()
            return super().do_GET()

        def do_POST(self):  # noqa: N802
            self._count()
            return super().do_POST()

    server = ThreadingHTTPServer(("127.0.0.1", port), Counting)
    server.daemon_threads = True
    server.request_queue_size = 1024
    server.serve_forever()


# The deployment ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def shell(env: dict, code: str, **extra: str) -> dict:
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, **extra},
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# The load ----------------------------------------------------------------------------------


class Client:
    """One `POST .../use` per call, over a kept-alive session per client thread."""

    def __init__(self, site: str, ids: dict):
        self.site, self.ids = site, ids
        self.local = threading.local()

    def use(self, kind: str, key: str) -> tuple[int, str | None, float]:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
        config = {"body": {"steps": 1, "delay": 0}} if kind == "async" else {}
        url = f"{self.site}/api/services/{self.ids['service']}/routes/{self.ids[kind]}/use"
        started = time.perf_counter()
        answer = session.post(url, json={"config": config}, headers={"Authorization": key})
        elapsed = (time.perf_counter() - started) * 1000
        action = (answer.json() or {}).get("action") or {}
        return answer.status_code, action.get("id"), elapsed


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms"


def mixed_load(client: Client, runs: int, concurrency: int) -> tuple[list, float]:
    """`runs` runs, alternately sync and async, from `concurrency` threads."""
    kinds = ["sync" if i % 2 == 0 else "async" for i in range(runs)]
    key = client.ids["caller_key"]
    started = time.time()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(lambda kind: (kind, *client.use(kind, key)), kinds))
    return answers, started


def paid_burst(client: Client, env: dict, runs: int) -> tuple[list, int]:
    """`runs` paid runs at once, one thread each; the payer's balance sampled all along (its
    lowest available cents is returned)."""
    import psycopg

    lowest = [None]
    sampling = threading.Event()

    def sample() -> None:
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
            while not sampling.is_set():
                row = connection.execute(
                    "SELECT available_cents, escrowed_cents FROM billing_wallet WHERE user_id = %s",
                    (client.ids["payer"],),
                ).fetchone()
                lowest[0] = row[0] if lowest[0] is None else min(lowest[0], row[0])
                time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = threading.Barrier(runs)

    def one(_):
        start.wait()
        return client.use("paid", client.ids["payer_key"])

    try:
        with ThreadPoolExecutor(max_workers=runs) as pool:
            answers = list(pool.map(one, range(runs)))
    finally:
        sampling.set()
        sampler.join()
    return answers, lowest[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--paid", type=int, default=200, help="paid runs at once (funds for 1/4)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ouro_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        serve_upstream(args.serve_upstream)
        return 0

    upstream = f"http://127.0.0.1:{free_port()}"
    site = f"http://127.0.0.1:{free_port()}"
    funded = args.paid // 4
    env = {
        **os.environ,
        "DATA_DIR": tempfile.mkdtemp(prefix="ouro-load-"),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "HUEY_NAME": f"ouro-load-{uuid.uuid4().hex[:8]}",
        "SITE_URL": site,
        "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
        "TASKS_EAGER": "false",
        # The limits protect a deployment from one caller; here one caller is the load.
        "API_RATE_LIMIT": str(10**9),  # counted, never refused
        "UPSTREAM_MAX_CONCURRENCY_PER_SERVICE": "1000",
        "LOAD_UPSTREAM": upstream,
        "LOAD_FUNDED_CENTS": str(funded * PRICE_CENTS),
    }
    fresh_database(args.database_url)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    ids = shell(env, SEED)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [PYTHON, __file__, "--serve-upstream", upstream.rsplit(":", 1)[1]], cwd=ROOT, **quiet
        ),
        subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "ouro_site.wsgi",
                "-b",
                site.removeprefix("http://"),
                "-w",
                "2",
                "-k",
                "gthread",
                "--threads",
                "16",
                "--backlog",
                "1024",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        ),
        *(
            subprocess.Popen(
                [PYTHON, "manage.py", "run_huey", *extra, "-q"], cwd=ROOT, env=env, **quiet
            )
            for extra in ((), ("--no-periodic",))
        ),
    ]
    try:
        wait_for(f"{upstream}/census")
        wait_for(f"{site}/api/user")
        client = Client(site, ids)
        answers, started = mixed_load(client, args.runs, args.concurrency)
        requests_done = time.time()
        paid_answers, lowest = paid_burst(client, env, args.paid)
        census = shell(
            env,
            CENSUS,
            LOAD_ROUTES=json.dumps([ids["sync"], ids["async"], ids["paid"]]),
            LOAD_SETTLE_SECONDS=str(SETTLE_SECONDS),
            LOAD_PAYER=ids["payer"],
        )
        reached = requests.get(f"{upstream}/census", timeout=30).json()
        audit = subprocess.run(
            [PYTHON, "manage.py", "billing_audit"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)
    return report(
        args, ids, answers, started, requests_done, paid_answers, lowest, census, reached, audit
    )


def report(
    args, ids, answers, started, requests_done, paid_answers, lowest, census, reached, audit
) -> int:
    actions = {a["id"]: a for a in census["actions"]}
    mixed = [a for a in census["actions"] if a["route"] in (ids["sync"], ids["async"])]
    statuses = collections.Counter(a["status"] for a in mixed)
    answered = [(kind, status, action_id) for kind, status, action_id, _ in answers]
    refused = collections.Counter(status for _, status, action_id in answered if not action_id)
    answered_ids = [action_id for _, _, action_id in answered if action_id]
    lost = [i for i in answered_ids if i not in actions]
    unanswered = len(mixed) - len(set(answered_ids))  # recorded, but no request got it back
    stuck = [a for a in census["actions"] if a["finished"] is None]
    twice = [i for i, count in reached.items() if count > 1]
    never = [a["id"] for a in mixed if a["status"] == "success" and reached.get(a["id"], 0) == 0]
    last_end = max((a["finished"] for a in mixed if a["finished"]), default=requests_done)
    span = last_end - started
    async_e2e = [
        (a["finished"] - a["created"]) * 1000
        for a in mixed
        if a["route"] == ids["async"] and a["finished"]
    ]

    print(
        f"load: {args.runs} runs (half sync, half async with callbacks) from "
        f"{args.concurrency} client threads; gunicorn 2x16, two run_huey workers, "
        f"PostgreSQL + Redis; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  {args.runs / span:.0f} runs/s from the first request to the last run ended "
        f"({span:.1f} s; requests answered at {args.runs / (requests_done - started):.0f}/s)"
    )
    for kind in ("sync", "async"):
        latency = [ms for k, _, _, ms in answers if k == kind]
        print(f"  {kind} request latency: {percentiles(latency)}")
    print(f"  async run, request to callback: {percentiles(async_e2e)}")
    print(f"  statuses: {dict(statuses)}; refused requests by status: {dict(refused) or 'none'}")
    print(
        f"  census: {len(lost)} lost, {len(stuck)} stuck, {len(twice)} run twice, "
        f"{len(never)} succeeded without reaching the upstream, {unanswered} recorded but "
        f"not answered; books: {(audit.stdout + audit.stderr).strip()}"
    )

    charged = sum(1 for status, action_id, _ in paid_answers if status == 200)
    payment_required = sum(1 for status, _, _ in paid_answers if status == 402)
    funded = args.paid // 4
    print(
        f"paid: {args.paid} paid runs at once, funds for {funded}: {charged} charged "
        f"({census['charged']} charges confirmed), {payment_required} refused with 402, "
        f"{census['held']} still held; lowest balance seen {lowest} cents, "
        f"final {census['payer'][0]} available + {census['payer'][1]} held"
    )
    clean = (
        not lost
        and not stuck
        and not twice
        and not never
        and not refused
        and audit.returncode == 0
        and charged == census["charged"] == funded
        and payment_required == args.paid - funded
        and lowest is not None
        and lowest >= 0
        and census["payer"] == [0, 0]
    )
    print(f"census: {'clean' if clean else 'NOT clean'}")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
