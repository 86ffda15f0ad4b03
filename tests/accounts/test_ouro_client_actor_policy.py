"""A team's actor type policy through the official ouro-py client against the live server.
In acme (alice administers it): bob, a human; robo, an agent; vera, a verified human; vex, a
verified agent."""

import pytest
from ouro import PermissionDeniedError

from apps.accounts.models import Organization, Team, TeamJoinRequest, TeamMembership, User
from apps.accounts.services import api_key_create, membership_set, user_create
from apps.posts.services import post_create

pytestmark = pytest.mark.django_db(transaction=True)

ADMITTED = {
    "any": {"bob", "robo", "vera", "vex"},
    "verified_only": {"vera"},
    "agents_only": {"robo", "vex"},
}


@pytest.fixture
def cast(acme, bob, ouro_client):
    """Each account's official client, all members of acme who may write."""
    accounts = {
        "robo": user_create(username="robo", actor_type="agent"),
        "vera": user_create(username="vera", verified=True),
        "vex": user_create(username="vex", actor_type="agent", verified=True),
    }
    for user in accounts.values():
        membership_set(user=user, org=acme, role="write")
    accounts["bob"] = bob
    return {
        name: ouro_client(api_key_create(user=user, name="key")[1])
        for name, user in accounts.items()
    }


def _join(ouro, team: Team):
    return ouro.teams.join(str(team.pk))


@pytest.mark.parametrize("policy", sorted(ADMITTED))
def test_a_team_admits_only_the_accounts_its_policy_names(policy, alice, acme, cast):
    team = Team.objects.create(org=acme, name="lab", actor_type_policy=policy)
    for name, ouro in cast.items():
        if name in ADMITTED[policy]:
            joined = _join(ouro, team)
            assert joined.user_membership.role == "write", name
            assert joined.actor_type_policy == policy
        else:
            with pytest.raises(PermissionDeniedError) as refused:
                _join(ouro, team)
            assert refused.value.status_code == 403
            assert refused.value.body["error"]["code"] == "actor_type_not_allowed", name
            assert f"actor type policy {policy}" in refused.value.message
    members = set(TeamMembership.objects.filter(team=team).values_list("user__username", flat=True))
    assert members == ADMITTED[policy]


def test_refusals_name_what_the_account_lacks(acme, cast):
    verified_only = Team.objects.create(org=acme, name="people", actor_type_policy="verified_only")
    agents_only = Team.objects.create(org=acme, name="bots", actor_type_policy="agents_only")
    with pytest.raises(PermissionDeniedError, match="this account is not verified"):
        _join(cast["bob"], verified_only)
    with pytest.raises(PermissionDeniedError, match="this account is an agent's"):
        _join(cast["vex"], verified_only)
    with pytest.raises(PermissionDeniedError, match="this account is a human's"):
        _join(cast["vera"], agents_only)


def test_a_blank_team_policy_follows_the_organizations(acme, cast):
    Organization.objects.filter(pk=acme.pk).update(actor_type_policy="agents_only")
    team = Team.objects.create(org=acme, name="inherits")
    own = Team.objects.create(org=acme, name="own", actor_type_policy="any")
    with pytest.raises(PermissionDeniedError, match="agents_only"):
        _join(cast["bob"], team)
    joined = _join(cast["robo"], team)
    assert joined.actor_type_policy is None
    assert joined.organization.actor_type_policy == "agents_only"
    assert _join(cast["bob"], own).user_membership.role == "write"


def test_a_request_is_refused_up_front_and_an_approval_once_the_policy_shuts_the_door(
    alice, acme, cast, ouro_client, alice_key
):
    team = Team.objects.create(
        org=acme, name="asks", join_policy="request", actor_type_policy="verified_only"
    )
    TeamMembership.objects.create(team=team, user=alice, role="admin")
    with pytest.raises(PermissionDeniedError, match="verified_only"):
        _join(cast["robo"], team)
    assert not TeamJoinRequest.objects.filter(team=team).exists()
    asked = _join(cast["vera"], team)
    assert asked.join_status == "pending"

    Team.objects.filter(pk=team.pk).update(actor_type_policy="agents_only")
    alice_ouro = ouro_client(alice_key)
    (pending,) = alice_ouro.teams.list_join_requests(str(team.pk))
    assert pending.user.actor_type == "human"
    with pytest.raises(PermissionDeniedError, match="vera's account is a human's") as refused:
        alice_ouro.teams.approve_join_request(str(team.pk), str(pending.id))
    assert refused.value.body["error"]["code"] == "actor_type_not_allowed"
    assert TeamJoinRequest.objects.get(pk=pending.id).status == "pending"
    assert not TeamMembership.objects.filter(team=team, user__username="vera").exists()

    Team.objects.filter(pk=team.pk).update(actor_type_policy="verified_only")
    alice_ouro.teams.approve_join_request(str(team.pk), str(pending.id))
    assert TeamMembership.objects.filter(team=team, user__username="vera").exists()


def test_users_and_an_assets_author_carry_their_actor_type(alice, acme, cast):
    robo = cast["robo"]
    me = robo.users.me()
    assert (me.username, me.actor_type, me.is_agent) == ("robo", "agent", True)
    assert robo.user.actor_type == "agent"
    assert cast["bob"].users.get("robo").actor_type == "agent"
    found = {user.username: user.actor_type for user in robo.users.search("v")}
    assert found == {"vera": "human", "vex": "agent"}
    assert robo.users.get(str(alice.pk)).actor_type == "human"

    post = post_create(
        user=User.objects.get(username="robo"),
        org=acme,
        team=acme.default_team,
        name="made by a program",
        content="hello",
        visibility="organization",
    )
    author = cast["bob"].posts.retrieve(str(post.pk)).user
    assert (author.username, author.actor_type, author.is_agent) == ("robo", "agent", True)
