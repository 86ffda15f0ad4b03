import pytest

pytestmark = pytest.mark.django_db


def test_signup_creates_a_user_and_logs_in(client):
    response = client.post(
        "/signup",
        {
            "username": "erin",
            "email": "e@example.org",
            "password1": "x-Strong-pass-9",
            "password2": "x-Strong-pass-9",
        },
    )
    assert response.status_code == 302
    assert "erin" in client.get("/").content.decode()
    assert client.get("/settings/api-keys").status_code == 200  # signed in, not just greeted


def test_login_and_logout(client, alice):
    response = client.post("/login", {"username": "alice", "password": "alice-password-1"})
    assert response.status_code == 302
    assert client.get("/settings/api-keys").status_code == 200
    client.post("/logout")
    assert client.get("/settings/api-keys").status_code == 302


def test_base_layout_serves_vendored_htmx_and_sets_the_csrf_header(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "X-CSRFToken" in html
    for label in ("Services", "Routes", "Posts", "Files"):
        assert f">{label}<" in html


def test_an_expired_session_no_longer_signs_in(client, alice):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.post("/login", {"username": "alice", "password": "alice-password-1"})
    assert client.get("/settings/api-keys").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/settings/api-keys").status_code == 302


def test_a_disabled_user_is_signed_out_on_the_next_request(client, alice):
    client.post("/login", {"username": "alice", "password": "alice-password-1"})
    assert client.get("/settings/api-keys").status_code == 200
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert client.get("/settings/api-keys").status_code == 302


def test_a_changed_password_ends_other_sessions(client, alice):
    client.post("/login", {"username": "alice", "password": "alice-password-1"})
    alice.set_password("another-password-2")
    alice.save()
    assert client.get("/settings/api-keys").status_code == 302
