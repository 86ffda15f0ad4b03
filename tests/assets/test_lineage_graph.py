"""The lineage graph page: every hop upstream and downstream, drawn as SVG, per viewer."""

import re

import pytest

from apps.actions.models import ActionAsset
from apps.actions.services import route_run
from tests.assets.conftest import CSV

pytestmark = pytest.mark.django_db(transaction=True)


def run(route, user, **input_assets):
    action = route_run(route=route, user=user, inputs={"body": {}, "input_assets": input_assets})
    assert action.status == "success", action.error_message
    return action


def output(action, name: str):
    return ActionAsset.objects.get(action=action, role="output", name=name).asset


def node_links(html: str) -> set[str]:
    return set(re.findall(r'<a href="([^"]+)" class="lineage-node', html))


@pytest.fixture
def chain(live_site, alice, csv_stats, dataset_total, make_file):
    """A CSV -> CSV stats -> a dataset -> Dataset total -> a note, by real runs on loopback."""
    source = make_file(alice, CSV, "prices.csv")
    first = run(csv_stats, alice, table=str(source.pk))
    summary = output(first, "summary")
    second = run(dataset_total, alice, stats=str(summary.pk))
    note = output(second, "note")
    return {"source": source, "first": first, "summary": summary, "second": second, "note": note}


def test_the_graph_of_a_run_reaches_every_hop_both_ways(client, alice, chain):
    client.force_login(alice)
    response = client.get(f"/actions/{chain['first'].pk}/lineage")
    html = response.content.decode()
    assert response.status_code == 200
    assert node_links(html) == {
        f"/files/{chain['source'].pk}",
        f"/actions/{chain['first'].pk}",
        f"/datasets/{chain['summary'].pk}",
        f"/actions/{chain['second'].pk}",
        f"/files/{chain['note'].pk}",
    }
    assert html.count('class="lineage-edge"') == 4
    assert "lineage-node kind-run root" in html
    # Left to right in the order things happened: the source first, the note last.
    xs = {
        url: int(x)
        for url, x in re.findall(
            r'<a href="([^"]+)" class="lineage-node[^"]*">\s*<title>[^<]*</title>\s*<rect x="(\d+)"',
            html,
        )
    }
    assert xs[f"/files/{chain['source'].pk}"] < xs[f"/actions/{chain['first'].pk}"]
    assert xs[f"/actions/{chain['first'].pk}"] < xs[f"/datasets/{chain['summary'].pk}"]
    assert xs[f"/datasets/{chain['summary'].pk}"] < xs[f"/files/{chain['note'].pk}"]


def test_the_graph_of_the_last_asset_goes_all_the_way_back(client, alice, chain):
    client.force_login(alice)
    html = client.get(f"/assets/{chain['note'].pk}/lineage").content.decode()
    assert f"/files/{chain['source'].pk}" in node_links(html)
    assert "lineage-node kind-file root" in html


def test_a_reader_sees_only_what_they_may_see(client, alice, bob, chain):
    chain["summary"].visibility = "public"
    chain["summary"].save(update_fields=["visibility"])
    client.force_login(bob)
    html = client.get(f"/assets/{chain['summary'].pk}/lineage").content.decode()
    # Bob may see the public dataset, but neither alice's runs nor her private files.
    assert node_links(html) == set()
    assert "Nothing yet" in html and "2 runs or assets you may not see are left out" in html
    assert client.get(f"/actions/{chain['first'].pk}/lineage").status_code == 404
    assert client.get(f"/assets/{chain['source'].pk}/lineage").status_code == 404


def test_the_asset_and_action_pages_link_to_the_graph(client, alice, chain):
    client.force_login(alice)
    page = client.get(f"/datasets/{chain['summary'].pk}").content.decode()
    assert f'href="/assets/{chain["summary"].pk}/lineage"' in page
    page = client.get(f"/actions/{chain['first'].pk}").content.decode()
    assert f'href="/actions/{chain["first"].pk}/lineage"' in page


def test_labels_from_users_are_escaped(live_site, client, alice, make_file, csv_stats):
    source = make_file(alice, CSV, "x.csv", name='<script>alert("x")</script>')
    first = run(csv_stats, alice, table=str(source.pk))
    client.force_login(alice)
    html = client.get(f"/actions/{first.pk}/lineage").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
