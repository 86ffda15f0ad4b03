"""A user's impact through the official clients against the live server: what happened to the
assets they made (views, comments and runs, also without their own, earnings for themselves),
from the data the platform records. Outsiders see only what is public."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from ouro import NotFoundError

from apps.billing.models import UsageRecord, UsageStatus
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alices_work(
    ouro_client, alice, alice_key, bob, bob_key, route, make_action, make_post, make_file
):
    """alice's public post (viewed and commented on by bob, commented on by herself), her
    private file and her public route (run twice by bob, once by herself, earning 7 cents)."""
    post = make_post(alice, "Findings in four words")
    secret = make_file(alice, "secret.txt", visibility="private")
    bob_client = ouro_client(bob_key)
    bob_client.assets.retrieve(str(post.pk))  # a view
    bob_client.comments.create("Nice", parent_id=str(post.pk))
    ouro_client(alice_key).comments.create("Thanks", parent_id=str(post.pk))
    paid = make_action(route, user=bob)
    make_action(route, user=bob)
    make_action(route)
    UsageRecord.objects.create(
        action=paid,
        user=bob,
        creator=alice,
        route=route,
        cost_unit="call",
        unit_cost_cents=7,
        reserved_quantity=1,
        reserved_cents=7,
        quantity=1,
        total_cents=7,
        status=UsageStatus.CONFIRMED,
    )
    return {"post": post, "secret": secret, "route": route, "service": route.parent}


def test_a_users_impact_sums_their_assets_views_comments_runs_and_earnings(
    ouro_client, alice, alice_key, alices_work
):
    post, route = alices_work["post"], alices_work["route"]
    ouro = ouro_client(alice_key)
    impact = ouro.users.impact("alice")
    assert str(impact.user_id) == str(alice.pk) and impact.since is None
    by_id = {str(row.asset_id): row for row in impact.assets}
    assert set(by_id) == {str(a.pk) for a in alices_work.values()}
    on_post = by_id[str(post.pk)]
    assert (on_post.asset_type, on_post.name, str(on_post.owner_user_id)) == (
        "post",
        post.name,
        str(alice.pk),
    )
    assert (on_post.views, on_post.quality_views) == (1, 1)
    assert (on_post.comments, on_post.external_comments) == (2, 1)
    on_route = by_id[str(route.pk)]
    assert (on_route.uses, on_route.model_extra["external_uses"]) == (3, 2)
    assert on_route.earnings_usd == 7
    total = impact.aggregate
    assert (total.assets, total.views, total.comments, total.external_comments) == (4, 1, 2, 1)
    assert (total.uses, total.earnings_usd) == (3, 7)
    # By id too, scoped to some assets, and counted from a time on.
    (only,) = ouro.users.impact(str(alice.pk), asset_ids=[str(post.pk)]).assets
    assert str(only.asset_id) == str(post.pk)
    later = ouro.users.impact("alice", since=(timezone.now() + timedelta(hours=1)).isoformat())
    assert later.since is not None and later.aggregate.assets == 4
    assert (later.aggregate.views, later.aggregate.comments, later.aggregate.uses) == (0, 0, 0)
    assert ouro.users.impact("alice", limit=1).aggregate.assets == 1


def test_an_outsider_sees_the_impact_of_public_assets_only(
    ouro_client, alice, charlie_key, alices_work
):
    outsider = ouro_client(charlie_key)
    impact = outsider.users.impact("alice")
    ids = {str(row.asset_id) for row in impact.assets}
    assert str(alices_work["secret"].pk) not in ids
    assert ids == {str(alices_work[k].pk) for k in ("post", "route", "service")}
    assert impact.aggregate.assets == 3 and impact.aggregate.uses == 3
    assert impact.aggregate.earnings_usd == 0  # earnings are the owner's to read
    # A private asset named is left out exactly as a missing one is.
    secret = outsider.users.impact("alice", asset_ids=[str(alices_work["secret"].pk)])
    missing = outsider.users.impact("alice", asset_ids=["00000000-0000-4000-8000-000000000000"])
    assert secret.assets == missing.assets == [] and secret.aggregate.assets == 0
    with pytest.raises(NotFoundError):
        outsider.users.impact("nobody-by-that-name")


def test_the_mcp_tool_gets_my_impact_or_another_users(
    live_site, alice, alice_key, charlie_key, alices_work
):
    (mine,) = call_tools(live_site.url, alice_key, [("get_impact", {})])
    impact = json.loads(mine)
    assert impact["user_id"] == str(alice.pk)
    assert impact["aggregate"]["assets"] == 4 and impact["aggregate"]["earnings_usd"] == 7
    assert impact["aggregate"]["comments"] == 2 and impact["aggregate"]["uses"] == 3
    (theirs,) = call_tools(live_site.url, charlie_key, [("get_impact", {"user": "alice"})])
    seen = json.loads(theirs)
    assert seen["aggregate"]["assets"] == 3 and seen["aggregate"]["earnings_usd"] == 0
    assert str(alices_work["secret"].pk) not in {a["asset_id"] for a in seen["assets"]}
