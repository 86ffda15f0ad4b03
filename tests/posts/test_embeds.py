"""Embeds as readers see them on the post page and from the polling endpoint."""

import re

import pytest
from django.utils import timezone

from apps.actions.models import Status
from apps.assets.services import dataset_create, file_create, file_replace_content
from apps.posts.services import post_update
from tests.loopback import serving
from tests.posts.conftest import embed_block, owner_of, png_bytes

pytestmark = pytest.mark.django_db

UNAVAILABLE = "This embed is not available."


def page(client, post, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(f"/posts/{post.pk}")
    assert response.status_code == 200
    return response.content.decode()


def embeds_in(html: str) -> list[str]:
    return re.findall(r'<div class="embed card[^"]*"[^>]*data-embed="([a-z]+)"', html)


@pytest.fixture
def pinned_post(alice, route, make_action, output_image, output_dataset, make_post):
    action = make_action(route, logs=["loading model", "done in 2 s"])
    output_image(action)
    output_dataset(action)
    return make_post(alice, f"Our run:\n\n{embed_block(route.pk, action_id=action.pk)}"), action


def test_a_reader_sees_status_timings_logs_and_outputs_of_a_pinned_run(client, bob, pinned_post):
    post, action = pinned_post
    html = page(client, post, bob)
    assert embeds_in(html) == ["route"]
    assert '<span class="badge status-success">success</span>' in html
    assert '<span class="badge method-post">POST</span>' in html and "<code>/predict</code>" in html
    assert "Finished" in html and "HTTP 200" in html
    assert "loading model" in html and "done in 2 s" in html
    assert '<img class="output" src="http://' in html and "/files/signed/" in html
    assert "<td>Fe</td>" in html and "<td>Ni</td>" in html
    assert "&quot;energy&quot;: -4.2" in html


def test_a_reader_never_sees_the_request_or_the_inputs(client, bob, pinned_post):
    html = page(client, pinned_post[0], bob)
    assert "REQUEST-ONLY-42" not in html
    assert "Fe2Ni" not in html
    assert "127.0.0.1:9" not in html


def test_an_anonymous_reader_sees_the_public_embed(client, pinned_post):
    html = page(client, pinned_post[0])
    assert embeds_in(html) == ["route"] and "loading model" in html


def test_the_embed_links_to_the_route_and_a_rerun_with_these_inputs(client, pinned_post):
    post, action = pinned_post
    html = page(client, post)
    assert 'href="/routes/alice/predict"' in html
    assert f'href="/routes/alice/predict?again={action.pk}&amp;post={post.pk}"' in html


def test_a_private_routes_embed_is_not_available_to_charlie(
    client, alice, charlie, make_route, make_action, make_post
):
    route = make_route(visibility="private", name="secret-model")
    post = make_post(alice, embed_block(route.pk, action_id=make_action(route).pk))
    html = page(client, post, charlie)
    assert UNAVAILABLE in html
    assert "secret-model" not in html and "status-success" not in html
    assert UNAVAILABLE not in page(client, post, alice)


def test_an_embed_of_a_deleted_route_is_not_available(client, alice, route, make_action, make_post):
    post = make_post(alice, embed_block(route.pk, action_id=make_action(route).pk))
    route.delete()
    html = page(client, post, alice)
    assert UNAVAILABLE in html and "predict" not in html.split("post-body", 1)[1]


def test_an_embed_of_an_archived_asset_is_not_available(client, alice, make_post):
    file = file_create(
        owner=owner_of(alice),
        name="plot",
        file_name="plot.png",
        content=png_bytes(),
        visibility="public",
    )
    post = make_post(alice, embed_block(file.pk, asset_type="file"))
    assert UNAVAILABLE not in page(client, post, alice)
    file.archived_at = timezone.now()
    file.save()
    assert UNAVAILABLE in page(client, post, alice)


def test_a_pinned_run_the_author_can_no_longer_see_is_not_available(
    client, alice, bob, route, make_action, make_post
):
    bobs_run = make_action(route, user=bob)
    post = make_post(alice, embed_block(route.pk, action_id=bobs_run.pk))
    assert UNAVAILABLE not in page(client, post, bob)
    route.user = bob  # alice no longer administers the route that bob ran
    route.save()
    assert UNAVAILABLE in page(client, post, bob)


@pytest.mark.parametrize("view_mode", ["preview", "card"])
def test_file_embeds_in_both_modes(client, alice, make_post, view_mode):
    file = file_create(
        owner=owner_of(alice),
        name="plot",
        file_name="plot.png",
        content=png_bytes(),
        visibility="public",
        description="A red square",
    )
    html = page(
        client, make_post(alice, embed_block(file.pk, asset_type="file", view_mode=view_mode))
    )
    assert embeds_in(html) == ["file"] and "plot" in html and "image/png" in html
    assert ('<img class="output"' in html) is (view_mode == "preview")
    assert ("A red square" in html) is (view_mode == "card")


@pytest.mark.parametrize("view_mode", ["preview", "card"])
def test_dataset_embeds_in_both_modes(client, alice, make_post, view_mode):
    dataset, _ = dataset_create(
        owner=owner_of(alice),
        name="alloys",
        rows=[{"name": "FeNi", "tc": 850}],
        visibility="public",
        description="Curie points",
    )
    html = page(
        client, make_post(alice, embed_block(dataset.pk, asset_type="dataset", view_mode=view_mode))
    )
    assert embeds_in(html) == ["dataset"] and "alloys" in html and "1 row<" in html
    assert ("<td>FeNi</td>" in html) is (view_mode == "preview")
    assert ("Curie points" in html) is (view_mode == "card")


@pytest.mark.parametrize("view_mode", ["preview", "card"])
def test_post_embeds_in_both_modes(client, alice, make_post, view_mode):
    inner = make_post(alice, "The **inner** story.", name="Inner")
    inner.description = "A summary"
    inner.save()
    html = page(
        client, make_post(alice, embed_block(inner.pk, asset_type="post", view_mode=view_mode))
    )
    assert embeds_in(html) == ["post"] and "Inner" in html
    assert ("<strong>inner</strong>" in html) is (view_mode == "preview")
    assert ("A summary" in html) is (view_mode == "card")


def test_someone_elses_draft_post_is_not_available_as_an_embed(client, alice, bob, make_post):
    draft = make_post(bob, "Not yet", publish=False)
    assert UNAVAILABLE in page(
        client, make_post(alice, embed_block(draft.pk, asset_type="post")), alice
    )


@pytest.mark.parametrize("view_mode", ["preview", "card"])
def test_service_embeds_in_both_modes(client, alice, route, make_post, view_mode):
    service = route.service
    service.description = "Predicts formation energies"
    service.save()
    html = page(
        client, make_post(alice, embed_block(service.pk, asset_type="service", view_mode=view_mode))
    )
    assert embeds_in(html) == ["service"] and "predict service" in html
    assert "Predicts formation energies" in html and "127.0.0.1:9" not in html


@pytest.mark.parametrize("view_mode", ["preview", "card"])
def test_route_embeds_in_both_modes(client, alice, route, make_action, make_post, view_mode):
    action = make_action(route, logs=["a log line"])
    html = page(
        client, make_post(alice, embed_block(route.pk, view_mode=view_mode, action_id=action.pk))
    )
    assert embeds_in(html) == ["route"] and "status-success" in html
    assert ("a log line" in html) is (view_mode == "preview")


def test_a_route_embed_without_a_pin_shows_the_route(client, alice, route, make_post):
    html = page(client, make_post(alice, embed_block(route.pk)))
    assert embeds_in(html) == ["route"] and "predict" in html and "status-" not in html


def test_upstream_payloads_in_an_embed_are_escaped(
    client, alice, make_route, make_action, make_post
):
    route = make_route(name="<script>alert('route')</script>")
    action = make_action(
        route,
        status=Status.ERROR,
        response={"html": "<script>alert(1)</script>", "<img src=x onerror=alert(2)>": 1},
        logs=["<img src=x onerror=alert(3)>"],
        error_message="<iframe src=javascript:alert(4)>",
        status_message="<b>bold</b>",
    )
    html = page(client, make_post(alice, embed_block(route.pk, action_id=action.pk)))
    assert "<script>alert" not in html and "<img src=x" not in html and "<iframe" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(3)&gt;" in html


def test_an_output_named_with_markup_is_escaped(client, alice, route, make_action, make_post):
    action = make_action(route)
    dataset, _ = dataset_create(
        owner=owner_of(alice), name="<script>x</script>", rows=[{"<b>k</b>": "<i>v</i>"}]
    )
    from apps.actions.models import ActionAsset

    ActionAsset.objects.create(action=action, asset=dataset, role="output", name="<svg onload=1>")
    html = page(client, make_post(alice, embed_block(route.pk, action_id=action.pk)))
    assert "<script>x" not in html and "<svg" not in html and "<b>k</b>" not in html


def test_long_base64_strings_in_a_response_are_shortened(
    client, alice, route, make_action, make_post
):
    action = make_action(route, response={"chart": {"base64": "A" * 50_000}})
    html = page(client, make_post(alice, embed_block(route.pk, action_id=action.pk)))
    assert "A" * 1000 not in html and "(50000 characters)" in html


def test_a_running_embed_polls_and_a_finished_one_does_not(
    client, alice, route, make_action, make_post
):
    running = make_action(route, status=Status.IN_PROGRESS, progress=40)
    post = make_post(alice, embed_block(route.pk, action_id=running.pk))
    html = page(client, post)
    poll = f"/posts/{post.pk}/embeds/{running.pk}?slot=0&amp;since={running.change_stamp}"
    assert f'hx-get="{poll}"' in html
    assert 'hx-trigger="every 1s"' in html and '<progress class="progress" value="40"' in html
    running.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,), response={"energy": 1})
    html = page(client, post)
    assert 'hx-trigger="every' not in html.split("post-body", 1)[1]  # comments load once


def test_the_polling_endpoint_returns_the_same_fragment_as_the_page(
    client, alice, route, make_action, make_post
):
    running = make_action(route, status=Status.IN_PROGRESS, logs=["step 1"])
    post = make_post(alice, "Intro\n\n" + embed_block(route.pk, action_id=running.pk))
    fragment = client.get(f"/posts/{post.pk}/embeds/{running.pk}?slot=0").content.decode().strip()
    assert fragment.startswith('<div class="embed card embed-route" id="embed-0"')
    assert fragment in page(client, post)
    assert "step 1" in fragment and "status-in-progress" in fragment


def test_the_polling_endpoint_answers_404_for_unpinned_actions_and_hidden_posts(
    client, alice, charlie, route, make_action, make_post
):
    action = make_action(route)
    post = make_post(alice, embed_block(route.pk, action_id=action.pk), visibility="private")
    other = make_action(route)
    client.force_login(alice)
    assert client.get(f"/posts/{post.pk}/embeds/{other.pk}").status_code == 404
    client.force_login(charlie)
    assert client.get(f"/posts/{post.pk}/embeds/{action.pk}").status_code == 404


def test_a_poll_that_finds_the_pinned_run_unchanged_answers_204(
    client, alice, charlie, route, make_action, make_post
):
    running = make_action(route, status=Status.IN_PROGRESS)
    post = make_post(alice, embed_block(route.pk, action_id=running.pk))
    url = f"/posts/{post.pk}/embeds/{running.pk}?slot=0&since={running.change_stamp}"
    unchanged = client.get(url)
    assert unchanged.status_code == 204 and unchanged.content == b""

    running.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,), response={"e": 1})
    changed = client.get(url)
    assert changed.status_code == 200 and "status-success" in changed.content.decode()

    # The stamp opens nothing: a hidden post or a run it does not pin is still a 404.
    hidden = make_post(alice, embed_block(route.pk, action_id=running.pk), visibility="private")
    client.force_login(charlie)
    stamp = f"since={running.change_stamp}"
    assert client.get(f"/posts/{hidden.pk}/embeds/{running.pk}?{stamp}").status_code == 404
    other = make_action(route, status=Status.IN_PROGRESS)
    assert client.get(f"/posts/{post.pk}/embeds/{other.pk}?{stamp}").status_code == 404


def test_the_snapshot_verifies_and_detects_a_changed_output(
    client, alice, route, make_action, output_image, make_post
):
    action = make_action(route)
    file = output_image(action)
    post = make_post(alice, embed_block(route.pk, action_id=action.pk))
    html = page(client, post)
    assert 'class="embed-digest"' in html
    verify = f"/posts/{post.pk}/embeds/{action.pk}/verify"
    assert f'hx-get="{verify}?slot=0"' in html
    assert "✓ matches" in client.get(verify).content.decode()
    file_replace_content(file=file, file_name="chart.png", content=b"tampered")
    assert "✗ does not match" in client.get(verify).content.decode()


def test_a_run_that_finishes_after_pinning_gets_its_snapshot_when_next_shown(
    client, alice, route, make_action, make_post
):
    running = make_action(route, status=Status.IN_PROGRESS)
    post = make_post(alice, embed_block(route.pk, action_id=running.pk))
    assert 'class="embed-digest"' not in page(client, post)
    running.transition(to=Status.SUCCESS, expected=(Status.IN_PROGRESS,))
    fragment = client.get(f"/posts/{post.pk}/embeds/{running.pk}").content.decode()
    assert 'class="embed-digest"' in fragment


def test_a_post_with_many_pinned_runs_renders_in_a_fixed_number_of_queries(
    client, alice, route, make_action, output_image, make_post, django_assert_max_num_queries
):
    blocks = []
    for i in range(20):
        action = make_action(route, logs=[f"line {i}"])
        output_image(action)
        blocks.append(embed_block(route.pk, action_id=action.pk))
    post = make_post(alice, "\n\n".join(blocks))
    page(client, post)  # snapshots taken on first display
    with django_assert_max_num_queries(12):
        html = page(client, post)
    assert html.count('data-embed="route"') == 20


def test_a_co_editor_sees_the_same_embeds_after_updating(
    client, alice, bob, route, make_action, make_post
):
    from apps.assets.models import AssetShare

    action = make_action(route)
    post = make_post(alice, embed_block(route.pk, action_id=action.pk))
    AssetShare.objects.create(asset=post, user=bob, role="write")
    post_update(post=post, user=bob, content="Edited\n\n" + post.content_text)
    assert "status-success" in page(client, post, bob)


@pytest.fixture
def hostile_upstream():
    """A loopback upstream whose answer is full of markup."""
    import json
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.dumps(
                {
                    "title": "<script>alert('upstream')</script>",
                    "note": '"><img src=x onerror=alert(1)>',
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serving(Handler) as url:
        yield url


def test_a_real_upstream_answer_with_markup_is_escaped_in_the_embed(
    client, alice, bob, route, hostile_upstream, make_post
):
    from apps.actions.services import route_run

    route.service.base_url = hostile_upstream
    route.service.save()
    action = route_run(route=route, user=alice, inputs={})
    assert action.status == Status.SUCCESS
    html = page(client, make_post(alice, embed_block(route.pk, action_id=action.pk)), bob)
    assert "<script>alert('upstream')" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;upstream&#x27;)&lt;/script&gt;" in html


def test_an_overdue_pinned_run_shows_as_timed_out(client, alice, route, make_action, make_post):
    route.quiet_window_seconds = 60
    route.save(update_fields=["quiet_window_seconds"])
    stale = timezone.now() - timezone.timedelta(minutes=5)
    action = make_action(route, status=Status.IN_PROGRESS, created_at=stale)
    action.__class__.objects.filter(pk=action.pk).update(started_at=stale)
    post = make_post(alice, embed_block(route.pk, action_id=action.pk))
    html = page(client, post, alice)
    assert "status-timed-out" in html and "status-in-progress" not in html
    action.refresh_from_db()
    assert action.status == Status.TIMED_OUT
