"""GET /actions, /actions/{id}, the route's actions and /routes/{id}/stats."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Role
from apps.accounts.services import membership_set
from apps.actions.models import Action, Status
from apps.actions.services import route_run

pytestmark = pytest.mark.django_db


def run(route, user, **inputs):
    return route_run(route=route, user=user, inputs=inputs, source="test")


def test_the_caller_reads_their_action(api, alice_key, hello_route, alice):
    action = run(hello_route, alice)
    body = api(alice_key).get(f"/actions/{action.pk}").json()["data"]
    assert body["id"] == str(action.pk)
    assert body["status"] == "success"
    assert body["response"] == {"message": "Hello, world!"}
    assert body["route"]["id"] == str(hello_route.pk)
    for key in ("created_at", "started_at", "ack_at", "finished_at", "upstream_status_code"):
        assert body[key] is not None
    assert body["input_assets"] == [] and body["output_asset"] is None


def test_others_cannot_read_an_action(api, charlie_key, bob_key, hello_route, alice):
    action = run(hello_route, alice)
    assert api(charlie_key).get(f"/actions/{action.pk}").status_code == 404
    assert api(bob_key).get(f"/actions/{action.pk}").status_code == 404


def test_the_route_owner_reads_actions_of_others(api, alice_key, hello_route, bob):
    action = run(hello_route, bob)
    assert api(alice_key).get(f"/actions/{action.pk}").status_code == 200


def test_unknown_and_malformed_action_ids(api, alice_key):
    assert api(alice_key).get("/actions/00000000-0000-0000-0000-000000000001").status_code == 404
    assert api(alice_key).get("/actions/nope").status_code == 400


def test_my_actions_pages_and_filters_by_status(
    api, alice_key, hello_route, fail_route, alice, bob
):
    for _ in range(3):
        run(hello_route, alice)
    run(fail_route, alice)
    run(hello_route, bob)
    page = api(alice_key).get("/actions?limit=2").json()
    assert len(page["data"]) == 2 and page["pagination"]["hasMore"] is True
    errors = api(alice_key).get("/actions?status=error").json()["data"]
    assert [a["status"] for a in errors] == ["error"]
    both = api(alice_key).get("/actions?status=error,success&limit=50").json()["data"]
    assert len(both) == 4
    assert api(alice_key).get("/actions?status=nope").status_code == 400
    future = api(alice_key).get("/actions?since=2999-01-01T00:00:00Z").json()["data"]
    assert future == []


def test_the_route_actions_list_is_own_by_default_and_global_for_admins(
    api, alice_key, bob_key, hello_route, alice, bob
):
    run(hello_route, alice)
    run(hello_route, bob)
    path = f"/services/{hello_route.service_id}/routes/{hello_route.pk}/actions"
    assert len(api(bob_key).get(path).json()["data"]) == 1
    assert len(api(bob_key).get(f"{path}?global=true").json()["data"]) == 1
    assert len(api(alice_key).get(path).json()["data"]) == 1
    assert len(api(alice_key).get(f"{path}?global=true").json()["data"]) == 2
    mine_excluded = api(alice_key).get(f"{path}?global=true&exclude_self=true").json()["data"]
    assert [a["user_id"] for a in mine_excluded] == [str(bob.pk)]


def test_org_admins_see_all_runs_of_an_org_route(
    api, bob_key, acme, alice, bob, charlie, make_service, make_route
):
    service = make_service(org=acme, visibility="organization")
    route = make_route("GET", "/hello", service=service)
    membership_set(user=charlie, org=acme, role=Role.READ)
    run(route, alice)
    run(route, charlie)
    path = f"/services/{service.pk}/routes/{route.pk}/actions?global=true"
    assert len(api(bob_key).get(path).json()["data"]) == 0  # bob writes but is no admin
    membership_set(user=bob, org=acme, role=Role.ADMIN)
    assert len(api(bob_key).get(path).json()["data"]) == 2


def test_stats_count_all_runs_mine_and_those_in_progress(api, alice_key, hello_route, alice, bob):
    run(hello_route, alice)
    run(hello_route, bob)
    queued = Action.objects.create(
        route=hello_route, user=alice, org=hello_route.org, team=hello_route.team
    )
    data = api(alice_key).get(f"/routes/{hello_route.pk}/stats").json()["data"]
    assert data["total"] == 3
    assert data["userTotal"] == 2
    assert [a["id"] for a in data["inProgress"]] == [str(queued.pk)]
    assert queued.status == Status.QUEUED


def test_stats_of_a_hidden_route_are_not_found(api, charlie_key, make_route, make_service):
    route = make_route("GET", "/hello", service=make_service(visibility="private"))
    assert api(charlie_key).get(f"/routes/{route.pk}/stats").status_code == 404


def test_the_route_json_carries_latency_metrics_of_successful_runs(
    api, alice_key, hello_route, fail_route, alice
):
    empty = api(alice_key).get(f"/routes/{hello_route.pk}").json()["data"]["metrics"]
    assert empty["avg_completion_ms"] is None and empty["latency_sample_count"] == 0
    for _ in range(3):
        run(hello_route, alice)
    run(fail_route, alice)
    metrics = api(alice_key).get(f"/routes/{hello_route.pk}").json()["data"]["metrics"]
    assert metrics["latency_sample_count"] == 3
    for key in ("avg_ack_ms", "p95_ack_ms", "avg_completion_ms", "p95_completion_ms"):
        assert isinstance(metrics[key], int) and metrics[key] >= 0
    assert metrics["p95_completion_ms"] >= metrics["p50_completion_ms"]


def test_latency_metrics_are_worked_out_from_the_timestamps_of_successful_runs(
    api, alice_key, hello_route, alice
):
    from datetime import timedelta

    from django.utils import timezone

    # Whole milliseconds: SQLite's date functions keep no finer time than that.
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    ms = lambda value: timedelta(milliseconds=value)  # noqa: E731
    runs = [(40, 50), (60, 150), (80, 250), (100, 1250), (None, 350)]
    for i, (ack, completion) in enumerate(runs):
        began = start + timedelta(minutes=i)
        Action.objects.create(
            route=hello_route,
            user=alice,
            org=hello_route.org,
            team=hello_route.team,
            status=Status.SUCCESS,
            created_at=began,
            started_at=began,
            ack_at=began + ms(ack) if ack is not None else None,
            finished_at=began + ms(completion),
        )
    Action.objects.create(  # failures do not count
        route=hello_route,
        user=alice,
        org=hello_route.org,
        team=hello_route.team,
        status=Status.ERROR,
        started_at=start,
        ack_at=start + ms(5000),
        finished_at=start + ms(9000),
    )
    metrics = api(alice_key).get(f"/routes/{hello_route.pk}").json()["data"]["metrics"]
    assert metrics == {
        "avg_ack_ms": 70,
        "p50_ack_ms": 60,
        "p95_ack_ms": 100,
        "avg_completion_ms": 410,
        "p50_completion_ms": 250,
        "p95_completion_ms": 1250,
        "latency_sample_count": 5,
    }


def test_listing_actions_costs_the_same_queries_for_few_or_many(api, alice_key, hello_route, alice):
    def count_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api(alice_key).get("/actions?limit=50").status_code == 200
        return len(captured.captured_queries)

    run(hello_route, alice)
    count_for_list()  # the key's first use of the minute records "last used"
    few = count_for_list()
    for _ in range(6):
        run(hello_route, alice)
    assert count_for_list() == few
