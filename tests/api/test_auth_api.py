import gzip
import json
import time

import jwt
import pytest
from django.conf import settings

from apps.accounts.models import ApiKey
from apps.accounts.services import JWT_AUDIENCE, access_token_issue, api_key_revoke

pytestmark = pytest.mark.django_db


def exchange(api, key):
    return api(None).post("/users/get-token", {"pat": key})


def test_get_token_returns_a_jwt_with_exp(api, alice, alice_key):
    response = exchange(api, alice_key)
    assert response.status_code == 200
    body = response.json()
    claims = jwt.decode(
        body["access_token"], settings.SECRET_KEY, algorithms=["HS256"], audience=JWT_AUDIENCE
    )
    assert claims["sub"] == str(alice.pk) and claims["exp"] > time.time()
    assert body["refresh_token"] and body["api_key_name"] == "alice key"


@pytest.mark.parametrize("pat", ["ouro_wrong", "", None, 12])
def test_get_token_answers_2xx_with_error_for_invalid_keys(api, alice_key, pat):
    response = api(None).post("/users/get-token", {"pat": pat})
    assert response.status_code == 200
    assert response.json()["error"]["message"]
    assert "access_token" not in response.json()


def test_get_token_refuses_a_revoked_key(api, alice, alice_key):
    api_key_revoke(key=ApiKey.objects.get(user=alice))
    assert "revoked" in exchange(api, alice_key).json()["error"]["message"]


@pytest.mark.parametrize("prefix", ["", "Bearer "])
def test_user_accepts_the_token_with_or_without_bearer(api, alice, alice_key, prefix):
    token = exchange(api, alice_key).json()["access_token"]
    response = api(prefix + token).get("/user")
    assert response.status_code == 200
    assert response.json()["data"] == {
        "id": str(alice.pk),
        "user_id": str(alice.pk),
        "email": alice.email,
        "username": "alice",
        "actor_type": "human",
    }
    profile = api(prefix + token).get("/user/profile").json()["data"]
    assert profile["username"] == "alice" and profile["user_id"] == str(alice.pk)


def test_an_expired_token_is_refused(api, alice, alice_key):
    key = ApiKey.objects.get(user=alice)
    token = access_token_issue(key=key, now=time.time() - 2 * settings.ACCESS_TOKEN_TTL_SECONDS)
    response = api(token["access_token"]).get("/user")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The access token has expired"


def test_a_token_stops_working_when_its_key_is_revoked(api, alice, alice_key):
    token = exchange(api, alice_key).json()["access_token"]
    api_key_revoke(key=ApiKey.objects.get(user=alice))
    assert api(token).get("/user").status_code == 401


def test_a_forged_token_is_refused(api, alice, alice_key):
    forged = jwt.encode(
        {
            "sub": str(alice.pk),
            "kid": "x",
            "aud": JWT_AUDIENCE,
            "typ": "access",
            "exp": time.time() + 60,
        },
        "not-the-server-key-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    response = api(forged).get("/user")
    assert (
        response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    )


def test_no_credentials_is_401_json(api):
    response = api(None).get("/user")
    assert response.status_code == 401
    assert response.json() == {
        "data": None,
        "error": {
            "message": "Authentication credentials were not provided.",
            "code": "not_authenticated",
            "status": 401,
        },
    }


def test_gzip_encoded_bodies_are_inflated(client, alice, alice_key):
    body = gzip.compress(json.dumps({"pat": alice_key}).encode())
    response = client.post(
        "/api/users/get-token",
        body,
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status_code == 200 and response.json()["access_token"]


def test_a_broken_gzip_body_is_a_clear_400(client):
    response = client.post(
        "/api/users/get-token",
        b"not gzip",
        content_type="application/json",
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_encoding"


def test_the_api_needs_no_csrf_token(alice_key, alice):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        "/api/users/get-token", {"pat": alice_key}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["access_token"]
