import uuid

import pytest
from django.urls import path
from rest_framework.decorators import api_view

from apps.accounts.models import PERSONAL_ORG_ID

pytestmark = pytest.mark.django_db


def test_unknown_urls_are_json_404(api, alice_key):
    for key in (alice_key, None):
        response = api(key).get("/no/such/thing")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"
        assert response.json()["data"] is None


def test_an_unknown_post_is_a_json_404_not_a_csrf_refusal(alice_key):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a real API client meets the server
    response = client.post("/api/assets/x/no-such-action", headers={"Authorization": alice_key})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_trailing_slashes_are_not_redirected(api, alice_key):
    response = api(alice_key).get("/user/")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_wrong_method_is_json_405(api, alice_key):
    response = api(alice_key).delete("/user")
    assert response.status_code == 405
    assert response.json()["error"] == {
        "message": 'Method "DELETE" not allowed.',
        "code": "method_not_allowed",
        "status": 405,
    }


def test_malformed_uuid_is_400(api, alice_key):
    response = api(alice_key).get("/assets/not-a-uuid/type")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_uuid"


def test_unknown_asset_is_404(api, alice_key):
    response = api(alice_key).get(f"/assets/{uuid.uuid4()}/type")
    assert response.status_code == 404


def test_invalid_json_is_400(client, alice_key):
    response = client.post("/api/users/get-token", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


@api_view(["GET"])
def _explode(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/explode", _explode)]


def test_server_errors_are_json_500(client, alice_key, settings):
    settings.ROOT_URLCONF = __name__
    response = client.get("/api/explode", headers={"Authorization": alice_key})
    assert response.status_code == 500
    assert response.json() == {
        "data": None,
        "error": {"message": "Internal server error", "code": "server_error", "status": 500},
    }


def test_organizations_of_user_and_detail_with_default_team(api, alice_key, acme):
    orgs = api(alice_key).get("/organizations/user").json()["data"]
    assert [o["name"] for o in orgs] == ["acme"]
    assert orgs[0]["userRole"] == "admin"
    detail = api(alice_key).get(f"/organizations/{acme.pk}").json()["data"]
    assert detail["default_team"]["id"] == str(acme.default_team.pk)


def test_organization_detail_is_404_for_outsiders(api, charlie_key, acme):
    assert api(charlie_key).get(f"/organizations/{acme.pk}").status_code == 404


def test_context_defaults_to_the_personal_org(api, alice_key):
    data = api(alice_key).get("/organizations/context").json()["data"]
    assert data["id"] == str(PERSONAL_ORG_ID)
    assert data["default_team"]["id"]


def test_context_honours_x_ouro_org(api, bob_key, acme):
    data = (
        api(bob_key)
        .get("/organizations/context", headers={"X-Ouro-Org": str(acme.pk)})
        .json()["data"]
    )
    assert data["id"] == str(acme.pk) and data["userRole"] == "write"


def test_context_errors(api, charlie_key, acme):
    bad = api(charlie_key).get("/organizations/context", headers={"X-Ouro-Org": "acme!"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_org_context"
    unknown = api(charlie_key).get(
        "/organizations/context", headers={"X-Ouro-Org": str(uuid.uuid4())}
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_org_context"
    forbidden = api(charlie_key).get("/organizations/context", headers={"X-Ouro-Org": str(acme.pk)})
    assert (
        forbidden.status_code == 403
        and forbidden.json()["error"]["code"] == "org_context_forbidden"
    )
