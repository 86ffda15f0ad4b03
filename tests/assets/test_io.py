"""Input resolution and injection, and output storage, without running an upstream."""

import base64
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.accounts.services import personal_org
from apps.actions.models import Action, ActionAsset, ActionLog
from apps.actions.outputs import output_assets_store
from apps.assets.io import (
    InputAssetError,
    input_assets_inject,
    input_assets_resolve,
)
from apps.assets.models import AssetShare, Dataset, File, FileUpload
from apps.assets.services import file_upload_store, file_uploads_prune, signed_download_load
from apps.posts.models import Post
from apps.posts.services import post_create
from tests.assets.conftest import CSV, png_bytes


def make_action(route, user, **metadata) -> Action:
    org = personal_org()
    return Action.objects.create(
        route=route, user=user, org=org, team=org.default_team, metadata=metadata
    )


class TestResolve:
    def test_a_file_resolves_to_metadata_and_a_signed_url(self, csv_stats, alice, make_file):
        file = make_file(alice, CSV, "people.csv")
        [item] = input_assets_resolve(route=csv_stats, user=alice, requested={"table": file.pk})
        assert item.name == "table" and item.is_primary
        payload = item.payload
        assert payload["id"] == str(file.pk)
        assert (payload["type"], payload["extension"], payload["size"]) == (
            "text/csv",
            "csv",
            len(CSV),
        )
        assert payload["url"].startswith("http")
        assert signed_download_load(payload["url"].rsplit("/", 1)[1]) == ("asset", file.pk, "")

    def test_a_dataset_resolves_to_its_rows(self, dataset_total, alice, make_dataset):
        dataset = make_dataset(alice, [{"count": 2}, {"count": 3}])
        [item] = input_assets_resolve(
            route=dataset_total, user=alice, requested={"stats": {"assetId": str(dataset.pk)}}
        )
        assert item.payload == {
            "id": str(dataset.pk),
            "name": "rows",
            "description": "",
            "metadata": {
                "table_name": f"dataset_{dataset.pk.hex}",
                "schema": "datasets",
                "columns": ["count"],
                "table_size": 2,
            },
            "data": [{"count": 2}, {"count": 3}],
        }

    def test_a_post_resolves_to_its_content(self, post_words, alice):
        org = personal_org()
        post = post_create(
            user=alice, org=org, team=org.default_team, name="Note", content="three small words"
        )
        [item] = input_assets_resolve(route=post_words, user=alice, requested={"note": post.pk})
        assert item.payload["content"]["text"].strip() == "three small words"
        assert item.payload["content"]["json"]["type"] == "doc"

    def test_a_wrong_asset_type_is_refused(self, csv_stats, alice, make_dataset):
        dataset = make_dataset(alice, [{"a": 1}])
        with pytest.raises(InputAssetError) as caught:
            input_assets_resolve(route=csv_stats, user=alice, requested={"table": dataset.pk})
        assert caught.value.name == "table"
        assert "file" in caught.value.message and "dataset" in caught.value.message

    def test_a_wrong_filter_is_refused(self, image_info, alice, make_file):
        pdf = make_file(alice, b"%PDF-1.4 x", "paper.pdf")
        with pytest.raises(InputAssetError, match="image: expects a image file"):
            input_assets_resolve(route=image_info, user=alice, requested={"image": pdf.pk})

    def test_a_wrong_extension_is_refused(self, csv_stats, alice, make_file):
        text = make_file(alice, b"a,b\n1,2\n", "table.txt")
        with pytest.raises(InputAssetError, match=r"table: expects a file ending in \.csv"):
            input_assets_resolve(route=csv_stats, user=alice, requested={"table": text.pk})

    def test_an_asset_the_caller_may_not_read_is_refused(self, csv_stats, alice, bob, make_file):
        file = make_file(alice, CSV, "private.csv")
        with pytest.raises(InputAssetError, match="that you may read"):
            input_assets_resolve(route=csv_stats, user=bob, requested={"table": file.pk})
        AssetShare.objects.create(asset=file, user=bob, role="read")
        assert input_assets_resolve(route=csv_stats, user=bob, requested={"table": file.pk})

    def test_undeclared_and_missing_inputs_are_refused(self, csv_stats, alice, make_file):
        file = make_file(alice, CSV, "people.csv")
        with pytest.raises(InputAssetError, match="declares no such input"):
            input_assets_resolve(route=csv_stats, user=alice, requested={"other": file.pk})
        with pytest.raises(InputAssetError, match="required"):
            input_assets_resolve(route=csv_stats, user=alice, requested={})
        with pytest.raises(InputAssetError, match="not an asset id"):
            input_assets_resolve(route=csv_stats, user=alice, requested={"table": "nope"})

    def test_injection_places_each_payload_at_its_key(self, csv_stats, alice, make_file):
        file = make_file(alice, CSV, "people.csv")
        resolved = input_assets_resolve(route=csv_stats, user=alice, requested={"table": file.pk})
        body = input_assets_inject(body={"keep": 1}, resolved=resolved)
        assert body["keep"] == 1 and body["table"]["id"] == str(file.pk)


class TestOutputs:
    def test_declared_outputs_become_assets_of_the_caller(self, make_route, alice, bob):
        route = make_route(
            "/x",
            outputs={
                "chart": {"asset_type": "file", "primary": True},
                "table": {"asset_type": "dataset"},
                "report": {"asset_type": "post"},
            },
        )
        action = make_action(route, bob)
        png = png_bytes()
        response = {
            "title": "t",
            "chart": {
                "name": "Chart",
                "filename": "c.png",
                "base64": base64.b64encode(png).decode(),
            },
            "table": {"name": "Table", "data": [{"a": 1}, {"a": 2}]},
            "report": {"name": "Report", "content": {"text": "# Hi"}},
        }
        stored = output_assets_store(action=action, response=response)

        links = {link.name: link for link in ActionAsset.objects.filter(action=action)}
        assert set(links) == {"chart", "table", "report"}
        assert all(link.role == "output" for link in links.values())
        assert links["chart"].is_primary and not links["table"].is_primary
        file = File.objects.get(pk=links["chart"].asset_id)
        assert (file.user, file.content_type, file.size) == (bob, "image/png", len(png))
        assert default_storage.open(file.storage_path).read() == png
        dataset = Dataset.objects.get(pk=links["table"].asset_id)
        assert (dataset.user, dataset.row_count) == (bob, 2)
        post = Post.objects.get(pk=links["report"].asset_id)
        assert post.user == bob and "Hi" in post.content_text

        assert "base64" not in stored["chart"]
        assert stored["chart"]["id"] == str(file.pk)
        assert stored["table"]["id"] == str(dataset.pk) and "data" not in stored["table"]
        assert stored["title"] == "t"

    def test_storing_twice_creates_nothing_new(self, dataset_total, alice, make_dataset):
        action = make_action(dataset_total, alice)
        response = {"note": {"name": "n", "filename": "n.txt", "base64": "aGk="}}
        first = output_assets_store(action=action, response=response)
        second = output_assets_store(action=action, response=response)
        assert first == second
        assert File.objects.count() == 1

    def test_a_broken_output_is_logged_and_kept_out(self, dataset_total, alice):
        action = make_action(dataset_total, alice)
        stored = output_assets_store(
            action=action, response={"note": {"name": "n", "base64": "%%%"}}
        )
        assert stored == {"note": {"name": "n"}}
        assert not ActionAsset.objects.filter(action=action).exists()
        assert "not stored" in ActionLog.objects.get(action=action).message

    def test_outputs_follow_the_requested_visibility(self, dataset_total, alice):
        action = make_action(dataset_total, alice, output={"visibility": "public"})
        output_assets_store(action=action, response={"note": {"name": "n", "base64": "aGk="}})
        assert File.objects.get().visibility == "public"

    def test_undeclared_keys_are_left_alone(self, make_route, alice):
        action = make_action(make_route("/y"), alice)
        response = {"chart": {"base64": "aGk="}}
        assert output_assets_store(action=action, response=response) is response


def test_stale_uploads_are_pruned(alice):
    old = file_upload_store(user=alice, file_name="old.csv", content=CSV)
    fresh = file_upload_store(user=alice, file_name="new.csv", content=CSV)
    FileUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))

    assert file_uploads_prune() == 1
    assert list(FileUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not default_storage.exists(old.storage_path)
