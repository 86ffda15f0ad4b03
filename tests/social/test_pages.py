"""The pages: comments on an asset's or a run's page (htmx fragments, same permissions as the
API), the notifications page and the unread count in the header."""

import pytest

from apps.social.models import AssetView, Comment, Notification

pytestmark = pytest.mark.django_db


def test_the_comments_section_lists_writes_replies_and_deletes(client, alice, bob, make_post):
    post = make_post(alice, "A post")
    client.force_login(bob)
    html = client.get(f"/comments/{post.pk}").content.decode()
    assert "No comments yet." in html and 'name="text"' in html
    response = client.post(
        f"/comments/{post.pk}/new",
        {"text": "Hi {@alice} <script>x</script>"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="mention">@alice</span>' in html and "<script>" not in html
    comment = Comment.objects.get()
    client.post(
        f"/comments/{post.pk}/new",
        {"text": "A reply", "reply_to": str(comment.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert Comment.objects.get(reply_to=comment).content_text == "A reply"
    assert (
        client.post(f"/comments/{post.pk}/new", {"text": " "}, HTTP_HX_REQUEST="true").status_code
        == 400
    )
    # The post's owner may delete what others wrote on it; a reader may not.
    client.force_login(alice)
    assert "Delete" in client.get(f"/comments/{post.pk}").content.decode()
    client.post(f"/comments/{comment.pk}/delete", HTTP_HX_REQUEST="true")
    assert not Comment.objects.exists()


def test_an_outsider_gets_404_on_a_private_assets_comments(client, alice, charlie, make_post):
    private = make_post(alice, "Secret", visibility="private")
    client.force_login(charlie)
    assert client.get(f"/comments/{private.pk}").status_code == 404
    assert client.post(f"/comments/{private.pk}/new", {"text": "hi"}).status_code == 404
    client.logout()
    assert client.get(f"/comments/{private.pk}").status_code == 404


def test_loading_the_comments_counts_a_view(client, alice, bob, make_post):
    post = make_post(alice, "A post")
    client.force_login(bob)
    client.get(f"/comments/{post.pk}")
    client.get(f"/comments/{post.pk}")
    assert AssetView.objects.filter(asset=post, user=bob, source="web").count() == 1


def test_every_asset_page_and_run_page_holds_the_comments_slot(
    client, alice, make_post, route, make_action, make_file, make_dataset
):
    client.force_login(alice)
    post, file, dataset = make_post(alice, "x"), make_file(alice), make_dataset(alice)
    action = make_action(route)
    for url, holder in (
        (f"/posts/{post.pk}", post.pk),
        (f"/files/{file.pk}", file.pk),
        (f"/datasets/{dataset.pk}", dataset.pk),
        (route.get_absolute_url(), route.pk),
        (f"/actions/{action.pk}", action.pk),
    ):
        html = client.get(url).content.decode()
        assert f'hx-get="/comments/{holder}"' in html, url


def test_the_notifications_page_and_header_count(client, alice, bob, make_post):
    post = make_post(alice, "A post", name="Findings")
    client.force_login(bob)
    client.post(f"/comments/{post.pk}/new", {"text": "Nice"}, HTTP_HX_REQUEST="true")
    client.force_login(alice)
    html = client.get("/notifications").content.decode()
    assert "@bob commented on post Findings" in html
    assert '<span class="badge unread-count">1</span>' in html
    notification = Notification.objects.get(user=alice)
    opened = client.get(f"/notifications/{notification.pk}/open")
    assert opened.status_code == 302 and opened["Location"] == f"/links/post/{post.pk}"
    notification.refresh_from_db()
    assert notification.viewed
    Notification.objects.update(viewed=False)
    client.post(f"/notifications/{notification.pk}/read")
    assert not Notification.objects.filter(viewed=False).exists()
    Notification.objects.update(viewed=False)
    client.post("/notifications/read-all")
    assert "unread-count" not in client.get("/notifications").content.decode()
    # Nobody opens another's notification.
    client.force_login(bob)
    assert client.get(f"/notifications/{notification.pk}/open").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_reader_comments_in_the_browser_and_the_author_is_told(
    page_as, live_site, alice, bob, make_post
):
    post = make_post(alice, "Findings body", name="Findings")
    page = page_as(bob)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_site.url}/posts/{post.pk}")
    page.get_by_label("Comment", exact=True).fill("Great work {@alice}")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.locator(".comment .mention").wait_for()
    assert page.locator(".comment .mention").inner_text() == "@alice"
    page.get_by_label("Reply to @bob").fill("Thanks")
    page.get_by_role("button", name="Reply").click()
    page.locator(".comment.reply").wait_for()
    assert "Thanks" in page.locator(".comment.reply").inner_text()

    page = page_as(alice)
    page.goto(f"{live_site.url}/posts/{post.pk}")
    # the comment, its mention and the reply (also a comment on her post)
    assert page.locator(".unread-count").inner_text() == "3"
    page.get_by_role("link", name="Notifications, 3 unread").click()
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_url(f"{live_site.url}/notifications")
    assert page.locator(".unread-count").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e]


def test_a_reply_goes_only_under_a_comment_of_the_same_thread(client, alice, bob, make_post):
    first, second = make_post(alice, "One"), make_post(alice, "Two")
    client.force_login(bob)
    client.post(f"/comments/{first.pk}/new", {"text": "On one"}, HTTP_HX_REQUEST="true")
    comment = Comment.objects.get()
    response = client.post(
        f"/comments/{second.pk}/new", {"text": "Stray", "reply_to": str(comment.pk)}
    )
    assert response.status_code == 404 and Comment.objects.count() == 1
    response = client.post(f"/comments/{second.pk}/new", {"text": "x", "reply_to": "nope"})
    assert response.status_code == 404
