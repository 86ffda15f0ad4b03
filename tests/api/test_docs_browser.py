"""The API reference page in Chromium, under the site's Content-Security-Policy: Swagger UI
(served from /static, started by a static script) reads /api/schema and lists the operations,
with no CSP violation and no request to another site."""

import shutil
from urllib.parse import urlsplit

import pytest

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


def test_the_reference_lists_the_operations_without_a_csp_violation(live_site, page_as, alice):
    from playwright.sync_api import expect

    page = page_as(alice)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: console.append(str(error)))
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.add_init_script(WATCH)

    response = page.goto(f"{live_site.url}/api/docs")
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self';" in policy and "unsafe" not in policy
    assert "img-src 'self' https: data:" in policy  # Swagger UI's icons
    # The document is generated at the request (a second or more on a busy machine).
    title = page.locator(".swagger-ui .info .title")
    expect(title).to_contain_text("Ouro Routes API", timeout=30_000)
    get_action = page.locator("#operations-actions-get_actions_action_id")
    expect(get_action).to_contain_text("/actions/{action_id}")
    get_action.locator(".opblock-summary").click()
    expect(get_action).to_contain_text("action_id")
    expect(get_action).to_contain_text("No such object, or one the caller may not see.")
    page.wait_for_load_state("networkidle")

    assert page.evaluate("window.__cspViolations") == []
    # Chromium asks for /favicon.ico, which the site has none of (an error in the console).
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert [text for text in console if "Failed to load resource" not in text] == []
    assert hosts == {urlsplit(live_site.url).netloc}
    expect(page.locator(".usermenu summary")).to_have_text("alice")  # the site's own header
    expect(page.locator("footer a[href='/api/docs']")).to_be_visible()
