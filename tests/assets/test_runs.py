"""Runs against a real upstream that fetches its inputs from their signed URLs."""

import pytest

from apps.actions.models import Action, ActionAsset
from apps.actions.services import route_run
from apps.assets.models import Dataset, File
from apps.assets.services import file_read
from apps.posts.models import Post
from apps.posts.services import post_create
from apps.routes.schema_form import FormInputError
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def run(route, user, **input_assets) -> Action:
    return route_run(route=route, user=user, inputs={"body": {}, "input_assets": input_assets})


def outputs(action) -> dict:
    return {
        link.name: link
        for link in ActionAsset.objects.filter(action=action, role="output").select_related("asset")
    }


def test_a_csv_file_in_gives_a_dataset_out(live_site, csv_stats, bob, make_file, received):
    file = make_file(bob, CSV, "people.csv")
    action = run(csv_stats, bob, table=str(file.pk))

    assert action.status == "success", action.error_message
    [call] = received()
    assert call["fetched"]["table"] == 200
    assert call["body"]["table"]["type"] == "text/csv"
    summary = Dataset.objects.get(pk=outputs(action)["summary"].asset_id)
    assert summary.user == bob
    rows = list(summary.rows.values_list("data", flat=True))
    assert {r["column"] for r in rows} == {"height", "weight"}
    assert action.response["summary"]["id"] == str(summary.pk)
    inputs = ActionAsset.objects.filter(action=action, role="input")
    assert [(i.name, i.asset_id) for i in inputs] == [("table", file.pk)]


def test_an_image_in_gives_a_post_out(live_site, image_info, alice, make_file, received):
    image = make_file(alice, png_bytes(5, 7), "dot.png")
    action = run(image_info, alice, image=str(image.pk))

    assert action.status == "success", action.error_message
    assert (action.response["width"], action.response["height"]) == (5, 7)
    assert received()[0]["fetched"]["image"] == 200
    post = Post.objects.get(pk=outputs(action)["report"].asset_id)
    assert post.user == alice and "5×7 PNG" in post.content_text


def test_a_dataset_in_gives_a_file_out(live_site, dataset_total, alice, make_dataset):
    dataset = make_dataset(alice, [{"count": 4}, {"count": 6}])
    action = run(dataset_total, alice, stats=str(dataset.pk))

    assert action.status == "success", action.error_message
    assert action.response["total"] == 10
    note = File.objects.get(pk=outputs(action)["note"].asset_id)
    assert file_read(file=note) == b"2 rows, total count 10"
    assert (note.content_type, note.extension) == ("text/plain", "txt")
    assert "base64" not in action.response["note"]
    assert "base64" not in str(Action.objects.get(pk=action.pk).response)


def test_a_post_in(live_site, post_words, alice, personal, received):
    post = post_create(
        user=alice, org=personal, team=personal.default_team, name="N", content="one two three"
    )
    action = run(post_words, alice, note=str(post.pk))
    assert action.status == "success", action.error_message
    assert action.response == {"words": 3}
    assert received()[0]["body"]["note"]["name"] == "N"


@pytest.mark.parametrize(
    ("route_name", "file_name", "content", "message"),
    [
        ("image_info", "paper.pdf", b"%PDF-1.4 x", "expects a image file"),
        ("csv_stats", "table.tsv", b"a\tb\n1\t2\n", "expects a file ending in .csv"),
    ],
)
def test_a_mismatch_fails_before_the_upstream_is_called(
    request, live_site, alice, make_file, received, route_name, file_name, content, message
):
    route = request.getfixturevalue(route_name)
    name = next(iter(route.input_assets))
    file = make_file(alice, content, file_name)
    with pytest.raises(FormInputError) as caught:
        run(route, alice, **{name: str(file.pk)})
    assert message in caught.value.errors[f"input_assets.{name}"]
    assert received() == []
    assert not Action.objects.exists()


def test_a_wrong_asset_type_fails_before_the_upstream_is_called(
    live_site, csv_stats, alice, make_dataset, received
):
    dataset = make_dataset(alice, [{"a": 1}])
    with pytest.raises(FormInputError) as caught:
        run(csv_stats, alice, table=str(dataset.pk))
    assert "not a dataset" in caught.value.errors["input_assets.table"]
    assert received() == []


def test_a_reader_without_permission_is_refused(
    live_site, csv_stats, alice, charlie, make_file, received
):
    file = make_file(alice, CSV, "secret.csv")
    with pytest.raises(FormInputError) as caught:
        run(csv_stats, charlie, table=str(file.pk))
    assert "that you may read" in caught.value.errors["input_assets.table"]
    assert received() == []


def test_a_two_step_chain(live_site, csv_stats, dataset_total, bob, make_file, received):
    """file -> CSV stats -> dataset -> Dataset total -> file."""
    file = make_file(bob, CSV, "people.csv")
    first = run(csv_stats, bob, table=str(file.pk))
    summary_id = outputs(first)["summary"].asset_id

    second = run(dataset_total, bob, stats=str(summary_id))

    assert second.status == "success", second.error_message
    assert second.response["total"] == 6  # two numeric columns of three rows
    assert received()[1]["body"]["stats"]["id"] == str(summary_id)
    link = ActionAsset.objects.get(action=second, role="input")
    assert (link.name, link.asset_id) == ("stats", summary_id)
