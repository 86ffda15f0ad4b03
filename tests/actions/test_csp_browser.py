"""Under the site's Content-Security-Policy (`script-src 'self'`, `style-src 'self'`, no inline
script, handler or style attribute) Chromium reports no violation on the main pages, and what
they do still works: the run form, the live panel, the editor preview, formulas, the delete
confirmation and the copy button."""

import io
import shutil

import pytest
from PIL import Image

from apps.accounts.services import personal_org
from apps.actions.models import Action, Status
from apps.actions.services import run_action
from apps.assets.models import File
from apps.assets.services import Owner, file_create
from apps.posts.services import post_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "teal").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def watched(browser_page):
    """The browser page, collecting every CSP report from the console and from the DOM."""
    console: list[str] = []
    browser_page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    browser_page.add_init_script(WATCH)

    def violations() -> list[str]:
        return console + browser_page.evaluate("window.__cspViolations || []")

    browser_page.violations = violations
    return browser_page


def visit(page, url: str) -> None:
    response = page.goto(url)
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, (url, policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.wait_for_load_state("networkidle")
    assert page.violations() == [], (url, page.violations())


def test_the_main_pages_report_no_violation_and_still_work(
    live_site, watched, page_as, alice, item_route, hello_route
):
    from playwright.sync_api import expect

    base = live_site.url
    visit(watched, f"{base}/login")
    visit(watched, f"{base}/signup")
    type(alice).objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    alice.refresh_from_db()
    page = page_as(alice)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

    org = personal_org()
    image = file_create(
        owner=Owner(user=alice, org=org, team=org.default_team),
        name="swatch.png",
        file_name="swatch.png",
        content=png(),
        visibility="public",
    )
    queued = Action.objects.create(route=hello_route, user=alice, org=org, team=org.default_team)
    post = post_create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Formulas",
        content="Pythagoras: $a^2 + b^2 = c^2$\n\n$$\n\\int_0^1 x\\,dx\n$$",
        visibility="public",
        publish=True,
    )
    for path in (
        "/",
        "/services",
        f"/services/{item_route.service_id}",
        "/routes",
        "/posts",
        "/files",
        f"/files/{image.pk}",
        "/wallet",
        "/settings/api-keys",
        "/admin/",
    ):
        visit(page, base + path)

    # The run form and its result in place.
    visit(page, f"{base}/routes/alice/get-item")
    page.fill("#f-path-item_id", "2")
    page.click("button:has-text('Run')")
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    expect(panel.locator(".action-response pre")).to_contain_text('"name": "Gadget"')
    assert page.violations() == []

    # The live panel polls a queued run to its end; the copy button copies the post block.
    visit(page, f"{base}/actions/{queued.pk}")
    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "queued")
    run_action(queued.pk)
    expect(panel).to_have_attribute("data-status", "success", timeout=10000)
    page.click("button:has-text('Copy the block')")
    page.wait_for_function("navigator.clipboard.readText().then(t => t.includes('assetComponent'))")
    assert Action.objects.get(pk=queued.pk).status == Status.SUCCESS
    assert page.violations() == []

    # Formulas are typeset; the editor's preview arrives through htmx and is typeset too.
    visit(page, f"{base}/posts/{post.pk}")
    expect(page.locator(".post-body .arithmatex .katex")).to_have_count(2)
    visit(page, f"{base}/posts/new")
    page.fill("#id_text", "Inline $E = mc^2$")
    expect(page.locator("#preview .katex")).to_have_count(1, timeout=10000)
    assert page.violations() == []

    # The delete form asks first: dismissed, the file stays; accepted, it goes.
    visit(page, f"{base}/files/{image.pk}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('Delete')")
    page.wait_for_timeout(300)
    assert File.objects.filter(pk=image.pk, archived_at__isnull=True).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button:has-text('Delete')")
    assert not File.objects.filter(pk=image.pk, archived_at__isnull=True).exists()
    assert page.violations() == []


def test_an_inline_script_would_be_reported(live_site, watched):
    """The watch itself works: a page that breaks the policy is caught."""
    visit(watched, f"{live_site.url}/login")
    watched.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    watched.wait_for_timeout(200)
    assert watched.evaluate("window.ran") is None
    assert any("script-src" in v for v in watched.violations())
