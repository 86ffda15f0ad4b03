"""Run forms in a real browser: a multipart file upload reaching the upstream, an optional
choice left alone, repeatable fieldsets, and every mistake shown at once."""

import shutil

import pytest

from apps.actions.models import Action
from tests.routes.body_upstream import BodyUpstream

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(1234)


@pytest.fixture
def upstream():
    server = BodyUpstream()
    yield server
    server.close()


@pytest.fixture
def body_route(make_route, make_service, upstream):
    service = make_service(base_url=upstream.url)

    def build(name: str, media: str, schema: dict, **fields):
        return make_route(
            "POST",
            f"/{name}",
            name=name,
            service=service,
            request_body={"required": True, "content": {media: {"schema": schema}}},
            **fields,
        )

    return build


def test_a_file_uploaded_through_a_multipart_form_reaches_the_upstream(live_site, page, body_route):
    from playwright.sync_api import expect

    route = body_route(
        "edit-image",
        "multipart/form-data",
        {
            "type": "object",
            "required": ["image", "prompt"],
            "properties": {
                "image": {"type": "string", "format": "binary"},
                "prompt": {"type": "string"},
            },
        },
    )
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    page.fill("#f-body-prompt", "a hat")
    page.set_input_files(
        "#f-body-image-upload", files=[{"name": "cat.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.click("button:has-text('Run')")

    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    echoed = panel.locator(".action-response pre")
    expect(echoed).to_contain_text('"filename": "cat.png"')
    expect(echoed).to_contain_text(f'"size": {len(PNG)}')
    expect(echoed).to_contain_text('"text": "a hat"')
    action = Action.objects.get()
    assert action.request["content_type"] == "multipart/form-data"
    assert action.request["body"]["image"]["filename"] == "cat.png"
    assert action.request["body"]["image"]["size"] == len(PNG)


def test_an_optional_choice_left_alone_is_not_sent(live_site, page, body_route, upstream):
    from playwright.sync_api import expect

    route = body_route(
        "chat",
        "application/json",
        {
            "type": "object",
            "required": ["model"],
            "properties": {
                "model": {"type": "string", "default": "small"},
                "response_format": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["type"],
                            "properties": {"type": {"type": "string", "enum": ["text"]}},
                        },
                        {
                            "type": "object",
                            "required": ["type"],
                            "properties": {"type": {"type": "string", "enum": ["json_object"]}},
                        },
                    ]
                },
            },
        },
    )
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    kinds = page.locator("#f-body-response_format-variant option")
    expect(kinds).to_have_text(["none (not sent)", "text", "json_object"])
    page.click("button:has-text('Run')")

    panel = page.locator(".action-panel")
    expect(panel).to_have_attribute("data-status", "success", timeout=15000)
    assert upstream.for_action(Action.objects.get().pk)["json"] == {"model": "small"}


def test_items_of_a_list_are_added_and_removed_in_place(live_site, page, body_route, upstream):
    from playwright.sync_api import expect

    route = body_route(
        "messages",
        "application/json",
        {
            "type": "object",
            "required": ["messages"],
            "properties": {
                "messages": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["content"],
                        "properties": {"content": {"type": "string"}},
                    },
                }
            },
        },
    )
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    page.evaluate("window.notReloaded = true")
    page.fill("#f-body-messages-0-content", "first")
    page.click("button:has-text('Add messages item')")
    expect(page.locator("#f-body-messages-1-content")).to_be_visible()
    page.fill("#f-body-messages-1-content", "second")
    page.click("button:has-text('Add messages item')")
    page.fill("#f-body-messages-2-content", "third")
    page.click("button:has-text('Remove item 2')")
    expect(page.locator("#f-body-messages-2-content")).to_have_count(0)
    expect(page.locator("#f-body-messages-1-content")).to_have_value("third")
    assert Action.objects.count() == 0
    page.click("button:has-text('Run')")

    expect(page.locator(".action-panel")).to_have_attribute("data-status", "success", timeout=15000)
    sent = upstream.for_action(Action.objects.get().pk)["json"]
    assert sent == {"messages": [{"content": "first"}, {"content": "third"}]}
    assert page.evaluate("window.notReloaded") is True


def test_three_mistakes_are_shown_at_once_and_nothing_runs(live_site, page, body_route, upstream):
    from playwright.sync_api import expect

    route = body_route(
        "order",
        "application/x-www-form-urlencoded",
        {
            "type": "object",
            "required": ["name", "count"],
            "properties": {
                "name": {"type": "string"},
                "count": {"type": "integer", "maximum": 5},
                "options": {
                    "type": "object",
                    "properties": {"email": {"type": "string", "format": "email"}},
                },
            },
        },
    )
    page.goto(f"{live_site.url}/routes/alice/{route.slug}")
    page.fill("#f-body-count", "9")
    page.fill("#f-body-options-email", "not an address")
    page.click("button:has-text('Run')")

    summary = page.locator(".error-summary li")
    expect(summary).to_have_count(3)
    expect(summary).to_have_text(
        [
            "body.name: Required",
            "body.count: At most 5",
            "body.options.email: Enter an email address",
        ]
    )
    for field, message in [
        ("#f-body-name", "Required"),
        ("#f-body-count", "At most 5"),
        ("#f-body-options-email", "Enter an email address"),
    ]:
        expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
        described = page.locator(field).get_attribute("aria-describedby").split()
        assert described[0] == f"{field[1:]}-error"  # the error first, then any help
        expect(page.locator(f"#{described[0]}")).to_contain_text(message)
    expect(page.locator("#f-body-options-email-error .field-path")).to_have_text(
        "body.options.email"
    )
    page.click(".error-summary a:has-text('body.count')")
    assert page.evaluate("location.hash") == "#f-body-count"
    assert Action.objects.count() == 0 and upstream.requests == []
