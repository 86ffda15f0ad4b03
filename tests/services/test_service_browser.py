"""In a real browser: create a service with the import report checked first, then filter its
route table in place."""

import json
import re
import shutil

import pytest

from apps.services.models import Service

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]

SPEC = {
    "openapi": "3.0.0",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example.org"}],
    "paths": {
        "/pets": {"get": {"operationId": "list_pets", "responses": {}}},
        "/owners": {"get": {"operationId": "list_owners", "responses": {}}},
        "/raw": {
            "put": {
                "operationId": "raw",
                "requestBody": {"content": {"text/csv": {"schema": {}}}},
                "responses": {},
            }
        },
    },
}


def test_the_report_is_shown_before_creating_and_the_route_filter_works(page, live_site):
    page.goto(f"{live_site.url}/services/new")
    page.fill("#id_name", "Pets")
    page.fill("#id_spec_text", json.dumps(SPEC))
    page.click("text=Check the spec")
    report = page.locator("#import-report")
    report.get_by_text("text/csv").wait_for()
    assert "3 routes" in report.inner_text()
    assert not Service.objects.exists()

    page.click("text=Create service")
    page.wait_for_url(re.compile(r"/services/[0-9a-f-]{36}$"))
    assert page.locator("#route-table tbody tr").count() == 3
    page.fill("input[name=q]", "owners")
    page.locator("#route-table tbody tr").filter(has_text="/pets").wait_for(state="detached")
    rows = page.locator("#route-table tbody tr")
    assert rows.count() == 1 and "/owners" in rows.inner_text()
