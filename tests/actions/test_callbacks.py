"""POST /api/actions/{id}/webhook: the upstream's result, checked, applied once, recorded."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from apps.actions.callbacks import callback_parse, upstream_error_message
from apps.actions.models import Action, CallbackDelivery, Status
from apps.actions.services import external_error
from apps.services.credentials import encrypt_secret

pytestmark = pytest.mark.django_db

SIGNING_SECRET = "whsec_" + base64.b64encode(b"a signing secret of 32 bytes!!!!").decode()


@pytest.fixture
def deliver(client):
    """POST a raw body to an action's webhook: deliver(action, body, token=..., headers=...)."""

    def post(action, body, *, token=None, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {**({"ouro-webhook-token": token} if token else {}), **(headers or {})}
        return client.post(
            f"/api/actions/{action.pk}/webhook",
            data=raw,
            content_type="application/json",
            headers=sent,
        )

    return post


def signed_headers(body: bytes, *, secret=SIGNING_SECRET, at: datetime | None = None) -> dict:
    at = at or datetime.now(tz=UTC)
    msg_id = f"msg_{uuid.uuid4().hex}"
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def deliveries(action) -> list[tuple[str, str, int]]:
    return [
        (d.kind, d.verdict, d.http_status)
        for d in CallbackDelivery.objects.filter(action=action).order_by("received_at", "id")
    ]


def test_a_success_callback_ends_the_action_with_its_response(running_action, deliver):
    action, token = running_action()
    answer = deliver(action, {"status": "success", "response": {"result": 6}}, token=token)
    assert answer.status_code == 200
    assert answer.json()["data"] == {"id": str(action.pk), "status": "success"}
    action.refresh_from_db()
    assert action.status == Status.SUCCESS
    assert action.response == {"result": 6}
    assert action.finished_at is not None
    assert deliveries(action) == [("callback", "accepted", 200)]


def test_success_completes_reported_progress_and_adds_none_otherwise(running_action, deliver):
    reporting, reporting_token = running_action(progress=40)
    silent, silent_token = running_action()
    deliver(reporting, {"status": "success"}, token=reporting_token)
    deliver(silent, {"status": "success"}, token=silent_token)
    reporting.refresh_from_db()
    silent.refresh_from_db()
    assert (reporting.progress, silent.progress) == (100, None)


def test_completed_means_success_and_failed_means_error(running_action, deliver):
    done, done_token = running_action()
    failed, failed_token = running_action()
    deliver(done, {"status": "completed", "response": {"ok": True}}, token=done_token)
    deliver(failed, {"status": "failed", "response": {"message": "disk full"}}, token=failed_token)
    done.refresh_from_db()
    failed.refresh_from_db()
    assert done.status == Status.SUCCESS
    assert failed.status == Status.ERROR


def test_an_error_callback_stores_the_upstreams_message_as_an_external_service_error(
    running_action, deliver
):
    action, token = running_action()
    answer = deliver(
        action, {"status": "error", "response": {"message": "the job failed"}}, token=token
    )
    assert answer.status_code == 200
    action.refresh_from_db()
    assert action.status == Status.ERROR
    assert action.error_message == "the job failed"
    assert action.response == external_error("the job failed")
    assert action.response["error"]["type"] == "external_service_error"


def test_a_queued_action_can_be_finished_before_its_acknowledgement_lands(running_action, deliver):
    action, token = running_action(status=Status.QUEUED)
    assert deliver(action, {"status": "success", "response": {}}, token=token).status_code == 200
    action.refresh_from_db()
    assert action.status == Status.SUCCESS


def test_declared_outputs_in_the_result_become_assets_of_the_caller(
    make_route, running_action, deliver, alice
):
    route = make_route(
        "POST",
        "/jobs",
        name="chart-job",
        execution_mode="async",
        output_assets={"chart": {"asset_type": "file", "primary": True}},
    )
    action, token = running_action(route=route)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()
    result = {
        "title": "t",
        "chart": {"name": "chart", "filename": "c.png", "type": "image/png", "base64": png},
    }
    deliver(action, {"status": "success", "response": result}, token=token)
    action.refresh_from_db()
    assert action.status == Status.SUCCESS
    assert "base64" not in json.dumps(action.response)
    link = action.assets.get(role="output", name="chart")
    assert link.asset.user == alice


def test_a_result_that_cannot_be_stored_leaves_the_run_open_for_a_retry(
    make_route, running_action, deliver
):
    route = make_route("POST", "/jobs", name="broken-outputs", execution_mode="async")
    route.output_assets = {"chart": "file"}  # a declaration that is not an object
    route.save()
    action, token = running_action(route=route)
    result = {"status": "success", "response": {"chart": {"name": "c"}}}
    assert deliver(action, result, token=token).status_code == 500
    action.refresh_from_db()
    assert (action.status, action.finished_at) == (Status.IN_PROGRESS, None)
    route.output_assets = {"chart": {"asset_type": "dataset"}}
    route.save()
    retry = deliver(action, {"status": "success", "response": {"done": True}}, token=token)
    assert retry.status_code == 200
    action.refresh_from_db()
    assert action.status == Status.SUCCESS


def test_a_wrong_token_is_refused_with_403_and_recorded(running_action, deliver):
    action, _ = running_action()
    answer = deliver(action, {"status": "success", "response": {}}, token="forged-token")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "invalid_webhook_token"
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    assert deliveries(action) == [("callback", "forbidden", 403)]


def test_a_missing_token_is_refused_with_401(running_action, deliver):
    action, _ = running_action()
    answer = deliver(action, {"status": "success", "response": {}})
    assert answer.status_code == 401
    assert "ouro-webhook-token" in answer.json()["error"]["message"]
    assert deliveries(action) == [("callback", "forbidden", 401)]


def test_the_token_of_another_action_does_not_open_this_one(running_action, deliver):
    action, _ = running_action()
    _, other_token = running_action()
    assert deliver(action, {"status": "success"}, token=other_token).status_code == 403


def test_a_callback_with_an_api_key_instead_of_the_token_is_refused(
    running_action, deliver, alice_key
):
    action, _ = running_action()
    answer = deliver(action, {"status": "success"}, headers={"Authorization": alice_key})
    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"not json at all", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"response": {}}', "status must be one of success, completed, error, failed"),
        (b'{"status": "done"}', "not 'done'"),
    ],
)
def test_a_malformed_body_is_refused_with_400_and_a_clear_message(
    running_action, deliver, body, words
):
    action, token = running_action()
    answer = deliver(action, body, token=token)
    assert answer.status_code == 400
    assert words in answer.json()["error"]["message"]
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    assert deliveries(action) == [("callback", "malformed", 400)]


def test_the_delivery_records_the_body_size(running_action, deliver):
    action, token = running_action()
    body = json.dumps({"status": "success", "response": {"x": "y" * 100}}).encode()
    deliver(action, body, token=token)
    assert CallbackDelivery.objects.get(action=action).size == len(body)


def test_a_second_callback_changes_nothing_and_answers_409(running_action, deliver):
    action, token = running_action()
    deliver(action, {"status": "success", "response": {"first": 1}}, token=token)
    finished = Action.objects.get(pk=action.pk).finished_at
    again = deliver(action, {"status": "error", "response": {"message": "x"}}, token=token)
    assert again.status_code == 409
    assert "already ended with status success" in again.json()["error"]["message"]
    action.refresh_from_db()
    assert action.status == Status.SUCCESS
    assert action.response == {"first": 1}
    assert action.finished_at == finished
    assert deliveries(action) == [("callback", "accepted", 200), ("callback", "duplicate", 409)]


def test_unknown_and_malformed_action_ids(client):
    unknown = client.post(
        f"/api/actions/{uuid.uuid4()}/webhook", data=b"{}", content_type="application/json"
    )
    assert unknown.status_code == 404
    bad = client.post("/api/actions/nope/webhook", data=b"{}", content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_uuid"


class TestSignedServices:
    @pytest.fixture
    def signed_action(self, running_action, jobs_route):
        service = jobs_route.service
        service.signing_secret_encrypted = encrypt_secret(SIGNING_SECRET)
        service.save()
        return running_action()

    def test_a_correctly_signed_callback_is_accepted(self, signed_action, deliver):
        action, token = signed_action
        body = json.dumps({"status": "success", "response": {"signed": True}}).encode()
        answer = deliver(action, body, token=token, headers=signed_headers(body))
        assert answer.status_code == 200

    def test_the_token_alone_is_not_enough(self, signed_action, deliver):
        action, token = signed_action
        answer = deliver(action, {"status": "success"}, token=token)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "invalid_signature"
        assert deliveries(action) == [("callback", "forbidden", 401)]

    def test_a_signature_over_another_body_is_refused(self, signed_action, deliver):
        action, token = signed_action
        headers = signed_headers(b'{"status": "error"}')
        answer = deliver(action, {"status": "success"}, token=token, headers=headers)
        assert answer.status_code == 401

    def test_a_signature_from_another_secret_is_refused(self, signed_action, deliver):
        action, token = signed_action
        body = b'{"status": "success"}'
        other = "whsec_" + base64.b64encode(b"another secret, also 32 bytes!!!").decode()
        answer = deliver(action, body, token=token, headers=signed_headers(body, secret=other))
        assert answer.status_code == 401

    def test_a_signature_older_than_five_minutes_is_refused(self, signed_action, deliver):
        action, token = signed_action
        body = b'{"status": "success"}'
        stale = datetime.now(tz=UTC) - timedelta(minutes=6)
        answer = deliver(action, body, token=token, headers=signed_headers(body, at=stale))
        assert answer.status_code == 401
        assert "too old" in answer.json()["error"]["message"]

    def test_a_garbled_signature_header_is_refused_not_a_server_error(self, signed_action, deliver):
        action, token = signed_action
        body = b'{"status": "success"}'
        headers = {**signed_headers(body), "webhook-signature": "garbage"}
        assert deliver(action, body, token=token, headers=headers).status_code == 401


def test_callback_parse_maps_the_four_words():
    assert callback_parse(b'{"status": "completed", "response": [1]}') == ("success", [1])
    assert callback_parse(b'{"status": "failed"}') == ("error", None)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"message": "boom"}, "boom"),
        ({"error": "bad input"}, "bad input"),
        ({"error": {"message": "nested"}}, "nested"),
        ({"detail": "from FastAPI"}, "from FastAPI"),
        ("plain words", "plain words"),
        (None, "The upstream reported an error without a message"),
        ({"code": 3}, "The upstream reported an error without a message"),
    ],
)
def test_upstream_error_message_finds_the_message_wherever_it_is(response, message):
    assert upstream_error_message(response) == message
