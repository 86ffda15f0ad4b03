"""Lineage: how an asset came to be and where it was used, limited to what the viewer may see."""

import pytest

from apps.accounts.services import personal_org
from apps.actions.models import Action, ActionAsset
from apps.actions.selectors import asset_lineage
from tests.assets.conftest import CSV

pytestmark = pytest.mark.django_db


def make_action(route, user, *, inputs, outputs) -> Action:
    org = personal_org()
    action = Action.objects.create(
        route=route, user=user, org=org, team=org.default_team, status="success"
    )
    for role, assets in (("input", inputs), ("output", outputs)):
        for name, asset in assets.items():
            ActionAsset.objects.create(action=action, asset_id=asset.pk, role=role, name=name)
    return action


@pytest.fixture
def chain(alice, bob, csv_stats, dataset_total, make_file, make_dataset):
    """alice's private CSV -> (alice) CSV stats -> public dataset -> (bob) total -> bob's file."""
    source = make_file(alice, CSV, "alice-secret.csv")
    summary = make_dataset(alice, [{"count": 3}], name="Summary", visibility="public")
    first = make_action(csv_stats, alice, inputs={"table": source}, outputs={"summary": summary})
    note = make_file(bob, b"total 3", "bobs-note.txt")
    second = make_action(dataset_total, bob, inputs={"stats": summary}, outputs={"note": note})
    return {"source": source, "summary": summary, "note": note, "first": first, "second": second}


def test_the_owner_sees_the_whole_story_of_their_assets(alice, chain):
    lineage = asset_lineage(asset=chain["summary"], user=alice)
    [made_by] = lineage["sources"]
    assert made_by["action"] == chain["first"]
    assert made_by["route"].name == "CSV stats"
    assert [a.pk for a in made_by["inputs"]] == [chain["source"].pk]
    [used_by] = lineage["uses"]
    # alice owns the route, so she sees bob's run, but not bob's private output.
    assert used_by["action"] == chain["second"]
    assert (used_by["outputs"], used_by["hidden"]) == ([], 1)


def test_outsiders_see_routes_but_no_private_assets_or_runs(charlie, chain):
    lineage = asset_lineage(asset=chain["summary"], user=charlie)
    [made_by] = lineage["sources"]
    assert made_by["action"] is None
    assert made_by["route"].name == "CSV stats"
    assert (made_by["inputs"], made_by["hidden"]) == ([], 1)
    [used_by] = lineage["uses"]
    assert (used_by["action"], used_by["outputs"], used_by["hidden"]) == (None, [], 1)


def test_lineage_goes_back_through_several_steps(bob, chain):
    lineage = asset_lineage(asset=chain["note"], user=bob)
    [made_by] = lineage["sources"]
    assert [a.pk for a in made_by["inputs"]] == [chain["summary"].pk]
    [earlier] = made_by["next"]
    assert earlier["route"].name == "CSV stats"
    assert (earlier["inputs"], earlier["hidden"]) == ([], 1)


def test_the_lineage_api_lists_only_visible_sources(api, alice_key, charlie_key, chain):
    mine = api(alice_key).get(f"/assets/{chain['summary'].pk}/lineage").json()["data"]
    assert [s["name"] for s in mine["sources"]] == ["alice-secret.csv"]
    assert mine["asset"]["run"]["action_id"] == str(chain["first"].pk)
    theirs = api(charlie_key).get(f"/assets/{chain['summary'].pk}/lineage").json()["data"]
    assert theirs["sources"] == [] and theirs["derived"] == []
    assert theirs["asset"]["run"] is None


def test_the_dataset_page_draws_the_lineage_for_each_viewer(client, alice, charlie, chain):
    url = f"/datasets/{chain['summary'].pk}"
    client.force_login(charlie)
    page = client.get(url).content.decode()
    assert "CSV stats" in page and "Dataset total" in page
    assert "alice-secret.csv" not in page and "bobs-note.txt" not in page
    assert "1 you may not see" in page
    client.force_login(alice)
    assert "alice-secret.csv" in client.get(url).content.decode()
