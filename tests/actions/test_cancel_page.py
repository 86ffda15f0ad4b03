"""The cancel button on the action page and panel, the delivery log, and lazy expiry."""

from datetime import timedelta

import pytest

from apps.actions.models import Action, CallbackDelivery, Status

pytestmark = pytest.mark.django_db


def test_the_caller_sees_a_cancel_button_while_the_run_is_active(running_action, client, alice):
    action, _ = running_action()
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    assert f'action="/actions/{action.pk}/cancel"' in html
    action.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    assert "Cancel run" not in html


def test_the_route_owner_sees_the_button_on_a_callers_run(running_action, client, alice, bob):
    action, _ = running_action(user=bob)
    client.force_login(alice)
    assert "Cancel run" in client.get(f"/actions/{action.pk}").content.decode()


def test_posting_the_form_cancels_and_returns_to_the_action_page(running_action, client, alice):
    action, _ = running_action()
    client.force_login(alice)
    answer = client.post(f"/actions/{action.pk}/cancel")
    assert answer.status_code == 302
    assert answer["Location"] == f"/actions/{action.pk}"
    action.refresh_from_db()
    assert (action.status, action.error_message) == (Status.ERROR, "canceled by alice")
    page = client.get(answer["Location"]).content.decode()
    assert "The run was canceled." in page
    assert "canceled by alice" in page


def test_an_htmx_cancel_answers_with_the_panel_that_stops_polling(running_action, client, alice):
    action, _ = running_action()
    client.force_login(alice)
    answer = client.post(f"/actions/{action.pk}/cancel", headers={"HX-Request": "true"})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert f'id="action-{action.pk}"' in html
    assert 'data-status="error"' in html
    assert "canceled by alice" in html
    assert "hx-trigger" not in html


def test_canceling_a_finished_run_says_so_and_changes_nothing(running_action, client, alice):
    action, _ = running_action()
    action.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    client.force_login(alice)
    answer = client.post(f"/actions/{action.pk}/cancel", follow=True)
    assert "This run had already ended (success)." in answer.content.decode()
    action.refresh_from_db()
    assert action.status == Status.SUCCESS


def test_outsiders_and_anonymous_visitors_cannot_cancel(running_action, client, charlie):
    action, _ = running_action()
    anonymous = client.post(f"/actions/{action.pk}/cancel")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    client.force_login(charlie)
    assert client.post(f"/actions/{action.pk}/cancel").status_code == 404
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS


def test_cancel_is_post_only(running_action, client, alice):
    action, _ = running_action()
    client.force_login(alice)
    assert client.get(f"/actions/{action.pk}/cancel").status_code == 405


def _delivery(action, verdict, status, detail=""):
    CallbackDelivery.objects.create(
        action=action, kind="callback", verdict=verdict, http_status=status, size=42, detail=detail
    )


def test_the_panel_lists_what_the_upstream_delivered(running_action, client, alice):
    action, _ = running_action()
    _delivery(action, "forbidden", 403, "The ouro-webhook-token does not match this action")
    _delivery(action, "accepted", 200)
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/panel").content.decode()
    assert "Deliveries from the upstream" in html
    assert '<span class="badge status-error">forbidden</span>' in html
    assert '<span class="badge status-success">accepted</span>' in html
    assert "The ouro-webhook-token does not match this action" in html
    assert f"/api/actions/{action.pk}/webhook" in html
    assert html.index("accepted") < html.index("forbidden"), "newest first"


def test_an_async_run_with_no_deliveries_says_nothing_arrived_yet(running_action, client, alice):
    action, _ = running_action()
    client.force_login(alice)
    assert (
        "Nothing received from the upstream yet."
        in client.get(f"/actions/{action.pk}").content.decode()
    )


def test_a_sync_run_shows_no_delivery_log(make_route, running_action, client, alice):
    action, _ = running_action(route=make_route("GET", "/hello", name="hello"))
    client.force_login(alice)
    assert (
        "Deliveries from the upstream" not in client.get(f"/actions/{action.pk}").content.decode()
    )


def test_the_delivery_fragment_refreshes_on_its_own(running_action, client, alice, charlie):
    action, _ = running_action()
    _delivery(action, "late", 409, "This action timed out; the delivery changed nothing")
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/deliveries").content.decode()
    assert html.lstrip().startswith(
        f'<section class="action-deliveries" id="deliveries-{action.pk}"'
    )
    assert '<span class="badge status-timed-out">late</span>' in html
    client.force_login(charlie)
    assert client.get(f"/actions/{action.pk}/deliveries").status_code == 404


def test_upstream_details_are_escaped(running_action, client, alice):
    action, _ = running_action()
    _delivery(
        action, "malformed", 400, "status must be one of ..., not '<script>alert(1)</script>'"
    )
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/deliveries").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


class TestNoPageShowsAnOverdueRunAsRunning:
    @pytest.fixture
    def overdue(self, running_action):
        action, _ = running_action()
        long_ago = action.created_at - timedelta(hours=2)
        Action.objects.filter(pk=action.pk).update(
            created_at=long_ago, started_at=long_ago, ack_at=long_ago
        )
        return action

    def test_the_api_detail_times_it_out_on_read(self, overdue, api, alice_key):
        data = api(alice_key).get(f"/actions/{overdue.pk}").json()["data"]
        assert data["status"] == "timed-out"
        assert "No word from the upstream for 45 minutes" in data["error_message"]

    def test_the_panel_times_it_out_on_read(self, overdue, client, alice):
        client.force_login(alice)
        html = client.get(f"/actions/{overdue.pk}/panel").content.decode()
        assert 'data-status="timed-out"' in html
        assert "hx-trigger" not in html
        assert "Cancel run" not in html

    def test_the_action_page_times_it_out_on_read(self, overdue, client, alice):
        client.force_login(alice)
        assert 'data-status="timed-out"' in client.get(f"/actions/{overdue.pk}").content.decode()


def test_the_delivery_log_shows_the_newest_rows_only(running_action, client, alice):
    import re
    from datetime import timedelta

    from django.utils import timezone

    from apps.actions.selectors import DELIVERY_ROWS

    action, _ = running_action()
    start = timezone.now()
    CallbackDelivery.objects.bulk_create(
        CallbackDelivery(
            action=action,
            kind="callback",
            verdict="late",
            http_status=409,
            size=1,
            detail=f"late-delivery-{i:04d}",
            received_at=start + timedelta(seconds=i),
        )
        for i in range(DELIVERY_ROWS + 5)
    )
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}/deliveries").content.decode()
    shown = re.findall(r"late-delivery-(\d{4})", html)
    assert shown == [f"{i:04d}" for i in range(DELIVERY_ROWS + 4, 4, -1)]
