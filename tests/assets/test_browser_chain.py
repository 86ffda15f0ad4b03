"""In a real browser: a CSV file is chained into a route, run, and its dataset output shown."""

import shutil

import pytest

from tests.assets.conftest import CSV

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_use_a_file_in_a_route_and_follow_its_output(live_site, page, alice, csv_stats, make_file):
    from playwright.sync_api import expect

    file = make_file(alice, CSV, "people.csv")
    page.goto(f"{live_site.url}/files/{file.pk}")
    expect(page.locator("table")).to_contain_text("height")

    page.get_by_role("link", name="CSV stats").click()
    expect(page.locator("#asset-table")).to_have_value(str(file.pk))
    page.get_by_role("button", name="Run").click()

    action_link = page.locator(".action-panel a[href^='/actions/']").first
    expect(action_link).to_be_visible(timeout=15000)
    page.goto(live_site.url + action_link.get_attribute("href"))
    outputs = page.locator("#action-outputs")
    expect(outputs).to_contain_text("Column stats")

    outputs.get_by_role("link", name="Column stats").click()
    expect(page.locator("#rows table")).to_contain_text("weight")
    expect(page.locator("#lineage")).to_contain_text("CSV stats")
    expect(page.locator("#lineage")).to_contain_text("people.csv")
