"""In a real browser: a long job's progress, logs and deliveries appear as the panel polls,
and the cancel button ends a run in place."""

import shutil

import pytest

from apps.actions.models import Action, Status
from apps.actions.services import route_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_progress_logs_and_deliveries_arrive_while_the_page_is_open(
    live_site, page, jobs_route, alice
):
    from playwright.sync_api import expect

    action = route_run(
        route=jobs_route, user=alice, inputs={"body": {"steps": 3, "delay": 0.8}}, source="test"
    )
    page.goto(f"{live_site.url}/actions/{action.pk}")
    page.evaluate("window.notReloaded = true")
    panel = page.locator(".action-panel")
    expect(panel.locator(".progress")).to_be_visible(timeout=15000)
    expect(panel.locator(".logs")).to_contain_text("step 1 of 3 done", timeout=15000)
    expect(panel).to_have_attribute("data-status", "success", timeout=20000)
    expect(panel.locator(".logs")).to_contain_text("step 3 of 3 done")
    rows = panel.locator(".action-deliveries tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("callback")
    expect(rows.first).to_contain_text("accepted")
    assert page.evaluate("window.notReloaded") is True


def test_the_cancel_button_ends_the_run_in_place(live_site, page, jobs_route, alice):
    from playwright.sync_api import expect

    action = route_run(
        route=jobs_route, user=alice, inputs={"body": {"steps": 1, "delay": 5}}, source="test"
    )
    page.goto(f"{live_site.url}/actions/{action.pk}")
    page.evaluate("window.notReloaded = true")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Cancel run')")
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "error", timeout=15000)
    expect(panel.locator(".action-error")).to_have_text("canceled by alice")
    expect(panel.locator("button:has-text('Cancel run')")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
    action = Action.objects.get(pk=action.pk)
    assert (action.status, action.canceled_by) == (Status.ERROR, alice)
