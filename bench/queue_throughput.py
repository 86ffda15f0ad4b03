"""The task queue: runs per second through real `run_huey` workers, and pickup latency (from
the click that queued an action to a worker starting it), against the demo upstream.

    .venv/bin/python bench/queue_throughput.py [--actions 300] [--workers 1]
        [--database-url postgres://... --redis-url redis://127.0.0.1:6379/13]

SqliteHuey in a scratch data folder by default; RedisHuey when --redis-url is given. Three
measures, each on a route of its own:

- throughput: the actions are queued first, then the workers start and drain the queue; runs
  per second from the first start to the last finish, against the same number of direct calls
  to the upstream in one thread (measured just before and just after; the ratio is to their
  mean). Target: at least 0.5x.
- pickup when the queue is not backed up: clicks a tenth of a second apart, idle workers
  waiting. Target: p50 at most 50 ms.
- a burst of clicks one after another, as fast as one process can queue them, with the workers
  running: the pickup then includes the wait behind earlier clicks.
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
MIN_RATIO = 0.5
MAX_PICKUP_MS = 50
PICKUP_CLICKS = 50
PICKUP_INTERVAL = 0.1

SEED = """
import json, os
from apps.accounts.services import personal_org, user_create
from apps.routes.models import Route
from apps.services.models import Service

org = personal_org()
user = user_create(username="bench", email="bench@example.org", password="bench-password-1")
service = Service.objects.create(user=user, org=org, team=org.default_team, name="Demo",
                                 visibility="public", base_url=os.environ["BENCH_UPSTREAM"])
routes = {
    name: str(Route.objects.create(user=user, org=org, team=org.default_team, parent=service,
                                   service=service, name=name, visibility="inherit",
                                   method="GET", path="/hello").pk)
    for name in ("throughput", "pickup", "burst")
}
print(json.dumps({"user": str(user.pk), "routes": routes}))
"""

CLICKS = """
import json, os, time
from apps.accounts.models import User
from apps.actions.services import route_run
from apps.routes.models import Route

route = Route.objects.select_related("service").get(pk=os.environ["BENCH_ROUTE"])
user = User.objects.get(pk=os.environ["BENCH_USER"])
interval = float(os.environ["BENCH_INTERVAL"])
started = time.time()
for _ in range(int(os.environ["BENCH_CLICKS"])):
    route_run(route=route, user=user, inputs={}, source="bench", prefer_async=True)
    if interval:
        time.sleep(interval)
print(json.dumps({"enqueue_seconds": time.time() - started}))
"""

RESULTS = """
import json, os, time
from apps.actions.models import Action
runs = Action.objects.filter(route_id=os.environ["BENCH_ROUTE"])
deadline = time.monotonic() + float(os.environ["BENCH_WAIT"])
# Polled here, in one process: a fresh `manage.py shell` every half second would take a core.
while (runs.filter(status__in=("queued", "in-progress")).exists()
       or runs.count() < int(os.environ["BENCH_CLICKS"])) and time.monotonic() < deadline:
    time.sleep(0.2)
rows = list(runs.values_list("status", "created_at", "started_at", "finished_at"))
print(json.dumps({
    "done": sum(1 for r in rows if r[0] in ("success", "error")),
    "success": sum(1 for r in rows if r[0] == "success"),
    "pickup_ms": [(r[2] - r[1]).total_seconds() * 1000 for r in rows if r[2]],
    "first_created": min(r[1] for r in rows).timestamp(),
    "first_started": min((r[2].timestamp() for r in rows if r[2]), default=0),
    "last_finished": max((r[3].timestamp() for r in rows if r[3]), default=0),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


def direct_rate(session: requests.Session, url: str, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        session.get(url)
    return calls / (time.perf_counter() - started)


def clicks(env: dict, seeded: dict, name: str, count: int, interval: float) -> dict:
    return shell(
        env,
        CLICKS,
        BENCH_ROUTE=seeded["routes"][name],
        BENCH_USER=seeded["user"],
        BENCH_CLICKS=str(count),
        BENCH_INTERVAL=str(interval),
    )


def drained(env: dict, route_id: str, count: int) -> dict:
    result = shell(env, RESULTS, BENCH_ROUTE=route_id, BENCH_CLICKS=str(count), BENCH_WAIT="600")
    if result["done"] < count:
        raise SystemExit(f"only {result['done']} of {count} runs ended within ten minutes")
    return result


def cpu_seconds(processes: list) -> float:
    """User and system CPU the processes have used so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for process in processes:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[int(share * (len(ordered) - 1))]


def main() -> int:
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
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        session = requests.Session()
        for _ in range(50):
            try:
                session.get(f"{upstream}/hello", timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.1)
        seeded = shell(env, SEED)

        # Throughput: a full queue, then the workers.
        direct_before = direct_rate(session, f"{upstream}/hello", args.actions)
        queued = clicks(env, seeded, "throughput", args.actions, 0)
        workers = [
            subprocess.Popen(
                [PYTHON, "manage.py", "run_huey", "--no-periodic", "-q"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(args.workers)
        ]
        processes += workers
        throughput = drained(env, seeded["routes"]["throughput"], args.actions)
        direct_after = direct_rate(session, f"{upstream}/hello", args.actions)

        time.sleep(2)  # idle workers, polling as they do when nothing is queued
        clicks(env, seeded, "pickup", PICKUP_CLICKS, PICKUP_INTERVAL)
        pickup = drained(env, seeded["routes"]["pickup"], PICKUP_CLICKS)

        cpu_before = cpu_seconds(workers)  # warm workers: the burst's CPU is the runs'
        burst_clicks = clicks(env, seeded, "burst", args.actions, 0)
        burst = drained(env, seeded["routes"]["burst"], args.actions)
        worker_cpu_ms = (cpu_seconds(workers) - cpu_before) / args.actions * 1000
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)

    queue = "RedisHuey" if args.redis_url else "SqliteHuey"
    database = "PostgreSQL" if args.database_url else "SQLite"
    direct = (direct_before + direct_after) / 2
    runs_per_second = args.actions / (throughput["last_finished"] - throughput["first_started"])
    ratio = runs_per_second / direct
    pickup_p50 = statistics.median(pickup["pickup_ms"])
    burst_span = burst["last_finished"] - burst["first_created"]
    print(
        f"queue throughput: {args.actions} actions, {args.workers} worker process(es), "
        f"{queue} + {database}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"  drain: {runs_per_second:.0f} runs/s from the first start to the last finish vs "
        f"direct calls {direct:.0f}/s ({direct_before:.0f} before, {direct_after:.0f} after): "
        f"ratio {ratio:.2f}x (target {MIN_RATIO}x); {throughput['success']} of {args.actions} "
        f"succeeded; queued at {args.actions / queued['enqueue_seconds']:.0f} clicks/s"
    )
    print(
        f"  pickup, queue not backed up ({PICKUP_CLICKS} clicks {PICKUP_INTERVAL * 1000:.0f} ms "
        f"apart): p50 {pickup_p50:.0f} ms, p95 {percentile(pickup['pickup_ms'], 0.95):.0f} ms "
        f"(target p50 {MAX_PICKUP_MS} ms)"
    )
    print(
        f"  burst of {args.actions} clicks at {args.actions / burst_clicks['enqueue_seconds']:.0f}"
        f"/s: pickup p50 {statistics.median(burst['pickup_ms']):.0f} ms, "
        f"p95 {percentile(burst['pickup_ms'], 0.95):.0f} ms; "
        f"{args.actions / burst_span:.0f} runs/s from the first click to the last finish; "
        f"{burst['success']} of {args.actions} succeeded; worker CPU {worker_cpu_ms:.1f} ms a run"
    )
    met = ratio >= MIN_RATIO and pickup_p50 <= MAX_PICKUP_MS
    print(f"  targets: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
