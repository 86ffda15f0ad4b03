"""Faulty upstreams: every call has a total deadline, so none can hold a thread for ever.

The upstream is a real loopback server: the demo's /drip promises 100 kB and sends a byte every
0.5 s (each well within the read timeout).
"""

import time

import pytest

from apps.actions.models import Action, Status
from apps.actions.services import route_run
from apps.routes.models import ExecutionMode

DRIP = [
    {"name": "bytes", "in": "query", "schema": {"type": "integer"}},
    {"name": "interval", "in": "query", "schema": {"type": "number"}},
]
DRIPPING = {"bytes": 100_000, "interval": 0.5}
ROUTE_LIMIT = "took longer than the 2 s total limit (the route's total timeout)"


def use(api, key, route, config=None, **extra):
    path = f"/services/{route.service_id}/routes/{route.pk}/use"
    return api(key).post(path, {"config": config or {}}, **extra)


@pytest.fixture
def drip_route(make_route):
    return make_route("GET", "/drip", name="drip", parameters=DRIP, total_timeout_seconds=2)


# The total deadline ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dripping_upstream_ends_a_sync_run_at_the_routes_total_timeout(
    api, alice_key, drip_route
):
    started = time.monotonic()
    response = use(api, alice_key, drip_route, {"query": DRIPPING})
    assert time.monotonic() - started < 3.5  # the run's 2 s, and a first request's set-up
    assert response.status_code == 502
    body = response.json()
    assert ROUTE_LIMIT in body["error"]["message"]
    assert body["action"]["status"] == "error"
    action = Action.objects.get()
    assert action.status == Status.ERROR and ROUTE_LIMIT in action.error_message
    assert action.response["error"]["type"] == "external_service_error"
    assert (action.finished_at - action.started_at).total_seconds() < 2.5


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["queued", "async route"])
def test_a_dripping_upstream_ends_a_queued_run_at_the_routes_total_timeout(
    make_route, alice, mode, django_capture_on_commit_callbacks
):
    route = make_route(
        "GET",
        "/drip",
        name="drip",
        parameters=DRIP,
        total_timeout_seconds=2,
        execution_mode=ExecutionMode.ASYNC if mode == "async route" else ExecutionMode.SYNC,
    )
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):  # the queue runs it inline here
        action = route_run(route=route, user=alice, inputs={"query": DRIPPING}, prefer_async=True)
    assert time.monotonic() - started < 3
    action.refresh_from_db()
    assert action.status == Status.ERROR
    assert ROUTE_LIMIT in action.error_message, action.error_message


@pytest.mark.django_db
def test_without_a_route_limit_the_servers_holds_and_a_route_cannot_raise_it(
    make_route, alice, settings
):
    settings.UPSTREAM_TOTAL_TIMEOUT = 1
    for limit in (None, 30):
        route = make_route(
            "GET", "/drip", name=f"drip-{limit}", parameters=DRIP, total_timeout_seconds=limit
        )
        started = time.monotonic()
        action = route_run(route=route, user=alice, inputs={"query": DRIPPING})
        assert time.monotonic() - started < 2
        assert action.status == Status.ERROR
        assert "took longer than the 1 s total limit (UPSTREAM_TOTAL_TIMEOUT)" in (
            action.error_message
        )
