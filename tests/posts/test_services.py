"""Creating and updating posts: content forms, pins an author may make, snapshots."""

import pytest

from apps.accounts.services import personal_org
from apps.actions.models import Status
from apps.assets.models import AssetShare
from apps.posts.models import PinnedSnapshot, Post
from apps.posts.selectors import action_digest
from apps.posts.services import (
    PostError,
    content_normalize,
    post_share_action,
    post_update,
)
from tests.posts.conftest import embed_block

pytestmark = pytest.mark.django_db


def test_a_post_from_markdown_stores_text_json_and_html_with_slots(
    alice, route, make_action, make_post
):
    action = make_action(route)
    text = f"# Results\n\n{embed_block(route.pk, action_id=action.pk)}\n"
    post = make_post(alice, text)
    post.refresh_from_db()
    assert post.asset_type == "post"
    assert post.content_text == text
    assert post.content_json["content"][1]["type"] == "assetComponent"
    assert '<div data-embed-slot="0"></div>' in post.html
    assert post.embeds == [
        {
            "id": str(route.pk),
            "assetType": "route",
            "viewMode": "preview",
            "displayConfig": {"actionId": str(action.pk)},
        }
    ]
    assert Post.objects.get(pk=post.pk).asset_ptr.post_detail == post


def test_a_tiptap_document_is_authoritative_over_its_text():
    doc = {
        "type": "doc",
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "From JSON"}]}],
    }
    content = content_normalize({"json": doc, "text": "{asset:shorthand}"})
    assert content.json == doc
    assert content.text.strip() == "From JSON"


@pytest.mark.parametrize("value", [42, {"json": {"type": "paragraph"}}, {"text": 3}])
def test_malformed_content_is_refused(value):
    with pytest.raises(PostError):
        content_normalize(value)


def test_an_author_cannot_pin_someone_elses_action(bob, make_route, make_action, make_post):
    route = make_route()  # alice's route
    alices_run = make_action(route)
    with pytest.raises(PostError) as caught:
        make_post(bob, embed_block(route.pk, action_id=alices_run.pk))
    assert caught.value.code == "pin_forbidden" and caught.value.status == 403
    assert not Post.objects.exists()


def test_a_route_owner_may_pin_a_run_by_someone_else(alice, bob, route, make_action, make_post):
    bobs_run = make_action(route, user=bob)
    post = make_post(alice, embed_block(route.pk, action_id=bobs_run.pk))
    assert post.embeds[0]["displayConfig"]["actionId"] == str(bobs_run.pk)


def test_an_action_must_be_pinned_on_its_own_route(alice, make_route, make_action, make_post):
    one, other = make_route(name="one"), make_route(name="other")
    with pytest.raises(PostError) as caught:
        make_post(alice, embed_block(other.pk, action_id=make_action(one).pk))
    assert caught.value.code == "invalid_embed"


def test_only_a_route_embed_can_pin_an_action(alice, route, make_action, make_post):
    with pytest.raises(PostError):
        make_post(alice, embed_block(route.pk, asset_type="file", action_id=make_action(route).pk))


def test_a_co_editor_keeps_pins_they_cannot_see(alice, bob, route, make_action, make_post):
    post = make_post(alice, embed_block(route.pk, action_id=make_action(route).pk))
    AssetShare.objects.create(asset=post, user=bob, role="write")
    updated = post_update(post=post, user=bob, content="Intro by bob\n\n" + post.content_text)
    assert updated.embeds == post.embeds
    with pytest.raises(PostError):
        post_update(
            post=post, user=bob, content=embed_block(route.pk, action_id=make_action(route).pk)
        )


def test_a_snapshot_is_taken_when_a_finished_action_is_pinned(alice, route, make_action, make_post):
    action = make_action(route)
    post = make_post(alice, embed_block(route.pk, action_id=action.pk))
    snapshot = PinnedSnapshot.objects.get(post=post, action=action)
    assert snapshot.digest == action_digest(action=action)


def test_no_snapshot_is_taken_while_the_action_runs(alice, route, make_action, make_post):
    action = make_action(route, status=Status.IN_PROGRESS)
    make_post(alice, embed_block(route.pk, action_id=action.pk))
    assert not PinnedSnapshot.objects.exists()


def test_the_digest_changes_when_an_output_file_changes(alice, route, make_action, output_image):
    from apps.assets.services import file_replace_content

    action = make_action(route)
    file = output_image(action)
    before = action_digest(action=action)
    assert before == action_digest(action=action)
    file_replace_content(file=file, file_name="chart.png", content=b"\x89PNG other bytes")
    assert action_digest(action=action) != before


def test_sharing_an_action_creates_a_private_draft_with_the_block(alice, route, make_action):
    action = make_action(route)
    org = personal_org()
    post = post_share_action(user=alice, action=action, org=org, team=org.default_team)
    assert not post.is_published and post.visibility == "private"
    assert post.embeds[0]["displayConfig"]["actionId"] == str(action.pk)


def test_an_outsider_cannot_share_an_action(charlie, route, make_action):
    org = personal_org()
    with pytest.raises(PostError):
        post_share_action(user=charlie, action=make_action(route), org=org, team=org.default_team)
