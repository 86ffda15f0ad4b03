"""The action page and the panel poll view."""

import re

import pytest

from apps.actions.models import Action, ActionLog, Status
from apps.actions.services import route_run
from apps.services.models import AuthMethod

pytestmark = pytest.mark.django_db


def test_the_action_page_shows_the_outcome_the_request_and_snippets(client, item_route, alice):
    action = route_run(
        route=item_route, user=alice, inputs={"parameters": {"item_id": "1"}}, source="test"
    )
    client.force_login(alice)
    response = client.get(f"/actions/{action.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "status-success" in html
    assert "&quot;name&quot;: &quot;Widget&quot;" in html
    assert "/items/1" in html  # the request as sent
    assert f"/routes/alice/get-item?again={action.pk}" in html
    assert "params={&#x27;item_id&#x27;: &#x27;1&#x27;}" in html
    assert 'hx-trigger="every' not in html  # terminal: no polling (comments load once)


def test_the_request_shown_has_the_credential_redacted(
    client, make_route, make_service, recorder, alice
):
    service = make_service(base_url=recorder.url, auth=AuthMethod.BEARER, secret="very-secret-1")
    action = route_run(route=make_route("GET", "/json", service=service), user=alice, inputs={})
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}").content.decode()
    assert "[redacted]" in html
    assert "very-secret-1" not in html


def test_outsiders_get_404_and_anonymous_visitors_a_login(client, hello_route, alice, charlie):
    action = route_run(route=hello_route, user=alice, inputs={})
    assert client.get(f"/actions/{action.pk}").status_code == 302
    client.force_login(charlie)
    assert client.get(f"/actions/{action.pk}").status_code == 404
    assert client.get(f"/actions/{action.pk}/panel").status_code == 404


def test_the_panel_polls_while_running_and_stops_once_terminal(client, hello_route, alice):
    action = Action.objects.create(
        route=hello_route, user=alice, org=hello_route.org, team=hello_route.team
    )
    ActionLog.objects.create(action=action, message="warming up", level="warning")
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    assert 'hx-trigger="every 1s"' in html and "status-queued" in html
    assert "warming up" in html
    action.transition(to=Status.IN_PROGRESS, expected=(Status.QUEUED,))
    Action.objects.filter(pk=action.pk).update(progress=40)
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    assert '<progress class="progress" value="40" max="100"' in html
    action.transition(to=Status.ERROR, expected=(Status.IN_PROGRESS,), error_message="It broke")
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    assert "hx-trigger" not in html and "hx-get" not in html
    assert "It broke" in html and "status-error" in html


def _poll_url(html: str) -> str:
    return re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def test_a_poll_that_finds_nothing_new_answers_204_and_any_change_rerenders(
    client, hello_route, alice, charlie
):
    from apps.actions.callbacks import LogEntry, action_log_append

    action = Action.objects.create(
        route=hello_route, user=alice, org=hello_route.org, team=hello_route.team
    )
    action.transition(to=Status.IN_PROGRESS, expected=(Status.QUEUED,))
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    poll = _poll_url(html)
    assert "?since=" in poll and "data-elapsed=" in html
    unchanged = client.get(poll)
    assert unchanged.status_code == 204 and unchanged.content == b""

    # A log line with progress (what an upstream reports) is a change: the panel comes back.
    action_log_append(
        action=action,
        entry=LogEntry(message="half way", level="info", progress=50, status_message=None),
        origin="upstream",
    )
    changed = client.get(poll)
    assert changed.status_code == 200
    html = changed.content.decode()
    assert "half way" in html and '<progress class="progress" value="50"' in html
    assert _poll_url(html) != poll
    assert client.get(_poll_url(html)).status_code == 204

    # A stamp is no key: an outsider still gets 404.
    client.force_login(charlie)
    assert client.get(_poll_url(html)).status_code == 404
    client.force_login(alice)

    action.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,), response={"ok": 1})
    html = client.get(_poll_url(html)).content.decode()
    assert "status-success" in html and "hx-get" not in html and "data-elapsed" not in html


def test_a_poll_of_an_overdue_run_times_it_out_even_when_nothing_else_changed(
    client, make_route, alice
):
    from datetime import timedelta

    from django.utils import timezone

    route = make_route("GET", "/hello", quiet_window_seconds=60)
    action = Action.objects.create(route=route, user=alice, org=route.org, team=route.team)
    action.transition(to=Status.IN_PROGRESS, expected=(Status.QUEUED,))
    client.force_login(alice)
    poll = _poll_url(client.get(f"/actions/{action.pk}/panel").content.decode())
    long_ago = timezone.now() - timedelta(minutes=5)
    Action.objects.filter(pk=action.pk).update(created_at=long_ago, started_at=long_ago)
    response = client.get(poll)
    assert response.status_code == 200
    assert "status-timed-out" in response.content.decode()


def test_image_and_text_responses_render_inline(client, make_route, make_service, recorder, alice):
    service = make_service(base_url=recorder.url)
    image = route_run(route=make_route("GET", "/image", service=service), user=alice, inputs={})
    text = route_run(route=make_route("GET", "/text", service=service), user=alice, inputs={})
    client.force_login(alice)
    assert (
        'src="data:image/png;base64,iVBOR'
        in client.get(f"/actions/{image.pk}/panel").content.decode()
    )
    assert "plain words" in client.get(f"/actions/{text.pk}/panel").content.decode()


def test_upstream_payloads_are_escaped(client, make_route, make_service, recorder, alice):
    route = make_route("POST", "/json", service=make_service(base_url=recorder.url))
    action = route_run(route=route, user=alice, inputs={"body": {"x": "<script>alert(1)</script>"}})
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}").content.decode()
    assert "<script>alert(1)</script>" not in html


def test_an_image_output_is_shown_inline_to_whoever_may_see_it(
    client, make_route, make_service, alice, bob
):
    from tests.actions.conftest import json_body

    route = make_route(
        "POST",
        "/chart",
        service=make_service(owner=bob),
        name="chart",
        request_body=json_body({"type": "object"}),
        output_assets={"chart": {"asset_type": "file", "primary": True}},
    )
    action = route_run(route=route, user=alice, inputs={"body": {"values": [1, 2]}}, source="test")
    assert action.status == Status.SUCCESS
    output = action.assets.get(role="output").asset

    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}").content.decode()
    assert f'href="/files/{output.pk}"' in html
    assert '<img class="output" src="http' in html and "/files/signed/" in html

    assert output.visibility == "private"
    client.force_login(bob)  # the route's owner sees the run, not the caller's private file
    html = client.get(f"/actions/{action.pk}").content.decode()
    assert "/files/signed/" not in html and f"/files/{output.pk}" not in html


def test_the_panel_shows_the_last_log_lines_oldest_first(client, hello_route, alice):
    from datetime import timedelta

    from django.utils import timezone

    from apps.actions.selectors import LOG_TAIL_LINES

    action = Action.objects.create(
        route=hello_route, user=alice, org=hello_route.org, team=hello_route.team
    )
    start = timezone.now()
    ActionLog.objects.bulk_create(
        ActionLog(action=action, message=f"line-{i:04d}", created_at=start + timedelta(seconds=i))
        for i in range(LOG_TAIL_LINES + 5)
    )
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    shown = re.findall(r"line-(\d{4})", html)
    assert shown == [f"{i:04d}" for i in range(5, LOG_TAIL_LINES + 5)]
