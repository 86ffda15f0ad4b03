"""In a real browser: a long form's optional fields are folded, open from the keyboard, and what
is typed in them is sent."""

import shutil

import pytest

from apps.actions.models import Action
from tests.actions.conftest import json_body
from tests.browser_audit import audit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_opening_the_optional_fields_filling_one_and_running_sends_it(live_site, page, make_route):
    from playwright.sync_api import expect

    route = make_route(
        "POST",
        "/echo",
        name="echo-long",
        request_body=json_body(
            {
                "type": "object",
                "required": ["message"],
                "properties": {
                    "tone": {"type": "string", "enum": ["calm", "loud"]},
                    "message": {"type": "string"},
                    "limit": {"type": "integer", "default": 5},
                    "note": {
                        "type": "string",
                        "description": "A note, see [the guide](https://example.com/guide).",
                    },
                    "verbose": {"type": "boolean"},
                },
            }
        ),
    )
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    fold = page.locator("details.optional-fields")
    summary = fold.locator("summary")
    expect(summary).to_contain_text("Optional fields (4)")
    expect(page.locator("#f-body-note")).to_be_hidden()
    expect(page.locator("#f-body-message")).to_be_visible()

    page.fill("#f-body-message", "hi")
    summary.focus()  # a summary takes the focus and opens from the keyboard
    page.keyboard.press("Enter")
    expect(fold).to_have_attribute("open", "")
    expect(page.locator("#f-body-note")).to_be_visible()
    link = fold.locator("a", has_text="the guide")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
    audit(page, "run-form-optional-open")  # fits its width, no serious accessibility fault
    page.fill("#f-body-note", "from the fold")
    page.click("button:has-text('Run')")

    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    expect(panel.locator(".action-response pre")).to_contain_text("from the fold")
    # The default still travels as before; what was not filled in is not sent.
    assert Action.objects.get().metadata["body"] == {
        "message": "hi",
        "limit": 5,
        "note": "from the fold",
    }
