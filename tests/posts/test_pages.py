"""The post pages: list, write with a live preview, publish, share a run, typed links."""

import pytest

from apps.posts.models import Post
from tests.posts.conftest import embed_block

pytestmark = pytest.mark.django_db


def test_the_list_shows_published_posts_and_only_my_drafts(client, alice, bob, make_post):
    make_post(alice, "x", name="Public results")
    make_post(alice, "x", name="Alice draft", publish=False)
    make_post(bob, "x", name="Bob private", visibility="private")
    client.force_login(alice)
    html = client.get("/posts").content.decode()
    assert "Public results" in html and "Alice draft" in html and "Bob private" not in html
    client.force_login(bob)
    html = client.get("/posts").content.decode()
    assert "Alice draft" not in html and "Bob private" in html


def test_a_draft_is_hidden_from_readers_until_published(client, alice, bob, make_post):
    post = make_post(alice, "Soon", publish=False)
    client.force_login(bob)
    assert client.get(f"/posts/{post.pk}").status_code == 404
    client.force_login(alice)
    assert client.post(f"/posts/{post.pk}/publish").status_code == 302
    client.force_login(bob)
    assert client.get(f"/posts/{post.pk}").status_code == 200


def test_a_private_post_is_not_found_for_outsiders(client, alice, charlie, make_post):
    post = make_post(alice, "Secret", visibility="private")
    client.force_login(charlie)
    assert client.get(f"/posts/{post.pk}").status_code == 404


def test_writing_a_post_saves_a_draft_or_publishes(client, alice):
    client.force_login(alice)
    response = client.post(
        "/posts/new", {"name": "Notes", "visibility": "public", "text": "# Hi", "intent": "draft"}
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/posts/{post.pk}"
    assert not post.is_published and "<h1>Hi</h1>" in post.html
    client.post(
        f"/posts/{post.pk}/edit",
        {"name": "Notes 2", "visibility": "public", "text": "# Bye", "intent": "publish"},
    )
    post.refresh_from_db()
    assert post.is_published and post.name == "Notes 2" and "<h1>Bye</h1>" in post.html


def test_the_editor_shows_why_an_embed_cannot_be_saved(client, alice, bob, route, make_action):
    client.force_login(bob)
    text = embed_block(route.pk, action_id=make_action(route).pk)
    response = client.post(
        "/posts/new", {"name": "Steal", "visibility": "public", "text": text, "intent": "publish"}
    )
    assert response.status_code == 200
    assert "You cannot pin action" in response.content.decode()
    assert not Post.objects.exists()


def test_the_live_preview_renders_markdown_and_embeds_for_the_author(
    client, alice, route, make_action
):
    client.force_login(alice)
    action = make_action(route, logs=["from the preview"])
    text = "**bold** <script>x</script>\n\n" + embed_block(route.pk, action_id=action.pk)
    response = client.post("/posts/preview", {"text": text}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<strong>bold</strong>" in html and "<script>" not in html
    assert "from the preview" in html and "status-success" in html


def test_the_preview_does_not_show_a_run_the_writer_cannot_see(client, bob, route, make_action):
    client.force_login(bob)
    text = embed_block(route.pk, action_id=make_action(route, logs=["alice only"]).pk)
    html = client.post("/posts/preview", {"text": text}).content.decode()
    assert "This embed is not available." in html and "alice only" not in html


def test_the_editor_page_has_the_live_preview_wired(client, alice, make_post):
    client.force_login(alice)
    post = make_post(alice, "Draft text <b>")
    html = client.get(f"/posts/{post.pk}/edit").content.decode()
    assert 'hx-post="/posts/preview"' in html and 'hx-target="#preview"' in html
    assert "Draft text &lt;b&gt;" in html


def test_only_editors_may_open_the_editor(client, alice, bob, make_post):
    post = make_post(alice, "x")
    client.force_login(bob)
    assert client.get(f"/posts/{post.pk}/edit").status_code == 404
    assert client.post(f"/posts/{post.pk}/publish").status_code == 404


def test_share_in_a_post_creates_a_draft_with_the_run_pinned(client, alice, route, make_action):
    action = make_action(route)
    client.force_login(alice)
    response = client.post(f"/posts/share/{action.pk}")
    post = Post.objects.get()
    assert response["Location"] == f"/posts/{post.pk}/edit"
    assert post.embeds[0]["displayConfig"]["actionId"] == str(action.pk)
    assert "status-success" in client.get(f"/posts/{post.pk}").content.decode()


def test_share_in_a_post_is_refused_for_someone_elses_run(client, charlie, route, make_action):
    client.force_login(charlie)
    assert client.post(f"/posts/share/{make_action(route).pk}").status_code == 404
    assert not Post.objects.exists()


def test_the_share_include_offers_the_block_to_copy(alice, route, make_action):
    from django.template.loader import render_to_string

    action = make_action(route)
    html = render_to_string("posts/share_action.html", {"action": action})
    assert f"/posts/share/{action.pk}" in html
    assert f"&quot;actionId&quot;: &quot;{action.pk}&quot;" in html


def test_typed_links_redirect_to_what_the_reader_may_see(
    client, alice, charlie, route, make_action, make_post
):
    action = make_action(route)
    post = make_post(alice, "x")
    client.force_login(alice)
    assert client.get(f"/links/route/{route.pk}")["Location"] == "/routes/alice/predict"
    assert client.get(f"/links/action/{action.pk}")["Location"] == f"/actions/{action.pk}"
    assert client.get(f"/links/post/{post.pk}")["Location"] == f"/posts/{post.pk}"
    assert client.get(f"/links/service/{route.pk}").status_code == 404  # wrong kind
    assert client.get(f"/links/user/{route.pk}").status_code == 404
    client.force_login(charlie)
    assert client.get(f"/links/action/{action.pk}").status_code == 404


def test_a_post_page_renders_extended_markdown(client, alice, make_post):
    post = make_post(
        alice, "> [!NOTE]\n> Mind the gap\n\nHi {@bob}, \\(x^2\\)\n\n```python\nx = 1\n```"
    )
    html = client.get(f"/posts/{post.pk}").content.decode()
    assert '<div class="callout note">' in html and '<span class="mention">@bob</span>' in html
    assert '<span class="arithmatex">\\(x^2\\)</span>' in html and "language-python" in html
    assert "posts/posts.css" in html


def test_the_action_page_offers_share_in_a_post(client, alice, route, make_action):
    action = make_action(route)
    client.force_login(alice)
    html = client.get(f"/actions/{action.pk}").content.decode()
    assert f'action="/posts/share/{action.pk}"' in html and "Copy the block" in html
