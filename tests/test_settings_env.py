import pytest
from django.core.exceptions import ImproperlyConfigured

from ouro_site.env import database_from_url, env_bool, env_file, env_int, env_url


def test_bad_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG")
    monkeypatch.setenv("HUEY_WORKERS", "many")
    with pytest.raises(ImproperlyConfigured, match="HUEY_WORKERS"):
        env_int("HUEY_WORKERS", 2)
    monkeypatch.setenv("SITE_URL", "example.org")
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        env_url("SITE_URL", "http://127.0.0.1:8000")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        database_from_url("DATABASE_URL", "mysql://x/y", "/tmp")
    monkeypatch.setenv("UPSTREAM_CA_BUNDLE", "/no/such/ca.pem")
    with pytest.raises(ImproperlyConfigured, match="UPSTREAM_CA_BUNDLE"):
        env_file("UPSTREAM_CA_BUNDLE")
    monkeypatch.delenv("UPSTREAM_CA_BUNDLE")
    assert env_file("UPSTREAM_CA_BUNDLE") == ""


def test_database_urls():
    assert database_from_url("D", "", "/data")["NAME"] == "/data/db.sqlite3"
    assert database_from_url("D", "sqlite:////abs/db.sqlite3", "/data")["NAME"] == "/abs/db.sqlite3"
    pg = database_from_url("D", "postgres://postgres:pw@127.0.0.1:5432/ouro", "/data")
    assert (pg["ENGINE"], pg["NAME"], pg["HOST"], pg["PORT"], pg["PASSWORD"]) == (
        "django.db.backends.postgresql",
        "ouro",
        "127.0.0.1",
        "5432",
        "pw",
    )


def test_postgresql_binds_on_the_server_unless_told_not_to(monkeypatch):
    url = "postgres://postgres@127.0.0.1:5432/ouro"
    assert database_from_url("D", url, "/data")["OPTIONS"]["server_side_binding"] is True
    assert database_from_url("D", url, "/data")["OPTIONS"]["prepare_threshold"] == 5
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")
    assert "prepare_threshold" not in database_from_url("D", url, "/data")["OPTIONS"]
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "true")
    monkeypatch.setenv("DATABASE_SERVER_SIDE_BINDING", "false")
    options = database_from_url("D", url, "/data")["OPTIONS"]
    assert options["server_side_binding"] is False and "prepare_threshold" not in options


def test_a_bad_setting_stops_startup(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ouro_site.settings'; django.setup()",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "DATA_DIR": str(tmp_path),
            "UPSTREAM_ALLOW_PRIVATE_IPS": "sometimes",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "UPSTREAM_ALLOW_PRIVATE_IPS" in result.stderr
