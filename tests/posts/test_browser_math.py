"""Formulas in posts are typeset by the bundled KaTeX, in a real browser, with no CDN."""

import shutil

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]

TEXT = (
    "Pythagoras: $a^2 + b^2 = c^2$, costs $5 and $10.\n\n"
    "$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$\n\n"
    "Not math: `$x$`\n\n"
    "$<img src=x onerror=window.hacked=1>$"
)


def test_a_reader_sees_typeset_formulas_from_the_bundled_katex(
    live_site, browser_page, alice, make_post
):
    from playwright.sync_api import expect

    post = make_post(alice, TEXT)
    page = browser_page
    requests: list[str] = []
    fonts: list[int] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: fonts.append(r.status) if r.url.endswith(".woff2") else None)

    page.goto(f"{live_site.url}/posts/{post.pk}")
    body = page.locator(".post-body")
    expect(body.locator(".arithmatex .katex")).to_have_count(3)
    expect(body.locator(".katex-display")).to_have_count(1)
    expect(body.locator(".katex-display .katex-html")).to_contain_text("1")
    expect(body.locator("span.arithmatex .katex-mathml annotation").first).to_have_text(
        "a^2 + b^2 = c^2"
    )

    text = body.inner_text()
    assert "$a^2" not in text and "c^2$" not in text and "$$" not in text
    assert "\\(" not in text and "\\[" not in text
    assert "costs $5 and $10." in text
    expect(body.locator("code")).to_have_text("$x$")
    assert body.locator("img").count() == 0
    assert page.evaluate("window.hacked") is None

    page.wait_for_function("document.fonts.status === 'loaded'")
    assert fonts and set(fonts) == {200}
    assert all(url.startswith(live_site.url) for url in requests)


def test_the_editor_preview_typesets_math_as_the_author_types(page, live_site):
    from playwright.sync_api import expect

    page.goto(f"{live_site.url}/posts/new")
    page.fill("#id_text", "Inline $E = mc^2$\n\n$$\n\\sum_{i=1}^n i\n$$")
    preview = page.locator("#preview")
    expect(preview.locator("span.arithmatex .katex")).to_have_count(1)
    expect(preview.locator("div.arithmatex .katex-display")).to_have_count(1)
    assert "$" not in preview.inner_text()

    page.fill("#id_text", "Now $x_1$ and $x_2$")
    expect(preview.locator(".arithmatex .katex")).to_have_count(2)
