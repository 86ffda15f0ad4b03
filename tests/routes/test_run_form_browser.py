"""A person fills the run form in a real browser and watches the result arrive in place."""

import shutil

import pytest

from apps.actions.models import Action, Status
from apps.actions.services import run_action
from apps.assets.models import File

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_filling_the_form_and_clicking_run_shows_the_result_without_a_reload(
    live_site, page, item_route
):
    from playwright.sync_api import expect

    page = page
    page.goto(f"{live_site.url}/routes/alice/get-item")
    page.evaluate("window.notReloaded = true")
    page.fill("#f-path-item_id", "2")
    page.select_option("#f-query-currency", "EUR")
    page.check("#f-query-verbose")
    page.click("button:has-text('Run')")

    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    expect(panel.locator(".action-response pre")).to_contain_text('"name": "Gadget"')
    expect(panel.locator(".action-response pre")).to_contain_text('"currency": "EUR"')
    assert page.evaluate("window.notReloaded") is True
    assert Action.objects.get().metadata["query"] == {"currency": "EUR", "verbose": True}


def test_invalid_input_is_marked_on_the_field_and_nothing_runs(live_site, page, make_route):
    from playwright.sync_api import expect

    route = make_route(
        "GET",
        "/hello",
        name="greet",
        parameters=[{"name": "name", "in": "query", "schema": {"type": "string", "minLength": 3}}],
    )
    page = page
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    page.fill("#f-query-name", "Al")
    page.click("button:has-text('Run')")
    expect(page.locator("#f-query-name-error")).to_contain_text("At least 3 characters")
    assert Action.objects.count() == 0


def test_a_running_action_panel_turns_to_success_by_polling(live_site, page, hello_route, alice):
    from playwright.sync_api import expect

    action = Action.objects.create(
        route=hello_route, user=alice, org=hello_route.org, team=hello_route.team
    )
    page = page
    page.goto(f"{live_site.url}/actions/{action.pk}")
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "queued")
    elapsed = panel.locator("[data-elapsed]")
    first = elapsed.inner_text()
    # Nothing changes while it waits: polls answer 204, the panel stays, its clock still ticks.
    with page.expect_response(
        lambda r: f"/actions/{action.pk}/panel?since=" in r.url and r.status == 204
    ):
        pass
    expect(elapsed).not_to_have_text(first, timeout=5000)
    run_action(action.pk)  # a worker picks it up while the page is open
    expect(panel).to_have_attribute("data-status", "success", timeout=10000)
    expect(panel.locator(".action-response pre")).to_contain_text("Hello, world!")
    assert Action.objects.get(pk=action.pk).status == Status.SUCCESS


def test_uploading_a_file_with_the_form_runs_the_route_on_it(live_site, page, make_route):
    from playwright.sync_api import expect

    route = make_route(
        "POST",
        "/echo",
        name="take-table",
        input_assets={"table": {"asset_type": "file", "file_extensions": ["csv"]}},
    )
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    page.set_input_files(
        "#upload-table",
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": b"name,age\nAda,36\n"}],
    )
    page.click("button:has-text('Run')")

    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    expect(panel.locator(".action-response pre")).to_contain_text('"filename": "people.csv"')
    file = File.objects.get()
    assert file.user.username == "alice"
    assert Action.objects.get().metadata["input_assets"] == {"table": str(file.pk)}
