"""A reader watches a pinned run finish in place, in a real browser."""

import shutil

import pytest

from apps.actions.models import ActionLog, Status
from tests.posts.conftest import embed_block

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_a_reader_watches_a_pinned_run_turn_to_success_in_place(
    live_site, browser_page, alice, route, make_action, make_post
):
    from playwright.sync_api import expect

    action = make_action(route, status=Status.IN_PROGRESS, logs=["started"], progress=30)
    post = make_post(alice, "Watch this run:\n\n" + embed_block(route.pk, action_id=action.pk))
    page = browser_page
    embed_url = f"/posts/{post.pk}/embeds/{action.pk}"

    page.goto(f"{live_site.url}/posts/{post.pk}")
    embed = page.locator('[data-embed="route"]')
    expect(embed).to_have_attribute("data-status", "in-progress")
    expect(embed.locator(".badge.status-in-progress")).to_have_text("in-progress")

    # The embed polls its own endpoint while the run is going; nothing new answers 204.
    with page.expect_response(lambda r: embed_url in r.url and r.status == 204):
        pass

    ActionLog.objects.create(action=action, message="finished: energy -4.2", origin="upstream")
    assert action.transition(
        to=Status.SUCCESS, expected=(Status.IN_PROGRESS,), response={"energy": -4.2}
    )

    expect(embed).to_have_attribute("data-status", "success", timeout=10_000)
    expect(embed.locator(".badge.status-success")).to_have_text("success")
    expect(embed.locator(".embed-response")).to_contain_text('"energy": -4.2')
    expect(embed.locator(".embed-logs .logs")).to_contain_text("finished: energy -4.2")
    expect(embed.locator(".embed-digest")).to_be_visible()
    # Done: the fragment that replaced the running one no longer polls.
    assert embed.get_attribute("hx-trigger") is None
    assert page.url.endswith(f"/posts/{post.pk}")  # updated in place, no navigation

    # The snapshot verifies in place too.
    embed.get_by_role("button", name="verify").click()
    expect(embed.locator(".verify-result")).to_contain_text("matches")


def test_the_editor_previews_markdown_and_a_pinned_run_as_the_author_types(
    live_site, browser_page, client, alice, route, make_action
):
    from playwright.sync_api import expect

    action = make_action(route, logs=["a line from the run"])
    client.force_login(alice)
    page = browser_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_site.url}]
    )
    page.goto(f"{live_site.url}/posts/new")
    page.fill(
        "#id_text", "## Live\n\nTyping **now**\n\n" + embed_block(route.pk, action_id=action.pk)
    )
    preview = page.locator("#preview")
    expect(preview.locator("h2")).to_have_text("Live")
    expect(preview.locator("strong").first).to_have_text("now")
    expect(preview.locator('[data-embed="route"]')).to_have_attribute("data-status", "success")

    page.fill("#id_name", "Typed in the browser")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1").first).to_have_text("Typed in the browser")
    expect(page.locator('[data-embed="route"] .badge.status-success')).to_be_visible()
