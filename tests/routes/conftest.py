import pytest

from apps.accounts.services import personal_org
from apps.services.models import Service
from tests.actions.conftest import (  # noqa: F401  (the same services and routes)
    echo_route,
    fail_route,
    hello_route,
    item_route,
    jobs_route,
    make_route,
    make_service,
    recorder,
    slow_route,
)


@pytest.fixture
def service(alice):
    """A public service of alice's with no spec, for route API and sync tests."""
    org = personal_org()
    return Service.objects.create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Svc",
        visibility="public",
        base_url="https://api.example.org",
    )
