"""What the platform adds to a route run, and what the live panel's poll view costs.

(a) A sync run through POST /api/services/{sid}/routes/{rid}/use vs a direct call to the same
    loopback upstream (the demo's GET /hello): p50/p99 latency, the added p50/p99, and the
    throughput ratio, at concurrency 1 and 8.
(b) The action panel poll view (/actions/<id>/panel) vs a bare Django view behind the same
    middleware and session: the requests-per-second ratio, for the poll of a running action
    that finds nothing new (204, what nearly every poll is) and for a full render. Beside it, for
    reference, a bare view that only reads the signed-in user (the session and user rows any
    logged-in view loads); the target ratio is against the bare view.

Everything is served by gunicorn from a scratch data folder; ratios are measured side by side
in one run. SQLite by default; pass a PostgreSQL URL to measure that instead:

    .venv/bin/python bench/run_overhead.py [--database-url postgres://postgres@127.0.0.1/ouro_bench]
        [--redis-url redis://127.0.0.1:6379/12]

Targets: added p50 at most 3 ms; throughput at least 0.5x direct; poll view at least 0.8x bare.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SEED = """
import json
from django.test import Client
from apps.accounts.services import api_key_create, personal_org, user_create
from apps.actions.models import Action
from apps.actions.services import route_run
from apps.routes.models import Route
from apps.services.models import Service
import os

org = personal_org()
user = user_create(username="bench", email="bench@example.org", password="bench-password-1")
_, key = api_key_create(user=user, name="bench")
service = Service.objects.create(user=user, org=org, team=org.default_team, name="Demo",
                                 visibility="public", base_url=os.environ["BENCH_UPSTREAM"])
route = Route.objects.create(user=user, org=org, team=org.default_team, parent=service,
                             service=service, name="hello", visibility="inherit",
                             method="GET", path="/hello")
action = route_run(route=route, user=user, inputs={})
running = Action.objects.create(route=route, user=user, org=org, team=org.default_team)
running.transition(to="in-progress", expected=("queued",))
client = Client()
client.force_login(user)
print(json.dumps({"key": key, "service": str(service.pk), "route": str(route.pk),
                  "action": str(action.pk), "running": str(running.pk),
                  "stamp": running.change_stamp, "session": client.cookies["sessionid"].value}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def cpu_seconds(pids) -> float:
    """User and system CPU the processes have used so far (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for pid in pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int):
    """The processes a gunicorn master has forked (its workers), as they are now."""
    return lambda: Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


def measure(call, *, total: int, concurrency: int, status: int = 200, servers=None) -> dict:
    local = threading.local()

    def one(_):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        started = time.perf_counter()
        response = call(local.session)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != status:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:300]}")
        return elapsed

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(min(20, total))))  # warm up connections and caches
        cpu, client = (cpu_seconds(servers) if servers else 0.0), time.process_time()
        started = time.perf_counter()
        latencies = sorted(pool.map(one, range(total)))
        wall = time.perf_counter() - started
        cpu, client = cpu_seconds(servers) - cpu if servers else 0.0, time.process_time() - client
    return {
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "rps": total / wall,
        # CPU per request, in ms: the servers' (web workers and upstream), and this client's.
        "cpu": cpu * 1000 / total,
        "client": client * 1000 / total,
    }


def alternate(
    calls: dict, *, total: int, concurrency: int, rounds: int, servers=None
) -> dict[str, list]:
    """Each call measured `rounds` times, the order rotated every round, so drift in the
    machine's speed falls on every side alike."""
    names = list(calls)
    runs: dict[str, list] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            call, status = calls[name]
            runs[name].append(
                measure(call, total=total, concurrency=concurrency, status=status, servers=servers)
            )
    return runs


def middle(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def minus(a: float, b: float) -> float:
    return a - b


def divide(a: float, b: float) -> float:
    return a / b


def spread(runs: list[dict], baseline: list[dict], key: str, combine) -> str:
    """The per-round figure (measured side by side) as `median [min-max]`."""
    figures = sorted(combine(a[key], b[key]) for a, b in zip(runs, baseline, strict=True))
    return f"{statistics.median(figures):.2f} [{figures[0]:.2f}-{figures[-1]:.2f}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="", help="scaled out: Redis cache and sessions")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="ouro-bench-")
    upstream_port, site_port = free_port(), free_port()
    upstream = f"http://127.0.0.1:{upstream_port}"
    site = f"http://127.0.0.1:{site_port}"
    env = {
        **os.environ,
        "DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "bench.overhead_settings",
        "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
        "DEBUG": "false",
        "TASKS_EAGER": "true",
        "BENCH_UPSTREAM": upstream,
        "PYTHONPATH": str(ROOT),
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    processes = []
    try:
        upstream_process = subprocess.Popen(
            [PYTHON, "-m", "examples.demo_upstream", "--port", str(upstream_port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(upstream_process)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        wait_for(f"{upstream}/hello")
        seed = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", SEED],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        ids = json.loads(seed.stdout.strip().splitlines()[-1])
        processes.append(
            subprocess.Popen(
                [
                    str(Path(PYTHON).parent / "gunicorn"),
                    "ouro_site.wsgi",
                    "-b",
                    f"127.0.0.1:{site_port}",
                    "-w",
                    str(args.workers),
                    "-k",
                    "gthread",
                    "--threads",
                    str(args.threads),
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_for(f"{site}/bench/bare")
        workers = children(processes[-1].pid)

        def servers() -> list:
            return [*workers(), upstream_process.pid]

        use_url = f"{site}/api/services/{ids['service']}/routes/{ids['route']}/use"
        auth = {"Authorization": ids["key"]}
        cookies = {"sessionid": ids["session"]}
        database = "PostgreSQL" if args.database_url else "SQLite"
        database += " + Redis" if args.redis_url else ""
        served = f"gunicorn {args.workers}x{args.threads}"
        print(
            f"(a) sync run through the platform vs direct ({database}, {served}; "
            f"medians of {args.rounds} alternating rounds, [min-max] of the per-round figures)"
        )
        for concurrency in (1, 8):
            total = args.requests * (2 if concurrency > 1 else 1)
            runs = alternate(
                {
                    "direct": (lambda s: s.get(f"{upstream}/hello"), 200),
                    "platform": (lambda s: s.post(use_url, json={"config": {}}, headers=auth), 200),
                    "bare": (lambda s: s.get(f"{site}/bench/bare"), 200),
                },
                total=total,
                concurrency=concurrency,
                rounds=args.rounds,
                servers=servers,
            )
            direct, platform = runs["direct"], runs["platform"]
            print(
                f"  c={concurrency}: direct p50 {middle(direct, 'p50'):.2f} ms "
                f"p99 {middle(direct, 'p99'):.2f} ms {middle(direct, 'rps'):.0f}/s | "
                f"platform p50 {middle(platform, 'p50'):.2f} ms "
                f"p99 {middle(platform, 'p99'):.2f} ms {middle(platform, 'rps'):.0f}/s\n"
                f"        added p50 {spread(platform, direct, 'p50', minus)} ms, "
                f"added p99 {spread(platform, direct, 'p99', minus)} ms, "
                f"throughput ratio {spread(platform, direct, 'rps', divide)}x "
                "(targets: added p50 <= 3 ms, ratio >= 0.5x)\n"
                f"        CPU per request: platform {middle(platform, 'cpu'):.2f} ms in the web "
                f"workers and upstream, direct {middle(direct, 'cpu'):.2f} ms in the upstream, "
                f"a bare Django view {middle(runs['bare'], 'cpu'):.2f} ms; this client "
                f"{middle(platform, 'client'):.2f} ms a run, {middle(direct, 'client'):.2f} ms a "
                "direct call"
            )
            # No run can be cheaper than a request to a Django view that does nothing plus the
            # upstream call: that sum, and the throughput ratio it would allow at c=1.
            if concurrency == 1:
                floor = [b["p50"] + d["p50"] for b, d in zip(runs["bare"], direct, strict=True)]
                allowed = [d["p50"] / f for d, f in zip(direct, floor, strict=True)]
                print(
                    f"        floor: a bare Django view ({middle(runs['bare'], 'p50'):.2f} ms) "
                    f"+ the direct call = {statistics.median(floor):.2f} ms, "
                    f"so at most {statistics.median(allowed):.2f}x at c=1 with no work at all"
                )
        print("(b) action panel poll view vs a bare Django view (same middleware and session)")
        for concurrency in (1, 8):
            total = args.requests * (2 if concurrency > 1 else 1)
            get = lambda url: lambda s: s.get(url, cookies=cookies)  # noqa: E731
            runs = alternate(
                {
                    "bare": (get(f"{site}/bench/bare"), 200),
                    "signed-in bare": (get(f"{site}/bench/bare-user"), 200),
                    "unchanged running run (204)": (
                        get(f"{site}/actions/{ids['running']}/panel?since={ids['stamp']}"),
                        204,
                    ),
                    "full render": (get(f"{site}/actions/{ids['action']}/panel"), 200),
                },
                total=total,
                concurrency=concurrency,
                rounds=args.rounds,
                servers=servers,
            )
            bare, signed_in = runs.pop("bare"), runs.pop("signed-in bare")
            print(
                f"  c={concurrency}: bare {middle(bare, 'rps'):.0f}/s "
                f"p50 {middle(bare, 'p50'):.2f} ms | a bare view reading the signed-in user "
                f"{middle(signed_in, 'rps'):.0f}/s "
                f"({spread(signed_in, bare, 'rps', divide)}x bare); "
                f"web CPU per request {middle(bare, 'cpu'):.2f} ms bare, "
                f"{middle(signed_in, 'cpu'):.2f} ms signed in"
            )
            for label, panel in runs.items():
                print(
                    f"        panel, {label}: {middle(panel, 'rps'):.0f}/s "
                    f"p50 {middle(panel, 'p50'):.2f} ms, "
                    f"ratio {spread(panel, bare, 'rps', divide)}x (target >= 0.8x); "
                    f"{spread(panel, signed_in, 'rps', divide)}x the signed-in bare view; "
                    f"web CPU {middle(panel, 'cpu'):.2f} ms"
                )
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
