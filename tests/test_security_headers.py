"""Every page carries Django's Content-Security-Policy (scripts and styles only from the site's
own files), no template holds an inline script, handler or style attribute, and with an https
SITE_URL the cookies are Secure and browsers are told to keep to https (HSTS)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Inline script, handler or style: what `script-src 'self'` and `style-src 'self'` refuse.
INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "an hx-on attribute": re.compile(r"\bhx-on", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def inline_in(html: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(html)]


def test_no_template_holds_inline_script_handlers_or_styles():
    templates = [
        *ROOT.joinpath("templates").rglob("*.html"),
        *ROOT.glob("apps/*/templates/**/*.html"),
    ]
    assert templates
    found = {str(t.relative_to(ROOT)): inline_in(t.read_text()) for t in templates}
    assert {name: what for name, what in found.items() if what} == {}


@pytest.fixture
def pages(client, alice, settings):
    def fetch(path: str):
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        return response

    return fetch


MAIN_PAGES = [
    "/",
    "/login",
    "/signup",
    "/services",
    "/routes",
    "/posts",
    "/files",
    "/datasets",
    "/no/such/page",
]
SIGNED_IN_PAGES = ["/settings/api-keys", "/wallet", "/posts/new", "/services/new", "/files/new"]


def assert_policy(response) -> None:
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.django_db
def test_every_page_has_the_policy_and_renders_no_inline_script(client, alice):
    for path in MAIN_PAGES:
        response = client.get(path)
        assert_policy(response)
        assert inline_in(response.content.decode()) == [], path
    client.force_login(alice)
    for path in [*MAIN_PAGES, *SIGNED_IN_PAGES]:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert_policy(response)
        assert inline_in(response.content.decode()) == [], path


@pytest.mark.django_db
def test_the_admin_pages_have_the_policy(client, alice):
    type(alice).objects.filter(pk=alice.pk).update(is_staff=True, is_superuser=True)
    assert_policy(client.get("/admin/login/"))
    client.force_login(alice)
    for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{alice.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_policy(response)
        assert "an inline <script>" not in inline_in(response.content.decode()), path


def test_htmx_does_not_inject_its_indicator_style(client):
    html = client.get("/login").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in html
    css = ROOT.joinpath("static/css/app.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def _site(env: dict, tmp_path, code: str) -> str:
    """Run `code` with the settings made from `env` (a fresh process: settings are read once)."""
    prelude = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'ouro_site.settings'; "
        "django.setup(); from django.conf import settings; "
    )
    full_env = {
        **{k: v for k, v in os.environ.items() if k not in ("SITE_URL", "SECURE_HSTS_SECONDS")},
        "DATA_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "testserver,routes.example.org",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=full_env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout.strip()


def test_an_https_site_url_makes_cookies_secure_and_sends_hsts(tmp_path):
    code = (
        "from django.test import Client; "
        "r = Client().get('/login', headers={'X-Forwarded-Proto': 'https'}); "
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "r.headers.get('Strict-Transport-Security'), bool(r.cookies['csrftoken']['secure']))"
    )
    https = _site({"SITE_URL": "https://routes.example.org"}, tmp_path, code)
    assert https == "True True max-age=31536000 True"
    plain = _site({"SITE_URL": "http://127.0.0.1:8000"}, tmp_path, code)
    assert plain == "False False None False"
    off = _site(
        {"SITE_URL": "https://routes.example.org", "SECURE_HSTS_SECONDS": "0"}, tmp_path, code
    )
    assert off == "True True None True"
