"""license_id and attribution on every asset kind through the official ouro-py client: kept on
create, merged on update (a partial attribution keeps `originality`), refused when malformed."""

import pytest
from ouro import BadRequestError

from apps.assets.models import Asset
from apps.assets.provenance import ProvenanceError, attribution_checked, attribution_merged

pytestmark = pytest.mark.django_db(transaction=True)

CITED = {"originality": "third-party", "paper_url": "https://example.org/paper"}
MORE = {"github_url": "https://github.com/acme/code"}
MERGED = {**CITED, **MORE}


@pytest.fixture
def ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


def stored(asset_id) -> tuple[str, dict]:
    asset = Asset.objects.get(pk=asset_id)
    return asset.license_id, asset.attribution


def test_posts_keep_and_merge_provenance(ouro):
    post = ouro.posts.create(
        name="Note", content="Hello", visibility="private", license_id="CC-BY-4.0",
        attribution=CITED,
    )  # fmt: skip
    assert (post.license_id, post.attribution.originality) == ("CC-BY-4.0", "third-party")
    updated = ouro.posts.update(str(post.id), attribution=MORE)
    assert updated.attribution.paper_url == CITED["paper_url"]
    assert stored(post.id) == ("CC-BY-4.0", MERGED)
    assert ouro.posts.update(str(post.id), license_id="MIT").license_id == "MIT"
    with pytest.raises(BadRequestError, match="attribution.originality must be one of"):
        ouro.posts.update(str(post.id), attribution={"originality": "mine"})


def test_files_keep_and_merge_provenance(ouro):
    file = ouro.files.create(
        name="Data", visibility="private", file_content=b"a,b\n1,2\n", file_name="d.csv",
        license_id="CC0-1.0", attribution=CITED,
    )  # fmt: skip
    assert (file.license_id, file.attribution.originality) == ("CC0-1.0", "third-party")
    updated = ouro.files.update(str(file.id), attribution=MORE)
    assert updated.attribution.github_url == MORE["github_url"]
    assert stored(file.id) == ("CC0-1.0", MERGED)
    with pytest.raises(BadRequestError, match="attribution.stolen_from is not an attribution"):
        ouro.files.update(str(file.id), attribution={"stolen_from": "x"})


def test_services_and_routes_keep_and_merge_provenance(ouro, demo_upstream):
    service = ouro.services.create(
        name="Demo", base_url=demo_upstream, visibility="private", license_id="Apache-2.0",
        originality="derivative", paper_url=CITED["paper_url"],
    )  # fmt: skip
    assert (service.license_id, service.attribution.originality) == ("Apache-2.0", "derivative")
    # (Its provenance keywords send originality "original" too; a dict is sent as it is.)
    updated = ouro.services.update(str(service.id), attribution=MORE)
    assert updated.attribution.originality == "derivative"
    assert stored(service.id)[1] == {
        "originality": "derivative",
        "paper_url": CITED["paper_url"],
        **MORE,
    }
    route = ouro.routes.create(
        str(service.id), name="hello", method="GET", path="/hello", license_id="MIT",
        attribution=CITED,
    )  # fmt: skip
    assert (route.license_id, route.attribution.originality) == ("MIT", "third-party")
    ouro.routes.update(str(route.id), attribution=MORE)
    assert stored(route.id) == ("MIT", MERGED)
    with pytest.raises(BadRequestError, match="attribution.relation_type must be one of"):
        ouro.routes.update(str(route.id), attribution={"relation_type": "Copied"})


def test_attribution_is_checked_and_merged():
    assert attribution_checked({"originality": "original", "doi": None}) == {
        "originality": "original"
    }
    assert attribution_merged({"originality": "derivative"}, {"doi": "10.1/x"}) == {
        "originality": "derivative",
        "doi": "10.1/x",
    }
    assert attribution_merged({}, {}) == {"originality": "original"}
    citation = {"title": "T", "authors": ["A"], "year": 2024}
    assert attribution_checked({"citation": citation}) == {"citation": citation}
    for bad in ({"citation": {"year": "soon"}}, {"paper_url": 3}, {"x": 1}, [], "a"):
        with pytest.raises(ProvenanceError):
            attribution_checked(bad)
    with pytest.raises(ProvenanceError, match="over 2000"):
        attribution_checked({"external_url": "x" * 2001})
