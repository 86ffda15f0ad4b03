"""route_run + run_action against real loopback upstreams (the demo upstream and a recorder)."""

import socket

import pytest
from django.core.exceptions import PermissionDenied

from apps.actions.models import Action, Status
from apps.actions.services import route_run, run_action
from apps.routes.schema_form import FormInputError
from apps.services.models import AuthMethod

pytestmark = pytest.mark.django_db


def run(route, user, **inputs):
    return route_run(route=route, user=user, inputs=inputs, source="test")


def test_a_successful_run_stores_the_json_answer_and_the_timings(hello_route, alice):
    action = run(hello_route, alice, query={"name": "Ada"})
    assert action.status == Status.SUCCESS
    assert action.response == {"message": "Hello, Ada!"}
    assert action.upstream_status_code == 200
    assert action.created_at <= action.started_at <= action.ack_at <= action.finished_at
    assert action.metadata["query"] == {"name": "Ada"}
    assert action.request["url"].endswith("/hello")
    assert action.request["query"] == {"name": "Ada"}


def test_path_values_are_substituted_and_query_values_appended(item_route, alice):
    action = run(item_route, alice, parameters={"item_id": "2"}, query={"currency": "EUR"})
    assert action.status == Status.SUCCESS
    assert action.response == {"id": "2", "name": "Gadget", "price": 21.6, "currency": "EUR"}


def test_booleans_in_the_query_are_sent_as_json_writes_them(item_route, alice):
    action = run(item_route, alice, parameters={"item_id": "1"}, query={"verbose": True})
    assert action.response["tags"] == ["tools"]
    assert action.request["query"] == {"verbose": "true"}


def test_path_values_are_percent_encoded(make_route, recorder, make_service, alice):
    route = make_route(
        "GET",
        "/json/{name}",
        service=make_service(base_url=recorder.url),
        parameters=[{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
    )
    action = run(route, alice, parameters={"name": "a/b c?"})
    assert action.status == Status.SUCCESS
    assert recorder.for_action(action.pk)[0]["path"] == "/json/a%2Fb%20c%3F"


def test_an_upstream_500_ends_the_action_as_an_external_service_error(fail_route, alice):
    action = run(fail_route, alice)
    assert action.status == Status.ERROR
    assert action.upstream_status_code == 500
    error = action.response["error"]
    assert action.response["statusCode"] == 500
    assert error["type"] == error["code"] == "external_service_error"
    assert error["message"] == "The upstream answered 500: The demo upstream failed on purpose"
    assert action.finished_at is not None


def test_an_upstream_4xx_says_the_request_was_not_accepted(
    make_route, make_service, recorder, alice
):
    route = make_route("GET", "/status/422", service=make_service(base_url=recorder.url))
    action = run(route, alice)
    assert action.status == Status.ERROR
    assert action.upstream_status_code == 422
    assert "did not accept the request: status 422" in action.error_message


def test_a_slow_upstream_times_out_with_a_clear_message(slow_route, alice, settings):
    settings.UPSTREAM_READ_TIMEOUT = 1
    action = run(slow_route, alice, query={"seconds": 3})
    assert action.status == Status.ERROR
    assert "did not answer within 1 s" in action.error_message
    assert action.upstream_status_code is None


def test_a_refused_connection_ends_the_action_as_error(make_route, make_service, alice):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    route = make_route("GET", "/x", service=make_service(base_url=f"http://127.0.0.1:{port}"))
    action = run(route, alice)
    assert action.status == Status.ERROR
    assert action.response["error"]["code"] == "external_service_error"
    assert action.error_message


def test_an_oversized_answer_is_refused(make_route, make_service, recorder, alice, settings):
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 4096
    route = make_route("GET", "/big", service=make_service(base_url=recorder.url))
    action = run(route, alice)
    assert action.status == Status.ERROR
    assert "4096" in action.error_message or "large" in action.error_message.lower()


def test_a_body_that_claims_json_but_is_not_ends_as_error(
    make_route, make_service, recorder, alice
):
    route = make_route("GET", "/notjson", service=make_service(base_url=recorder.url))
    action = run(route, alice)
    assert action.status == Status.ERROR
    assert action.upstream_status_code == 200
    assert "could not be decoded" in action.error_message


def test_text_and_image_answers_are_stored_readably(make_route, make_service, recorder, alice):
    service = make_service(base_url=recorder.url)
    text = run(make_route("GET", "/text", service=service), alice)
    image = run(make_route("GET", "/image", service=service), alice)
    assert text.response == "plain words"
    assert image.response["contentType"] == "image/png"
    assert image.response["base64"].startswith("iVBOR")


def test_private_addresses_are_refused_when_the_setting_is_off(hello_route, alice, settings):
    settings.UPSTREAM_ALLOW_PRIVATE_IPS = False
    action = run(hello_route, alice)
    assert action.status == Status.ERROR
    assert "UPSTREAM_ALLOW_PRIVATE_IPS" in action.error_message


def test_the_ouro_headers_and_a_json_body_with_a_length_are_sent(
    make_route, make_service, recorder, alice
):
    route = make_route("POST", "/json", service=make_service(base_url=recorder.url))
    action = run(route, alice, body={"a": 1})
    seen = recorder.for_action(action.pk)
    assert len(seen) == 1
    headers = seen[0]["headers"]
    assert headers["ouro-route-id"] == str(route.pk)
    assert headers["ouro-user-id"] == str(alice.pk)
    assert headers["ouro-route-org-id"] == str(route.org_id)
    assert headers["ouro-route-team-id"] == str(route.team_id)
    # Every run can be finished by a callback: an upstream may answer 202 on a sync route too.
    assert headers["ouro-webhook-url"].endswith(f"/api/actions/{action.pk}/webhook")
    assert headers["ouro-webhook-token"]
    assert headers["content-length"] == str(len(b'{"a": 1}'))
    assert not seen[0]["chunked"]
    assert seen[0]["body"] == {"a": 1}


def test_async_routes_get_a_webhook_and_wait_for_the_callback(
    make_route, make_service, recorder, alice, django_capture_on_commit_callbacks
):
    route = make_route(
        "POST", "/accept", service=make_service(base_url=recorder.url), execution_mode="async"
    )
    with django_capture_on_commit_callbacks(execute=True):
        action = run(route, alice, body={})
    assert action.status == Status.QUEUED  # handed to the queue, answered at once
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    assert action.upstream_status_code == 202
    assert action.ack_at is not None
    headers = recorder.for_action(action.pk)[0]["headers"]
    assert headers["ouro-webhook-url"].endswith(f"/api/actions/{action.pk}/webhook")
    assert headers["ouro-webhook-token"]
    assert action.request["headers"]["ouro-webhook-token"] == "[redacted]"
    assert action.webhook_token_hash


def test_a_sync_route_answering_202_stays_in_progress(make_route, make_service, recorder, alice):
    route = make_route("POST", "/accept", service=make_service(base_url=recorder.url))
    assert run(route, alice, body={}).status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("auth", "secret", "param", "where", "expected"),
    [
        (AuthMethod.BEARER, "s3cret-token", "", "header", ("authorization", "Bearer s3cret-token")),
        (AuthMethod.OURO, "s3cret-token", "", "header", ("authorization", "Basic s3cret-token")),
        (AuthMethod.BASIC, "user:pw", "", "header", ("authorization", "Basic dXNlcjpwdw==")),
        (AuthMethod.API_KEY_HEADER, "s3cret-key", "X-Key", "header", ("x-key", "s3cret-key")),
        (AuthMethod.API_KEY_QUERY, "s3cret-key", "key", "query", ("key", "s3cret-key")),
    ],
)
def test_credentials_are_injected_and_never_stored(
    make_route, make_service, recorder, alice, auth, secret, param, where, expected
):
    service = make_service(base_url=recorder.url, auth=auth, secret=secret, auth_param_name=param)
    route = make_route("GET", "/json", service=service)
    action = run(route, alice)
    seen = recorder.for_action(action.pk)[0]
    name, value = expected
    assert seen["headers" if where == "header" else "query"][name] == value
    stored = Action.objects.get(pk=action.pk)
    snapshot = stored.request["headers"] if where == "header" else stored.request["query"]
    assert {k.lower(): v for k, v in snapshot.items()}[name] == "[redacted]"
    assert secret not in str(stored.request)
    assert secret not in str(stored.metadata)
    assert secret not in str(stored.response)  # the recorder echoes what it received
    assert value not in str(stored.response)


def test_invalid_input_raises_per_field_errors_and_reaches_nobody(
    make_route, make_service, recorder, alice, echo_route
):
    route = make_route(
        "POST",
        "/json",
        service=make_service(base_url=recorder.url),
        request_body=echo_route.request_body,
    )
    with pytest.raises(FormInputError) as caught:
        run(route, alice, body={"count": 50, "email": "not-an-email"})
    assert set(caught.value.errors) == {"body.count", "body.email"}
    with pytest.raises(FormInputError) as caught:
        run(route, alice, body={})
    assert caught.value.errors == {"body.count": "Required"}
    assert recorder.requests == []
    assert Action.objects.count() == 0


def test_charlie_cannot_run_alices_private_route(make_route, make_service, alice, charlie):
    route = make_route("GET", "/hello", service=make_service(visibility="private"))
    with pytest.raises(PermissionDenied):
        run(route, charlie)
    assert Action.objects.count() == 0
    assert run(route, alice).status == Status.SUCCESS


def test_a_terminal_status_never_changes(hello_route, alice):
    action = run(hello_route, alice)
    assert action.status == Status.SUCCESS
    assert not action.transition(to=Status.ERROR, expected=(Status.QUEUED, Status.IN_PROGRESS))
    Action.objects.filter(pk=action.pk).update(status=Status.SUCCESS)
    run_action(action.pk)  # a second delivery of the task changes nothing
    action.refresh_from_db()
    assert action.status == Status.SUCCESS
    assert action.response == {"message": "Hello, world!"}


def test_an_unexpected_failure_still_ends_the_action(hello_route, alice):
    hello_route.service.base_url = "http://127.0.0.1:1"
    hello_route.service.auth_method = AuthMethod.BEARER
    hello_route.service.credential_encrypted = "not-a-fernet-token"
    hello_route.service.save()
    action = run(hello_route, alice)
    assert action.status == Status.ERROR
    assert "internal error" in action.error_message


def test_async_dispatch_runs_through_the_queue(
    hello_route, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        action = route_run(
            route=hello_route, user=alice, inputs={}, source="test", prefer_async=True
        )
    action.refresh_from_db()
    assert action.status == Status.SUCCESS


def test_schemas_that_refer_to_the_specs_components_are_validated_with_its_version(
    make_route, make_service, recorder, alice
):
    spec = {
        "openapi": "3.0.3",
        "components": {
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "note": {"type": "string", "nullable": True},
                    },
                }
            }
        },
    }
    service = make_service(base_url=recorder.url, spec=spec)
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
    }
    route = make_route("POST", "/items", service=service, request_body=body)
    with pytest.raises(FormInputError) as caught:
        run(route, alice, body={"note": "no name"})
    assert any("name" in key or "name" in message for key, message in caught.value.errors.items())
    assert recorder.requests == []  # nothing was sent
    action = run(route, alice, body={"name": "a", "note": None})  # 3.0 `nullable`
    assert action.status == Status.SUCCESS


def test_a_queued_run_of_a_route_archived_since_ends_as_error_without_a_call(
    make_route, make_service, recorder, alice
):
    from django.utils import timezone

    route = make_route("GET", "/json", service=make_service(base_url=recorder.url))
    action = Action.objects.create(route=route, user=alice, org=route.org, team=route.team)
    type(route).objects.filter(pk=route.pk).update(archived_at=timezone.now())
    run_action(action.pk)  # the queue's worker
    action.refresh_from_db()
    assert action.status == Status.ERROR
    assert action.error_message == "The route was archived before this run started"
    assert recorder.for_action(action.pk) == []
