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
