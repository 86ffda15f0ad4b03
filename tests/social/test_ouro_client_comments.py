"""The official client (ouro-py) against the live server: comments on every kind of asset and
on runs, threaded, sanitised, with mentions, under the asset's permissions."""

import pytest
from ouro import NotFoundError, PermissionDeniedError
from ouro.models import Comment as ClientComment

from apps.social.models import Comment, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_comment_is_created_read_listed_updated_and_deleted(
    ouro_client, alice, alice_key, bob, bob_key, make_post
):
    post = make_post(alice, "# Results\n\nFe2Ni is stable.")
    bob_client = ouro_client(bob_key)

    comment = bob_client.comments.create("Nice work, {@alice}! **bold**", parent_id=str(post.pk))
    assert isinstance(comment, ClientComment)
    assert comment.asset_type == "comment" and str(comment.parent_id) == str(post.pk)
    assert comment.text == "Nice work, {@alice}! **bold**"
    assert comment.user.username == "bob"
    stored = Comment.objects.get(pk=comment.id)
    assert '<span class="mention">@alice</span>' in stored.html
    assert "<strong>bold</strong>" in stored.html

    again = bob_client.comments.retrieve(str(comment.id))
    assert (again.id, again.text) == (comment.id, comment.text)
    assert bob_client.assets.retrieve(str(comment.id)).asset_type == "comment"

    page = ouro_client(alice_key).comments.list(str(post.pk))
    assert [c.id for c in page] == [comment.id] and page.has_more is False
    assert [c.id for c in bob_client.comments.list_by_parent(str(post.pk))] == [comment.id]

    edited = bob_client.comments.update(str(comment.id), content="Edited: {@alice} was right")
    assert edited.text == "Edited: {@alice} was right"
    assert Comment.objects.get(pk=comment.id).content_text == "Edited: {@alice} was right"

    with pytest.raises(PermissionDeniedError):
        ouro_client(alice_key).comments.update(str(comment.id), content="not mine")

    dry = bob_client.comments.delete(str(comment.id), dry_run=True)
    assert dry.dry_run is True and Comment.objects.filter(pk=comment.id).exists()
    gone = bob_client.comments.delete(str(comment.id))
    assert gone.asset_type == "comment" and not Comment.objects.filter(pk=comment.id).exists()
    assert list(bob_client.comments.list(str(post.pk))) == []


def test_replies_are_threaded_one_level_deep(ouro_client, alice, alice_key, bob_key, make_post):
    post = make_post(alice, "A post")
    alice_client, bob_client = ouro_client(alice_key), ouro_client(bob_key)
    top = bob_client.comments.create("First", parent_id=str(post.pk))
    reply = alice_client.comments.create("A reply", parent_id=str(top.id))
    deeper = bob_client.comments.create("A reply to the reply", parent_id=str(reply.id))

    assert str(reply.parent_id) == str(top.id)
    assert str(deeper.parent_id) == str(top.id)  # joins the top-level thread
    assert [c.id for c in alice_client.comments.list(str(post.pk))] == [top.id]
    listed = alice_client.comments.list(str(post.pk))[0]
    assert listed.model_extra.get("replies") == 2
    replies = alice_client.comments.list_replies(str(top.id))
    assert [c.text for c in replies] == ["A reply", "A reply to the reply"]

    # Deleting a post's comment takes its replies with it; the post's owner may moderate.
    result = alice_client.comments.delete(str(top.id))
    assert {str(c.id) for c in result.deleted_children} == {str(reply.id), str(deeper.id)}
    assert not Comment.objects.exists()


def test_comments_pages_are_paged(ouro_client, alice, alice_key, make_post):
    post = make_post(alice, "A post")
    client = ouro_client(alice_key)
    made = [client.comments.create(f"Comment {n}", parent_id=str(post.pk)).id for n in range(3)]
    first = client.comments.list(str(post.pk), limit=2)
    assert [c.id for c in first] == made[:2] and first.has_more is True
    second = client.comments.list(str(post.pk), limit=2, offset=2)
    assert [c.id for c in second] == made[2:] and second.has_more is False


def test_routes_runs_files_and_datasets_take_comments(
    ouro_client, alice, alice_key, bob, bob_key, route, make_action, make_file, make_dataset
):
    action = make_action(route, user=bob)
    targets = {
        "route": route.pk,
        "action": action.pk,
        "file": make_file(alice).pk,
        "dataset": make_dataset(alice).pk,
    }
    bob_client = ouro_client(bob_key)
    for kind, target in targets.items():
        comment = bob_client.comments.create(f"About this {kind}", parent_id=str(target))
        assert str(comment.parent_id) == str(target)
        assert [c.text for c in bob_client.comments.list(str(target))] == [f"About this {kind}"]
    # alice owns the route, the file and the dataset: she hears of each comment; bob's own run
    # is his, so a comment he writes on it tells no one.
    told = Notification.objects.filter(user=alice, type="comment")
    assert told.count() == 3


def test_an_outsider_gets_the_404_of_a_missing_id(
    ouro_client, alice, alice_key, charlie_key, make_post, route, make_action
):
    private = make_post(alice, "Secret", visibility="private")
    comment = ouro_client(alice_key).comments.create("Note to self", parent_id=str(private.pk))
    run = make_action(route)
    charlie = ouro_client(charlie_key)
    for call in (
        lambda: charlie.comments.create("Hi", parent_id=str(private.pk)),
        lambda: charlie.comments.list(str(private.pk)),
        lambda: charlie.comments.retrieve(str(comment.id)),
        lambda: charlie.comments.update(str(comment.id), content="defaced"),
        lambda: charlie.comments.delete(str(comment.id)),
        lambda: charlie.comments.create("Hi", parent_id=str(comment.id)),
        lambda: charlie.comments.create("Hi", parent_id=str(run.pk)),
        lambda: charlie.comments.list(str(run.pk)),
        lambda: charlie.comments.retrieve("00000000-0000-0000-0000-00000000abcd"),
    ):
        with pytest.raises(NotFoundError):
            call()
    assert Comment.objects.get().content_text == "Note to self"


def test_comment_markdown_is_sanitised_and_refused_when_empty(
    ouro_client, alice, alice_key, make_post
):
    from ouro import BadRequestError

    post = make_post(alice, "A post")
    client = ouro_client(alice_key)
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))'
    comment = client.comments.create(hostile, parent_id=str(post.pk))
    html = Comment.objects.get(pk=comment.id).html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    with pytest.raises(BadRequestError):
        client.comments.create("   ", parent_id=str(post.pk))
    with pytest.raises(BadRequestError):
        client.comments.create("x", parent_id="not-a-uuid")


def test_search_lists_comments_only_when_asked_for_by_type(
    ouro_client, alice, alice_key, make_post
):
    post = make_post(alice, "Searchable", name="Searchable post")
    client = ouro_client(alice_key)
    comment = client.comments.create("Searchable remark", parent_id=str(post.pk))
    found = client.assets.search("Searchable")
    assert [a.id for a in found] == [post.pk]
    by_type = client.assets.search("Searchable", asset_type="comment")
    assert [a.id for a in by_type] == [comment.id]
