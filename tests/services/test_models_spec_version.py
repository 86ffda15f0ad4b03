"""A service keeps its spec's OpenAPI version beside the spec, so a run need not read the spec."""

import pytest

from apps.accounts.services import personal_org
from apps.services.models import Service, spec_version

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("document", "version"),
    [
        ({"openapi": "3.0.3"}, "3.0.3"),
        ({"openapi": "3.1.0"}, "3.1.0"),
        ({"swagger": "2.0"}, "2.0"),
        ({"paths": {}}, "3.1"),
        (None, ""),
        ([], ""),
    ],
)
def test_the_version_of_a_document(document, version):
    assert spec_version(document) == version


def test_saving_a_spec_records_its_version_also_with_update_fields(alice):
    org = personal_org()
    service = Service(
        user=alice, org=org, team=org.default_team, name="S", base_url="https://x.example"
    )
    service.spec = {"openapi": "3.0.1", "paths": {}}
    service.save()
    assert Service.objects.get(pk=service.pk).spec_version == "3.0.1"
    service.spec = {"swagger": "2.0", "paths": {}}
    service.save(update_fields=["spec"])
    assert Service.objects.get(pk=service.pk).spec_version == "2.0"
    lean = Service.objects.defer("spec").get(pk=service.pk)
    lean.name = "Renamed"
    lean.save()  # a service loaded without its spec keeps the version it has
    assert Service.objects.get(pk=service.pk).spec_version == "2.0"
