"""The route page's heading and run-stats strip, and the sparkline's pure core."""

import re

import pytest

from apps.actions.services import route_run
from apps.actions.sparkline import sparkline


def test_a_sparkline_goes_oldest_to_newest_with_the_longest_on_top():
    line = sparkline([10, 30, 20], width=100, height=20, pad=0)
    points = [tuple(map(float, p.split(","))) for p in line.points.split()]
    assert [x for x, _ in points] == [0.0, 50.0, 100.0]
    assert points[1][1] == 0.0 and points[0][1] == 20.0  # 30 at the top, 10 at the bottom
    assert (line.low, line.high) == (10, 30)
    assert sparkline([]).points == ""
    flat = sparkline([5, 5])
    assert {p.split(",")[1] for p in flat.points.split()} == {"14.0"}


@pytest.mark.django_db
def test_the_strip_counts_runs_success_and_durations(client, alice, hello_route, fail_route):
    for name in ("a", "b", "c"):
        route_run(route=hello_route, user=alice, inputs={"query": {"name": name}})
    client.force_login(alice)
    html = client.get("/routes/alice/hello").content.decode()
    strip = html[html.index('class="stats-strip"') : html.index("</dl>", html.index("stats-strip"))]
    assert re.search(r"<dt>Runs</dt><dd>3</dd>", strip)
    assert "100%" in strip and "of the last 3" in strip
    assert re.search(r"<dt>Median</dt><dd>\d+ ms</dd>", strip)
    assert "<polyline points=" in strip and "last 3 successful runs" in strip
    route_run(route=fail_route, user=alice, inputs={})
    html = client.get(fail_route.get_absolute_url()).content.decode()
    assert "0%" in html and "<polyline" not in html


@pytest.mark.django_db
def test_the_heading_names_method_path_service_and_price_before_the_form(
    client, alice, hello_route
):
    client.force_login(alice)
    html = client.get("/routes/alice/hello").content.decode()
    assert "<h1>hello</h1>" in html
    start = html.index('class="route-head"')
    head = html[start : html.index("</header>", start)]
    assert "method-get" in head and "/hello" in head and "free" in head and "Demo" in head
    assert html.index('id="run-area"') < html.index("About this route")
    assert html.index('id="run-area"') < html.index('class="card docs"')
    assert "No runs" not in head and 'class="stats-strip"' not in html  # nothing run yet
