import pytest
from ouro import AuthenticationError

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_official_client_connects_and_reads_the_user(ouro_client, alice, alice_key):
    ouro = ouro_client(alice_key)
    assert ouro.user.username == "alice"
    assert ouro.user.email == "alice@example.org"
    assert ouro.users.me().username == "alice"
    assert str(ouro.organizations.get_context().id) == "00000000-0000-0000-0000-000000000000"


def test_the_official_client_raises_authentication_error_for_a_bad_key(ouro_client, alice):
    with pytest.raises(AuthenticationError):
        ouro_client("ouro_this-key-does-not-exist")


def test_the_official_client_looks_users_up_by_name_or_id_and_searches(
    ouro_client, alice, alice_key, bob, charlie
):
    from ouro import NotFoundError

    ouro = ouro_client(alice_key)
    found = ouro.users.get("bob")
    assert (str(found.user_id), found.username, found.is_self) == (str(bob.pk), "bob", False)
    assert ouro.users.get(str(charlie.pk)).username == "charlie"
    assert ouro.users.get("alice").is_self is True
    with pytest.raises(NotFoundError, match="No user 'nobody'"):
        ouro.users.get("nobody")
    bob.is_active = False
    bob.save()
    with pytest.raises(NotFoundError):
        ouro.users.get("bob")
    assert [u.username for u in ouro.users.search("ch")] == ["charlie"]
    assert [u.username for u in ouro.users.search("li")] == ["alice", "charlie"]
    assert ouro.users.search("   ") == []


def test_the_official_client_lists_the_teams_it_may_publish_to(ouro_client, alice_key, acme):
    ouro = ouro_client(alice_key)
    teams = ouro.teams.list(joined=True)
    assert [(str(t.org_id), t.user_membership.role) for t in teams] == [
        (str(acme.pk), "admin"),
        ("00000000-0000-0000-0000-000000000000", "write"),
    ]
    assert [t.organization.name for t in ouro.teams.list(org_id=str(acme.pk))] == ["acme"]
    public = ouro.teams.list(public_only=True)
    assert [(str(t.org_id), t.name) for t in public] == [
        ("00000000-0000-0000-0000-000000000000", "all")
    ]
    team = ouro.teams.retrieve(str(acme.default_team.pk))
    assert (team.name, team.user_membership.role) == (acme.default_team.name, "admin")


def test_a_team_of_another_organization_is_not_found(ouro_client, charlie_key, acme):
    from ouro import NotFoundError

    with pytest.raises(NotFoundError, match="Team not found"):
        ouro_client(charlie_key).teams.retrieve(str(acme.default_team.pk))
