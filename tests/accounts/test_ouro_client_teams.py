"""Teams and organizations through the official ouro-py client against the live server:
alice administers acme, bob writes in it, charlie is an outsider."""

import pytest
from ouro import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    OuroError,
    PermissionDeniedError,
)

from apps.accounts.models import (
    PERSONAL_ORG_ID,
    Organization,
    Team,
    TeamBan,
    TeamJoinRequest,
    TeamMembership,
)
from apps.accounts.services import api_key_create, personal_org, team_mark_read
from apps.assets.models import Asset
from apps.posts.models import Post
from apps.posts.services import post_create
from tests.actions.conftest import (  # noqa: F401 (fixtures)
    hello_route,
    make_route,
    make_service,
)

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL = str(PERSONAL_ORG_ID)


@pytest.fixture
def alice_ouro(ouro_client, alice_key, acme):
    return ouro_client(alice_key)


@pytest.fixture
def bob_ouro(ouro_client, bob_key, acme):
    return ouro_client(bob_key)


@pytest.fixture
def charlie_ouro(ouro_client, charlie_key):
    return ouro_client(charlie_key)


def _post(user, team_id, name: str) -> Post:
    """A post published to a team (the feed's material; posts are tested elsewhere)."""
    team = Team.objects.select_related("org").get(pk=team_id)
    return post_create(
        user=user, org=team.org, team=team, name=name, content=name, visibility="organization"
    )


def _team(ouro, acme, name, **fields):
    return ouro.teams.create(name=name, org_id=str(acme.pk), **fields)


def test_create_makes_a_slug_named_team_with_its_creator_as_admin(alice_ouro, acme, alice):
    team = _team(
        alice_ouro,
        acme,
        "data-science",
        description="Models and **data**",
        join_policy="request",
        source_policy="api_only",
    )
    assert (team.name, team.slug, str(team.org_id)) == (
        "data-science",
        "data-science",
        str(acme.pk),
    )
    assert (team.visibility, team.join_policy, team.default_role) == (
        "organization",
        "request",
        "write",
    )
    assert (team.source_policy, team.actor_type_policy) == ("api_only", None)
    assert team.description.text == "Models and **data**"
    assert team.user_membership.role == "admin" and team.can_moderate is True
    assert team.organization.name == "acme" and team.organization.source_policy == "any"
    stored = Team.objects.get(pk=team.id)
    assert TeamMembership.objects.get(team=stored).user == alice


@pytest.mark.parametrize("name", ["Data Science", "data_science", "-x", "a--b", "", "é"])
def test_create_refuses_a_name_that_is_not_a_slug(alice_ouro, acme, name):
    with pytest.raises(BadRequestError, match="must be a slug"):
        _team(alice_ouro, acme, name)
    assert not Team.objects.filter(org=acme, is_default=False).exists()


def test_create_refuses_a_taken_name_and_unknown_choices(alice_ouro, acme):
    _team(alice_ouro, acme, "ops")
    with pytest.raises(ConflictError, match="already a team named 'ops'"):
        _team(alice_ouro, acme, "ops")
    with pytest.raises(BadRequestError, match="visibility must be one of"):
        _team(alice_ouro, acme, "ops2", visibility="internal")
    with pytest.raises(BadRequestError, match="join_policy must be one of"):
        _team(alice_ouro, acme, "ops3", join_policy="whenever")


def test_an_outsider_cannot_create_a_team_in_an_organization_it_does_not_see(charlie_ouro, acme):
    with pytest.raises(NotFoundError, match="Organization not found"):
        charlie_ouro.teams.create(name="intruders", org_id=str(acme.pk))
    assert not Team.objects.filter(name="intruders").exists()


def test_anyone_creates_a_public_team_in_the_personal_space(charlie_ouro):
    team = charlie_ouro.teams.create(name="reading-club", org_id=PERSONAL)
    assert (team.visibility, str(team.org_id), team.user_membership.role) == (
        "public",
        PERSONAL,
        "admin",
    )


def test_retrieve_shows_policies_members_and_hides_from_outsiders_like_a_missing_id(
    alice_ouro, bob_ouro, charlie_ouro, acme, alice, bob
):
    team = _team(alice_ouro, acme, "research")
    found = bob_ouro.teams.retrieve(str(team.id), include_members=True)
    assert found.user_membership is None and found.join_status == "none"
    assert found.member_count == 1
    assert [(str(m.user_id), m.role, m.user.username) for m in found.members] == [
        (str(alice.pk), "admin", "alice")
    ]
    assert bob_ouro.teams.retrieve(str(team.id)).members is None
    default = alice_ouro.teams.retrieve(str(acme.default_team.pk), include_members=True)
    assert sorted(m.user.username for m in default.members) == ["alice", "bob"]
    with pytest.raises(NotFoundError) as hidden:
        charlie_ouro.teams.retrieve(str(team.id))
    with pytest.raises(NotFoundError) as missing:
        charlie_ouro.teams.retrieve("7d9c1d43-0000-4000-8000-000000000000")
    assert str(hidden.value) == str(missing.value)
    with pytest.raises(BadRequestError, match="must be a UUID"):
        charlie_ouro.teams.retrieve("not-a-uuid")


def test_a_private_team_is_seen_by_its_members_and_the_organization_admins_only(
    alice_ouro, bob_ouro, acme
):
    team = bob_ouro.teams.create(name="secret", org_id=str(acme.pk), visibility="private")
    assert alice_ouro.teams.retrieve(str(team.id)).can_moderate is True
    ouro_bob_again = bob_ouro.teams.retrieve(str(team.id))
    assert ouro_bob_again.user_membership.role == "admin"
    bob_ouro.teams.update(str(team.id), default_role="read")
    TeamMembership.objects.filter(team_id=team.id).delete()
    with pytest.raises(NotFoundError):
        bob_ouro.teams.retrieve(str(team.id))
    assert alice_ouro.teams.retrieve(str(team.id)).name == "secret"


def test_a_public_team_is_seen_but_not_joined_by_outsiders(alice_ouro, charlie_ouro, acme):
    team = _team(alice_ouro, acme, "showcase", visibility="public")
    assert charlie_ouro.teams.retrieve(str(team.id)).name == "showcase"
    assert "showcase" in [t.name for t in charlie_ouro.teams.list(public_only=True)]
    with pytest.raises(PermissionDeniedError, match="Join the organization acme"):
        charlie_ouro.teams.join(str(team.id))


def test_list_narrows_to_joined_public_and_one_organization(alice_ouro, bob_ouro, acme):
    _team(alice_ouro, acme, "alpha", visibility="public")
    _team(alice_ouro, acme, "beta")
    names = [(t.organization.name, t.name) for t in bob_ouro.teams.list()]
    assert names == [("acme", "all"), ("acme", "alpha"), ("acme", "beta"), ("Personal", "all")]
    joined = bob_ouro.teams.list(joined=True)
    assert [(t.name, t.user_membership.role) for t in joined] == [
        ("all", "write"),
        ("all", "write"),
    ]
    assert [t.name for t in bob_ouro.teams.list(org_id=str(acme.pk), public_only=True)] == ["alpha"]
    assert [t.name for t in alice_ouro.teams.list(org_id=str(acme.pk), joined=True)] == [
        "all",
        "alpha",
        "beta",
    ]


def test_update_changes_fields_for_admins_only(alice_ouro, bob_ouro, acme):
    team = _team(alice_ouro, acme, "old-name")
    updated = alice_ouro.teams.update(
        str(team.id),
        name="new-name",
        description="Now with a description",
        visibility="public",
        actor_type_policy="verified_only",
        join_policy="invite_only",
    )
    assert (updated.name, updated.visibility, updated.join_policy) == (
        "new-name",
        "public",
        "invite_only",
    )
    assert updated.actor_type_policy == "verified_only"
    assert updated.description.text == "Now with a description"
    assert Team.objects.get(pk=team.id).name == "new-name"
    with pytest.raises(PermissionDeniedError, match="admins"):
        bob_ouro.teams.update(str(team.id), name="hijacked")
    with pytest.raises(BadRequestError, match="must be a slug"):
        alice_ouro.teams.update(str(team.id), name="Not A Slug")
    assert Team.objects.get(pk=team.id).name == "new-name"


def test_delete_keeps_the_assets_in_the_default_team(alice_ouro, bob_ouro, acme, alice):
    team = _team(alice_ouro, acme, "short-lived")
    post = _post(alice, team.id, "Kept")
    assert str(Post.objects.get(pk=post.id).team_id) == str(team.id)
    with pytest.raises(PermissionDeniedError):
        bob_ouro.teams.delete(str(team.id))
    alice_ouro.teams.delete(str(team.id))
    assert not Team.objects.filter(pk=team.id).exists()
    assert Post.objects.get(pk=post.id).team_id == acme.default_team.pk
    with pytest.raises(BadRequestError, match="default team cannot be deleted"):
        alice_ouro.teams.delete(str(acme.default_team.pk))
    with pytest.raises(NotFoundError):
        alice_ouro.teams.retrieve(str(team.id))


def test_join_an_open_team_at_once_and_leave_it(alice_ouro, bob_ouro, acme, bob):
    team = _team(alice_ouro, acme, "open-door", default_role="read")
    joined = bob_ouro.teams.join(str(team.id))
    assert (joined.join_status, joined.user_membership.role) == ("member", "read")
    assert TeamMembership.objects.get(team_id=team.id, user=bob).role == "read"
    bob_ouro.teams.leave(str(team.id))
    assert not TeamMembership.objects.filter(team_id=team.id, user=bob).exists()
    assert bob_ouro.teams.retrieve(str(team.id)).join_status == "none"
    with pytest.raises(BadRequestError, match="default team"):
        bob_ouro.teams.leave(str(acme.default_team.pk))


def test_a_request_team_takes_join_requests_an_admin_approves_or_rejects(
    alice_ouro, bob_ouro, ouro_client, acme, bob, charlie
):
    from apps.accounts.models import Role
    from apps.accounts.services import membership_set

    membership_set(user=charlie, org=acme, role=Role.READ)
    charlie_ouro = ouro_client(api_key_create(user=charlie, name="c")[1])
    team = _team(alice_ouro, acme, "by-request", join_policy="request")
    asked = bob_ouro.teams.join(str(team.id))
    assert (asked.join_status, asked.user_membership) == ("pending", None)
    assert asked.user_join_request.status == "pending" and asked.join_request_pending is True
    assert bob_ouro.teams.join(str(team.id)).user_join_request.id == asked.user_join_request.id
    charlie_ouro.teams.join(str(team.id))

    pending = alice_ouro.teams.list_join_requests(str(team.id))
    assert [(r.user.username, r.status) for r in pending] == [
        ("bob", "pending"),
        ("charlie", "pending"),
    ]
    assert [r.user.username for r in bob_ouro.teams.list_join_requests(str(team.id))] == ["bob"]
    with pytest.raises(PermissionDeniedError):
        bob_ouro.teams.approve_join_request(str(team.id), str(pending[1].id))

    alice_ouro.teams.approve_join_request(str(team.id), str(pending[0].id))
    alice_ouro.teams.reject_join_request(str(team.id), str(pending[1].id))
    assert TeamMembership.objects.get(team_id=team.id, user=bob).role == "write"
    assert not TeamMembership.objects.filter(team_id=team.id, user=charlie).exists()
    assert TeamJoinRequest.objects.get(pk=pending[1].id).status == "rejected"
    assert bob_ouro.teams.retrieve(str(team.id)).join_status == "member"
    assert alice_ouro.teams.list_join_requests(str(team.id)) == []
    with pytest.raises(NotFoundError, match="No pending join request"):
        alice_ouro.teams.approve_join_request(str(team.id), str(pending[1].id))


def test_an_invite_only_team_refuses_to_be_joined(alice_ouro, bob_ouro, acme):
    team = _team(alice_ouro, acme, "closed", join_policy="invite_only")
    with pytest.raises(PermissionDeniedError, match="invite-only"):
        bob_ouro.teams.join(str(team.id))


def test_a_ban_removes_the_member_keeps_them_out_and_can_be_lifted(
    alice_ouro, bob_ouro, acme, alice, bob
):
    team = _team(alice_ouro, acme, "moderated")
    bob_ouro.teams.join(str(team.id))
    post = _post(bob, team.id, "Bob's")
    with pytest.raises(PermissionDeniedError):
        bob_ouro.teams.ban_member(str(team.id), str(alice.pk))
    with pytest.raises(PermissionDeniedError):
        bob_ouro.teams.list_bans(str(team.id))
    alice_ouro.teams.ban_member(str(team.id), str(bob.pk), reason="spam", remove_contributions=True)
    assert not TeamMembership.objects.filter(team_id=team.id, user=bob).exists()
    assert Post.objects.get(pk=post.id).team_id == acme.default_team.pk
    bans = alice_ouro.teams.list_bans(str(team.id))
    assert [(str(b.user_id), b.user.username, b.reason) for b in bans] == [
        (str(bob.pk), "bob", "spam")
    ]
    with pytest.raises(PermissionDeniedError, match="banned"):
        bob_ouro.teams.join(str(team.id))
    assert bob_ouro.teams.retrieve(str(team.id)).join_status == "banned"
    alice_ouro.teams.unban_member(str(team.id), str(bob.pk))
    assert not TeamBan.objects.filter(team_id=team.id).exists()
    assert bob_ouro.teams.retrieve(str(team.id)).user_membership is None
    assert bob_ouro.teams.join(str(team.id)).join_status == "member"
    with pytest.raises(NotFoundError, match="not banned"):
        alice_ouro.teams.unban_member(str(team.id), str(bob.pk))


def test_activity_lists_the_teams_assets_and_the_routes_run_there(
    alice_ouro,
    bob_ouro,
    charlie_ouro,
    acme,
    alice,
    bob,
    hello_route,  # noqa: F811
):
    team = _team(alice_ouro, acme, "feed")
    first = _post(alice, team.id, "First")
    second = _post(bob, team.id, "Second")
    page = alice_ouro.teams.activity(str(team.id))
    assert [str(a.id) for a in page] == [str(second.id), str(first.id)]
    assert page.has_more is False
    assert [a.asset_type for a in alice_ouro.teams.activity(str(team.id), asset_type="post")] == [
        "post",
        "post",
    ]
    assert list(alice_ouro.teams.activity(str(team.id), asset_type="dataset")) == []
    one = alice_ouro.teams.activity(str(team.id), limit=1)
    assert [str(a.id) for a in one] == [str(second.id)] and one.has_more is True

    bob_ouro.use_organization(str(acme.pk))
    bob_ouro.routes.execute(str(hello_route.pk))
    default_feed = alice_ouro.teams.activity(str(acme.default_team.pk))
    assert str(hello_route.pk) in [str(a.id) for a in default_feed]
    with pytest.raises(NotFoundError):
        charlie_ouro.teams.activity(str(team.id))


def test_unreads_count_what_others_published_since_the_member_last_read(
    alice_ouro, bob_ouro, acme, alice, bob
):
    team = _team(alice_ouro, acme, "news")
    bob_ouro.teams.join(str(team.id))
    team_mark_read(team=Team.objects.get(pk=team.id), user=bob)
    posts = [_post(alice, team.id, f"News {n}") for n in range(3)]
    assert bob_ouro.teams.unreads(str(team.id)) == 3
    assert bob_ouro.teams.unreads(str(team.id), org_id=str(acme.pk)) == 3
    assert alice_ouro.teams.unreads(str(team.id)) == 0
    preview = bob_ouro.teams.unread_preview(str(team.id), limit=2)
    assert (str(preview.team_id), preview.unread_count) == (str(team.id), 3)
    assert [str(a.id) for a in preview] == [str(posts[2].id), str(posts[1].id)]
    assert preview.has_more is True
    bob_ouro.teams.activity(str(team.id))
    assert bob_ouro.teams.unreads(str(team.id)) == 0


def test_organizations_list_retrieve_context_and_discoverable(
    alice_ouro, bob_ouro, charlie_ouro, acme
):
    (org,) = alice_ouro.organizations.list()
    assert (org.name, org.user_role, org.membership.role) == ("acme", "admin", "admin")
    assert (org.source_policy, org.actor_type_policy, org.visibility) == (
        "any",
        "any",
        "private",
    )
    assert org.default_team.name == "all"
    assert bob_ouro.organizations.retrieve(str(acme.pk)).user_role == "write"
    with pytest.raises(NotFoundError):
        charlie_ouro.organizations.retrieve(str(acme.pk))
    assert charlie_ouro.organizations.list_discoverable() == []

    Organization.objects.filter(pk=acme.pk).update(visibility="public", join_policy="request")
    found = charlie_ouro.organizations.list_discoverable()
    assert [(o.name, o.join_policy, o.user_role) for o in found] == [("acme", "request", None)]
    assert charlie_ouro.organizations.retrieve(str(acme.pk)).name == "acme"

    context = alice_ouro.organizations.get_context()
    assert (str(context.id), context.source_policy, context.visibility) == (
        PERSONAL,
        "any",
        "public",
    )
    alice_ouro.use_organization("acme")
    assert alice_ouro.organizations.get_context().name == "acme"


def test_a_key_bound_to_an_organization_pins_the_client_and_acts_nowhere_else(
    ouro_client, alice, acme
):
    from apps.accounts.services import api_key_context

    _, raw = api_key_create(
        user=alice, name="acme only", org=api_key_context(user=alice, bind="acme")
    )
    ouro = ouro_client(raw)
    assert ouro.api_key_org_id == str(acme.pk) and ouro.organization == str(acme.pk)
    assert ouro.organizations.get_context().name == "acme"
    team = ouro.teams.create(name="bound-team")
    assert str(team.org_id) == str(acme.pk)
    with pytest.raises(OuroError, match="bound to organization"):
        ouro.use_organization(PERSONAL)
    # The server refuses too, whatever a client sends.
    raw_client = ouro.client
    answer = raw_client.get("/organizations/context", headers={"X-Ouro-Org": PERSONAL})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "org_context_forbidden")
    answer = raw_client.post(
        "/teams/create", json={"team": {"name": "elsewhere", "org_id": PERSONAL}}
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "org_context_forbidden")


def test_a_key_bound_to_the_personal_space_cannot_act_in_an_organization(ouro_client, alice, acme):
    _, raw = api_key_create(user=alice, name="personal only", org=personal_org())
    ouro = ouro_client(raw)
    assert ouro.api_key_org_id == PERSONAL and ouro.organization is None
    assert str(ouro.organizations.get_context().id) == PERSONAL
    with pytest.raises(OuroError, match="bound to your personal context"):
        ouro.use_organization(str(acme.pk))
    answer = ouro.client.get("/organizations/context", headers={"X-Ouro-Org": str(acme.pk)})
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "org_context_forbidden")
    answer = ouro.client.post(
        "/datasets/create/from-schema",
        json={"dataset": {"name": "sneaky", "org_id": str(acme.pk), "rows": [{"a": 1}]}},
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "org_context_forbidden")
    assert not Asset.objects.filter(name="sneaky").exists()
