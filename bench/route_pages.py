"""The route page and its Actions tab as the actions table grows: p50 render time and query
count with 1,000 and with 100,000 actions, measured side by side in one run; and the route
page of every operation of the largest public specs (Slack, Twilio, Box, OpenAI), p50 and p99
per page with its query count, against the demo's `hello` route page in the same run.

    .venv/bin/python bench/route_pages.py [--database-url postgres://postgres@127.0.0.1/ouro_bench]
        [--part all|actions|specs] [--specs-dir ../shared/specs]

Targets: p50 at most 50 ms at 100,000 actions, and a query count that does not grow; a spec
route page's p99 at most 3x the `hello` page's p50.
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
parser.add_argument("--part", choices=["all", "actions", "specs"], default="all")
parser.add_argument(
    "--specs-dir", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "specs")
)
parser.add_argument("--spec-renders", type=int, default=3, help="renders of each spec page")
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
LARGE_SPECS = (
    "slack-web-openapi-v2.json",
    "twilio-api-v2010.json",
    "box-openapi.json",
    "openai-openapi-2024-09-24-yaml-anchors.yaml",
)
MAX_P99_TO_HELLO_P50 = 3.0


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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def render(client: Client, url: str) -> tuple[float, int, int]:
    """The median of a few renders of a page (ms), its query count and its size."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(args.spec_renders):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(captured.captured_queries), len(response.content)


def spec_pages(client: Client, owner, hello_url: str) -> None:
    """Every operation's route page of the largest specs, against `hello` in the same run."""
    from apps.routes.services import service_import_openapi
    from apps.services.services import spec_from_path

    specs = Path(args.specs_dir).resolve()
    if not specs.is_dir():
        print(f"no spec folder at {specs}; give --specs-dir")
        return
    hello_p50, hello_queries = measure(client, hello_url)
    print(f"route pages of every operation; hello: p50 {hello_p50:.1f} ms, {hello_queries} queries")
    everything, slowest = [], []
    for name in LARGE_SPECS:
        result = spec_from_path(specs / name)
        service, _ = service_import_openapi(
            owner=owner,
            org=personal_org(),
            source=result,
            name=name,
            base_url=result.base_url if result.base_url.startswith("http") else "https://x.test",
        )
        client.get(hello_url)  # the connection warm again after the import
        routes = Route.objects.live().filter(service=service).order_by("path", "method")
        urls = [route.get_absolute_url() for route in routes]
        pages = {url: render(client, url) for url in urls}
        times = [t for t, _, _ in pages.values()]
        queries = [q for _, q, _ in pages.values()]
        everything.extend(times)
        slowest.extend((t, url, size) for url, (t, _, size) in pages.items())
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        print(
            f"  {name:<45} {len(pages):>4} pages: p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
            f"max {max(times):6.1f} ms  queries {min(queries)}-{max(queries)}  "
            f"p99/hello p50 {p99 / hello_p50:.2f}x"
        )
    p50, p99 = percentile(everything, 0.5), percentile(everything, 0.99)
    print(
        f"  all {len(everything)} pages: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"= {p99 / hello_p50:.2f}x hello's p50 (target <= {MAX_P99_TO_HELLO_P50:.0f}x)"
    )
    for spent, url, size in sorted(slowest, reverse=True)[:5]:
        print(f"    slowest: {url} {spent:.1f} ms, {size:,} bytes of HTML")


def main() -> None:
    # As in tests: keep one connection across requests so its queries can be counted.
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
    route, owner = seed()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(owner)
    base = f"/routes/{route.entity_name}/{route.slug}"
    if args.part in ("all", "specs"):
        spec_pages(client, owner, base)
    if args.part == "specs":
        return
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
