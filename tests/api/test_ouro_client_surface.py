"""The rest of ouro-py's surface against the live server: users, posts, routes, services, assets."""

import pytest
from ouro import NotFoundError

pytestmark = pytest.mark.django_db(transaction=True)


def test_posts_list_finds_mine_and_hides_private_ones_from_an_outsider(
    ouro_client, alice_key, charlie_key
):
    ouro = ouro_client(alice_key)
    shown = ouro.posts.create(name="Open findings", content_markdown="x", visibility="public")
    hidden = ouro.posts.create(name="Secret findings", content_markdown="y", visibility="private")
    mine = {str(p.id) for p in ouro.posts.list(query="findings").data}
    assert {str(shown.id), str(hidden.id)} <= mine
    theirs = {str(p.id) for p in ouro_client(charlie_key).posts.list(query="findings").data}
    assert str(shown.id) in theirs and str(hidden.id) not in theirs


def test_routes_list_searches_routes(ouro_client, alice_key, hello_route):
    page = ouro_client(alice_key).routes.list(query="hello")
    assert str(hello_route.pk) in {str(r.id) for r in page.data}
    assert all(r.asset_type == "route" for r in page.data)


def test_routes_stats_counts_runs(ouro_client, alice_key, hello_route):
    ouro = ouro_client(alice_key)
    ouro.routes.execute(str(hello_route.pk), query={"name": "x"})
    stats = ouro.routes.stats(str(hello_route.pk))
    assert (stats.total, stats.user_total) == (1, 1)


def test_an_outsider_cannot_read_or_delete_a_private_route(
    ouro_client, alice_key, charlie_key, make_route, make_service
):
    route = make_route("GET", "/hello", service=make_service(visibility="private"), name="hidden")
    outsider = ouro_client(charlie_key)
    with pytest.raises(NotFoundError):
        outsider.routes.stats(str(route.pk))
    with pytest.raises(NotFoundError):
        outsider.routes.delete(str(route.pk))
    ouro = ouro_client(alice_key)
    dry = ouro.routes.delete(str(route.pk), dry_run=True)
    assert (str(dry.id), dry.dry_run) == (str(route.pk), True)
    done = ouro.routes.delete(str(route.pk))
    assert str(done.id) == str(route.pk) and not done.dry_run
    with pytest.raises(NotFoundError):
        ouro.routes.retrieve(str(route.pk))


def test_services_list_and_retrieve(ouro_client, alice_key, charlie_key, make_service):
    shown = make_service(name="Shown")
    hidden = make_service(name="Hidden", visibility="private")
    ouro = ouro_client(alice_key)
    assert {str(shown.pk), str(hidden.pk)} <= {str(s.id) for s in ouro.services.list()}
    got = ouro.services.retrieve(str(hidden.pk))
    assert (str(got.id), got.name) == (str(hidden.pk), "Hidden")
    outsider = ouro_client(charlie_key)
    assert str(hidden.pk) not in {str(s.id) for s in outsider.services.list()}
    with pytest.raises(NotFoundError):
        outsider.services.retrieve(str(hidden.pk))


def test_assets_lineage_and_delete(ouro_client, alice_key, charlie_key):
    ouro = ouro_client(alice_key)
    post = ouro.posts.create(name="Lineage root", content_markdown="z", visibility="private")
    lineage = ouro.assets.lineage(str(post.id))
    assert str(lineage.asset.id) == str(post.id)
    assert lineage.asset.asset_type == "post"
    assert lineage.sources == []
    outsider = ouro_client(charlie_key)
    with pytest.raises(NotFoundError):
        outsider.assets.lineage(str(post.id))
    with pytest.raises(NotFoundError):
        outsider.assets.delete(str(post.id))
    result = ouro.assets.delete(str(post.id))
    assert (str(result.id), result.asset_type) == (str(post.id), "post")
    with pytest.raises(NotFoundError):
        ouro.posts.retrieve(str(post.id))
