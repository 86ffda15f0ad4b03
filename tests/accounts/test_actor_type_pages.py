"""An account's actor type and verification on the pages, in the admin and from the command
line; the team page says why its actor type policy keeps someone out."""

import shutil
import uuid

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import Team, TeamJoinRequest, TeamMembership, User
from apps.accounts.services import membership_set, user_create

pytestmark = pytest.mark.django_db

SIGN_UP = {"password1": "a-long-pass-phrase-9", "password2": "a-long-pass-phrase-9"}


def test_sign_up_offers_an_agent_account_and_makes_a_human_one_by_default(client):
    page = client.get("/signup").content.decode()
    assert "This account is for an agent (a program acting on its own)" in page
    response = client.post("/signup", {"username": "robo", "is_agent": "on", **SIGN_UP})
    assert response.status_code == 302
    client.logout()
    client.post("/signup", {"username": "ada", **SIGN_UP})
    robo, ada = User.objects.get(username="robo"), User.objects.get(username="ada")
    assert (robo.actor_type, robo.verified) == ("agent", False)
    assert (ada.actor_type, ada.verified) == ("human", False)
    assert robo.check_password(SIGN_UP["password1"])


def test_createsuperuser_makes_a_human_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "root-pass-phrase-1")
    call_command("createsuperuser", "--noinput", username="root", email="root@example.org")
    root = User.objects.get(username="root")
    assert (root.is_superuser, root.actor_type, root.verified) == (True, "human", False)


def test_user_verify_marks_an_account_verified_and_undo_takes_it_back(alice, capsys):
    call_command("user_verify", "alice")
    alice.refresh_from_db()
    assert alice.verified is True
    assert "alice (human account) is verified." in capsys.readouterr().out
    call_command("user_verify", str(alice.pk), "--undo")
    alice.refresh_from_db()
    assert alice.verified is False
    assert "is no longer verified" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("user_verify", "nobody")
    with pytest.raises(CommandError, match="No user"):
        call_command("user_verify", str(uuid.uuid4()))


def test_the_commands_help_says_an_administrator_verifies(capsys):
    from apps.accounts.management.commands.user_verify import Command

    assert "no identity checks of its own" in Command.help
    verified = User._meta.get_field("verified")
    assert "manage.py user_verify" in verified.help_text
    assert "no identity checks of its own" in verified.help_text


def test_the_admin_shows_and_edits_the_actor_type_and_verification(client, alice, bob):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    listing = client.get("/admin/accounts/user/?actor_type__exact=human").content.decode()
    assert "Actor type" in listing and "Verified" in listing
    change = client.get(f"/admin/accounts/user/{bob.pk}/change/").content.decode()
    assert 'name="actor_type"' in change and 'name="verified"' in change
    form = client.get(f"/admin/accounts/user/{bob.pk}/change/").context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "groups", "user_permissions")
    }
    data.update(
        {
            "actor_type": "agent",
            "verified": "on",
            "is_active": "on",
            "date_joined_0": form.initial["date_joined"].strftime("%Y-%m-%d"),
            "date_joined_1": form.initial["date_joined"].strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined")
    data.pop("last_login", None)
    response = client.post(f"/admin/accounts/user/{bob.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert (bob.actor_type, bob.verified) == ("agent", True)


def test_the_team_page_says_why_the_policy_keeps_a_human_out(client, alice, bob, acme):
    team = Team.objects.create(org=acme, name="people", actor_type_policy="verified_only")
    client.force_login(bob)
    page = client.get(f"/teams/{team.pk}").content.decode()
    assert "accounts: verified_only" in page
    assert "You cannot join this team. Only verified accounts may join" in page
    assert "this account is not verified" in page
    assert "Join the team" not in page
    answer = client.post(f"/teams/{team.pk}/join", follow=True).content.decode()
    assert "Only verified accounts may join (actor type policy verified_only)" in answer
    assert not TeamMembership.objects.filter(team=team, user=bob).exists()

    bob.verified = True
    bob.save()
    page = client.get(f"/teams/{team.pk}").content.decode()
    assert "Join the team" in page and "You cannot join" not in page
    client.post(f"/teams/{team.pk}/join")
    assert TeamMembership.objects.filter(team=team, user=bob).exists()


def test_an_admin_approving_a_request_the_policy_now_refuses_is_told_why(client, alice, acme):
    robo = user_create(username="robo", actor_type="agent")
    membership_set(user=robo, org=acme, role="write")
    team = Team.objects.create(org=acme, name="asks", join_policy="request")
    TeamMembership.objects.create(team=team, user=alice, role="admin")
    join_request = TeamJoinRequest.objects.create(team=team, user=robo)
    team.actor_type_policy = "verified_only"
    team.save()
    client.force_login(alice)
    page = client.get(f"/teams/{team.pk}").content.decode()
    assert 'robo <span class="badge">agent</span>' in page
    answer = client.post(
        f"/teams/{team.pk}/requests/{join_request.pk}/approve", follow=True
    ).content.decode()
    assert "Only verified human accounts may join (actor type policy verified_only)" in answer
    assert "robo&#x27;s account" in answer or "robo's account" in answer
    join_request.refresh_from_db()
    assert join_request.status == "pending"
    assert not TeamMembership.objects.filter(team=team, user=robo).exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_in_a_browser_an_admin_verifies_bob_who_then_joins_a_verified_only_team(
    live_site, page_as, alice, bob, acme
):
    from playwright.sync_api import expect

    team = Team.objects.create(org=acme, name="people", actor_type_policy="verified_only")
    page = page_as(bob)
    page.goto(f"{live_site.url}/teams/{team.pk}")
    expect(page.locator("#actor-refusal")).to_contain_text("this account is not verified")
    expect(page.get_by_role("button", name="Join the team")).to_have_count(0)

    alice.is_staff = alice.is_superuser = True
    alice.save()
    page = page_as(alice)
    page.goto(f"{live_site.url}/admin/accounts/user/{bob.pk}/change/")
    expect(page.locator("#id_actor_type")).to_have_value("human")
    page.check("#id_verified")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    bob.refresh_from_db()
    assert bob.verified is True

    page = page_as(bob)
    page.goto(f"{live_site.url}/teams/{team.pk}")
    page.get_by_role("button", name="Join the team").click()
    expect(page.locator("#membership")).to_contain_text("You are a member (write)")
    assert TeamMembership.objects.filter(team=team, user=bob).exists()


def test_the_teams_page_creates_a_team_with_or_without_its_own_actor_type_policy(
    client, alice, acme
):
    acme.actor_type_policy = "agents_only"
    acme.save()
    client.force_login(alice)
    base = {"org": str(acme.pk), "visibility": "organization", "join_policy": "open"}
    client.post("/teams", {**base, "name": "people", "actor_type_policy": "verified_only"})
    client.post("/teams", {**base, "name": "follows", "actor_type_policy": ""})
    people, follows = Team.objects.get(name="people"), Team.objects.get(name="follows")
    assert (people.actor_type_policy, people.effective_actor_type_policy) == (
        "verified_only",
        "verified_only",
    )
    assert (follows.actor_type_policy, follows.effective_actor_type_policy) == ("", "agents_only")
    listing = client.get("/teams").content.decode()
    assert "<td>verified_only</td>" in listing and "<td>agents_only</td>" in listing
