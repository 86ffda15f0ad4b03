"""Finding a route by `entity/name`, as the route pages and name-to-id do."""

from django.utils import timezone

from apps.routes.selectors import route_by_name


def test_a_personal_route_is_found_by_its_owner_and_its_slug_or_name(make_route, alice, bob):
    route = make_route("GET", "/hello", name="Say Hello")
    assert route_by_name(user=bob, entity="alice", name="say-hello") == route
    assert route_by_name(user=bob, entity="alice", name="Say Hello") == route
    assert route_by_name(user=bob, entity="bob", name="say-hello") is None
    assert route_by_name(user=bob, entity="alice", name="say-goodbye") is None


def test_an_organization_route_is_found_by_the_organization_not_the_member(
    make_route, make_service, acme, alice, bob
):
    route = make_route("GET", "/hello", name="hello", service=make_service(org=acme))
    assert route_by_name(user=bob, entity="acme", name="hello") == route
    assert route_by_name(user=bob, entity="alice", name="hello") is None


def test_hidden_and_archived_routes_are_not_found(make_route, make_service, alice, charlie):
    hidden = make_route("GET", "/hello", name="hello", service=make_service(visibility="private"))
    assert route_by_name(user=charlie, entity="alice", name="hello") is None
    assert route_by_name(user=alice, entity="alice", name="hello") == hidden
    hidden.archived_at = timezone.now()
    hidden.save()
    assert route_by_name(user=alice, entity="alice", name="hello") is None


def test_of_two_routes_with_one_name_the_first_the_caller_may_see_is_found(
    make_route, make_service, alice, charlie
):
    private = make_route("GET", "/a", name="twin", service=make_service(visibility="private"))
    public = make_route("GET", "/b", name="twin", service=make_service(name="Other"))
    assert route_by_name(user=alice, entity="alice", name="twin") == private
    assert route_by_name(user=charlie, entity="alice", name="twin") == public
