"""The official client against the live server: posts with a pinned run, end to end."""

import pytest
from ouro import NotFoundError, PermissionDeniedError

from tests.posts.conftest import embed_block

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_official_client_creates_reads_and_shares_a_post_with_a_pinned_run(
    ouro_client, alice, alice_key, bob, bob_key, charlie_key, route, make_action
):
    action = make_action(route, logs=["done"])
    markdown = (
        "# Formation energy\n\n"
        "> [!NOTE]\n> Computed by {@alice}.\n\n"
        f"{embed_block(route.pk, action_id=action.pk)}\n"
    )
    ouro = ouro_client(alice_key)
    post = ouro.posts.create(name="Fe2Ni results", content_markdown=markdown, visibility="private")
    assert post.name == "Fe2Ni results" and post.asset_type == "post"
    assert post.content.text == markdown
    embed = next(n for n in post.content.data["content"] if n["type"] == "assetComponent")
    assert embed["attrs"] == {
        "id": str(route.pk),
        "assetType": "route",
        "viewMode": "preview",
        "displayConfig": {"actionId": str(action.pk)},
    }

    again = ouro.posts.retrieve(str(post.id))
    assert again.content.text == post.content.text
    assert again.content.data == post.content.data
    assert [str(a["id"]) for a in again.assets] == [str(route.pk)]

    bob_client = ouro_client(bob_key)
    with pytest.raises(NotFoundError):  # a private post's existence is private too
        bob_client.posts.update(str(post.id), content="Bob was here")
    ouro.assets.share(str(post.id), user_id=str(bob.pk), role="read")
    with pytest.raises(PermissionDeniedError):
        bob_client.posts.update(str(post.id), content="Bob was here")
    ouro.assets.share(str(post.id), user_id=str(bob.pk), role="write")
    updated = bob_client.posts.update(str(post.id), content="Intro by bob.\n\n" + markdown)
    assert updated.content.text.startswith("Intro by bob.")
    assert any(n["type"] == "assetComponent" for n in updated.content.data["content"])

    with pytest.raises(NotFoundError):
        ouro_client(charlie_key).posts.retrieve(str(post.id))


def test_the_official_client_converts_markdown_through_the_server(ouro_client, alice_key, route):
    ouro = ouro_client(alice_key)
    content = ouro.posts.Content()
    content.from_markdown(f"Hi {{@alice}}\n\n{embed_block(route.pk, view_mode='card')}")
    assert [n["type"] for n in content.json["content"]] == ["paragraph", "assetComponent"]
    assert content.json["content"][1]["attrs"]["viewMode"] == "card"
    from ouro.utils.content import tiptap_to_markdown

    assert "```assetComponent" in tiptap_to_markdown(content.json)


def test_the_official_client_deletes_with_a_dry_run_first(ouro_client, alice_key):
    ouro = ouro_client(alice_key)
    post = ouro.posts.create(name="Temporary", content_markdown="bye")
    dry = ouro.posts.delete(str(post.id), dry_run=True)
    assert dry.dry_run is True and str(dry.id) == str(post.id)
    assert ouro.posts.retrieve(str(post.id)).name == "Temporary"
    assert ouro.posts.delete(str(post.id)).dry_run is False
