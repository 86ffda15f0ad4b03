import pytest

from apps.accounts.services import personal_org
from apps.assets.models import AssetShare
from apps.assets.selectors import asset_can_view, assets_search, assets_visible_to
from apps.posts.services import post_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice):
    org = personal_org()
    return post_create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Secret plan",
        content="not yet",
        visibility="public",
        publish=False,
    )


def test_a_public_draft_is_seen_only_by_its_owner_and_shares(draft, alice, bob, charlie):
    assert asset_can_view(user=alice, asset=draft)
    assert not asset_can_view(user=charlie, asset=draft)
    assert not asset_can_view(user=None, asset=draft)
    AssetShare.objects.create(asset=draft, user=bob, role="read")
    assert asset_can_view(user=bob, asset=draft)


def test_drafts_stay_out_of_other_peoples_lists_and_search(draft, alice, charlie):
    assert assets_visible_to(user=alice).filter(pk=draft.pk).exists()
    assert not assets_visible_to(user=charlie).filter(pk=draft.pk).exists()
    assert not assets_search(user=charlie, query="Secret").exists()
    assert assets_search(user=alice, query="Secret").exists()


def test_publishing_makes_it_public(draft, charlie, api, charlie_key):
    from apps.posts.services import post_publish

    assert api(charlie_key).get(f"/posts/{draft.pk}").status_code in (403, 404)
    post_publish(post=draft)
    assert asset_can_view(user=charlie, asset=draft)
    assert api(charlie_key).get(f"/posts/{draft.pk}").status_code == 200
