"""Scaled out (REDIS_URL set), sessions are read from the shared Redis and written through to
the database; logging out ends the session for every web process."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

REDIS = os.environ.get("TEST_REDIS_URL")


def test_redis_url_makes_redis_the_cache_and_the_session_store(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'ouro_site.settings'; "
        "django.setup(); from django.conf import settings; "
        "print(settings.SESSION_ENGINE, settings.CACHES['default']['BACKEND'])"
    )
    env = {**os.environ, "DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/15"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    engine, backend = result.stdout.split()
    assert engine == "django.contrib.sessions.backends.cached_db"
    assert backend == "apps.core.cache.RedisCache"


@pytest.mark.skipif(not REDIS, reason="needs TEST_REDIS_URL (CI's PostgreSQL run)")
def test_a_session_in_redis_logs_in_and_out(client, alice):
    import redis

    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": "ouro-test-sessions",
        }
    }
    engine = "django.contrib.sessions.backends.cached_db"
    with override_settings(CACHES=caches, SESSION_ENGINE=engine):
        assert client.post(
            "/login", {"username": "alice", "password": "alice-password-1"}
        ).status_code in (302, 303)
        key = client.cookies["sessionid"].value
        stored = redis.Redis.from_url(REDIS).keys(f"ouro-test-sessions:*{key}")
        assert stored, "the session is in Redis"
        assert client.get("/settings/api-keys").status_code == 200
        stolen = key
        client.post("/logout")
        client.cookies["sessionid"] = stolen
        assert client.get("/settings/api-keys").status_code == 302  # the old session is gone


@pytest.mark.skipif(not REDIS, reason="needs TEST_REDIS_URL (CI's PostgreSQL run)")
def test_clearing_the_cache_leaves_the_queue_in_the_same_redis_database():
    import redis
    from django.core.cache import caches

    other = redis.Redis.from_url(REDIS)
    other.set("huey.redis.ouro-test.queue-marker", "queued work")
    location = {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": REDIS}
    with override_settings(CACHES={"default": {**location, "KEY_PREFIX": "ouro-test-clear"}}):
        cache = caches.create_connection("default")
        cache.set_many({f"k{i}": i for i in range(2500)})
        cache.set("versioned", 1, version=2)
        assert cache.get("k2499") == 2499
        cache.clear()
        assert cache.get("k0") is None and cache.get("versioned", version=2) is None
        assert not other.keys("ouro-test-clear:*")
        assert other.get("huey.redis.ouro-test.queue-marker") == b"queued work"
    other.delete("huey.redis.ouro-test.queue-marker")
    with pytest.raises(ValueError, match="KEY_PREFIX"):
        from apps.core.cache import RedisCache

        RedisCache(REDIS, {})
