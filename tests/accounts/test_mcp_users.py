"""ouro-mcp's user tools against the live server: who the key belongs to, and finding people."""

import json

import pytest

from apps.accounts.services import user_create
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)


def test_get_me_is_the_keys_owner(live_site, alice, alice_key, bob_key):
    alice.first_name, alice.last_name = "Alice", "Liddell"
    alice.save()
    (mine,) = call_tools(live_site.url, alice_key, [("get_me", {})])
    (bobs,) = call_tools(live_site.url, bob_key, [("get_me", {})])
    assert json.loads(mine) == {
        "id": str(alice.pk),
        "username": "alice",
        "email": "alice@example.org",
        "display_name": "Alice Liddell",
        "bio": None,
        "actor_type": "human",
        "is_agent": False,
    }
    assert json.loads(bobs)["username"] == "bob" and json.loads(bobs)["display_name"] is None


def test_search_users_finds_by_username_and_says_when_nobody_matches(
    live_site, alice, bob, charlie_key
):
    alicia = user_create(username="alicia", email="alicia@example.org", password="alicia-pw-12")
    alicia.first_name = "Alicia"
    alicia.save()
    found, none = call_tools(
        live_site.url,
        charlie_key,
        [("search_users", {"query": "ali"}), ("search_users", {"query": "zzz-nobody"})],
    )
    results = json.loads(found)["results"]
    assert {r["username"]: r["user_id"] for r in results} == {
        "alice": str(alice.pk),
        "alicia": str(alicia.pk),
    }
    by_name = {r["username"]: r.get("name") for r in results}
    assert by_name == {"alice": None, "alicia": "Alicia"}
    assert json.loads(none)["results"] == []
