"""File and dataset pages, chaining links, and the route and action page fragments."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.services import personal_org
from apps.actions.models import Action, ActionAsset
from apps.assets.models import Dataset, File
from apps.routes.models import RouteAsset
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


class TestFilePages:
    def test_upload_from_the_page(self, client, alice):
        client.force_login(alice)
        upload = SimpleUploadedFile("people.csv", CSV, content_type="text/csv")
        response = client.post(
            "/files/new", {"file": upload, "name": "People", "visibility": "public"}
        )
        file = File.objects.get()
        assert response.status_code == 302 and response.url == f"/files/{file.pk}"
        assert (file.name, file.content_type, file.visibility) == ("People", "text/csv", "public")

    def test_the_upload_form_refuses_files_over_the_limit(self, client, alice, settings):
        settings.FILE_UPLOAD_MAX_BYTES = 1024
        client.force_login(alice)
        upload = SimpleUploadedFile("big.bin", b"x" * 2048)
        response = client.post("/files/new", {"file": upload})
        assert response.status_code == 400
        assert "larger than 1024 bytes" in text(response)
        assert not File.objects.exists()

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        assert client.get("/files/new").status_code == 302

    def test_a_csv_file_previews_as_a_table(self, client, alice, make_file):
        file = make_file(alice, CSV, "people.csv")
        client.force_login(alice)
        page = text(client.get(f"/files/{file.pk}"))
        assert "<th>height</th>" in page and "<td>1.7</td>" in page
        assert "/files/signed/" in page

    def test_an_image_previews_inline_and_json_as_text(self, client, alice, make_file):
        image = make_file(alice, png_bytes(), "dot.png")
        data = make_file(alice, b'{"a":[1,2]}', "data.json")
        client.force_login(alice)
        assert re.search(
            r'<img src="http[^"]+/files/signed/', text(client.get(f"/files/{image.pk}"))
        )
        assert "&quot;a&quot;: [" in text(client.get(f"/files/{data.pk}"))

    def test_html_files_are_never_rendered_as_markup(self, client, alice, make_file):
        file = make_file(alice, b"<script>alert(1)</script>", "x.html")
        client.force_login(alice)
        assert "<script>alert(1)</script>" not in text(client.get(f"/files/{file.pk}"))

    def test_a_csv_file_becomes_a_dataset(self, client, alice, make_file):
        file = make_file(alice, CSV, "people.csv")
        client.force_login(alice)
        assert "Make a dataset" in text(client.get(f"/files/{file.pk}"))
        response = client.post(f"/files/{file.pk}/to-dataset")
        dataset = Dataset.objects.get()
        assert response.url == f"/datasets/{dataset.pk}"
        assert (dataset.name, dataset.row_count) == ("people", 3)

    def test_private_files_are_hidden_from_others(self, client, alice, charlie, make_file):
        file = make_file(alice, CSV, "people.csv")
        client.force_login(charlie)
        assert client.get(f"/files/{file.pk}").status_code == 404
        assert "people.csv" not in text(client.get("/files"))
        client.force_login(alice)
        assert "people.csv" in text(client.get("/files"))

    def test_only_the_owner_deletes(self, client, alice, bob, make_file):
        file = make_file(alice, CSV, "people.csv", visibility="public")
        client.force_login(bob)
        assert client.post(f"/assets/{file.pk}/delete").status_code == 403
        client.force_login(alice)
        assert client.post(f"/assets/{file.pk}/delete").status_code == 302
        assert not File.objects.exists()


class TestDatasetPages:
    def test_create_from_a_csv_upload(self, client, alice):
        client.force_login(alice)
        upload = SimpleUploadedFile("people.csv", CSV, content_type="text/csv")
        response = client.post("/datasets/new", {"name": "People", "csv": upload})
        dataset = Dataset.objects.get()
        assert response.url == f"/datasets/{dataset.pk}"
        assert dataset.row_count == 3
        assert [c["type"] for c in dataset.columns] == ["text", "double precision", "bigint"]

    def test_create_from_json_rows_and_report_bad_rows(self, client, alice):
        client.force_login(alice)
        bad = client.post("/datasets/new", {"name": "x", "rows": "[1, 2]"})
        assert bad.status_code == 400 and "list of objects" in text(bad)
        client.post("/datasets/new", {"name": "Rows", "rows": '[{"a": 1}, {"a": 2}]'})
        assert Dataset.objects.get().row_count == 2

    def test_rows_are_paged_and_the_fragment_is_the_same_partial(self, client, alice, make_dataset):
        dataset = make_dataset(alice, [{"n": f"row-{i}"} for i in range(30)])
        client.force_login(alice)
        page = text(client.get(f"/datasets/{dataset.pk}"))
        assert "row-24" in page and "row-25" not in page and "?offset=25" in page
        assert "rows 1–25 of 30" in page
        fragment = client.get(
            f"/datasets/{dataset.pk}?offset=25&fragment=rows", headers={"HX-Request": "true"}
        )
        body = text(fragment)
        assert body.lstrip().startswith('<section class="card" id="rows">')
        assert "row-29" in body and "row-24" not in body
        assert "Download CSV" in page and "<code>n</code>" in page


class TestChaining:
    def test_use_in_another_route_links_to_the_bound_form(
        self, client, alice, csv_stats, make_file
    ):
        file = make_file(alice, CSV, "people.csv")
        client.force_login(alice)
        page = text(client.get(f"/files/{file.pk}"))
        link = f"/routes/alice/csv-stats?input_table={file.pk}"
        assert link in page

        form = text(client.get(link))
        assert re.search(rf'<option value="{file.pk}"\s+selected>', form)

    def test_the_use_fragment_searches_by_text(
        self, client, alice, csv_stats, make_route, make_file
    ):
        make_route("/other", name="Other table tool", inputs={"t": {"asset_type": "file"}})
        file = make_file(alice, CSV, "people.csv")
        client.force_login(alice)
        found = text(client.get(f"/assets/{file.pk}/use?query=weather"))
        assert "CSV stats" not in found
        found = text(client.get(f"/assets/{file.pk}/use?query=column"))
        assert "CSV stats" in found and "Other table tool" not in found

    def test_the_action_page_lists_outputs_with_their_next_routes(
        self, client, alice, bob, csv_stats, dataset_total, make_dataset
    ):
        org = personal_org()
        action = Action.objects.create(
            route=csv_stats, user=alice, org=org, team=org.default_team, status="success"
        )
        summary = make_dataset(alice, [{"count": 1}], name="Summary")
        ActionAsset.objects.create(action=action, asset=summary, role="output", name="summary")
        client.force_login(alice)
        page = text(client.get(f"/actions/{action.pk}"))
        assert f"/routes/alice/dataset-total?input_stats={summary.pk}" in page
        fragment = text(client.get(f"/assets/actions/{action.pk}/outputs"))
        assert "Summary" in fragment
        assert f"/routes/alice/dataset-total?input_stats={summary.pk}" in fragment
        client.force_login(bob)
        assert client.get(f"/assets/actions/{action.pk}/outputs").status_code == 404


class TestRelatedAssets:
    def test_the_owner_links_and_unlinks_assets(self, client, alice, csv_stats, make_file):
        file = make_file(alice, CSV, "example.csv", visibility="public")
        url = f"/assets/routes/{csv_stats.pk}/related"
        client.force_login(alice)
        route_page = text(client.get("/routes/alice/csv-stats"))
        assert "Related assets" in route_page and f'hx-post="{url}"' in route_page

        linked = client.post(url, {"asset_id": str(file.pk)}, headers={"HX-Request": "true"})
        assert linked.status_code == 200 and "example.csv" in text(linked)
        assert RouteAsset.objects.filter(route=csv_stats, asset=file).exists()

        unlinked = client.post(url, {"asset_id": str(file.pk), "unlink": "1"})
        assert unlinked.status_code == 302
        assert not RouteAsset.objects.exists()

    def test_others_see_only_what_they_may_and_cannot_change_links(
        self, client, alice, charlie, csv_stats, make_file
    ):
        public = make_file(alice, CSV, "shown.csv", visibility="public")
        private = make_file(alice, CSV, "hidden.csv")
        for asset in (public, private):
            RouteAsset.objects.create(route=csv_stats, asset=asset, added_by=alice)
        url = f"/assets/routes/{csv_stats.pk}/related"
        client.force_login(charlie)
        page = text(client.get(url))
        assert "shown.csv" in page and "hidden.csv" not in page and "Unlink" not in page
        assert client.post(url, {"asset_id": str(public.pk), "unlink": "1"}).status_code == 403

    def test_linking_an_unknown_asset_is_an_error(self, client, alice, csv_stats):
        client.force_login(alice)
        response = client.post(
            f"/assets/routes/{csv_stats.pk}/related",
            {"asset_id": "nope"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 400 and "No asset with that id" in text(response)
