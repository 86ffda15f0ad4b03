"""Route names are unique per owner: a name another route of the owner (or organization)
already has is prefixed with the service's slug, the import report lists each rename, a
re-sync keeps the names it gave, and every route has one page and one `entity/name`."""

import threading

import pytest

from apps.accounts.services import personal_org
from apps.routes.models import Route
from apps.routes.services import RouteError, route_create, service_import_openapi
from apps.services.importer import parse_spec
from apps.services.services import ServiceError, spec_from_path
from tests.spec_files import FIXTURE_SPECS, spec_corpus_dir

SPECS = spec_corpus_dir()


def spec(title: str, paths: dict) -> dict:
    return {"openapi": "3.0.0", "info": {"title": title, "version": "1"}, "paths": paths}


def op(operation_id: str, **extra) -> dict:
    return {"operationId": operation_id, "responses": {"200": {"description": "ok"}}, **extra}


def imported(document: dict):
    return parse_spec(document)


def service_named(owner, name: str, document: dict, org=None):
    service, diff = service_import_openapi(
        owner=owner,
        org=org or personal_org(),
        source=imported(document),
        name=name,
        base_url="https://api.example.org",
        visibility="public",
    )
    return service, diff


def resync(service, document: dict):
    return service_import_openapi(
        owner=service.user, org=service.org, source=imported(document), service=service
    )[1]


def test_a_second_service_with_the_same_operation_gets_a_prefixed_name(alice):
    one, _ = service_named(alice, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    two, diff = service_named(alice, "Two", spec("two", {"/pets": {"post": op("addPet")}}))
    assert one.routes.get().name == "addPet"
    assert two.routes.get().name == "two-addPet"
    assert diff.summary()["renamed"] == [
        {"method": "POST", "path": "/pets", "spec_name": "addPet", "name": "two-addPet"}
    ]
    assert two.import_report["renamed"] == diff.summary()["renamed"]
    assert one.import_report["renamed"] == []


def test_names_that_differ_only_in_case_get_distinct_pages(alice):
    document = spec("s", {"/a": {"get": op("getUser")}, "/b": {"get": op("getuser")}})
    service, diff = service_named(alice, "S", document)
    slugs = sorted(service.routes.values_list("slug", flat=True))
    assert slugs == ["getuser", "s-getuser"]
    assert [r["spec_name"] for r in diff.summary()["renamed"]] == ["getuser"]


def test_a_taken_prefixed_name_gets_a_number(alice):
    service_named(alice, "One", spec("one", {"/x": {"get": op("list")}}))
    service_named(alice, "Other", spec("other", {"/x": {"get": op("two-list")}}))
    two, _ = service_named(alice, "Two", spec("two", {"/x": {"get": op("list")}}))
    assert two.routes.get().name == "two-list-2"


def test_a_resync_keeps_the_names_it_gave(alice):
    service_named(alice, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    document = spec("two", {"/pets": {"post": op("addPet")}})
    two, _ = service_named(alice, "Two", document)
    route = two.routes.get()
    document["paths"]["/pets"]["post"]["summary"] = "Add a pet"
    diff = resync(two, document)
    assert [fields for _, _, fields in diff.changed] == [["summary"]]
    route.refresh_from_db()
    assert route.name == "two-addPet" and route.summary == "Add a pet"
    assert diff.summary()["renamed"][0]["name"] == "two-addPet"
    two.refresh_from_db()
    assert two.import_report["renamed"][0]["name"] == "two-addPet"


def test_a_resync_keeps_a_name_even_when_the_clash_has_gone(alice):
    one, _ = service_named(alice, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    document = spec("two", {"/pets": {"post": op("addPet")}})
    two, _ = service_named(alice, "Two", document)
    resync(one, spec("one", {"/other": {"get": op("other")}}))
    resync(two, document)
    assert two.routes.get().name == "two-addPet"


def test_a_route_whose_operation_id_changed_is_named_again(alice):
    two, _ = service_named(alice, "Two", spec("two", {"/pets": {"post": op("addPet")}}))
    diff = resync(two, spec("two", {"/pets": {"post": op("createPet")}}))
    assert two.routes.get().name == "createPet"
    assert "name" in diff.changed[0][2]


def test_other_owners_and_organizations_do_not_clash(alice, bob, acme):
    service_named(alice, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    theirs, _ = service_named(bob, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    in_org, _ = service_named(alice, "Org", spec("o", {"/pets": {"post": op("addPet")}}), acme)
    assert theirs.routes.get().name == "addPet"
    assert in_org.routes.get().name == "addPet"
    again, _ = service_named(bob, "Again", spec("a", {"/p": {"post": op("addPet")}}), acme)
    assert again.routes.get().name == "again-addPet"


def test_a_hand_made_route_may_not_take_a_name_the_owner_already_has(alice):
    service_named(alice, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    other, _ = service_named(alice, "Two", spec("two", {"/x": {"get": op("x")}}))
    with pytest.raises(RouteError, match="already have a route"):
        route_create(
            service=other, user=alice, data={"method": "GET", "path": "/y", "name": "addpet"}
        )


def test_a_refused_import_changes_no_names(alice):
    service_named(alice, "One", spec("one", {"/pets": {"post": op("addPet")}}))
    bad = spec("two", {"/pets": {"post": op("addPet", **{"x-ouro-pricing": {"model": "x"}})}})
    bad["paths"]["/pets"]["post"]["x-ouro-pricing"] = {"model": "per_call", "unit_cost": "-1"}
    with pytest.raises(ServiceError):
        service_named(alice, "Two", bad)
    assert list(Route.objects.values_list("name", flat=True)) == ["addPet"]


def both_petstores(owner):
    """The Swagger 2.0 and the OpenAPI 3 petstores, imported for one user."""
    services = []
    for file in ("swagger-petstore-v2.yaml", "swagger-petstore3-v3.0.yaml"):
        result = spec_from_path(SPECS / file)
        service, _ = service_import_openapi(
            owner=owner, org=personal_org(), source=result, name="", visibility="public"
        )
        services.append(service)
    return services


@pytest.mark.skipif(not SPECS.is_dir(), reason="no public spec corpus")
def test_both_petstores_give_39_routes_with_39_pages(alice, client):
    v2, v3 = both_petstores(alice)
    routes = list(Route.objects.live().filter(user=alice))
    assert len(routes) == 39
    assert len({r.slug for r in routes}) == 39
    pages = set()
    for route in routes:
        response = client.get(route.get_absolute_url())
        assert response.status_code == 200, route.get_absolute_url()
        assert response.context["route"].pk == route.pk
        pages.add(route.get_absolute_url())
    assert len(pages) == 39
    renamed = {r["spec_name"]: r["name"] for r in v3.import_report["renamed"]}
    assert renamed["addPet"] == "swagger-petstore-openapi-30-addPet"
    assert v2.import_report["renamed"] == []


@pytest.mark.skipif(not SPECS.is_dir(), reason="no public spec corpus")
def test_the_official_client_resolves_every_petstore_route_by_name(alice, alice_key, ouro_client):
    both_petstores(alice)
    ouro = ouro_client(alice_key)
    routes = list(Route.objects.live().filter(user=alice))
    for route in routes:
        assert str(ouro.routes.retrieve(f"alice/{route.slug}").id) == str(route.pk)
        assert str(ouro.routes.retrieve(f"alice/{route.name}").id) == str(route.pk)


def test_the_split_fixture_imports_under_its_own_names(alice):
    result = spec_from_path(FIXTURE_SPECS / "split-swagger")
    service, diff = service_import_openapi(owner=alice, org=personal_org(), source=result, name="")
    assert diff.renamed == [] and service.routes.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_give_distinct_names(alice):
    from django.db import connection

    document = spec("s", {f"/p{n}": {"get": op(f"op{n}")} for n in range(20)})
    barrier = threading.Barrier(2)
    errors = []

    def import_as(name: str) -> None:
        try:
            barrier.wait()
            service_named(alice, name, document)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=import_as, args=(n,)) for n in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    slugs = list(Route.objects.live().filter(user=alice).values_list("slug", flat=True))
    assert len(slugs) == 40 and len(set(slugs)) == 40
