"""Generic asset endpoints: compatible routes, actions, connections, sharing, downloads, search."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from apps.accounts.services import personal_org
from apps.actions.models import Action, ActionAsset
from apps.routes.models import Route, RouteAsset
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db


def make_action(route, user, *, inputs=None, outputs=None) -> Action:
    org = personal_org()
    action = Action.objects.create(
        route=route, user=user, org=org, team=org.default_team, status="success"
    )
    for role, assets in (("input", inputs or {}), ("output", outputs or {})):
        for name, asset in assets.items():
            ActionAsset.objects.create(action=action, asset_id=asset.pk, role=role, name=name)
    return action


@pytest.fixture
def csv_routes(make_route):
    """Three routes taking a CSV file, one taking images, one taking datasets."""
    table = {"asset_type": "file", "file_extensions": ["csv"]}
    return {
        "plot": make_route(
            "/plot", name="Plot a table", summary="Draw charts", inputs={"t": table}
        ),
        "stats": make_route(
            "/stats", name="Table stats", summary="Mean and spread", inputs={"t": table}
        ),
        "clean": make_route("/clean", name="Clean rows", inputs={"t": {"asset_type": "file"}}),
        "image": make_route("/img", inputs={"i": {"asset_type": "file", "input_filter": "image"}}),
        "rows": make_route("/rows", inputs={"d": {"asset_type": "dataset"}}),
    }


def names(response) -> list[str]:
    return [r["name"] for r in response.json()["data"]]


def test_compatible_routes_rank_by_popularity(api, alice_key, alice, csv_routes, make_file):
    file = make_file(alice, CSV, "people.csv")
    for _ in range(2):
        make_action(csv_routes["stats"], alice)
    make_action(csv_routes["clean"], alice)

    response = api(alice_key).get(f"/assets/{file.pk}/compatible-routes")

    assert response.status_code == 200
    assert names(response) == ["Table stats", "Clean rows", "Plot a table"]
    first = response.json()["data"][0]
    assert first["compatible_inputs"] == ["t"]
    assert first["route"]["input_assets"]["t"]["file_extensions"] == ["csv"]


def test_compatible_routes_by_recency_and_update(api, alice_key, alice, csv_routes, make_file):
    file = make_file(alice, CSV, "people.csv")
    old = timezone.now() - timedelta(days=3)
    Route.objects.filter(pk=csv_routes["plot"].pk).update(created_at=old)
    recent = api(alice_key).get(f"/assets/{file.pk}/compatible-routes?sort=recent")
    assert names(recent)[-1] == "Plot a table"
    Route.objects.filter(pk=csv_routes["plot"].pk).update(
        last_updated=timezone.now() + timedelta(1)
    )
    updated = api(alice_key).get(f"/assets/{file.pk}/compatible-routes?sort=updated")
    assert names(updated)[0] == "Plot a table"


def test_compatible_routes_by_text_query(api, alice_key, alice, csv_routes, make_file):
    file = make_file(alice, CSV, "people.csv")
    response = api(alice_key).get(f"/assets/{file.pk}/compatible-routes?query=chart")
    assert names(response) == ["Plot a table"]
    paged = api(alice_key).get(f"/assets/{file.pk}/compatible-routes?limit=1&offset=1")
    assert len(paged.json()["data"]) == 1 and paged.json()["pagination"]["hasMore"]


def test_compatible_routes_follow_the_asset_kind(
    api, alice_key, alice, csv_routes, make_file, make_dataset
):
    image = make_file(alice, png_bytes(), "dot.png")
    compatible = names(api(alice_key).get(f"/assets/{image.pk}/compatible-routes"))
    assert sorted(compatible) == ["Clean rows", "img"]
    dataset = make_dataset(alice, [{"a": 1}])
    assert names(api(alice_key).get(f"/assets/{dataset.pk}/compatible-routes")) == ["rows"]


def test_compatible_routes_hide_routes_the_caller_may_not_see(
    api, bob_key, bob, csv_routes, make_file, upstream_service
):
    upstream_service.visibility = "private"
    upstream_service.save()
    file = make_file(bob, CSV, "people.csv")
    assert names(api(bob_key).get(f"/assets/{file.pk}/compatible-routes")) == []


def test_asset_actions_by_role(
    api, alice_key, bob_key, alice, bob, csv_routes, make_file, make_dataset
):
    file = make_file(alice, CSV, "people.csv", visibility="public")
    dataset = make_dataset(alice, [{"a": 1}])
    producer = make_action(csv_routes["stats"], alice, inputs={"t": file}, outputs={"s": dataset})
    bobs_run = make_action(csv_routes["plot"], bob, inputs={"t": file})

    out = api(alice_key).get(f"/assets/{dataset.pk}/actions?role=output").json()["data"]
    assert out["id"] == str(producer.pk)
    both = api(alice_key).get(f"/assets/{file.pk}/actions").json()["data"]
    assert both["created_by"] is None
    # alice owns the routes, so she sees bob's run too.
    assert {a["id"] for a in both["as_input"]} == {str(producer.pk), str(bobs_run.pk)}
    only_bob = api(bob_key).get(f"/assets/{file.pk}/actions?role=input").json()["data"]
    assert [a["id"] for a in only_bob] == [str(bobs_run.pk)]


def test_connections_show_route_links_each_viewer_may_see(
    api, alice_key, charlie_key, alice, csv_routes, make_file
):
    public = make_file(alice, CSV, "public.csv", visibility="public")
    private = make_file(alice, CSV, "private.csv")
    for asset in (public, private):
        RouteAsset.objects.create(route=csv_routes["stats"], asset=asset, added_by=alice)

    mine = api(alice_key).get(f"/assets/{csv_routes['stats'].pk}/connections").json()["data"]
    assert {c["target_id"] for c in mine} == {str(public.pk), str(private.pk)}
    theirs = api(charlie_key).get(f"/assets/{csv_routes['stats'].pk}/connections").json()["data"]
    assert [c["target"]["name"] for c in theirs] == ["public.csv"]
    assert theirs[0]["type"] == "link" and theirs[0]["source_asset_type"] == "route"
    from_file = api(charlie_key).get(f"/assets/{public.pk}/connections").json()["data"]
    assert [c["source_id"] for c in from_file] == [str(csv_routes["stats"].pk)]


def test_download_urls_for_files_and_datasets(
    api, alice_key, alice, client, make_file, make_dataset
):
    file = make_file(alice, CSV, "people.csv")
    data = api(alice_key).post(f"/assets/{file.pk}/download-url").json()["data"]
    assert (data["file_name"], data["content_type"]) == ("people.csv", "text/csv")
    got = client.get(urlparse(data["download_url"]).path)
    assert b"".join(got.streaming_content) == CSV

    dataset = make_dataset(alice, [{"a": 1, "b": "x"}], name="Rows")
    data = api(alice_key).post(f"/assets/{dataset.pk}/download-url").json()["data"]
    assert data["file_name"] == "rows.csv"
    assert client.get(urlparse(data["download_url"]).path).content == b"a,b\r\n1,x\r\n"


def test_sharing_needs_admin_rights(
    api, alice_key, bob_key, charlie_key, bob, charlie, alice, make_file
):
    file = make_file(alice, CSV, "people.csv")
    share = {"permission": {"user": {"user_id": str(bob.pk)}, "role": "write"}}
    assert api(alice_key).put(f"/assets/{file.pk}/share", share).status_code == 200
    assert api(bob_key).get(f"/files/{file.pk}").status_code == 200
    reshare = {"permission": {"user": {"user_id": str(charlie.pk)}, "role": "read"}}
    assert api(bob_key).put(f"/assets/{file.pk}/share", reshare).status_code == 403
    bad = {"permission": {"user": {"user_id": str(charlie.pk)}, "role": "owner"}}
    assert api(alice_key).put(f"/assets/{file.pk}/share", bad).status_code == 400


def test_search_finds_visible_assets_by_text_type_and_extension(
    api, alice_key, charlie_key, alice, make_file, make_dataset
):
    make_file(alice, CSV, "people.csv", visibility="public")
    make_file(alice, png_bytes(), "portrait.png", visibility="public")
    make_file(alice, CSV, "secret people.csv")
    make_dataset(alice, [{"a": 1}], name="people rows", visibility="public")

    def search(key, **params):
        return names(api(key).get("/search/assets", QUERY_STRING=_qs(params)))

    assert sorted(search(charlie_key, query="people")) == ["people rows", "people.csv"]
    assert len(search(alice_key, query="people")) == 3
    assert search(
        charlie_key, filters='{"asset_type": "file"}', metadata_filters='{"extension": "png"}'
    ) == ["portrait.png"]
    assert search(charlie_key, metadata_filters='{"file_type": "image"}') == ["portrait.png"]


def _qs(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_search_scopes(api, alice_key, bob_key, alice, bob, acme, make_file):
    from apps.assets.services import Owner, asset_share_set, file_create

    make_file(alice, CSV, "alice own.csv")
    make_file(bob, CSV, "bob public.csv", visibility="public")
    shared = make_file(bob, CSV, "bob shared.csv")
    asset_share_set(asset=shared, user=alice, role="read")
    file_create(
        owner=Owner(user=bob, org=acme, team=acme.default_team),
        name="acme plan.csv",
        file_name="plan.csv",
        content=CSV,
        visibility="organization",
    )

    def search(key, scope, **headers):
        response = api(key).get("/search/assets", QUERY_STRING=_qs({"scope": scope}), **headers)
        assert response.status_code == 200, response.json()
        return sorted(names(response))

    everything = ["acme plan.csv", "alice own.csv", "bob public.csv", "bob shared.csv"]
    assert search(alice_key, "all") == search(alice_key, "global") == everything
    assert search(alice_key, "personal") == ["alice own.csv"]
    assert search(alice_key, "shared") == ["bob shared.csv"]
    assert search(alice_key, "purchased") == []
    # In the personal context "org" means the organizations the user belongs to; with
    # X-Ouro-Org, that organization alone.
    assert search(alice_key, "org") == ["acme plan.csv"]
    assert search(alice_key, "org", HTTP_X_OURO_ORG=str(acme.pk)) == ["acme plan.csv"]
    assert search(bob_key, "org") == ["acme plan.csv"]

    refused = api(alice_key).get("/search/assets", QUERY_STRING="scope=everywhere")
    assert refused.status_code == 400
    assert "scope must be one of" in refused.json()["error"]["message"]
