"""The official client (ouro-py) against the live server: an asset's connections (every edge
the platform knows), views, counts, properties and impact; quests and conversations refused."""

from pathlib import Path

import httpx
import pytest
from ouro import NotFoundError
from ouro.resources.conversations import ConversationMessages

from apps.actions.models import ActionAsset
from apps.routes.models import RouteAsset
from apps.social.models import AssetView
from tests.posts.conftest import embed_block

pytestmark = pytest.mark.django_db(transaction=True)


def _edges(page) -> set[tuple[str, str, str]]:
    return {(c.type, str(c.source_id), str(c.target_id)) for c in page}


def test_connections_hold_links_embeds_mentions_runs_route_links_and_comments(
    ouro_client, alice, alice_key, bob, charlie_key, route, make_action, make_file, make_post
):
    data = make_file(alice, "input.csv", content=b"a,b\n1,2\n")
    result = make_file(alice, "result.txt")
    secret = make_file(alice, "secret.txt", visibility="private")
    run = make_action(route)
    ActionAsset.objects.create(action=run, asset=data, role=ActionAsset.Role.INPUT, name="table")
    ActionAsset.objects.create(action=run, asset=result, role=ActionAsset.Role.OUTPUT, name="out")
    RouteAsset.objects.create(route=route, asset=data, added_by=alice)
    post = make_post(
        alice,
        f"See [the data](file:{data.pk}) and [hidden](file:{secret.pk}), thanks {{@bob}}.\n\n"
        f"{embed_block(route.pk)}\n",
    )
    alice_client = ouro_client(alice_key)
    comment = alice_client.comments.create("Source of the post", parent_id=str(data.pk))

    from_post = alice_client.assets.connections(str(post.pk))
    assert _edges(from_post) == {
        ("link", str(post.pk), str(data.pk)),
        ("link", str(post.pk), str(secret.pk)),
        ("component", str(post.pk), str(route.pk)),
        ("mention", str(post.pk), str(bob.pk)),
    }
    on_data = alice_client.assets.connections(str(data.pk))
    assert _edges(on_data) == {
        ("link", str(post.pk), str(data.pk)),
        ("action", str(data.pk), str(route.pk)),
        ("link", str(route.pk), str(data.pk)),
        ("comment", str(comment.id), str(data.pk)),
    }
    action_edge = next(c for c in on_data if c.type == "action")
    assert str(action_edge.action_id) == str(run.pk)
    assert action_edge.target.name == route.name and action_edge.target_asset_type == "route"
    on_result = alice_client.assets.connections(str(result.pk))
    assert _edges(on_result) == {("action", str(route.pk), str(result.pk))}

    outgoing = alice_client.assets.connections(str(data.pk), direction="source")
    assert _edges(outgoing) == {("action", str(data.pk), str(route.pk))}
    only = alice_client.assets.connections(str(data.pk), type=["link", "comment"])
    assert {c.type for c in only} == {"link", "comment"} and len(only) == 3
    first = alice_client.assets.connections(str(data.pk), limit=2)
    assert len(first) == 2 and first.has_more is True

    # charlie sees the public ends only: not the private file the post links to, nor the run.
    theirs = ouro_client(charlie_key).assets.connections(str(post.pk))
    assert ("link", str(post.pk), str(secret.pk)) not in _edges(theirs)
    assert ("link", str(post.pk), str(data.pk)) in _edges(theirs)
    charlie_data = ouro_client(charlie_key).assets.connections(str(data.pk))
    edge = next(c for c in charlie_data if c.type == "action")
    assert edge.action_id is None  # the run is alice's
    with pytest.raises(NotFoundError):
        ouro_client(charlie_key).assets.connections(str(secret.pk))


def test_views_are_recorded_and_counted_with_comments_and_runs(
    ouro_client, alice, alice_key, bob_key, charlie_key, route, make_action, make_post
):
    post = make_post(alice, "Hello world, three words")
    bob_client = ouro_client(bob_key)
    assert bob_client.assets.retrieve(str(post.pk)).name == post.name  # records a view
    bob_client.assets.retrieve(str(post.pk))  # the same reader again soon: one view
    ouro_client(charlie_key).assets.retrieve(str(post.pk))
    assert AssetView.objects.filter(asset=post).count() == 2
    bob_client.comments.create("One", parent_id=str(post.pk))
    bob_client.comments.create("Two", parent_id=str(post.pk))

    counts = ouro_client(alice_key).assets.counts(str(post.pk))
    assert (counts.views, counts.comments, counts.reactions, counts.downloads) == (2, 2, 0, 0)
    assert counts.model_extra["runs"] == 0

    make_action(route)
    make_action(route)
    route_counts = bob_client.assets.counts(str(route.pk))
    assert route_counts.model_extra["runs"] == 2 and route_counts.earnings_usd == 0

    (impact,) = ouro_client(alice_key).assets.impact([str(post.pk)])
    assert str(impact.asset_id) == str(post.pk) and impact.views == 2
    assert impact.comments == 2 and impact.external_comments == 2 and impact.name == post.name


def test_properties_are_what_the_platform_knows(
    ouro_client, alice, alice_key, make_post, make_dataset, make_file
):
    client = ouro_client(alice_key)
    post = make_post(alice, "Four words are here")
    (words,) = client.assets.properties(str(post.pk))
    assert (words.key, words.value, words.values[0].source) == ("word_count", 4, "platform")
    dataset = make_dataset(alice)
    props = {p.key: p.value for p in client.assets.properties(str(dataset.pk))}
    assert props == {"row_count": 2, "column_count": 2}
    file = make_file(alice, content=b"12345")
    props = {p.key: p.value for p in client.assets.properties(str(file.pk))}
    assert props["file_size"] == 5


def test_an_outsider_gets_404s_for_a_private_assets_engagement(
    ouro_client, alice, charlie_key, make_post
):
    private = make_post(alice, "Secret", visibility="private")
    charlie = ouro_client(charlie_key)
    for call in (
        lambda: charlie.assets.counts(str(private.pk)),
        lambda: charlie.assets.properties(str(private.pk)),
        lambda: charlie.assets.connections(str(private.pk)),
        lambda: charlie.assets.retrieve(str(private.pk)),
    ):
        with pytest.raises(NotFoundError):
            call()
    response = charlie.client.post(f"/assets/{private.pk}/view", json={"source": "api"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert charlie.assets.impact([str(private.pk)]) == []
    assert not AssetView.objects.exists()


def test_quests_and_conversations_are_refused_clearly(ouro_client, alice_key):
    client = ouro_client(alice_key)
    some_id = "00000000-0000-0000-0000-000000000001"
    for call in (
        lambda: client.quests.retrieve(some_id),
        lambda: client.quests.create(name="A quest", description="d", type="closed"),
        lambda: client.quests.list_items(some_id),
        lambda: client.conversations.list(),
        lambda: client.conversations.retrieve(some_id),
        lambda: client.conversations.create(member_user_ids=[some_id], name="chat"),
        lambda: ConversationMessages(client, some_id).list(),
    ):
        with pytest.raises(NotFoundError, match="not offered on this platform") as caught:
            call()
        assert caught.value.body["error"]["code"] == "not_offered"


def test_a_posts_views_and_comments_are_counted_in_the_post(
    ouro_client, alice, alice_key, bob_key, make_post
):
    post = make_post(alice, "Counted")
    bob_client = ouro_client(bob_key)
    bob_client.assets.retrieve(str(post.pk))
    bob_client.comments.create("One", parent_id=str(post.pk))
    read = ouro_client(alice_key).posts.retrieve(str(post.pk))
    assert (read.views, read.comments) == (1, 1)


def test_downloads_are_counted_apart_from_views(
    ouro_client, alice, alice_key, bob_key, make_file, tmp_path
):
    file = make_file(alice, "notes.txt", content=b"hello\n")
    bob_client = ouro_client(bob_key)
    saved = bob_client.assets.download(str(file.pk), output_path=str(tmp_path))
    assert Path(saved.path).read_bytes() == b"hello\n"
    bob_client.assets.download(str(file.pk), output_path=str(tmp_path))  # every one counts
    link = ouro_client(alice_key).assets.create_download_url(str(file.pk))["download_url"]
    assert httpx.head(link).status_code == 200  # a HEAD fetches no bytes: not counted
    assert httpx.get(link).content == b"hello\n"

    counts = ouro_client(alice_key).assets.counts(str(file.pk))
    assert (counts.downloads, counts.views) == (3, 0)
    (impact,) = ouro_client(alice_key).assets.impact([str(file.pk)])
    assert (impact.downloads, impact.views) == (3, 0)
    assert (
        AssetView.objects.filter(asset=file, source="download", user__username="bob").count() == 2
    )
