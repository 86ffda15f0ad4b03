"""The official client against the live server: posts with a pinned run or with assets
created along with them, end to end."""

import httpx
import pytest
from ouro import NotFoundError, PermissionDeniedError

from apps.assets.models import Asset
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


def test_the_official_client_embeds_assets_created_with_the_post(ouro_client, alice_key, bob_key):
    ouro = ouro_client(alice_key)
    csv = b"step,energy\n1,-4.2\n2,-4.5\n"
    rows = [{"step": 1, "energy": -4.2}, {"step": 2, "energy": -4.5}]
    editor = ouro.posts.Editor()
    editor.new_header(1, "Relaxation")
    editor.new_partial_asset(
        ouro.files.partial_from_bytes(csv, "energy.csv", name="Energy CSV"), view_mode="preview"
    )
    editor.new_partial_asset(ouro.datasets.partial(rows, name="Energy table"), view_mode="preview")
    editor.new_partial_asset(ouro.posts.partial("## Method\n\nRelaxed twice.", name="Method"))
    post = ouro.posts.create(name="Energy results", content=editor, visibility="private")

    again = ouro.posts.retrieve(str(post.id))
    embeds = [n["attrs"] for n in again.content.data["content"] if n["type"] == "assetComponent"]
    assert [(e["assetType"], e["viewMode"]) for e in embeds] == [
        ("file", "preview"),
        ("dataset", "preview"),
        ("post", "card"),
    ]
    assert all("partial" not in e and "partialData" not in e for e in embeds)
    ids = [e["id"] for e in embeds]
    assert sorted(str(a["id"]) for a in again.assets) == sorted(ids)
    assert sorted(str(a.pk) for a in Asset.objects.filter(parent_id=post.id)) == sorted(ids)

    file = ouro.files.retrieve(ids[0])
    assert file.name == "Energy CSV" and str(file.parent_id) == str(post.id)
    assert file.metadata.type == "text/csv"
    assert httpx.get(file.data.url).content == csv
    assert ouro.datasets.list_rows(ids[1]).data == rows
    assert ouro.posts.retrieve(ids[2]).content.text.startswith("## Method")

    stored = ouro.posts.Editor(json=again.content.data, text=again.content.text)
    updated = ouro.posts.update(str(post.id), content=stored)
    assert [n["attrs"]["id"] for n in updated.content.data["content"][1:]] == ids
    assert Asset.objects.filter(parent_id=post.id).count() == 3
    with pytest.raises(NotFoundError):  # the new assets follow the private post
        ouro_client(bob_key).files.retrieve(ids[0])
