"""Password guessing is limited: after 10 failed log-ins in 15 minutes for a username, or from
an address, further attempts answer 429 (saying when to try again) until the window passes; a
successful log-in clears its username's count. The counts are shared by every web process: in
the database on the embedded default, in Redis scaled out."""

import os
import uuid

import pytest
from django.test import override_settings

from apps.accounts import throttle
from tests.clock import Clock

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("TEST_REDIS_URL")
RIGHT = "alice-password-1"


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttle, "time", clock)
    return clock


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """The throttle cache as deployed: the database table on the embedded default (what the
    settings hold without REDIS_URL), or Redis (with TEST_REDIS_URL)."""
    from django.core.cache import caches

    if request.param == "database":
        yield request.param
        return
    if not REDIS:
        pytest.skip("needs TEST_REDIS_URL (CI's PostgreSQL run)")
    location = {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": REDIS}
    caches_setting = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {**location, "KEY_PREFIX": f"ouro-test-throttle-{uuid.uuid4().hex[:8]}"},
    }
    with override_settings(CACHES=caches_setting):
        yield request.param
        caches["throttle"].clear()


def test_without_redis_the_counts_are_in_a_database_table(settings):
    from django.core.cache import caches
    from django.db import connection

    assert settings.CACHES["throttle"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.CACHES["throttle"]["LOCATION"] in connection.introspection.table_names()
    caches["throttle"].set("probe", 1, 60)
    assert caches["throttle"].get("probe") == 1


def log_in(client, username, password, address="127.0.0.1"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_then_even_the_right_one_waits_until_the_window_passes(
    client, alice, clock, store
):
    for _ in range(10):
        assert log_in(client, "alice", "guess").status_code == 200
    refused = log_in(client, "alice", RIGHT)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 15 * 60
    page = refused.content.decode()
    assert "Too many failed log-ins" in page and "Try again in 15 minutes" in page
    assert client.get("/settings/api-keys").status_code == 302  # not logged in
    # Refused attempts are not counted: the window is not pushed back.
    clock.now += 5 * 60
    assert log_in(client, "alice", "guess").status_code == 429
    assert "Try again in 10 minutes" in log_in(client, "alice", RIGHT).content.decode()
    clock.now += 10 * 60 + 1
    assert log_in(client, "alice", RIGHT).status_code == 302
    assert client.get("/settings/api-keys").status_code == 200


def test_failures_leave_the_window_a_minute_at_a_time(client, alice, clock, store):
    for _ in range(5):
        log_in(client, "alice", "guess")
    clock.now += 10 * 60
    for _ in range(5):
        log_in(client, "alice", "guess")
    assert log_in(client, "alice", RIGHT).status_code == 429
    clock.now += 5 * 60 + 1  # the first five are now older than 15 minutes
    assert log_in(client, "alice", RIGHT).status_code == 302


def test_an_address_with_ten_failures_is_refused_for_every_username(
    client, alice, bob, clock, store
):
    for n in range(10):
        assert log_in(client, f"someone-{n}", "guess", "203.0.113.7").status_code == 200
    assert log_in(client, "alice", RIGHT, "203.0.113.7").status_code == 429
    assert log_in(client, "bob", "bob-password-1", "203.0.113.7").status_code == 429
    assert log_in(client, "alice", RIGHT, "198.51.100.2").status_code == 302


def test_a_successful_log_in_clears_the_usernames_failures(client, alice, clock, store):
    for _ in range(9):
        log_in(client, "alice", "guess", "203.0.113.1")
    assert log_in(client, "alice", RIGHT, "203.0.113.1").status_code == 302
    client.post("/logout")
    for _ in range(9):
        assert log_in(client, "alice", "guess", "203.0.113.2").status_code == 200
    assert log_in(client, "alice", RIGHT, "203.0.113.2").status_code == 302


def test_the_username_is_counted_whatever_its_case(client, alice, clock, store):
    for n in range(10):
        log_in(client, "ALICE" if n % 2 else "alice", "guess", f"203.0.113.{n}")
    assert log_in(client, "Alice", "guess", "198.51.100.9").status_code == 429


def test_the_admin_log_in_is_limited_too(client, alice, clock, store):
    type(alice).objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    for _ in range(10):
        response = client.post(
            "/admin/login/", {"username": "alice", "password": "guess", "next": "/admin/"}
        )
        assert response.status_code == 200
    response = client.post(
        "/admin/login/", {"username": "alice", "password": RIGHT, "next": "/admin/"}
    )
    assert response.status_code == 429
    assert log_in(client, "alice", RIGHT).status_code == 429  # one count for both forms


def test_a_correct_log_in_after_a_few_failures_is_not_refused(client, alice, clock, store):
    for _ in range(3):
        log_in(client, "alice", "guess")
    assert log_in(client, "alice", RIGHT).status_code == 302


def test_client_address_reads_the_proxy_chain_only_when_told_to(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert throttle.client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert throttle.client_address(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert throttle.client_address(request) == "1.2.3.4"
    settings.TRUSTED_PROXY_COUNT = 0
    v6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert throttle.client_address(v6) == "2001:db8:1:2::/64"
    mapped = rf.get("/", REMOTE_ADDR="::ffff:192.0.2.1")
    assert throttle.client_address(mapped) == "192.0.2.1"


def test_a_window_slides_by_its_slices():
    window = throttle.Window("t", limit=3, seconds=60, slices=3, cache="default")
    ident = uuid.uuid4().hex
    assert throttle.hit(window, ident, now=600) == 0
    assert throttle.hit(window, ident, now=625) == 0
    assert throttle.hit(window, ident, now=645) == 0
    assert throttle.retry_after(window, ident, now=650) == 10  # the first leaves at 660
    assert throttle.hit(window, ident, now=650) == 30  # counted: two must leave, at 680
    assert throttle.retry_after(window, ident, now=660) == 20  # four in, two must leave
    assert throttle.retry_after(window, ident, now=680) == 0
    fixed = throttle.Window("f", limit=2, seconds=60, cache="default")
    assert [throttle.hit(fixed, ident, now=t) for t in (600, 610, 620)] == [0, 0, 40]
    assert throttle.hit(fixed, ident, now=660) == 0
