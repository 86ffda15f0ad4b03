"""Every main page, filled with realistic content, fits a phone's width and a laptop's without
scrolling sideways and has no serious or critical accessibility violation (axe-core), for its
owner and, for the public ones, for an anonymous reader.

One live server, one browser and one seeded site serve the whole module: each test opens its
page at its width and audits it (`tests.browser_audit.audit`). Set SCREENSHOT_DIR to keep a
full-page screenshot of each.
"""

import os
import shutil
import time
from dataclasses import dataclass, field

import pytest

from tests.browser_audit import audit
from tests.conftest import CHROMIUM_ARGS
from tests.spec_files import FIXTURE_SPECS, spec_corpus_dir

# The site is seeded and committed once, before the tests, and emptied by the module's fixture
# at its end. The page tests touch no database themselves (only the live server does), so they
# take none of pytest-django's: a test transaction would hold SQLite's write lock against the
# server's writes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]

WIDTHS = {"wide": (1280, 800), "phone": (390, 844)}
# A real spec from the public corpus when it is there, else the store spec kept with the tests.
SPEC = spec_corpus_dir() / "oai-v3.0-petstore-expanded.yaml"
if not SPEC.is_file():
    SPEC = FIXTURE_SPECS / "openapi-3.0-store.yaml"
LONG_URL = "https://storage.example.org/exports/2026/12/quarterly-forecast-by-region-and-channel"


@dataclass
class Site:
    url: str
    ids: dict = field(default_factory=dict)
    contexts: dict = field(default_factory=dict)  # "owner" / "anon" -> browser context


@pytest.fixture
def _test_settings():
    """The module's settings are set once for its seeded site (see `site`)."""


def _seed(ids: dict, demo_upstream: str) -> None:
    from apps.accounts.services import (
        api_key_create,
        personal_org,
        team_create,
        user_create,
    )
    from apps.actions.models import Action, ActionAsset, Status
    from apps.actions.services import route_run
    from apps.assets.services import Owner, dataset_create, file_create
    from apps.billing.pricing import SaleChange
    from apps.billing.services import asset_sale_apply
    from apps.posts.services import post_create
    from apps.routes.models import Route
    from apps.routes.services import route_create, service_import_openapi
    from apps.services.services import spec_from_path, spec_from_url
    from apps.social.selectors import Thread
    from apps.social.services import comment_create, notification_send

    alice = user_create(username="alice", email="alice@example.org", password="alice-password-1")
    bob = user_create(username="bob", email="bob@example.org", password="bob-password-1")
    org = personal_org()
    owner = Owner(user=alice, org=org, team=org.default_team)

    demo, _ = service_import_openapi(
        owner=alice,
        org=org,
        name="demo",
        base_url=demo_upstream,
        visibility="public",
        description="The bundled demo upstream: greetings, items, charts and slow jobs.",
        source=spec_from_url(f"{demo_upstream}/openapi.json"),
        spec_url=f"{demo_upstream}/openapi.json",
    )
    petstore, _ = service_import_openapi(
        owner=alice,
        org=org,
        name="petstore",
        base_url="https://petstore.swagger.io/v2/a-rather-long-base-path-for-narrow-screens",
        visibility="public",
        source=spec_from_path(SPEC),
        spec_url=LONG_URL + "/petstore-expanded.yaml",
    )
    strict = route_create(
        service=demo,
        user=alice,
        data={
            "name": "greet-strictly",
            "method": "GET",
            "path": "/greetings/strict",
            "description": "Greets a name of at least three letters.",
            "parameters": [
                {
                    "name": "name",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 3},
                }
            ],
        },
    )
    routes = {r.path: r for r in Route.objects.filter(service=demo)}
    hello, jobs, chart = routes["/hello"], routes["/jobs"], routes["/chart"]

    sync_run = route_run(route=hello, user=alice, inputs={"query": {"name": "Ada"}}, source="web")
    other_run = route_run(route=hello, user=alice, inputs={"query": {"name": "Bo"}}, source="web")
    chart_run = route_run(
        route=chart, user=alice, inputs={"body": {"values": [3, 1, 4, 1, 5]}}, source="web"
    )
    async_run = route_run(route=jobs, user=alice, inputs={"body": {"steps": 2, "delay": 0.05}})
    for _ in range(100):  # the demo upstream reports its logs and result back to the live server
        async_run.refresh_from_db()
        if async_run.status in (Status.SUCCESS, Status.ERROR):
            break
        time.sleep(0.1)

    text = file_create(
        owner=owner,
        name="quarterly-notes",
        file_name="quarterly-notes.txt",
        content=b"Revenue grew in every region.\n" * 20,
        visibility="public",
    )
    dataset, _ = dataset_create(
        owner=owner,
        name="regional-sales",
        rows=[
            {"region": "north", "channel": "online", "units": 120, "note": LONG_URL},
            {"region": "south", "channel": "retail", "units": 80, "note": "steady"},
        ],
        visibility="public",
        description="Units sold by region and channel.",
    )
    post = post_create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Greeting people at scale",
        content=(
            "How the [hello route](/routes/alice/hello) answers, with a run embedded below. "
            f"See also the [sales table](/datasets/{dataset.pk}).\n\n"
            '```assetComponent\n{"id": "' + str(hello.pk) + '", "assetType": "route", '
            '"viewMode": "preview", "displayConfig": {"actionId": "' + str(sync_run.pk) + '"}}\n```'
        ),
        visibility="public",
        publish=True,
    )
    team = team_create(
        user=alice,
        org=org,
        fields={"name": "forecasting", "description": "People who forecast sales."},
    )
    comment_create(user=bob, thread=Thread(target=post), content="Nice write-up, thanks!")
    comment_create(user=alice, thread=Thread(action=sync_run), content="A quick one.")
    notification_send(
        user=alice,
        type="comment",
        key=f"seed-{post.pk}",
        text="bob commented on Greeting people at scale",
        source_user=bob,
        asset=post,
    )
    api_key_create(user=alice, name="laptop")
    sold = post_create(
        user=alice,
        org=org,
        team=org.default_team,
        name="A forecast worth paying for",
        content="The numbers, region by region.",
        visibility="monetized",
        publish=True,
    )
    asset_sale_apply(sold, SaleChange(on_sale=True, price_cents=250))

    chart_image = ActionAsset.objects.get(action=chart_run, role=ActionAsset.Role.OUTPUT).asset_id
    ids.update(
        chart_image=chart_image,
        demo=demo.pk,
        petstore=petstore.pk,
        hello=hello.pk,
        hello_name=hello.name,
        strict=strict.name,
        chart=chart.pk,
        sync_run=sync_run.pk,
        other_run=other_run.pk,
        chart_run=chart_run.pk,
        async_run=async_run.pk,
        file=text.pk,
        dataset=dataset.pk,
        post=post.pk,
        sold=sold.pk,
        team=team.pk,
        alice=alice.pk,
    )
    assert Action.objects.filter(status=Status.SUCCESS).count() >= 3


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, demo_upstream, tmp_path_factory):
    """The seeded site behind its own live server, with a browser: owner's and anonymous
    contexts. The database is emptied when the module is done."""
    from django.core.management import call_command
    from django.test import Client, override_settings
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    media = tmp_path_factory.mktemp("audit-media")
    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        overrides = override_settings(
            SITE_URL=server.url,
            UPSTREAM_ALLOW_PRIVATE_IPS=True,
            MEDIA_ROOT=str(media),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        )
        overrides.enable()
        try:
            # From an empty database (whatever ran before), which also drops cached rows.
            call_command("flush", interactive=False, verbosity=0)
            state = Site(url=server.url)
            _seed(state.ids, demo_upstream)
            client = Client()
            from django.contrib.auth import get_user_model

            client.force_login(get_user_model().objects.get(pk=state.ids["alice"]))
            session = client.cookies["sessionid"].value
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
                )
                owner = browser.new_context(viewport={"width": 1280, "height": 800})
                owner.add_cookies([{"name": "sessionid", "value": session, "url": server.url}])
                state.contexts = {
                    "owner": owner,
                    "anon": browser.new_context(viewport={"width": 1280, "height": 800}),
                }
                yield state
                browser.close()
        finally:
            overrides.disable()
            server.stop()
            server._live_server_modified_settings.disable()
            call_command("flush", interactive=False, verbosity=0)
            if previous is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.django_db  # (also has the test database made when this module runs alone)
def test_the_site_is_seeded_with_finished_runs_and_their_logs(site):
    from apps.actions.models import Action, ActionLog, Status

    assert Action.objects.get(pk=site.ids["async_run"]).status == Status.SUCCESS
    assert ActionLog.objects.filter(action_id=site.ids["async_run"]).exists()
    assert Action.objects.get(pk=site.ids["sync_run"]).status == Status.SUCCESS


def settle(page) -> None:
    """Wait until the page has loaded and htmx has no request in flight (the parts loaded
    after the page, like comments, are then in)."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


# Each page: (name, who, how to get there). `how` is a path (with {ids}) or a function that
# takes (page, site) and leaves the page in the state to audit.


def _run_form_errors(page, site):
    page.goto(f"{site.url}/routes/alice/{site.ids['strict']}")
    page.fill("#f-query-name", "Al")
    page.click("button:has-text('Run')")
    page.locator("#f-query-name-error").wait_for()


def _post_editor_with_picker(page, site):
    page.goto(f"{site.url}/posts/{site.ids['post']}/edit")
    page.locator("#embed-picker > summary").click()
    page.locator("#embed-picker-results a, #embed-picker-results button").first.wait_for()


def _api_keys_with_new_key(page, site):
    page.goto(f"{site.url}/settings/api-keys")
    page.fill("input[name=name]", "a new key for the phone")
    page.locator(
        "form:has(input[name=name]) button[type=submit], form:has(input[name=name]) button"
    ).first.click()


def _compare(page, site):
    page.goto(f"{site.url}/actions/compare?a={site.ids['sync_run']}&b={site.ids['other_run']}")


# What a page draws after it loads, to wait for before auditing it.
READY = {"api-docs": "#swagger-ui .opblock"}

PAGES = [
    ("home", "owner", "/"),
    ("routes", "owner", "/routes"),
    ("route", "owner", "/routes/alice/{hello_name}"),
    ("route-api", "owner", "/routes/alice/{hello_name}?tab=api"),
    ("route-actions", "owner", "/routes/alice/{hello_name}?tab=actions"),
    ("run-form-errors", "owner", _run_form_errors),
    ("action", "owner", "/actions/{sync_run}"),
    ("action-async", "owner", "/actions/{async_run}"),
    ("action-chart", "owner", "/actions/{chart_run}"),
    ("runs", "owner", "/actions"),
    ("compare", "owner", _compare),
    ("lineage-asset", "owner", "/assets/{chart_image}/lineage"),
    ("file-made-by-a-run", "owner", "/files/{chart_image}"),
    ("lineage-action", "owner", "/actions/{chart_run}/lineage"),
    ("services", "owner", "/services"),
    ("service", "owner", "/services/{demo}"),
    ("service-spec", "owner", "/services/{petstore}"),
    ("service-new", "owner", "/services/new"),
    ("service-edit", "owner", "/services/{demo}/edit"),
    ("route-new", "owner", "/services/{demo}/routes/new"),
    ("route-editor", "owner", "/services/{demo}/routes/{hello}/edit"),
    ("files", "owner", "/files"),
    ("file", "owner", "/files/{file}"),
    ("datasets", "owner", "/datasets"),
    ("dataset", "owner", "/datasets/{dataset}"),
    ("posts", "owner", "/posts"),
    ("post", "owner", "/posts/{post}"),
    ("post-editor", "owner", _post_editor_with_picker),
    ("wallet", "owner", "/wallet"),
    ("api-keys", "owner", _api_keys_with_new_key),
    ("teams", "owner", "/teams"),
    ("team", "owner", "/teams/{team}"),
    ("notifications", "owner", "/notifications"),
    ("api-docs", "owner", "/api/docs"),
    ("not-found", "owner", "/no/such/page"),
    ("home", "anon", "/"),
    ("signup", "anon", "/signup"),
    ("login", "anon", "/login"),
    ("routes", "anon", "/routes"),
    ("route", "anon", "/routes/alice/{hello_name}"),
    ("service", "anon", "/services/{demo}"),
    ("posts", "anon", "/posts"),
    ("post", "anon", "/posts/{post}"),
    ("dataset", "anon", "/datasets/{dataset}"),
    ("files", "anon", "/files"),
    ("file", "anon", "/files/{file}"),
    ("action", "anon", "/actions/{sync_run}"),
    ("buy", "anon", "/buy/{sold}"),
    ("api-docs", "anon", "/api/docs"),
    ("not-found", "anon", "/no/such/page"),
]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize(
    ("name", "who", "how"), PAGES, ids=[f"{who}-{name}" for name, who, _ in PAGES]
)
def test_the_page_fits_and_is_accessible(site, name, who, how, width):
    page = site.contexts[who].new_page()
    try:
        page.set_viewport_size({"width": width[0], "height": width[1]})
        if callable(how):
            how(page, site)
        else:
            answer = page.goto(site.url + how.format(**site.ids))
            expected = 404 if name == "not-found" else 200
            assert answer.status == expected, f"{name}: HTTP {answer.status}"
        if name in READY:
            page.locator(READY[name]).first.wait_for()
        settle(page)
        audit(page, f"{who}-{name}")
    finally:
        page.close()


def test_on_a_phone_the_menu_opens_from_the_keyboard_and_its_links_work(site):
    from playwright.sync_api import expect

    page = site.contexts["owner"].new_page()
    try:
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(site.url + "/")
        routes = page.locator(".nav").get_by_role("link", name="Routes", exact=True)
        expect(routes).to_be_hidden()
        page.locator(".brand").focus()
        page.keyboard.press("Tab")  # the next stop is the menu's toggle
        expect(page.locator("#nav-toggle")).to_be_focused()
        page.keyboard.press("Space")
        expect(routes).to_be_visible()
        audit(page, "owner-menu-open")
        routes.click()
        page.wait_for_url(f"{site.url}/routes")
    finally:
        page.close()
