"""What paying costs a run: the same sync run of the demo upstream's /hello, free and paid
(hold the price, then confirm it and pay the owner), alternating in one process.

    .venv/bin/python bench/paid_runs.py [--database-url postgres://...] [--runs 300]

Measured twice: `route_run` called directly (the run alone), and `POST .../use` through the
HTTP API with an API key (what a caller waits for, served in-process by Django's test client).
Prints the p50 wall and CPU time of each, the statements a run issues (counted once, inline in
a transaction), and the ratios paid/free.
Target: a paid API run costs at most 1.5x a free one.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ouro_site.settings")

MAX_RATIO = 1.5


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--runs", type=int, default=300)
    return parser.parse_args()


def main() -> int:
    args = parse()
    workdir = tempfile.mkdtemp(prefix="paid-bench-")
    os.environ["DATA_DIR"] = workdir
    os.environ["API_RATE_LIMIT"] = str(10**9)  # each call is counted against the key, never refused
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.services import api_key_create, personal_org, user_create
    from apps.actions.services import route_run
    from apps.billing.models import Wallet
    from apps.billing.services import wallet_adjust
    from apps.routes.models import Route
    from apps.services.models import Service
    from examples.demo_upstream.app import make_server

    settings.UPSTREAM_ALLOW_PRIVATE_IPS = True
    if connection.vendor == "sqlite":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"{workdir}/bench.sqlite3"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server = make_server("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        alice, bob = user_create(username="alice"), user_create(username="bob")
        org = personal_org()
        service = Service.objects.create(
            user=alice, org=org, team=org.default_team, name="Demo", visibility="public",
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
        )  # fmt: skip

        def route(name: str, pricing: dict) -> Route:
            return Route.objects.create(
                user=alice, org=org, team=org.default_team, parent=service, service=service,
                name=name, visibility="inherit", method="GET", path="/hello", pricing=pricing,
            )  # fmt: skip

        free = route("free", {})
        paid = route("paid", {"model": "per_call", "unit_cost": 0.01, "currency": "usd"})
        wallet_adjust(user=bob, cents=args.runs * 10 + 100)  # $0.01 a run, twice a round

        client = Client(headers={"Authorization": api_key_create(user=bob, name="bench")[1]})

        def one(target: Route) -> tuple[float, float]:
            start, start_cpu = time.perf_counter(), time.process_time()
            action = route_run(route=target, user=bob, inputs={"query": {"name": "bench"}})
            wall = (time.perf_counter() - start) * 1000
            assert action.status == "success", action.error_message
            return wall, (time.process_time() - start_cpu) * 1000

        def over_api(target: Route) -> tuple[float, float]:
            url = f"/api/services/{service.pk}/routes/{target.pk}/use"
            body = {"config": {"query": {"name": "bench"}}}
            start, start_cpu = time.perf_counter(), time.process_time()
            answer = client.post(url, body, content_type="application/json")
            wall = (time.perf_counter() - start) * 1000
            assert answer.status_code == 200, answer.content
            return wall, (time.process_time() - start_cpu) * 1000

        for target in (free, paid) * 20:  # warm: pools, kept statements, connections
            one(target)
            over_api(target)
        counts = {}
        for target in (free, paid):
            # Inside a transaction the run happens on this thread: every statement is seen.
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                one(target)
            counts[target.name] = len(queries)
        samples = {"free": [], "paid": [], "free over the API": [], "paid over the API": []}
        for _ in range(args.runs):
            for target in (free, paid):
                samples[target.name].append(one(target))
                samples[f"{target.name} over the API"].append(over_api(target))
        spent = 2 * args.runs + 2 * 20 + 1
        charged = Wallet.objects.get(user=bob)
        assert charged.available_cents == args.runs * 10 + 100 - spent, charged.available_cents
        assert charged.escrowed_cents == 0
    finally:
        server.shutdown()
        if connection.vendor == "postgresql":  # the sync-run threads keep their connections
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.creation.destroy_test_db(old_name, verbosity=0)

    def p50(name: str, column: int) -> float:
        return statistics.median(sample[column] for sample in samples[name])

    print(f"{connection.vendor}, {args.runs} runs of each, alternating")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("CPU is the whole process's, the upstream's thread included")
    for name in samples:
        statements = f", {counts[name]} statements" if name in counts else ""
        print(f"{name}: p50 {p50(name, 0):.2f} ms wall, {p50(name, 1):.2f} ms CPU{statements}")
    ratios = {}
    for way in ("", " over the API"):
        wall = p50(f"paid{way}", 0) / p50(f"free{way}", 0)
        cpu = p50(f"paid{way}", 1) / p50(f"free{way}", 1)
        ratios[way] = wall
        print(f"ratio (paid / free){way or ', the run alone'}: {wall:.2f}x wall, {cpu:.2f}x CPU")
    ok = ratios[" over the API"] <= MAX_RATIO
    print(f"target (paid <= {MAX_RATIO}x free over the API, wall): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
