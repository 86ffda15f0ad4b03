"""A caller pays for a run in a real browser: charged once it succeeds, refused when the wallet
cannot cover the next one."""

import shutil

import pytest

from apps.billing.models import Wallet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_a_paid_run_is_charged_then_the_next_is_refused(live_site, page_as, paid_hello, bob, fund):
    from playwright.sync_api import expect

    fund(bob, 7)
    page = page_as(bob)
    page.goto(f"{live_site.url}/routes/alice/hello")
    expect(page.locator(".route-price")).to_contain_text("$0.05 per run")
    expect(page.locator(".run-price")).to_contain_text("you have $0.07 available")
    page.fill("#f-query-name", "Bob")
    page.click("button:has-text('Run')")
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    expect(panel.locator(".action-charge")).to_have_text("$0.05 charged")
    assert Wallet.objects.get(user=bob).available_cents == 2

    page.goto(f"{live_site.url}/routes/alice/hello")
    page.click("button:has-text('Run')")
    expect(page.locator(".run-refused")).to_contain_text(
        "this run costs $0.05 and your wallet has $0.02 available"
    )
    assert Wallet.objects.get(user=bob).available_cents == 2
