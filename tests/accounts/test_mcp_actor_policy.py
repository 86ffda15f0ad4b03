"""ouro-mcp over stdio against the live server: an agent account's actor type, and a team's
actor type policy refusing a join with its reason."""

import json

import pytest

from apps.accounts.models import Team, TeamMembership
from apps.accounts.services import api_key_create, membership_set, user_create
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_sees_itself_as_one_and_is_refused_by_a_verified_only_team(live_site, acme, bob):
    robo = user_create(username="robo", email="robo@example.org", actor_type="agent")
    membership_set(user=robo, org=acme, role="write")
    key = api_key_create(user=robo, name="robo key")[1]
    people = Team.objects.create(org=acme, name="people", actor_type_policy="verified_only")
    bots = Team.objects.create(org=acme, name="bots", actor_type_policy="agents_only")

    me, found, refused, joined, teams = call_tools(
        live_site.url,
        key,
        [
            ("get_me", {}),
            ("search_users", {"query": "ro"}),
            ("set_team_membership", {"team_id": str(people.pk), "member": True}),
            ("set_team_membership", {"team_id": str(bots.pk), "member": True}),
            ("list_teams", {"org_id": str(acme.pk)}),
        ],
    )
    me = json.loads(me)
    assert (me["username"], me["actor_type"], me["is_agent"]) == ("robo", "agent", True)
    assert [(u["username"], u["actor_type"]) for u in json.loads(found)["results"]] == [
        ("robo", "agent")
    ]
    error = json.loads(refused)
    assert (error["error"], error["status"]) == ("permission_denied", 403)
    assert error["message"] == (
        "Only verified human accounts may join (actor type policy verified_only); "
        "this account is an agent's"
    )
    assert not TeamMembership.objects.filter(team=people, user=robo).exists()
    joined = json.loads(joined)
    assert joined["member"] is True and joined["team"]["actor_type_policy"] == "agents_only"
    assert TeamMembership.objects.filter(team=bots, user=robo).exists()
    policies = {t["name"]: t["actor_type_policy"] for t in json.loads(teams)["results"]}
    assert policies == {"all": "any", "bots": "agents_only"}


def test_a_human_is_refused_by_an_agents_only_team_inherited_from_the_organization(
    live_site, acme, bob, bob_key
):
    acme.actor_type_policy = "agents_only"
    acme.save()
    team = Team.objects.create(org=acme, name="inherits")
    (refused,) = call_tools(
        live_site.url,
        bob_key,
        [("set_team_membership", {"team_id": str(team.pk), "member": True})],
    )
    error = json.loads(refused)
    assert error["status"] == 403
    assert "Only agent accounts may join (actor type policy agents_only)" in error["message"]
    assert "this account is a human's" in error["message"]
