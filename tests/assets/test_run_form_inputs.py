"""The run form's input assets: a picker of the caller's compatible assets plus an upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import PERSONAL_ORG_ID
from apps.actions.models import Action, ActionAsset, Status
from apps.assets.models import File
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def form_page(client, route) -> str:
    return client.get(f"/routes/{route.entity_name}/{route.slug}").content.decode()


def run_url(route) -> str:
    return f"/routes/{route.entity_name}/{route.slug}/run"


@pytest.fixture
def png_route(make_route):
    return make_route(
        "/png",
        name="Png tool",
        inputs={"image": {"asset_type": "file", "input_filter": "image", "file_extensions": "png"}},
    )


def test_the_picker_offers_only_compatible_files_the_caller_may_see(
    client, alice, bob, png_route, make_file
):
    mine = make_file(alice, png_bytes(), "dot.png")
    csv = make_file(alice, CSV, "people.csv", visibility="public")
    # Named .png but text: the extension passes, the image filter does not.
    fake = make_file(alice, b"not an image", "fake.png")
    others = make_file(bob, png_bytes(), "bobs.png")
    public = make_file(bob, png_bytes(), "shared.png", visibility="public")
    client.force_login(alice)

    html = form_page(client, png_route)

    assert f'<option value="{mine.pk}"' in html and f'<option value="{public.pk}"' in html
    assert html.index(str(public.pk)) < html.index(str(mine.pk))  # newest first
    for left_out in (csv, fake, others):
        assert str(left_out.pk) not in html
    assert 'name="upload.image" accept=".png"' in html
    assert "You have no" not in html


def test_a_declaration_of_several_types_offers_each(
    client, alice, make_route, make_file, make_dataset
):
    route = make_route(
        "/table", inputs={"table": {"asset_types": ["file", "dataset"], "file_extensions": ["csv"]}}
    )
    table = make_file(alice, CSV, "people.csv")
    image = make_file(alice, png_bytes(), "dot.png")
    dataset = make_dataset(alice, [{"n": 1}])
    client.force_login(alice)

    html = form_page(client, route)

    assert str(table.pk) in html and str(dataset.pk) in html
    assert str(image.pk) not in html


def test_with_nothing_compatible_the_help_says_what_is_expected(
    client, alice, png_route, make_file, make_route
):
    make_file(alice, CSV, "people.csv")
    client.force_login(alice)
    assert "You have no image files ending in .png to use yet." in form_page(client, png_route)
    datasets = make_route("/rows", inputs={"rows": {"asset_type": "dataset"}})
    html = form_page(client, datasets)
    assert "You have no datasets to use yet." in html
    assert 'type="file"' not in html  # only file inputs take an upload


def test_an_uploaded_file_becomes_the_callers_file_and_the_actions_input(
    client, alice, csv_stats, make_file, django_capture_on_commit_callbacks
):
    older = make_file(alice, CSV, "older.csv")
    client.force_login(alice)
    upload = SimpleUploadedFile("people.csv", CSV, content_type="text/csv")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            run_url(csv_stats),
            {"input_assets.table": str(older.pk), "upload.table": upload},
            headers=HTMX,
        )

    file = File.objects.exclude(pk=older.pk).get()
    assert (file.user, file.org_id, file.visibility) == (alice, PERSONAL_ORG_ID, "private")
    assert (file.name, file.content_type, file.source) == ("people.csv", "text/csv", "web")
    action = Action.objects.get()
    assert action.status == Status.QUEUED and action.user == alice
    assert action.metadata["input_assets"] == {"table": str(file.pk)}
    link = ActionAsset.objects.get(action=action)
    assert (link.role, link.name, link.asset_id) == ("input", "table", file.pk)
    assert f'id="action-{action.pk}"' in response.content.decode()


def test_an_oversized_upload_is_refused_on_its_field_and_nothing_runs(
    client, alice, csv_stats, make_file, settings
):
    settings.FILE_UPLOAD_MAX_BYTES = 1024
    chosen = make_file(alice, CSV, "people.csv")
    client.force_login(alice)
    upload = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 600, content_type="text/csv")

    response = client.post(
        run_url(csv_stats),
        {"input_assets.table": str(chosen.pk), "upload.table": upload},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="field-error">The file is 2404 bytes; the limit is 1024 bytes</div>' in html
    assert not Action.objects.exists()
    assert list(File.objects.all()) == [chosen]


def test_an_upload_of_the_wrong_kind_is_kept_and_reported_on_its_field(client, alice, csv_stats):
    client.force_login(alice)
    upload = SimpleUploadedFile("dot.png", png_bytes(), content_type="image/png")

    response = client.post(run_url(csv_stats), {"upload.table": upload})

    assert response.status_code == 400
    assert "expects a file ending in .csv, not .png" in response.content.decode()
    assert not Action.objects.exists()
    assert File.objects.get().user == alice
