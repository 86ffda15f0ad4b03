"""POST /services/{sid}/routes/{rid}/use: sync, async, failures and refusals (CONTRACT §5)."""

import time

import pytest

from apps.actions.models import Action, Status

pytestmark = pytest.mark.django_db


def use(api, key, route, config=None, **extra):
    path = f"/services/{route.service_id}/routes/{route.pk}/use"
    return api(key).post(path, {"config": config or {}}, **extra)


def test_a_sync_run_answers_200_with_the_response_and_the_action(api, alice_key, item_route):
    response = use(
        api, alice_key, item_route, {"params": {"item_id": "1"}, "query": {"currency": "EUR"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["responseData"] == {
        "id": "1",
        "name": "Widget",
        "price": 8.55,
        "currency": "EUR",
    }
    assert body["action"]["status"] == "success"
    assert body["action"]["route_id"] == str(item_route.pk)
    assert body["action"]["metadata"]["parameters"] == {"item_id": "1"}
    assert body["metadata"] == {"outputAssets": []}


def test_an_upstream_failure_answers_502_and_still_carries_the_action(api, alice_key, fail_route):
    response = use(api, alice_key, fail_route)
    assert response.status_code == 502
    body = response.json()
    assert body["error"]["code"] == "external_service_error"
    assert body["action"]["status"] == "error"
    assert body["action"]["response"]["error"]["type"] == "external_service_error"


def test_prefer_respond_async_answers_202_with_the_queued_action(
    api, alice_key, hello_route, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = use(api, alice_key, hello_route, headers={"Prefer": "respond-async"})
    assert response.status_code == 202
    assert response.json()["action"]["status"] == "queued"
    assert len(callbacks) == 1
    callbacks[0]()
    assert Action.objects.get().status == Status.SUCCESS


def test_invalid_inputs_answer_400_with_per_field_errors(api, alice_key, echo_route):
    response = use(api, alice_key, echo_route, {"body": {"count": "two"}})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["fields"]["body.count"] == "Enter a whole number"
    assert Action.objects.count() == 0


def test_outsiders_get_404_for_a_private_route(api, charlie_key, make_route, make_service):
    route = make_route("GET", "/hello", service=make_service(visibility="private"))
    assert use(api, charlie_key, route).status_code == 404


def test_a_route_under_another_service_is_not_found(api, alice_key, hello_route, make_service):
    other = make_service(name="Other")
    path = f"/services/{other.pk}/routes/{hello_route.pk}/use"
    assert api(alice_key).post(path, {"config": {}}).status_code == 404


def test_malformed_ids_answer_400(api, alice_key):
    assert api(alice_key).post("/services/x/routes/y/use", {}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_sync_run_longer_than_the_route_allows_answers_202_and_finishes(
    api, alice_key, slow_route
):
    slow_route.sync_timeout_seconds = 1
    slow_route.save()
    response = use(api, alice_key, slow_route, {"query": {"seconds": 2.5}})
    assert response.status_code == 202
    action_id = response.json()["action"]["id"]
    assert response.json()["action"]["status"] == "in-progress"
    deadline = time.monotonic() + 20
    while Action.objects.get(pk=action_id).status != Status.SUCCESS:
        assert time.monotonic() < deadline, "the background run never finished"
        time.sleep(0.2)
    assert Action.objects.get(pk=action_id).response == {"slept": 2.5}


def test_a_sync_run_reads_the_key_and_the_route_and_writes_the_action_twice(
    api, alice_key, hello_route
):
    """The hot path's budget: one read for the key, one for the route and its service, then
    the action's insert (already claimed: it runs here), its log lines in one insert, and its
    outcome (the personal organization is not re-read, the key's "last used" only once a
    minute, the spec never)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert use(api, alice_key, hello_route).status_code == 200  # "last used" is recorded once
    with CaptureQueriesContext(connection) as captured:
        assert use(api, alice_key, hello_route).status_code == 200
    statements = [
        q["sql"].split()[0].upper()
        for q in captured.captured_queries
        if "SAVEPOINT" not in q["sql"].upper()
    ]
    inserts = [
        q["sql"].split()[2].strip('"')
        for q in captured.captured_queries
        if q["sql"].startswith("INSERT")
    ]
    assert inserts == ["actions_action", "actions_actionlog"]
    assert statements == ["SELECT", "SELECT", "INSERT", "INSERT", "UPDATE"], [
        q["sql"][:120] for q in captured.captured_queries
    ]


def test_runs_read_their_route_and_service_once_whatever_they_declare(
    api, alice_key, make_route, make_service
):
    """The run look-up loads only the columns a run needs: no route, with credentials, output
    assets or a body schema, makes a run go back for a column it left out."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.services.models import AuthMethod
    from tests.actions.conftest import json_body

    service = make_service(auth=AuthMethod.API_KEY_HEADER, secret="s3cret", auth_param_name="X-K")
    routes = [
        make_route("POST", "/echo", service=service, request_body=json_body({"type": "object"})),
        make_route(
            "POST",
            "/chart",
            name="chart",
            request_body=json_body({"type": "object"}),
            output_assets={"chart": {"asset_type": "file", "primary": True}},
        ),
    ]
    bodies = [{"a": 1}, {"values": [1, 2]}]
    for route, body in zip(routes, bodies, strict=True):
        assert use(api, alice_key, route, {"body": body}).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            response = use(api, alice_key, route, {"body": body})
        assert response.status_code == 200, response.json()
        reads = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith("SELECT")
            and ('FROM "routes_route"' in q["sql"] or 'FROM "services_service"' in q["sql"])
        ]
        assert len(reads) == 1, reads
