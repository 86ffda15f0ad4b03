"""The hot path against its floor, for this tree and for the code before it, in one run.

The floor of a run is what no run can beat: the platform's lightest authenticated answer
(GET /api/user with an API key) plus the direct call to the same loopback upstream (the demo's
GET /hello). Printed, for each side:

- the floor, and a sync run (POST /api/services/{sid}/routes/{rid}/use) at concurrency 1 as a
  multiple of it, with the web workers' CPU per run (target: at most 1.5x the floor);
- the live panel's poll of a running action that finds nothing new (the 204 nearly every poll
  is) in requests per second, as a multiple of the bench's signed-in bare view (a view that
  reads the session and the user and nothing else), at concurrency 1 and 8, with the web CPU
  per request (target: at least 0.8x).

"Before" is a `git worktree` of `--baseline-ref` (the commit before the private-internals layer
was removed, by default), run with this tree's Python environment; "after" is this tree as it
is. Both sites are served by gunicorn from scratch data folders, side by side: every figure is
the median of alternating rounds (the order rotated every round, both sides in each), with the
[min-max] of the per-round figures. SQLite by default; with a PostgreSQL URL, the databases
NAME (after) and NAME_baseline (before) are dropped and created for the run:

    .venv/bin/python bench/run_overhead.py [--database-url postgres://postgres@127.0.0.1/ouro_bench]
        [--redis-url redis://127.0.0.1:6379/12] [--baseline-ref COMMIT] [--rounds 5]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BASELINE_REF = "123f4473190cd1d6aba8a6ca1b12832685769ca5"
RUN_TARGET, POLL_TARGET = 1.5, 0.8

# Plain ORM writes only, so the same script seeds either side.
SEED = """
import json, os
from django.test import Client
from django.utils import timezone
from apps.accounts.services import api_key_create, personal_org, user_create
from apps.actions.models import Action
from apps.actions.services import route_run
from apps.routes.models import Route
from apps.services.models import Service

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
Action.objects.filter(pk=running.pk).update(status="in-progress", started_at=timezone.now(),
                                            last_updated=timezone.now())
running.refresh_from_db()
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


def wait_for(url: str, timeout: float = 60) -> None:
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

    def pids() -> list[str]:
        try:
            return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []

    return pids


def measure(call, *, total: int, concurrency: int, status: int, servers) -> dict:
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
        cpu = cpu_seconds(servers)
        started = time.perf_counter()
        latencies = sorted(pool.map(one, range(total)))
        wall = time.perf_counter() - started
        cpu = cpu_seconds(servers) - cpu
    return {
        "p50": statistics.median(latencies),
        "rps": total / wall,
        "cpu": cpu * 1000 / total,  # ms of the serving processes' CPU per request
    }


def alternate(calls: dict, *, total: int, concurrency: int, rounds: int) -> dict[str, list]:
    """Each call measured `rounds` times, the order rotated every round, so drift in the
    machine's speed falls on every side alike."""
    names = list(calls)
    runs: dict[str, list] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            call, status, servers = calls[name]
            runs[name].append(
                measure(call, total=total, concurrency=concurrency, status=status, servers=servers)
            )
    return runs


def middle(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def ranged(figures: list[float], unit: str = "x") -> str:
    """Per-round figures as `median [min-max]`."""
    ordered = sorted(figures)
    return f"{statistics.median(ordered):.2f}{unit} [{ordered[0]:.2f}-{ordered[-1]:.2f}]"


class Site:
    """One side of the comparison: a tree of the code, its data, its gunicorn."""

    def __init__(self, label: str, tree: Path, env: dict):
        self.label, self.tree, self.env = label, tree, env
        self.url = f"http://127.0.0.1:{free_port()}"
        self.process: subprocess.Popen | None = None
        self.ids: dict = {}
        self.workers = lambda: []

    def manage(self, *args: str, capture: bool = False) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=self.tree,
            env=self.env,
            check=True,
            capture_output=capture,
            text=True,
        )
        return done.stdout if capture else ""

    def check_tree(self) -> None:
        """The code this side imports is its own tree's (not an installed copy)."""
        found = subprocess.run(
            [PYTHON, "-c", "import apps; print(list(apps.__path__)[0])"],
            cwd=self.tree,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if Path(found).resolve() != (self.tree / "apps").resolve():
            raise SystemExit(f"{self.label} imports apps from {found}, not from {self.tree}")

    def start(self, workers: int, threads: int) -> None:
        self.check_tree()
        self.manage("migrate", "-v", "0")
        self.ids = json.loads(self.manage("shell", "-c", SEED, capture=True).splitlines()[-1])
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "ouro_site.wsgi",
                "-b",
                self.url.removeprefix("http://"),
                "-w",
                str(workers),
                "-k",
                "gthread",
                "--threads",
                str(threads),
                "--log-level",
                "warning",
            ],
            cwd=self.tree,
            env=self.env,
        )
        wait_for(f"{self.url}/bench/bare")
        self.workers = children(self.process.pid)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def run_calls(self) -> dict:
        ids, auth = self.ids, {"Authorization": self.ids["key"]}
        use = f"{self.url}/api/services/{ids['service']}/routes/{ids['route']}/use"
        return {
            "user": (lambda s: s.get(f"{self.url}/api/user", headers=auth), 200, self.workers),
            "run": (lambda s: s.post(use, json={"config": {}}, headers=auth), 200, self.workers),
        }

    def poll_calls(self) -> dict:
        cookies = {"sessionid": self.ids["session"]}
        poll = f"{self.url}/actions/{self.ids['running']}/panel?since={self.ids['stamp']}"
        return {
            "bare-user": (
                lambda s: s.get(f"{self.url}/bench/bare-user", cookies=cookies),
                200,
                self.workers,
            ),
            "poll": (lambda s: s.get(poll, cookies=cookies), 204, self.workers),
        }


def database_urls(url: str) -> tuple[str, str]:
    """(after, before): the given PostgreSQL database and NAME_baseline, both made empty."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "ouro_bench"
    baseline = f"{name}_baseline"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        for database in (name, baseline):
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{database}"')
    return (
        urlunsplit(parts._replace(path=f"/{name}")),
        urlunsplit(parts._replace(path=f"/{baseline}")),
    )


def redis_urls(url: str) -> tuple[str, str]:
    """(after, before): the given Redis database and the next one, so the sides share nothing."""
    parts = urlsplit(url)
    number = int(parts.path.lstrip("/") or 0)
    return url, urlunsplit(parts._replace(path=f"/{number + 1}"))


def baseline_tree(ref: str, into: Path) -> Path:
    tree = into / "baseline"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--quiet", str(tree), ref], cwd=ROOT, check=True
    )
    return tree


def row(label: str, before: str, after: str) -> str:
    return f"  {label:<46} {before:>26} {after:>26}"


def per_round(runs: list[dict], key: str) -> list[float]:
    return [run[key] for run in runs]


def pairwise(combine, first: list[float], second: list[float]) -> list[float]:
    """Figures of the same round combined (rounds are measured side by side)."""
    return [combine(a, b) for a, b in zip(first, second, strict=True)]


def plus(a: float, b: float) -> float:
    return a + b


def minus(a: float, b: float) -> float:
    return a - b


def divide(a: float, b: float) -> float:
    return a / b


def both(sides: list[Site], figure) -> tuple[str, str]:
    """The figure for the side before and the side after."""
    return figure(sides[0].label), figure(sides[1].label)


def ms(value: float) -> str:
    return f"{value:.2f} ms"


def report_runs(sides: list[Site], runs: dict) -> None:
    direct = runs["direct"]
    user = {s.label: runs[f"{s.label} user"] for s in sides}
    run = {s.label: runs[f"{s.label} run"] for s in sides}
    floor = {s: pairwise(plus, per_round(user[s], "p50"), per_round(direct, "p50")) for s in user}
    ratio = {s: pairwise(divide, per_round(run[s], "p50"), floor[s]) for s in run}
    added = {s: pairwise(minus, per_round(run[s], "p50"), floor[s]) for s in run}
    before, after = (s.label for s in sides)
    change = pairwise(divide, per_round(run[after], "p50"), per_round(run[before], "p50"))
    lines = [
        row(
            "GET /api/user p50 (the lightest answer)",
            *both(sides, lambda s: ms(middle(user[s], "p50"))),
        ),
        row("direct upstream call p50", *both(sides, lambda s: ms(middle(direct, "p50")))),
        row("floor: the two added", *both(sides, lambda s: ms(statistics.median(floor[s])))),
        row("sync run p50, c=1", *both(sides, lambda s: ms(middle(run[s], "p50")))),
        row(
            f"  as a multiple of the floor (<= {RUN_TARGET}x)",
            *both(sides, lambda s: ranged(ratio[s])),
        ),
        row("  above the floor", *both(sides, lambda s: ranged(added[s], " ms"))),
        row("  web CPU per run", *both(sides, lambda s: ms(middle(run[s], "cpu")))),
        row("  web CPU per GET /api/user", *both(sides, lambda s: ms(middle(user[s], "cpu")))),
        row("  sync run p50, after / before", "", ranged(change)),
    ]
    met = statistics.median(ratio[after]) <= RUN_TARGET
    lines.append(f"  after: {'met' if met else 'MISSED'}, a sync run <= {RUN_TARGET}x the floor")
    print("\n".join(lines))


def report_polls(sides: list[Site], runs: dict, concurrency: int) -> None:
    bare = {s.label: runs[f"{s.label} bare-user"] for s in sides}
    poll = {s.label: runs[f"{s.label} poll"] for s in sides}
    ratio = {
        s: pairwise(divide, per_round(poll[s], "rps"), per_round(bare[s], "rps")) for s in poll
    }
    before, after = (s.label for s in sides)
    change = pairwise(divide, per_round(poll[after], "rps"), per_round(poll[before], "rps"))
    lines = [
        f"  c={concurrency}",
        row("signed-in bare view", *both(sides, lambda s: f"{middle(bare[s], 'rps'):.0f}/s")),
        row("poll, nothing new (204)", *both(sides, lambda s: f"{middle(poll[s], 'rps'):.0f}/s")),
        row(
            f"  as a multiple of the bare view (>= {POLL_TARGET}x)",
            *both(sides, lambda s: ranged(ratio[s])),
        ),
        row("  web CPU per poll", *both(sides, lambda s: ms(middle(poll[s], "cpu")))),
        row("  web CPU per bare view", *both(sides, lambda s: ms(middle(bare[s], "cpu")))),
        row("  poll req/s, after / before", "", ranged(change)),
    ]
    met = statistics.median(ratio[after]) >= POLL_TARGET
    lines.append(f"  after: {'met' if met else 'MISSED'}, a poll >= {POLL_TARGET}x the bare view")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: SQLite)")
    parser.add_argument("--redis-url", default="", help="scaled out: Redis cache and sessions")
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="the code to compare with")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="ouro-bench-"))
    upstream_port = free_port()
    upstream = f"http://127.0.0.1:{upstream_port}"
    processes: list[subprocess.Popen] = []
    sides: list[Site] = []
    tree = None
    try:
        tree = baseline_tree(args.baseline_ref, scratch)
        databases = database_urls(args.database_url) if args.database_url else ("", "")
        caches = redis_urls(args.redis_url) if args.redis_url else ("", "")
        commit = subprocess.run(
            ["git", "rev-parse", "--short", args.baseline_ref],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for label, code, database, cache in (
            (f"before ({commit})", tree, databases[1], caches[1]),
            ("after (this tree)", ROOT, databases[0], caches[0]),
        ):
            data = scratch / f"data-{len(sides)}"
            data.mkdir()
            env = {
                **os.environ,
                "DATA_DIR": str(data),
                "DJANGO_SETTINGS_MODULE": "bench.overhead_settings",
                "UPSTREAM_ALLOW_PRIVATE_IPS": "true",
                "DEBUG": "false",
                "TASKS_EAGER": "true",
                # Each request is counted against its key's limit, never refused by it.
                "API_RATE_LIMIT": str(10**9),
                "BENCH_UPSTREAM": upstream,
                "PYTHONPATH": str(code),
            }
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
            if database:
                env["DATABASE_URL"] = database
            if cache:
                env["REDIS_URL"] = cache
            sides.append(Site(label, code, env))

        upstream_process = subprocess.Popen(
            [PYTHON, "-m", "examples.demo_upstream", "--port", str(upstream_port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(upstream_process)
        wait_for(f"{upstream}/hello")
        for site in sides:
            site.start(args.workers, args.threads)

        database = "PostgreSQL" if args.database_url else "SQLite"
        database += " + Redis" if args.redis_url else ""
        print(
            f"The hot path against its floor ({database}, gunicorn {args.workers}x{args.threads} "
            f"per side, {args.requests} requests a measurement; medians of {args.rounds} "
            "alternating rounds, [min-max] of the per-round figures)"
        )
        print(row("", sides[0].label, sides[1].label))
        print("(a) a sync run through the API vs its floor")
        calls = {
            "direct": (lambda s: s.get(f"{upstream}/hello"), 200, lambda: [upstream_process.pid])
        }
        for site in sides:
            calls.update({f"{site.label} {name}": call for name, call in site.run_calls().items()})
        runs = alternate(calls, total=args.requests, concurrency=1, rounds=args.rounds)
        report_runs(sides, runs)

        print("(b) the live panel's poll that finds nothing new vs the signed-in bare view")
        for concurrency in (1, 8):
            calls = {}
            for site in sides:
                calls.update({f"{site.label} {name}": c for name, c in site.poll_calls().items()})
            total = args.requests * (2 if concurrency > 1 else 1)
            runs = alternate(calls, total=total, concurrency=concurrency, rounds=args.rounds)
            report_polls(sides, runs, concurrency)
    finally:
        for site in sides:
            site.stop()
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        if tree is not None:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
            )
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
