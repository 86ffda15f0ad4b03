"""The team pages: create a team, join or ask to join, answer requests, leave."""

import shutil

import pytest

from apps.accounts.models import Team, TeamJoinRequest, TeamMembership

pytestmark = pytest.mark.django_db


def test_the_teams_page_creates_a_team_and_shows_a_slug_error(client, alice, acme):
    client.force_login(alice)
    response = client.post(
        "/teams",
        {
            "org": str(acme.pk),
            "name": "Not A Slug",
            "visibility": "organization",
            "join_policy": "open",
        },
    )
    assert response.status_code == 200
    assert "must be a slug" in response.content.decode()
    response = client.post(
        "/teams",
        {"org": str(acme.pk), "name": "lab", "visibility": "private", "join_policy": "request"},
    )
    team = Team.objects.get(org=acme, name="lab")
    assert response.status_code == 302 and response["Location"] == f"/teams/{team.pk}"
    assert (team.visibility, team.join_policy) == ("private", "request")
    assert TeamMembership.objects.get(team=team).user == alice
    listing = client.get("/teams").content.decode()
    assert f"/teams/{team.pk}" in listing


def test_an_outsider_gets_the_same_404_as_for_a_missing_team(client, charlie, acme):
    client.force_login(charlie)
    hidden = client.get(f"/teams/{acme.default_team.pk}")
    missing = client.get("/teams/7d9c1d43-0000-4000-8000-000000000000")
    assert hidden.status_code == missing.status_code == 404
    assert client.post(f"/teams/{acme.default_team.pk}/join").status_code == 404
    assert str(acme.pk) not in client.get("/teams").content.decode()


def test_a_read_member_cannot_create_a_team_and_is_told_why(client, charlie, acme):
    from apps.accounts.services import membership_set

    membership_set(user=charlie, org=acme, role="read")
    client.force_login(charlie)
    response = client.post(
        "/teams",
        {"org": str(acme.pk), "name": "mine", "visibility": "organization", "join_policy": "open"},
    )
    assert "members who may write can create teams" in response.content.decode()
    assert not Team.objects.filter(name="mine").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_in_a_browser_bob_asks_to_join_alice_approves_and_bob_leaves(
    live_site, page_as, alice, bob, acme
):
    from playwright.sync_api import expect

    team = Team.objects.create(org=acme, name="reviewed", join_policy="request")
    TeamMembership.objects.create(team=team, user=alice, role="admin")

    page = page_as(bob)
    page.goto(f"{live_site.url}/teams")
    page.get_by_role("link", name="reviewed").click()
    page.get_by_role("button", name="Ask to join").click()
    expect(page.locator("#membership")).to_contain_text("waiting for an admin")
    assert TeamJoinRequest.objects.get(team=team, user=bob).status == "pending"

    page = page_as(alice)
    page.goto(f"{live_site.url}/teams/{team.pk}")
    expect(page.locator("#join-requests")).to_contain_text("bob")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("body")).to_contain_text("bob's request was approved")
    expect(page.locator("#members")).to_contain_text("bob")
    assert TeamMembership.objects.get(team=team, user=bob).role == "write"

    page = page_as(bob)
    page.goto(f"{live_site.url}/teams/{team.pk}")
    expect(page.locator("#membership")).to_contain_text("You are a member (write)")
    page.get_by_role("button", name="Leave the team").click()
    expect(page.locator("#membership")).to_contain_text("Ask to join")
    assert not TeamMembership.objects.filter(team=team, user=bob).exists()

    page.goto(f"{live_site.url}/teams")
    page.fill("#id_name", "bobs-team")
    page.select_option("#id_org", str(acme.pk))
    page.get_by_role("button", name="Create team").click()
    expect(page.locator("h1")).to_contain_text("bobs-team")
    assert TeamMembership.objects.get(team__name="bobs-team").user == bob
