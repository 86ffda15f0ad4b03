"""The routes page: grouped by service and tag, searched as you type, one permission rule."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def routes(make_service, make_route, alice, bob):
    pets = make_service(name="Pet store")
    weather = make_service(name="Weather")
    private = make_service(name="Alice private", visibility="private")
    return {
        "list": make_route("GET", "/pets", service=pets, name="listPets", tags=["pets"]),
        "add": make_route("POST", "/pets", service=pets, name="addPet", tags=["pets"]),
        "order": make_route("POST", "/orders", service=pets, name="placeOrder", tags=["store"]),
        "untagged": make_route("GET", "/health", service=pets, name="health"),
        "forecast": make_route(
            "GET", "/forecast", service=weather, name="forecast", tags=["weather", "pets"]
        ),
        "secret": make_route("GET", "/secret", service=private, name="secret"),
    }


def names(html: str) -> list[str]:
    return re.findall(r'<a href="/routes/[^"]+">([^<]+)</a> <code class="route-path">', html)


def test_routes_are_grouped_by_service_then_tag(client, routes, alice):
    client.force_login(alice)
    html = client.get("/routes").content.decode()
    groups = re.findall(r'<h2 class="route-group-title">([^<]+)</h2>', html)
    assert groups == ["Alice private", "Pet store", "Weather"]
    pets = html[html.index(">Pet store<") : html.index(">Weather<")]
    tags = re.findall(r'<h3 class="route-tag">([^<]+)</h3>', pets)
    assert tags == ["Other", "store", "pets"]  # in path order
    assert set(names(pets)) == {"listPets", "addPet", "placeOrder", "health"}
    assert '<option value="pets">pets</option>' in html  # the most used tag, offered


def test_search_and_tag_filter_live_in_the_url(client, routes, alice):
    client.force_login(alice)
    assert set(names(client.get("/routes?tag=pets").content.decode())) == {
        "listPets",
        "addPet",
        "forecast",
    }
    assert names(client.get("/routes?q=order").content.decode()) == ["placeOrder"]
    assert names(client.get("/routes?q=pets&tag=store").content.decode()) == []
    html = client.get("/routes?q=nothing-like-this").content.decode()
    assert "No routes match." in html


def test_typing_answers_only_the_results(client, routes, alice):
    client.force_login(alice)
    response = client.get(
        "/routes?q=fore", headers={"HX-Request": "true", "HX-Target": "route-results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="route-results">')
    assert names(html) == ["forecast"]


def test_others_see_only_what_they_may(client, routes, charlie):
    client.force_login(charlie)
    html = client.get("/routes").content.decode()
    assert "secret" not in names(html) and "Alice private" not in html
    client.logout()
    assert "forecast" in names(client.get("/routes").content.decode())


def test_an_empty_platform_says_what_to_do(client, alice):
    client.force_login(alice)
    html = client.get("/routes").content.decode()
    assert "No routes yet." in html and 'href="/services"' in html
