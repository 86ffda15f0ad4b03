"""POST /api/actions/{id}/log (upstream or caller) and GET /api/actions/{id}/logs."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.actions.callbacks import log_entry_parse
from apps.actions.models import Action, ActionLog, CallbackDelivery, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def upstream_log(client):
    def post(action, body, *, token):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return client.post(
            f"/api/actions/{action.pk}/log",
            data=raw,
            content_type="application/json",
            headers={"ouro-webhook-token": token},
        )

    return post


def test_the_upstream_posts_a_log_line_with_progress_and_a_status_message(
    running_action, upstream_log
):
    action, token = running_action()
    body = {
        "message": "step 1 of 3 done",
        "level": "info",
        "progress": 25,
        "status_message": "Warming up",
    }
    answer = upstream_log(action, body, token=token)
    assert answer.status_code == 200
    data = answer.json()["data"]
    assert data["message"] == "step 1 of 3 done"
    assert data["origin"] == "upstream"
    assert data["action_id"] == str(action.pk)
    action.refresh_from_db()
    assert action.progress == 25
    assert action.status_message == "Warming up"
    assert action.last_heartbeat_at is not None
    assert CallbackDelivery.objects.get(action=action).verdict == "accepted"


def test_progress_alone_is_a_heartbeat_without_a_log_line(running_action, upstream_log):
    action, token = running_action()
    answer = upstream_log(action, {"progress": 60.4}, token=token)
    assert answer.status_code == 200
    assert answer.json()["data"] is None
    action.refresh_from_db()
    assert action.progress == 60
    assert not ActionLog.objects.filter(action=action).exists()


def test_a_log_line_with_a_wrong_token_is_refused_and_recorded(running_action, upstream_log):
    action, _ = running_action()
    answer = upstream_log(action, {"message": "hi"}, token="wrong")
    assert answer.status_code == 403
    assert not ActionLog.objects.filter(action=action).exists()
    delivery = CallbackDelivery.objects.get(action=action)
    assert (delivery.kind, delivery.verdict, delivery.http_status) == ("log", "forbidden", 403)


def test_a_log_line_with_neither_token_nor_key_is_refused_with_401(running_action, client):
    action, _ = running_action()
    answer = client.post(
        f"/api/actions/{action.pk}/log", data={"message": "hi"}, content_type="application/json"
    )
    assert answer.status_code == 401
    assert CallbackDelivery.objects.get(action=action).verdict == "forbidden"


def test_a_log_line_after_the_run_ended_is_refused_as_late(running_action, upstream_log):
    action, token = running_action()
    action.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    answer = upstream_log(action, {"message": "too late", "progress": 99}, token=token)
    assert answer.status_code == 409
    action.refresh_from_db()
    assert action.progress is None
    assert not ActionLog.objects.filter(action=action, message="too late").exists()
    assert CallbackDelivery.objects.get(action=action).verdict == "duplicate"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{oops", "not valid JSON"),
        ({"message": "x", "level": "fatal"}, "level must be one of"),
        ({"message": "x", "progress": 101}, "progress must be from 0 to 100"),
        ({"message": "x", "progress": "half"}, "progress must be a number"),
        ({"message": "x", "progress": True}, "progress must be a number"),
        ({"message": 5}, "message must be a string"),
        ({}, "Send a message, a progress value or a status_message"),
        ({"status_message": "x" * 301}, "status_message is longer than 300"),
    ],
)
def test_a_malformed_log_body_is_refused_with_400(running_action, upstream_log, body, words):
    action, token = running_action()
    answer = upstream_log(action, body, token=token)
    assert answer.status_code == 400
    assert words in answer.json()["error"]["message"]
    assert CallbackDelivery.objects.get(action=action).verdict == "malformed"


def test_the_caller_posts_a_log_line_with_their_key(running_action, api, alice, alice_key):
    action, _ = running_action()
    answer = api(alice_key).post(
        f"/actions/{action.pk}/log",
        {"message": "note", "level": "warning", "asset_id": str(action.route_id)},
    )
    assert answer.status_code == 200
    line = ActionLog.objects.get(action=action)
    assert (line.origin, line.user, line.level) == ("caller", alice, "warning")
    action.refresh_from_db()
    assert action.last_heartbeat_at is not None
    assert not CallbackDelivery.objects.exists()


def test_the_caller_may_annotate_a_finished_run(running_action, api, alice_key):
    action, _ = running_action()
    action.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    assert (
        api(alice_key).post(f"/actions/{action.pk}/log", {"message": "checked"}).status_code == 200
    )
    action.refresh_from_db()
    assert action.last_heartbeat_at is None


def test_outsiders_cannot_post_or_read_logs(running_action, api, charlie_key):
    action, _ = running_action()
    assert api(charlie_key).post(f"/actions/{action.pk}/log", {"message": "x"}).status_code == 404
    assert api(charlie_key).get(f"/actions/{action.pk}/logs").status_code == 404


def test_the_route_owner_reads_but_does_not_write_a_callers_logs(
    running_action, api, alice, bob, bob_key, alice_key
):
    action, _ = running_action(user=bob)
    assert api(bob_key).post(f"/actions/{action.pk}/log", {"message": "mine"}).status_code == 200
    assert api(alice_key).get(f"/actions/{action.pk}/logs").status_code == 200
    answer = api(alice_key).post(f"/actions/{action.pk}/log", {"message": "owner"})
    assert answer.status_code == 403


def _lines(action, count):
    start = timezone.now() - timedelta(minutes=5)
    for i in range(count):
        ActionLog.objects.create(
            action=action,
            message=f"line {i}",
            level="error" if i % 3 == 0 else "info",
            origin="upstream",
            created_at=start + timedelta(seconds=i),
        )


def test_logs_are_paged_newest_first_by_default(running_action, api, alice_key):
    action, _ = running_action()
    _lines(action, 5)
    body = api(alice_key).get(f"/actions/{action.pk}/logs?limit=2").json()
    assert [line["message"] for line in body["data"]] == ["line 4", "line 3"]
    assert body["pagination"] == {"hasMore": True, "offset": 0, "limit": 2}
    last = api(alice_key).get(f"/actions/{action.pk}/logs?limit=2&offset=4").json()
    assert [line["message"] for line in last["data"]] == ["line 0"]
    assert last["pagination"]["hasMore"] is False


def test_logs_in_ascending_order_and_by_level(running_action, api, alice_key):
    action, _ = running_action()
    _lines(action, 7)
    asc = api(alice_key).get(f"/actions/{action.pk}/logs?sort_order=asc").json()["data"]
    assert [line["message"] for line in asc] == [f"line {i}" for i in range(7)]
    errors = api(alice_key).get(f"/actions/{action.pk}/logs?sort_order=asc&level=error").json()
    assert [line["message"] for line in errors["data"]] == ["line 0", "line 3", "line 6"]


def test_bad_log_query_parameters_are_400(running_action, api, alice_key):
    action, _ = running_action()
    assert api(alice_key).get(f"/actions/{action.pk}/logs?sort_order=up").status_code == 400
    assert api(alice_key).get(f"/actions/{action.pk}/logs?level=loud").status_code == 400
    assert api(alice_key).get(f"/actions/{action.pk}/logs?limit=x").status_code == 400


def test_log_lines_carry_the_fields_the_client_reads(running_action, api, alice, alice_key):
    action, _ = running_action()
    api(alice_key).post(f"/actions/{action.pk}/log", {"message": "hello"})
    line = api(alice_key).get(f"/actions/{action.pk}/logs").json()["data"][0]
    assert line["asset_id"] == str(action.route_id)
    assert line["user"]["username"] == "alice"
    assert line["level"] == "info"
    assert line["created_at"]


def test_log_entry_parse_keeps_what_it_was_given():
    entry = log_entry_parse({"message": "m", "level": "error", "progress": 0, "status_message": ""})
    assert (entry.message, entry.level, entry.progress, entry.status_message) == (
        "m",
        "error",
        0,
        "",
    )


def test_a_heartbeat_does_not_touch_a_finished_action(running_action, upstream_log):
    action, token = running_action()
    Action.objects.filter(pk=action.pk).update(status=Status.ERROR)
    upstream_log(action, {"message": "late"}, token=token)
    action.refresh_from_db()
    assert action.last_heartbeat_at is None
