"""'Run again with these inputs' from a pinned run: every reader of the post gets the pinned
inputs in the form, and keeps them through logging in."""

import html as html_lib
import re

import pytest

from apps.actions.services import route_run
from tests.actions.conftest import hello_route, make_route, make_service  # noqa: F401
from tests.posts.conftest import embed_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def pinned(alice, hello_route, make_post):
    action = route_run(route=hello_route, user=alice, inputs={"query": {"name": "ada lovelace"}})
    assert action.status == "success"
    post = make_post(alice, f"Try it:\n\n{embed_block(hello_route.pk, action_id=action.pk)}")
    return post, action


def again_link(client, post) -> str:
    page = client.get(f"/posts/{post.pk}").content.decode()
    href = re.search(r'href="([^"]+)">Run again with these inputs', page).group(1)
    return html_lib.unescape(href)


def name_value(page: str) -> str:
    field = re.search(r'<input[^>]*name="query.name"[^>]*>', page).group(0)
    return html_lib.unescape(re.search(r'value="([^"]*)"', field).group(1))


def test_a_reader_gets_the_pinned_inputs(client, bob, pinned):
    post, action = pinned
    client.force_login(bob)
    link = again_link(client, post)
    assert f"again={action.pk}" in link and f"post={post.pk}" in link
    assert name_value(client.get(link).content.decode()) == "ada lovelace"


def test_without_the_post_or_for_another_run_a_reader_gets_the_defaults(
    client,
    alice,
    bob,
    pinned,
    hello_route,
):
    post, action = pinned
    client.force_login(bob)
    page = client.get(f"{hello_route.get_absolute_url()}?again={action.pk}").content.decode()
    assert name_value(page) == "world"
    other = route_run(route=hello_route, user=alice, inputs={"query": {"name": "secret"}})
    page = client.get(
        f"{hello_route.get_absolute_url()}?again={other.pk}&post={post.pk}"
    ).content.decode()
    assert name_value(page) == "world"  # not pinned in that post
    page = client.get(f"{hello_route.get_absolute_url()}?again={action.pk}&post=bad").content
    assert name_value(page.decode()) == "world"


def test_a_reader_who_may_not_read_the_post_gets_the_defaults(client, charlie, pinned, make_post):
    post, action = pinned
    post.visibility = "private"
    post.save(update_fields=["visibility"])
    client.force_login(charlie)
    url = f"{action.route.get_absolute_url()}?again={action.pk}&post={post.pk}"
    assert name_value(client.get(url).content.decode()) == "world"


def test_the_inputs_survive_logging_in(client, bob, pinned):
    post, action = pinned
    link = again_link(client, post)  # an anonymous reader
    page = client.get(link).content.decode()
    login = html_lib.unescape(re.search(r'href="(/login[^"]*)">Log in</a> to run', page).group(1))
    response = client.post(login, {"username": "bob", "password": "bob-password-1"})
    assert response.status_code == 302
    assert name_value(client.get(response["Location"]).content.decode()) == "ada lovelace"
