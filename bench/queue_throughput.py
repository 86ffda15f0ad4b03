"""The task queue: runs per second through real `run_huey` workers, and pickup latency (from
the click that queued an action to a worker starting it), against the demo upstream.

    .venv/bin/python bench/queue_throughput.py [--actions 300] [--workers 1]
        [--database-url postgres://... --redis-url redis://127.0.0.1:6379/13]

SqliteHuey in a scratch data folder by default; RedisHuey when --redis-url is given. Workers
start first, then the actions are queued one after another as clicks would be. The baseline
printed beside it is the same number of direct calls to the upstream in one thread.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

ENQUEUE = """
import json, os, time
from apps.accounts.services import personal_org, user_create
from apps.actions.services import route_run
from apps.routes.models import Route
from apps.services.models import Service

org = personal_org()
user = user_create(username="bench", email="bench@example.org", password="bench-password-1")
service = Service.objects.create(user=user, org=org, team=org.default_team, name="Demo",
                                 visibility="public", base_url=os.environ["BENCH_UPSTREAM"])
route = Route.objects.create(user=user, org=org, team=org.default_team, parent=service,
                             service=service, name="hello", visibility="inherit",
                             method="GET", path="/hello")
started = time.time()
for _ in range(int(os.environ["BENCH_ACTIONS"])):
    route_run(route=route, user=user, inputs={}, source="bench", prefer_async=True)
print(json.dumps({"route": str(route.pk), "enqueue_seconds": time.time() - started}))
"""

RESULTS = """
import json, os
from apps.actions.models import Action
rows = list(Action.objects.filter(route_id=os.environ["BENCH_ROUTE"]).values_list(
    "status", "created_at", "started_at", "finished_at"))
print(json.dumps({
    "done": sum(1 for r in rows if r[0] in ("success", "error")),
    "success": sum(1 for r in rows if r[0] == "success"),
    "pickup_ms": [(r[2] - r[1]).total_seconds() * 1000 for r in rows if r[2]],
    "first_created": min(r[1] for r in rows).timestamp(),
    "last_finished": max((r[3].timestamp() for r in rows if r[3]), default=0),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, **kwargs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    args = parser.parse_args()

    port = free_port()
    upstream = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATA_DIR": tempfile.mkdtemp(prefix="ouro-bench-"),
        "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
        "TASKS_EAGER": "false",
        "HUEY_NAME": f"ouro-bench-{uuid.uuid4().hex[:8]}",
        "BENCH_UPSTREAM": upstream,
        "BENCH_ACTIONS": str(args.actions),
    }
    for name, value in (("DATABASE_URL", args.database_url), ("REDIS_URL", args.redis_url)):
        if value:
            env[name] = value
    processes = [
        subprocess.Popen(
            [PYTHON, "-m", "examples.demo_upstream", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        manage(env, "migrate", "-v", "0")
        session = requests.Session()
        for _ in range(50):
            try:
                session.get(f"{upstream}/hello", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.1)
        started = time.perf_counter()
        for _ in range(args.actions):
            session.get(f"{upstream}/hello")
        direct_rps = args.actions / (time.perf_counter() - started)

        for _ in range(args.workers):
            processes.append(
                subprocess.Popen(
                    [PYTHON, "manage.py", "run_huey", "--no-periodic", "-w", "4", "-q"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(3)  # let the workers start polling before the first click
        output = manage(env, "shell", "-c", ENQUEUE, capture_output=True).stdout
        seeded = json.loads(output.strip().splitlines()[-1])
        env["BENCH_ROUTE"] = seeded["route"]
        while True:
            output = manage(env, "shell", "-c", RESULTS, capture_output=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            if result["done"] >= args.actions:
                break
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)

    queue = "RedisHuey" if args.redis_url else "SqliteHuey"
    database = "PostgreSQL" if args.database_url else "SQLite"
    span = result["last_finished"] - result["first_created"]
    runs_per_second = args.actions / span
    pickups = sorted(result["pickup_ms"])
    print(
        f"queue throughput: {args.actions} actions, {args.workers} worker(s) x 4 threads, "
        f"{queue} + {database}"
    )
    print(
        f"  {runs_per_second:.1f} runs/s from the first click to the last finish vs direct "
        f"calls {direct_rps:.0f}/s (ratio {runs_per_second / direct_rps:.2f}x); "
        f"{result['success']} of {args.actions} succeeded; "
        f"enqueue {args.actions / seeded['enqueue_seconds']:.0f}/s"
    )
    print(
        f"  pickup latency (click to worker start): p50 {statistics.median(pickups):.0f} ms, "
        f"p95 {pickups[int(0.95 * (len(pickups) - 1))]:.0f} ms, first {pickups[0]:.0f} ms"
    )


if __name__ == "__main__":
    main()
