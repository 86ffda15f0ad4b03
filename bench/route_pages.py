"""The route page and its Actions tab as the actions table grows: p50 render time and query
count with 1,000 and with 100,000 actions, measured side by side in one run.

    .venv/bin/python bench/route_pages.py [--database-url postgres://postgres@127.0.0.1/ouro_bench]

Targets: p50 at most 50 ms at 100,000 actions, and a query count that does not grow.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--database-url", default="")
parser.add_argument("--renders", type=int, default=30)
args = parser.parse_args()
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="ouro-bench-")
if args.database_url:
    os.environ["DATABASE_URL"] = args.database_url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ouro_site.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.services import personal_org, user_create  # noqa: E402
from apps.actions.models import Action, Status  # noqa: E402
from apps.routes.models import Route  # noqa: E402
from apps.services.models import Service  # noqa: E402

SIZES = (1_000, 100_000)
MAX_P50_MS = 50.0


def seed() -> tuple[Route, object]:
    call_command("migrate", verbosity=0)
    org = personal_org()
    owner = user_create(username="owner", email="o@example.org", password="owner-password-1")
    service = Service.objects.create(
        user=owner,
        org=org,
        team=org.default_team,
        name="Demo",
        visibility="public",
        base_url="http://127.0.0.1:9",
    )
    route = Route.objects.create(
        user=owner,
        org=org,
        team=org.default_team,
        parent=service,
        service=service,
        name="hello",
        visibility="inherit",
        method="GET",
        path="/hello",
    )
    return route, owner


def grow(route: Route, owner, to: int) -> None:
    have = Action.objects.filter(route=route).count()
    now = timezone.now()
    statuses = [Status.SUCCESS, Status.SUCCESS, Status.SUCCESS, Status.ERROR]
    batch = []
    for i in range(have, to):
        created = now - timedelta(seconds=i)
        batch.append(
            Action(
                route=route,
                user=owner,
                org=route.org,
                team=route.team,
                status=statuses[i % 4],
                created_at=created,
                started_at=created,
                ack_at=created + timedelta(milliseconds=40),
                finished_at=created + timedelta(milliseconds=50),
                upstream_status_code=200,
                response={"i": i},
            )
        )
        if len(batch) == 5000:
            Action.objects.bulk_create(batch)
            batch = []
    Action.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        # What autovacuum would do after a bulk load: fresh statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE actions_action")


def measure(client: Client, url: str) -> tuple[float, int]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    times = []
    for _ in range(args.renders):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(captured.captured_queries)


def main() -> None:
    # As in tests: keep one connection across requests so its queries can be counted.
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
    route, owner = seed()
    client = Client()
    client.force_login(owner)
    base = f"/routes/{route.entity_name}/{route.slug}"
    pages = {
        "route page": base,
        "actions tab (mine)": f"{base}?tab=actions",
        "actions tab (all, errors)": f"{base}?tab=actions&scope=all&status=error",
    }
    results = {}
    for size in SIZES:
        grow(route, owner, size)
        results[size] = {name: measure(client, url) for name, url in pages.items()}
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"route page and Actions tab, {database}, p50 of {args.renders} renders")
    small, large = SIZES
    for name in pages:
        (p50_s, q_s), (p50_l, q_l) = results[small][name], results[large][name]
        print(
            f"  {name:<27} {small:>7,}: {p50_s:6.1f} ms {q_s:>2} queries | "
            f"{large:>7,}: {p50_l:6.1f} ms {q_l:>2} queries | time ratio {p50_l / p50_s:.2f}x "
            f"(target <= {MAX_P50_MS:.0f} ms, same queries)"
        )


if __name__ == "__main__":
    main()
