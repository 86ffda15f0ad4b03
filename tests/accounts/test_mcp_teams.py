"""ouro-mcp's team and organization tools over stdio against the live server: alice
administers acme, bob writes in it."""

import json

import pytest

from apps.accounts.models import Organization, Team, TeamJoinRequest, TeamMembership
from apps.posts.services import post_create
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)


def _results(text: str) -> list[dict]:
    return json.loads(text)["results"]


def test_an_admin_creates_lists_updates_and_reviews_teams_and_lists_organizations(
    live_site, alice_key, acme, alice, bob
):
    Organization.objects.filter(pk=acme.pk).update(visibility="public", join_policy="request")
    org_id = str(acme.pk)
    created, refused, listed, discover, orgs, discoverable = call_tools(
        live_site.url,
        alice_key,
        [
            (
                "create_team",
                {
                    "name": "mcp-team",
                    "description": "Made **by** MCP",
                    "org_id": org_id,
                    "join_policy": "request",
                    "source_policy": "web_only",
                },
            ),
            ("create_team", {"name": "Bad Name", "description": "x", "org_id": org_id}),
            ("list_teams", {"org_id": org_id}),
            ("list_teams", {"discover": True}),
            ("list_organizations", {}),
            ("list_organizations", {"discover": True}),
        ],
    )
    team = json.loads(created)
    assert (team["name"], team["org_id"], team["visibility"], team["join_policy"]) == (
        "mcp-team",
        org_id,
        "organization",
        "request",
    )
    assert (team["source_policy"], team["agent_can_create"]) == ("web_only", False)
    assert team["description"] == "Made **by** MCP"
    stored = Team.objects.get(pk=team["id"])
    assert TeamMembership.objects.get(team=stored, user=alice).role == "admin"
    error = json.loads(refused)
    assert (error["status"], error["code"]) == (400, "invalid_team_name")
    assert "must be a slug" in error["message"]
    assert [(t["name"], t["role"]) for t in _results(listed)] == [
        ("all", "admin"),
        ("mcp-team", "admin"),
    ]
    assert [(t["organization_name"], t["name"]) for t in _results(discover)] == [
        ("Personal", "all")
    ]
    assert [(o["name"], o["role"], o["join_policy"]) for o in _results(orgs)] == [
        ("acme", "admin", "request")
    ]
    assert [o["name"] for o in _results(discoverable)] == ["acme"]

    TeamJoinRequest.objects.create(team=stored, user=bob)
    request_id = str(TeamJoinRequest.objects.get(user=bob).pk)
    pending, reviewed, updated, members = call_tools(
        live_site.url,
        alice_key,
        [
            ("list_join_requests", {"team_id": team["id"]}),
            (
                "review_join_request",
                {"team_id": team["id"], "request_id": request_id, "decision": "approve"},
            ),
            ("update_team", {"id": team["id"], "name": "renamed", "visibility": "public"}),
            ("get_team", {"id": team["id"], "include_members": True}),
        ],
    )
    assert [(r["user"]["username"], r["status"]) for r in _results(pending)] == [("bob", "pending")]
    assert json.loads(reviewed) == {"request_id": request_id, "status": "approved"}
    assert TeamMembership.objects.get(team=stored, user=bob).role == "write"
    assert (json.loads(updated)["name"], json.loads(updated)["visibility"]) == ("renamed", "public")
    assert Team.objects.get(pk=team["id"]).name == "renamed"
    roster = json.loads(members)
    assert roster["member_count"] == 2 and roster["organization_name"] == "acme"
    assert sorted((m["username"], m["role"]) for m in roster["members"]) == [
        ("alice", "admin"),
        ("bob", "write"),
    ]


def test_a_member_joins_reads_the_feed_and_leaves_and_is_refused_admin_work(
    live_site, bob_key, acme, alice, bob
):
    team = Team.objects.create(org=acme, name="open-team")
    request_team = Team.objects.create(org=acme, name="ask-first", join_policy="request")
    TeamMembership.objects.create(team=team, user=alice, role="admin")
    post = post_create(
        user=alice,
        org=acme,
        team=team,
        name="Feed post",
        content="hello",
        visibility="organization",
    )
    joined, unread, feed, only_posts, refused, asked, left = call_tools(
        live_site.url,
        bob_key,
        [
            ("set_team_membership", {"team_id": str(team.pk), "member": True}),
            ("get_team_feed", {"team_id": str(team.pk), "unread_only": True}),
            ("get_team_feed", {"team_id": str(team.pk)}),
            ("get_team_feed", {"team_id": str(team.pk), "asset_type": "dataset"}),
            ("update_team", {"id": str(team.pk), "name": "hijacked"}),
            ("set_team_membership", {"team_id": str(request_team.pk), "member": True}),
            ("set_team_membership", {"team_id": str(team.pk), "member": False}),
        ],
    )
    assert json.loads(joined)["member"] is True
    assert TeamMembership.objects.filter(team=team, user=bob).count() == 0  # left at the end
    assert [(i["id"], i["name"], i["username"]) for i in _results(unread)] == [
        (str(post.pk), "Feed post", "alice")
    ]
    assert [i["id"] for i in _results(feed)] == [str(post.pk)]
    assert _results(only_posts) == []
    error = json.loads(refused)
    assert (error["status"], error["error"]) == (403, "permission_denied")
    assert Team.objects.get(pk=team.pk).name == "open-team"
    asked = json.loads(asked)
    assert asked["team"]["join_request"]["status"] == "pending"
    assert TeamJoinRequest.objects.get(team=request_team, user=bob).status == "pending"
    assert json.loads(left) == {"success": True, "member": False}
