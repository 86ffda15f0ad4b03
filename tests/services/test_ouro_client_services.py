"""The official ouro-py client against the live server: services and routes end to end."""

import pytest

from apps.routes.models import Route


@pytest.mark.django_db(transaction=True)
def test_the_official_client_creates_resyncs_and_authenticates_a_service(
    ouro_client, alice_key, demo_upstream
):
    ouro = ouro_client(alice_key)
    service = ouro.services.create(
        name="demo",
        base_url=demo_upstream,
        spec_url=f"{demo_upstream}/openapi.json",
        visibility="public",
    )
    assert service.metadata.base_url == demo_upstream
    assert service.license_id == "MIT" and service.attribution.originality == "original"
    routes = ouro.services.read_routes(str(service.id))
    assert len(routes) == 7

    hello = ouro.routes.retrieve("alice/hello")
    assert hello.route.path == "/hello" and hello.route.method == "GET"
    assert hello.visibility == "inherit" and str(hello.parent_id) == str(service.id)
    assert ouro.routes.retrieve(str(hello.id)).id == hello.id

    updated = ouro.services.update(str(service.id), version="2.0")
    assert updated.metadata.version == "2.0"
    assert updated.metadata.spec_url == f"{demo_upstream}/openapi.json"
    assert updated.name == "demo"

    refreshed = ouro.services.update(str(service.id), refresh_spec=True)
    assert refreshed.id == service.id
    assert {str(r.id) for r in ouro.services.read_routes(str(service.id))} == {
        str(r.id) for r in routes
    }

    first = ouro.services.set_authentication(str(service.id), secret="top-secret")
    second = ouro.services.set_authentication(str(service.id), secret="top-secret")
    assert first.rotated is True and second.rotated is False
    assert first.secret_id == second.secret_id
    assert "top-secret" not in str(ouro.services.read_spec(str(service.id)))

    dry = ouro.services.delete(str(service.id), dry_run=True)
    assert dry.dry_run is True and len(dry.deleted_children) == 7
    assert Route.objects.live().count() == 7


@pytest.mark.django_db(transaction=True)
def test_the_official_client_adds_and_updates_a_route_by_hand(
    ouro_client, alice_key, demo_upstream
):
    ouro = ouro_client(alice_key)
    service = ouro.services.create(name="manual", base_url=demo_upstream)
    route = ouro.routes.create(
        str(service.id),
        method="POST",
        path="/echo",
        name="echo",
        output_assets={"report": {"asset_type": "post"}},
    )
    assert route.visibility == "inherit" and route.route.output_type == "post"
    renamed = ouro.routes.update(str(route.id), description="Echoes")
    assert renamed.name == "echo" and renamed.description.text == "Echoes"
    assert ouro.routes.retrieve("alice/echo").id == route.id
