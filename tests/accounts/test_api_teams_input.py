"""Hostile and malformed input to the team endpoints answers a clear 4xx, never a 500; team
policies are enforced where assets are created."""

import pytest

from apps.accounts.models import Team, TeamMembership
from apps.assets.models import Asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(acme, alice):
    team = Team.objects.create(org=acme, name="lab")
    TeamMembership.objects.create(team=team, user=alice, role="admin")
    return team


@pytest.mark.parametrize(
    "body, code",
    [
        ({"team": "lab"}, "invalid_team"),
        ({"team": None}, "invalid_team"),
        ({"team": {"name": "x"}}, "missing_org_id"),
        ({"team": {"name": "x", "org_id": "acme"}}, "invalid_uuid"),
        ({"team": {"name": 7, "org_id": "ORG"}}, "invalid_team_name"),
        ({"team": {"name": None, "org_id": "ORG"}}, "invalid_team_name"),
        ({"team": {"name": "x" * 101, "org_id": "ORG"}}, "invalid_team_name"),
        ({"team": {"name": "x", "org_id": "ORG", "visibility": ["public"]}}, "invalid_visibility"),
        ({"team": {"name": "x", "org_id": "ORG", "default_role": "owner"}}, "invalid_default_role"),
        ({"team": {"name": "x", "org_id": "ORG", "description": ["a"]}}, "invalid_description"),
        (
            {"team": {"name": "x", "org_id": "ORG", "description": {"text": 1}}},
            "invalid_description",
        ),
        (
            {"team": {"name": "x", "org_id": "ORG", "description": {"text": "a", "json": "b"}}},
            "invalid_description",
        ),
        (
            {"team": {"name": "x", "org_id": "ORG", "description": "a" * 20_001}},
            "invalid_description",
        ),
    ],
)
def test_create_refuses_malformed_bodies_with_a_400(api, alice_key, acme, body, code):
    if isinstance(body.get("team"), dict) and body["team"].get("org_id") == "ORG":
        body = {"team": {**body["team"], "org_id": str(acme.pk)}}
    answer = api(alice_key).post("/teams/create", body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)
    assert not Team.objects.filter(org=acme, is_default=False).exists()


def test_moderation_endpoints_refuse_malformed_ids_and_fields(api, alice_key, lab):
    alice = api(alice_key)
    base = f"/teams/{lab.pk}"
    assert (
        alice.post(f"{base}/join-requests/nope/approve").json()["error"]["code"] == "invalid_uuid"
    )
    assert alice.post(f"{base}/bans", {"user_id": "nobody"}).status_code == 404
    assert alice.post(f"{base}/bans", {"user_id": ["x"]}).status_code == 404
    answer = alice.post(f"{base}/bans", {"user_id": "alice"})
    assert answer.json()["error"]["code"] == "invalid_ban"
    answer = alice.post(f"{base}/bans", {"user_id": "alice", "reason": {"a": 1}})
    assert answer.json()["error"]["code"] == "invalid_reason"
    assert alice.delete(f"{base}/bans/not-a-uuid").status_code == 400
    assert alice.put(base, {"team": []}).json()["error"]["code"] == "invalid_team"
    assert alice.get("/teams/not-a-uuid/activity").status_code == 400
    assert alice.get(f"{base}/activity?assetType=<script>").json()["error"]["code"] == (
        "invalid_parameter"
    )
    assert alice.get(f"{base}/activity?limit=abc").json()["error"]["code"] == "invalid_pagination"
    assert alice.get("/teams/unreads").json()["error"]["code"] == "missing_org_id"
    assert alice.get("/teams/unreads?org_id=x").json()["error"]["code"] == "invalid_uuid"
    assert alice.get("/teams/unreads?view_mode=all").json()["error"]["code"] == "invalid_parameter"
    assert alice.get("/teams/unreads?view_mode=preview").status_code == 400
    assert alice.get("/organizations/by-name/nowhere").status_code == 404
    assert alice.get("/organizations/discoverable").json() == {"data": []}


def test_the_api_cannot_create_assets_in_a_web_only_team(api, alice_key, acme, lab):
    lab.source_policy = "web_only"
    lab.save()
    answer = api(alice_key).post(
        "/datasets/create/from-schema",
        {"dataset": {"name": "blocked", "org_id": str(acme.pk), "team_id": str(lab.pk)}},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "source_policy_forbidden"
    assert not Asset.objects.filter(name="blocked").exists()


def test_a_web_only_organization_makes_its_teams_web_only(api, alice_key, acme, lab):
    acme.source_policy = "web_only"
    acme.save()
    team = api(alice_key).get(f"/teams/{lab.pk}").json()["data"]
    assert (team["source_policy"], team["organization"]["source_policy"]) == (None, "web_only")
    answer = api(alice_key).post(
        "/datasets/create/from-schema",
        {"dataset": {"name": "blocked", "org_id": str(acme.pk)}},
    )
    assert answer.json()["error"]["code"] == "source_policy_forbidden"


def test_publishing_to_a_team_needs_its_membership_and_sight_of_it(
    api, alice_key, bob_key, acme, alice, bob, lab
):
    body = {"dataset": {"name": "placed", "org_id": str(acme.pk), "team_id": str(lab.pk)}}
    answer = api(bob_key).post("/datasets/create/from-schema", body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (
        403,
        "team_membership_required",
    )
    lab.visibility = "private"
    lab.save()
    answer = api(bob_key).post("/datasets/create/from-schema", body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_team")
    assert not Asset.objects.filter(name="placed").exists()
    answer = api(alice_key).post("/datasets/create/from-schema", body)
    assert answer.status_code == 201
    assert Asset.objects.get(name="placed").team_id == lab.pk
