"""The cast and the shared fixtures: alice (owner), bob (teammate), charlie (outsider)."""

import shutil

import pytest
from huey.contrib.djhuey import HUEY

from apps.accounts.models import Role
from apps.accounts.services import (
    api_key_create,
    membership_set,
    organization_create,
    personal_org,
    user_create,
)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a file, not memory: live-server threads then get their own connections,
    so concurrent requests behave as they do in production."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(autouse=True, scope="session")
def _no_connection_left_open(django_db_setup, django_db_blocker):
    """Threads that served live-server requests or ran actions keep their own connections,
    which outlive the threads; on PostgreSQL they are ended before the test database is
    dropped (which refuses while sessions remain)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_inline():
    """Queued work runs in-process unless a test starts real workers itself."""
    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.UPSTREAM_ALLOW_PRIVATE_IPS = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def personal(db):
    return personal_org()


@pytest.fixture
def alice(db):
    return user_create(username="alice", email="alice@example.org", password="alice-password-1")


@pytest.fixture
def bob(db):
    return user_create(username="bob", email="bob@example.org", password="bob-password-1")


@pytest.fixture
def charlie(db):
    return user_create(username="charlie", email="charlie@example.org", password="charlie-pw-1")


@pytest.fixture
def acme(alice, bob):
    """An organization where alice is admin and bob may write."""
    org = organization_create(name="acme", owner=alice)
    membership_set(user=bob, org=org, role=Role.WRITE)
    return org


@pytest.fixture
def alice_key(alice) -> str:
    return api_key_create(user=alice, name="alice key")[1]


@pytest.fixture
def bob_key(bob) -> str:
    return api_key_create(user=bob, name="bob key")[1]


@pytest.fixture
def charlie_key(charlie) -> str:
    return api_key_create(user=charlie, name="charlie key")[1]


@pytest.fixture
def api(client):
    """A Django test client speaking JSON to /api with a given key: api(key).get(path)."""

    class Api:
        def __init__(self, key: str | None):
            self.headers = {"Authorization": key} if key else {}

        def _call(self, method, path, data=None, **extra):
            kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
            if data is not None:
                kwargs["data"] = data
                kwargs["content_type"] = "application/json"
            return getattr(client, method)(f"/api{path}", **kwargs)

        def get(self, path, **extra):
            return self._call("get", path, **extra)

        def post(self, path, data=None, **extra):
            return self._call("post", path, data if data is not None else {}, **extra)

        def put(self, path, data=None, **extra):
            return self._call("put", path, data if data is not None else {}, **extra)

        def delete(self, path, **extra):
            return self._call("delete", path, **extra)

    return Api


@pytest.fixture
def live_site(live_server, settings):
    """The live server, with SITE_URL pointing at it (callbacks and signed URLs)."""
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def ouro_client(live_site):
    """Builds the official client against the live server: ouro_client(key)."""
    from ouro import Ouro

    def build(key: str, **kwargs):
        return Ouro(api_key=key, base_url=f"{live_site.url}/api", **kwargs)

    return build


@pytest.fixture(scope="session")
def demo_upstream():
    """The bundled demo upstream, serving on a free loopback port: its base URL."""
    import threading

    from examples.demo_upstream.app import make_server

    server = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def browser_page(live_site, monkeypatch):
    """A page in Debian's Chromium (driven by Playwright) for the live server, logged out."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test's thread, next to the ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    if shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        yield browser.new_context().new_page()
        browser.close()


@pytest.fixture
def page_as(browser_page, live_site, client):
    """page_as(user): the browser page, logged in as that user."""

    def log_in(user):
        client.force_login(user)
        session = client.cookies["sessionid"].value
        browser_page.context.add_cookies(
            [{"name": "sessionid", "value": session, "url": live_site.url}]
        )
        return browser_page

    return log_in


@pytest.fixture
def page(page_as, alice):
    """The browser page, logged in as alice."""
    return page_as(alice)
