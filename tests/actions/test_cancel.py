"""POST /api/actions/{id}/cancel and the rule of who may cancel a run."""

import json

import pytest

from apps.actions.models import ActionLog, CallbackDelivery, Status

pytestmark = pytest.mark.django_db


def test_the_caller_cancels_an_in_progress_run(running_action, api, alice, alice_key):
    action, _ = running_action()
    answer = api(alice_key).post(f"/actions/{action.pk}/cancel")
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["status"] == "error"
    assert data["error_message"] == "canceled by alice"
    assert data["response"]["error"]["message"] == "canceled by alice"
    action.refresh_from_db()
    assert action.status == Status.ERROR
    assert action.canceled_by == alice
    assert action.finished_at is not None
    assert ActionLog.objects.get(action=action, origin="system").message == "Canceled by alice"


def test_a_queued_run_can_be_canceled_too(running_action, api, alice_key):
    action, _ = running_action(status=Status.QUEUED)
    assert api(alice_key).post(f"/actions/{action.pk}/cancel").status_code == 200


def test_the_route_owner_may_cancel_someone_elses_run(running_action, api, bob, alice_key):
    action, _ = running_action(user=bob)
    answer = api(alice_key).post(f"/actions/{action.pk}/cancel")
    assert answer.status_code == 200
    assert answer.json()["data"]["error_message"] == "canceled by alice"


def test_an_org_admin_may_cancel_runs_of_the_orgs_routes(
    make_service, make_route, running_action, acme, bob, charlie, api, alice_key
):
    service = make_service(owner=bob, org=acme)
    route = make_route("POST", "/jobs", service=service, execution_mode="async")
    action, _ = running_action(route=route, user=charlie)
    assert api(alice_key).post(f"/actions/{action.pk}/cancel").status_code == 200


def test_outsiders_get_404(running_action, api, charlie_key):
    action, _ = running_action()
    assert api(charlie_key).post(f"/actions/{action.pk}/cancel").status_code == 404
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS


def test_a_finished_run_cannot_be_canceled(running_action, api, alice_key):
    action, _ = running_action()
    action.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    answer = api(alice_key).post(f"/actions/{action.pk}/cancel")
    assert answer.status_code == 409
    assert "already ended with status success" in answer.json()["error"]["message"]


def test_a_callback_after_cancel_changes_nothing(running_action, api, alice_key, client):
    action, token = running_action()
    api(alice_key).post(f"/actions/{action.pk}/cancel")
    answer = client.post(
        f"/api/actions/{action.pk}/webhook",
        data=json.dumps({"status": "success", "response": {"x": 1}}),
        content_type="application/json",
        headers={"ouro-webhook-token": token},
    )
    assert answer.status_code == 409
    assert "canceled by alice" in answer.json()["error"]["message"]
    action.refresh_from_db()
    assert action.status == Status.ERROR
    assert action.response["error"]["code"] == "action_canceled"
    assert CallbackDelivery.objects.get(action=action).verdict == "late"


def test_cancel_needs_authentication(running_action, api):
    action, _ = running_action()
    assert api(None).post(f"/actions/{action.pk}/cancel").status_code == 401
