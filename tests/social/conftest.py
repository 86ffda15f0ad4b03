"""Assets to comment on and runs to be told about: alice owns them, bob is her teammate in
acme, charlie is an outsider."""

import pytest

from apps.accounts.services import personal_org
from apps.assets.services import Owner, dataset_create, file_create
from tests.posts.conftest import make_action, make_post, make_route, route  # noqa: F401


def owner_of(user, org=None) -> Owner:
    org = org or personal_org()
    return Owner(user=user, org=org, team=org.default_team)


@pytest.fixture
def make_file():
    def build(user, name="notes.txt", *, visibility="public", content=b"hello\n", org=None):
        return file_create(
            owner=owner_of(user, org),
            name=name,
            file_name=name,
            content=content,
            visibility=visibility,
        )

    return build


@pytest.fixture
def make_dataset():
    def build(user, name="scores", *, visibility="public", org=None):
        dataset, _ = dataset_create(
            owner=owner_of(user, org),
            name=name,
            rows=[{"name": "a", "score": 1}, {"name": "b", "score": 2}],
            visibility=visibility,
        )
        return dataset

    return build


@pytest.fixture
def demo_service(alice, demo_upstream):
    """The bundled demo upstream imported as alice's public service (hello, fail, jobs...)."""
    from apps.routes.services import service_import_openapi
    from apps.services.services import spec_from_url

    service, _ = service_import_openapi(
        owner=alice,
        org=personal_org(),
        name="demo",
        base_url=demo_upstream,
        visibility="public",
        source=spec_from_url(f"{demo_upstream}/openapi.json"),
        spec_url=f"{demo_upstream}/openapi.json",
    )
    return service


@pytest.fixture
def demo_route(demo_service):
    """demo_route(path): the demo service's route for that path."""
    from apps.routes.models import Route

    return lambda path: Route.objects.get(service=demo_service, path=path)
