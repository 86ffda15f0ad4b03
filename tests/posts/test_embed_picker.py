"""Embedding a run without writing JSON: the editor's picker of routes and runs."""

import html as html_lib
import json
import re
import shutil

import pytest

from apps.actions.services import route_run
from tests.actions.conftest import hello_route, make_route, make_service  # noqa: F401

pytestmark = pytest.mark.django_db


def blocks(page: str) -> list[dict]:
    found = re.findall(r'data-insert-block="([^"]+)"', page)
    return [json.loads(html_lib.unescape(b).split("\n")[1]) for b in found]


def test_the_picker_lists_routes_and_the_authors_runs_with_their_blocks(
    client,
    alice,
    bob,
    hello_route,
):
    mine = route_run(route=hello_route, user=alice, inputs={"query": {"name": "a"}})
    theirs = route_run(route=hello_route, user=bob, inputs={"query": {"name": "b"}})
    client.force_login(alice)
    page = client.get("/posts/embed-picker?q=hello").content.decode()
    found = blocks(page)
    assert {"id": str(hello_route.pk), "assetType": "route", "viewMode": "preview"} in found
    pinned = {b["displayConfig"]["actionId"] for b in found if "displayConfig" in b}
    # alice owns the route: her runs and her callers' runs may be pinned.
    assert pinned == {str(mine.pk), str(theirs.pk)}
    client.force_login(bob)
    page = client.get("/posts/embed-picker?picker_q=hello").content.decode()
    pinned = {b["displayConfig"]["actionId"] for b in blocks(page) if "displayConfig" in b}
    assert pinned == {str(theirs.pk)}  # bob only his own


def test_the_picker_shows_only_visible_routes_and_says_when_none_match(
    client,
    charlie,
    make_service,
    make_route,
):
    make_route("GET", "/hidden", service=make_service(visibility="private"), name="hidden")
    client.force_login(charlie)
    page = client.get("/posts/embed-picker?q=hidden").content.decode()
    assert blocks(page) == [] and "No route matches" in page
    client.logout()
    assert client.get("/posts/embed-picker").status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_an_author_pins_a_run_through_the_picker_and_sees_it_in_the_preview(
    live_site,
    page,
    alice,
    hello_route,
):
    from playwright.sync_api import expect

    action = route_run(route=hello_route, user=alice, inputs={"query": {"name": "ada"}})
    page.goto(f"{live_site.url}/posts/new")
    page.get_by_text("Embed a run").click()
    page.get_by_label("Search routes to embed").fill("hello")
    pin = page.locator(f'button[data-insert-block*="{action.pk}"]')
    expect(pin).to_be_visible()
    page.locator("#id_text").fill("Here is my run:")
    pin.click()
    text = page.locator("#id_text").input_value()
    assert text.startswith("Here is my run:\n\n```assetComponent\n")
    assert f'"actionId": "{action.pk}"' in text
    expect(page.locator("#preview [data-embed='route']")).to_be_visible(timeout=10_000)
    page.fill("#id_name", "Picked")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-embed='route']")).to_have_attribute("data-status", "success")
