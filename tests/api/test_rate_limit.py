"""API requests are limited per key: API_RATE_LIMIT a minute (default 600; 0: no limit), then
429 with Retry-After in the API's error envelope, until the minute is over. The count is in the
default cache: each web process's memory on the embedded default, Redis scaled out."""

import os
import uuid

import pytest
from django.test import override_settings

from apps.accounts import throttle
from tests.clock import Clock

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("TEST_REDIS_URL")


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(throttle, "time", clock)
    return clock


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        yield request.param
        return
    if not REDIS:
        pytest.skip("needs TEST_REDIS_URL (CI's PostgreSQL run)")
    from django.core.cache import caches

    prefix = f"ouro-test-rate-{uuid.uuid4().hex[:8]}"
    cache = {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": prefix}
    with override_settings(CACHES={"default": cache}):
        yield request.param
        caches["default"].clear()


def test_the_default_is_600_a_minute():
    from django.conf import settings

    assert settings.API_RATE_LIMIT == 600


def test_a_key_over_its_rate_gets_429_with_retry_after_until_the_minute_passes(
    api, alice_key, bob_key, settings, clock, store
):
    settings.API_RATE_LIMIT = 5
    clock.now += 15
    for _ in range(5):
        assert api(alice_key).get("/user").status_code == 200
    refused = api(alice_key).get("/user")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "45"
    body = refused.json()
    assert body["data"] is None
    assert body["error"]["code"] == "throttled" and body["error"]["status"] == 429
    assert "at most 5 a minute" in body["error"]["message"]
    assert api(bob_key).get("/user").status_code == 200  # another key has its own count
    clock.now += 45
    assert api(alice_key).get("/user").status_code == 200


def test_an_access_token_counts_against_its_key(api, alice_key, settings, clock, store):
    settings.API_RATE_LIMIT = 3
    token = api(None).post("/users/get-token", {"pat": alice_key}).json()["access_token"]
    assert api(alice_key).get("/user").status_code == 200
    assert api(f"Bearer {token}").get("/user").status_code == 200
    assert api(token).get("/user").status_code == 200
    assert api(f"Bearer {token}").get("/user").status_code == 429
    assert api(alice_key).get("/user").status_code == 429


def test_zero_turns_the_limit_off(api, alice_key, settings, clock):
    settings.API_RATE_LIMIT = 0
    for _ in range(30):
        assert api(alice_key).get("/user").status_code == 200


def test_requests_without_a_key_are_not_counted(api, alice_key, settings, clock):
    settings.API_RATE_LIMIT = 2
    for _ in range(5):
        assert api(None).get("/user").status_code == 401
        assert api(None).post("/users/get-token", {"pat": "ouro_wrong"}).status_code == 200
    assert api(alice_key).get("/user").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_official_client_raises_its_rate_limit_error(ouro_client, alice, alice_key, settings):
    from ouro import RateLimitError

    settings.API_RATE_LIMIT = 5
    ouro = ouro_client(alice_key)
    with pytest.raises(RateLimitError, match="at most 5 a minute"):
        for _ in range(10):
            ouro.users.me()
