"""A real upstream that answers 202 and reports back over HTTP to the live server.

The demo upstream's /jobs route acknowledges at once, then posts progress and log lines to
the action's log URL and the result to its webhook URL, each with the action's token.
"""

import time

import pytest
import requests

from apps.actions.models import Action, ActionLog, CallbackDelivery, Status
from apps.actions.services import route_run

pytestmark = pytest.mark.django_db(transaction=True)


def settle(action_id, timeout: float = 30.0) -> Action:
    """The action once it has ended and the upstream's result has been received and recorded
    (the upstream works in its own thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        action = Action.objects.get(pk=action_id)
        if (
            action.is_terminal
            and action.deliveries.filter(kind="callback", http_status__in=(200, 409)).exists()
        ):
            return action
        time.sleep(0.1)
    raise AssertionError(f"action {action_id} did not finish within {timeout}s")


def verdicts(action) -> list[tuple[str, str]]:
    return list(
        CallbackDelivery.objects.filter(action=action)
        .order_by("received_at", "id")
        .values_list("kind", "verdict")
    )


def test_a_job_reports_progress_and_logs_then_succeeds(live_site, jobs_route, alice):
    action = route_run(
        route=jobs_route, user=alice, inputs={"body": {"steps": 3, "delay": 0.2}}, source="test"
    )
    assert action.status in (Status.IN_PROGRESS, Status.SUCCESS)
    assert action.upstream_status_code == 202
    action = settle(action.pk)
    assert action.status == Status.SUCCESS
    assert action.response == {"steps": 3, "result": 6}
    assert action.progress == 100
    assert action.last_heartbeat_at is not None
    lines = list(
        ActionLog.objects.filter(action=action, origin="upstream").values_list("message", flat=True)
    )
    assert lines == ["step 1 of 3 done", "step 2 of 3 done", "step 3 of 3 done"]
    assert verdicts(action) == [("log", "accepted")] * 3 + [("callback", "accepted")]


def test_a_failing_job_ends_as_an_external_service_error(live_site, jobs_route, alice):
    action = route_run(
        route=jobs_route,
        user=alice,
        inputs={"body": {"steps": 1, "delay": 0.2, "fail": True}},
        source="test",
    )
    action = settle(action.pk)
    assert action.status == Status.ERROR
    assert action.error_message == "the job failed"
    assert action.response["error"]["type"] == "external_service_error"
    assert action.response["error"]["message"] == "the job failed"


def test_forged_callbacks_are_refused_while_the_real_result_goes_through(
    live_site, jobs_route, alice
):
    action = route_run(
        route=jobs_route, user=alice, inputs={"body": {"steps": 2, "delay": 0.2}}, source="test"
    )
    url = f"{live_site.url}/api/actions/{action.pk}/webhook"
    forged = requests.post(
        url, json={"status": "error"}, headers={"ouro-webhook-token": "guess"}, timeout=10
    )
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "invalid_webhook_token"
    missing = requests.post(url, json={"status": "error"}, timeout=10)
    assert missing.status_code == 401

    action = settle(action.pk)
    assert action.status == Status.SUCCESS
    kinds = verdicts(action)
    assert kinds[:2] == [("callback", "forbidden"), ("callback", "forbidden")]
    assert kinds.count(("callback", "accepted")) == 1
    assert kinds.count(("log", "accepted")) == 2


def test_a_replayed_or_malformed_callback_from_the_upstream_is_refused(live_site, running_action):
    action, token = running_action()
    url = f"{live_site.url}/api/actions/{action.pk}/webhook"
    headers = {"ouro-webhook-token": token}
    malformed = requests.post(
        url,
        data=b'{"status": "finished"}',
        headers={**headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert malformed.status_code == 400
    assert "status must be one of" in malformed.json()["error"]["message"]
    assert (
        requests.post(
            url, json={"status": "success", "response": 1}, headers=headers, timeout=10
        ).status_code
        == 200
    )
    late = requests.post(url, json={"status": "error"}, headers=headers, timeout=10)
    assert late.status_code == 409
    action.refresh_from_db()
    assert (action.status, action.response) == (Status.SUCCESS, 1)
    assert verdicts(action) == [
        ("callback", "malformed"),
        ("callback", "accepted"),
        ("callback", "duplicate"),
    ]


def test_a_job_canceled_while_running_refuses_its_result(live_site, jobs_route, alice):
    from apps.actions.callbacks import action_cancel

    action = route_run(
        route=jobs_route, user=alice, inputs={"body": {"steps": 1, "delay": 0.5}}, source="test"
    )
    assert action_cancel(action=action, user=alice) is True
    action = settle(action.pk)
    assert action.error_message == "canceled by alice"
    delivery = CallbackDelivery.objects.get(action=action, kind="callback")
    assert (delivery.verdict, delivery.http_status) == ("late", 409)
    action.refresh_from_db()
    assert action.status == Status.ERROR


def test_a_sync_route_whose_upstream_answers_202_finishes_through_the_callback(
    live_site, make_route, alice
):
    route = make_route("POST", "/jobs", name="jobs-declared-sync")
    action = route_run(
        route=route, user=alice, inputs={"body": {"steps": 1, "delay": 0.1}}, source="test"
    )
    assert action.upstream_status_code == 202
    assert action.status in (Status.IN_PROGRESS, Status.SUCCESS)
    action = settle(action.pk)
    assert action.status == Status.SUCCESS
    assert action.response == {"steps": 1, "result": 1}
