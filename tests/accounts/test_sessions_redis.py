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
    assert backend == "django.core.cache.backends.redis.RedisCache"


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
