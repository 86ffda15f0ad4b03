"""The official client (ouro-py) against the live server: notifications for mentions, comments,
replies, finished and failed runs (long async ones too) and join requests; listed, counted and
marked read one by one or all at once, each user seeing only their own."""

import pytest
from ouro import ExternalServiceError, NotFoundError

from apps.accounts.signals import join_requested
from apps.social.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mention_and_a_comment_notify_and_are_listed_counted_and_read(
    ouro_client, alice, alice_key, bob, bob_key, charlie, charlie_key, make_post
):
    post = make_post(alice, "Results", name="Results")
    bob_client, alice_client = ouro_client(bob_key), ouro_client(alice_key)
    comment = bob_client.comments.create("Ping {@charlie} and `{@alice}`", parent_id=str(post.pk))

    page = alice_client.notifications.list()
    by_type = {n.type: n for n in page}
    assert set(by_type) == {"comment", "mention"}
    mention = by_type["mention"]
    assert mention.viewed is False and mention.source_user.username == "bob"
    assert str(mention.asset.id) == str(comment.id) and str(mention.parent_asset_id) == str(post.pk)
    assert "mentioned you" in mention.content["text"]
    assert "commented on post Results" in by_type["comment"].content["text"]
    assert alice_client.notifications.unreads() == 2

    only = alice_client.notifications.list(category="mentions")
    assert [n.type for n in only] == ["mention"]
    assert [n.type for n in alice_client.notifications.list(category="comments")] == ["comment"]

    read = alice_client.notifications.read(str(mention.id))
    assert read.viewed is True and read.id == mention.id
    assert alice_client.notifications.unreads() == 1
    assert [n.type for n in alice_client.notifications.list(unread_only=True)] == ["comment"]

    # charlie may see the public post: he is told of the mention, and of nothing else.
    (told,) = ouro_client(charlie_key).notifications.list()
    assert told.type == "mention" and told.destination_user_id == charlie.pk
    # Nobody marks, or reads, another's notifications: those ids are left out, or 404.
    assert ouro_client(charlie_key).notifications.read_many([str(mention.id)]) == []
    with pytest.raises(NotFoundError):
        ouro_client(charlie_key).notifications.read(str(mention.id))

    assert alice_client.notifications.read_many([str(by_type["comment"].id)]) == [
        str(by_type["comment"].id)
    ]
    assert alice_client.notifications.unreads() == 0
    assert bob_client.notifications.unreads() == 0  # his own comment tells him nothing


def test_a_mention_of_someone_who_cannot_see_the_asset_tells_them_nothing(
    ouro_client, alice, alice_key, charlie, make_post
):
    private = make_post(alice, "Secret", visibility="private")
    ouro_client(alice_key).comments.create("cc {@charlie}", parent_id=str(private.pk))
    assert not Notification.objects.filter(user=charlie).exists()


def test_a_post_mentioning_someone_notifies_them_once(ouro_client, alice_key, bob, bob_key):
    alice_client = ouro_client(alice_key)
    post = alice_client.posts.create(
        name="Thanks", content_markdown="Thanks `{@bob}`!", visibility="public"
    )
    alice_client.posts.update(str(post.id), content="Thanks again `{@bob}`!")
    assert alice_client.posts.retrieve(str(post.id)).content.text.startswith("Thanks again")
    (told,) = ouro_client(bob_key).notifications.list(category="mentions")
    assert str(told.asset.id) == str(post.id) and told.asset.asset_type == "post"
    assert "mentioned you in post Thanks" in told.content["text"]


def test_a_reply_notifies_the_comments_author(ouro_client, alice, alice_key, bob_key, make_post):
    post = make_post(alice, "A post")
    top = ouro_client(bob_key).comments.create("Question?", parent_id=str(post.pk))
    ouro_client(alice_key).comments.create("Answer.", parent_id=str(top.id))
    (reply,) = ouro_client(bob_key).notifications.list(category="comments")
    assert reply.type == "reply" and "replied to your comment" in reply.content["text"]


def test_finished_and_failed_runs_notify_the_caller(
    ouro_client, live_site, demo_route, bob, bob_key
):
    bob_client = ouro_client(bob_key)
    done = bob_client.routes.execute(str(demo_route("/hello").pk), query={"name": "Bob"})
    with pytest.raises(ExternalServiceError):
        bob_client.routes.execute(str(demo_route("/fail").pk), raise_on_error=True)
    jobs = demo_route("/jobs")
    long_run = bob_client.routes.execute(
        str(jobs.pk), body={"steps": 2, "delay": 0.2}, poll_interval=0.2, poll_timeout=60
    )
    assert long_run.status == "success"

    page = bob_client.notifications.list(category="actions")
    by_action = {str(n.action_id): n for n in page}
    assert by_action[str(done.id)].type == "action-completed"
    assert by_action[str(long_run.id)].type == "action-completed"
    assert "Your run of" in by_action[str(long_run.id)].content["text"]
    failed = [n for n in page if n.type == "action-failed"]
    assert len(failed) == 1 and "failed (error)" in failed[0].content["text"]
    assert len(page) == 3 and bob_client.notifications.unreads() == 3

    marked = bob_client.client.post("/user/notifications/read", json={"all": True}).json()
    assert len(marked["data"]["read"]) == 3
    assert bob_client.notifications.unreads() == 0


def test_a_join_request_notifies_the_organizations_admins(ouro_client, acme, alice_key, charlie):
    join_requested.send(sender=None, team=acme.default_team, user=charlie, request_id=None)
    (told,) = ouro_client(alice_key).notifications.list()
    assert told.type == "join-request" and told.source_user.username == "charlie"
    assert str(told.org_id) == str(acme.pk)
    assert "asks to join acme/" in told.content["text"]


def test_bad_notification_requests_are_clear_4xx(ouro_client, alice_key):
    from ouro import BadRequestError

    client = ouro_client(alice_key)
    with pytest.raises(BadRequestError):
        client.notifications.list(category="gossip")
    with pytest.raises(BadRequestError):
        client.notifications.read_many(["nope"])
    with pytest.raises(BadRequestError):
        client.notifications.read_many([f"00000000-0000-0000-0000-{n:012d}" for n in range(201)])
    with pytest.raises(NotFoundError):
        client.notifications.read("00000000-0000-0000-0000-000000000001")
