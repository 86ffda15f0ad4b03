"""The official MCP server (ouro-mcp) over stdio against the live server: the comment,
notification, connection and engagement tools, and the quest and conversation tools refused."""

import json

import pytest

from apps.actions.models import ActionAsset
from apps.social.models import AssetView, Comment, Notification
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)

SOME_ID = "00000000-0000-0000-0000-000000000001"
PERSONAL = "00000000-0000-0000-0000-000000000000"


def test_comments_are_written_edited_listed_and_previewed(
    live_site, alice, alice_key, bob, bob_key, make_post
):
    post = make_post(alice, "The post", name="Findings")
    (written,) = call_tools(
        live_site.url,
        bob_key,
        [("write_comment", {"parent_id": str(post.pk), "content_markdown": "Great, @alice!"})],
    )
    comment = Comment.objects.get()
    assert str(comment.pk) in written and comment.user == bob
    # ouro-mcp writes the mention as `{@alice}`: it is a mention, and alice hears of it.
    assert '<span class="mention">@alice</span>' in comment.html
    assert Notification.objects.filter(user=alice, type="mention", asset=comment).exists()

    edited, reply, listed, replies, detail = call_tools(
        live_site.url,
        bob_key,
        [
            ("write_comment", {"id": str(comment.pk), "content_markdown": "Great work."}),
            ("write_comment", {"parent_id": str(comment.pk), "content_markdown": "And more."}),
            ("list_comments", {"parent_id": str(post.pk)}),
            ("list_comments", {"parent_id": str(comment.pk)}),
            ("get_asset", {"id": str(post.pk), "detail": "full"}),
        ],
    )
    assert str(comment.pk) in edited
    comment.refresh_from_db()
    assert comment.content_text == "Great work."
    lead, rows = listed.split("\n\n", 1)
    assert lead.startswith("**Comments on Findings** (post)") and "by @alice" in lead
    (row,) = json.loads(rows)["results"]
    assert (row["author"], row["text"], row["reply_count"]) == ("bob", "Great work.", 1)
    lead, rows = replies.split("\n\n", 1)
    assert "Replies to @bob" in lead
    assert [r["text"] for r in json.loads(rows)["results"]] == ["And more."]
    full = json.loads(detail)
    assert full["comments"][0]["text"] == "Great work."
    assert full["comments"][0]["replies"][0]["text"] == "And more."
    assert full["counts"]["comments"] == 2  # the comment and its reply
    assert full["properties"] == {"word_count": 2}
    assert AssetView.objects.filter(asset=post, user=bob).count() == 1


def test_an_outsider_cannot_comment_on_what_they_cannot_see(
    live_site, alice, charlie_key, make_post
):
    private = make_post(alice, "Secret", visibility="private")
    written, listed = call_tools(
        live_site.url,
        charlie_key,
        [
            ("write_comment", {"parent_id": str(private.pk), "content_markdown": "hi"}),
            ("list_comments", {"parent_id": str(private.pk)}),
        ],
    )
    for text in (written, listed):
        assert json.loads(text)["error"] == "not_found"
    assert not Comment.objects.exists()


def test_notifications_are_listed_and_read(live_site, alice, alice_key, bob_key, make_post):
    post = make_post(alice, "A post", name="Findings")
    call_tools(
        live_site.url,
        bob_key,
        [("write_comment", {"parent_id": str(post.pk), "content_markdown": "Hi `{@alice}`"})],
    )
    ids = [str(n.pk) for n in Notification.objects.filter(user=alice)]
    assert len(ids) == 2
    listed, mentions, read, after = call_tools(
        live_site.url,
        alice_key,
        [
            ("list_notifications", {}),
            ("list_notifications", {"category": ["mentions"], "unread_only": True}),
            ("read_notification", {"ids": [*ids, SOME_ID]}),
            ("list_notifications", {"unread_only": True}),
        ],
    )
    rows = json.loads(listed)["results"]
    assert {r["type"] for r in rows} == {"mention", "comment"}
    assert all(r["from"] == "bob" and r["viewed"] is False for r in rows)
    assert "@bob commented on post Findings" in {r["text"] for r in rows}
    (mention,) = json.loads(mentions)["results"]
    assert mention["text"] == "@bob mentioned you in post Findings"
    payload = json.loads(read)
    assert payload["read"] == 2 and set(payload["read_ids"]) == set(ids)
    assert payload["not_found"] == [SOME_ID]
    assert json.loads(after)["results"] == []
    assert not Notification.objects.filter(viewed=False).exists()


def test_a_finished_run_is_a_notification_leading_to_the_action(
    live_site, demo_route, bob_key, bob
):
    route = demo_route("/hello")
    ran, listed = call_tools(
        live_site.url,
        bob_key,
        [
            ("execute_route", {"route_id": str(route.pk), "query": {"name": "Bob"}}),
            ("list_notifications", {"category": ["actions"]}),
        ],
    )
    assert "Hello, Bob!" in ran
    action = Notification.objects.get(user=bob).action
    (row,) = json.loads(listed)["results"]
    assert row["type"] == "action-completed" and row["action_id"] == str(action.pk)
    assert row["text"] == f"Your run of {route.name} finished"


def test_connections_and_engagement_tools_show_the_graph(
    live_site, alice, alice_key, route, make_action, make_file, make_post
):
    data = make_file(alice, "input.csv", content=b"a\n1\n")
    run = make_action(route)
    ActionAsset.objects.create(action=run, asset=data, role=ActionAsset.Role.INPUT, name="table")
    post = make_post(alice, f"Made from [the data](file:{data.pk})", name="Write-up")
    connections, incoming, summary = call_tools(
        live_site.url,
        alice_key,
        [
            ("get_asset_connections", {"asset_id": str(data.pk)}),
            ("get_asset_connections", {"asset_id": str(data.pk), "direction": "incoming"}),
            ("get_asset", {"id": str(data.pk)}),
        ],
    )
    assert str(post.pk) in connections and "Write-up" in connections and route.name in connections
    assert f"action_id: `{run.pk}`" in connections and "outgoing" in connections
    assert "Write-up" in incoming and route.name not in incoming
    detail = json.loads(summary)
    assert detail["properties"] == {"file_size": 4, "content_type": "text/csv"}
    assert AssetView.objects.filter(asset=data, user=alice).count() == 1


QUEST_CALLS = [
    ("create_quest", {"name": "A quest", "org_id": PERSONAL, "team_id": "{team}"}),
    ("update_quest", {"id": SOME_ID, "name": "Renamed"}),
    ("list_assigned_quest_items", {}),
    ("list_quest_items", {"quest_id": SOME_ID}),
    ("create_quest_items", {"quest_id": SOME_ID, "items": ["Do a thing"]}),
    ("update_quest_item", {"quest_id": SOME_ID, "item_id": SOME_ID, "status": "done"}),
    ("complete_quest_item", {"quest_id": SOME_ID, "item_id": SOME_ID}),
    ("delete_quest_item", {"quest_id": SOME_ID, "item_id": SOME_ID}),
    (
        "submit_quest_entry",
        {"quest_id": SOME_ID, "item_id": SOME_ID, "description_markdown": "Mine"},
    ),
    ("list_quest_entries", {"quest_id": SOME_ID}),
    ("list_quest_leaderboard", {"quest_id": SOME_ID, "item_id": SOME_ID}),
    ("review_quest_entry", {"quest_id": SOME_ID, "entry_id": SOME_ID, "status": "accepted"}),
    ("evaluate_quest_entry", {"quest_id": SOME_ID, "entry_id": SOME_ID}),
]
CONVERSATION_CALLS = [
    ("list_conversations", {}),
    ("get_conversation", {"id": SOME_ID}),
    ("create_conversation", {"member_user_ids": [SOME_ID], "org_id": PERSONAL}),
    ("update_conversation", {"id": SOME_ID, "name": "Renamed"}),
    ("leave_conversation", {"id": SOME_ID}),
    ("send_message", {"conversation_id": SOME_ID, "text": "Hello"}),
    ("list_messages", {"conversation_id": SOME_ID}),
]


def test_quest_and_conversation_tools_are_refused_clearly(live_site, alice_key, personal):
    team = str(personal.default_team.pk)
    calls = [
        (name, {k: team if v == "{team}" else v for k, v in args.items()})
        for name, args in QUEST_CALLS + CONVERSATION_CALLS
    ]
    texts = call_tools(live_site.url, alice_key, calls)
    for (name, _), text in zip(QUEST_CALLS + CONVERSATION_CALLS, texts, strict=True):
        kind = "Quests" if (name, _) in QUEST_CALLS else "Conversations"
        assert f"{kind} are not offered on this platform" in text, (name, text)
