"""The official ouro-py client against the live server: files, datasets and assets in runs."""

from pathlib import Path

import httpx
import pytest

from apps.assets.models import Dataset, File
from apps.posts.models import Post
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


def test_files_create_retrieve_and_fetch_the_bytes(ouro, alice):
    created = ouro.files.create(
        name="People", visibility="private", file_content=CSV, file_name="people.csv"
    )
    assert created.metadata.type == "text/csv"
    assert created.metadata.extension == "csv"
    assert File.objects.get(pk=created.id).user == alice

    fetched = ouro.files.retrieve(str(created.id))
    answer = httpx.get(fetched.data.url, follow_redirects=False)
    assert answer.status_code == 200
    assert answer.content == CSV


def test_files_update_and_direct_upload(ouro):
    file = ouro.files.create(
        name="Dot", visibility="private", file_content=png_bytes(), file_name="dot.png"
    )
    updated = ouro.files.update(str(file.id), file_content=CSV, file_name="people.csv")
    assert updated.metadata.type == "text/csv"

    reserved = ouro.files.create_upload_url("dot.png", content_type="image/png")
    put = httpx.put(reserved["upload_url"], content=png_bytes(), headers=reserved["headers"])
    assert put.status_code == 200
    direct = ouro.files.create(name="Direct", visibility="private", upload_id=reserved["upload_id"])
    assert direct.metadata.type == "image/png"


def test_datasets_create_and_read(ouro):
    dataset = ouro.datasets.create(
        name="Scores", visibility="private", data=[{"name": "a", "score": 1.5}]
    )
    assert dataset.row_ingest.inserted == 1
    assert ouro.datasets.stats(str(dataset.id)).count == 1
    assert [c.name for c in ouro.datasets.schema(str(dataset.id))] == ["name", "score"]
    assert ouro.datasets.list_rows(str(dataset.id)).data == [{"name": "a", "score": 1.5}]


def test_a_route_run_with_a_file_input_and_a_dataset_output(ouro, csv_stats, received):
    file = ouro.files.create(
        name="People", visibility="private", file_content=CSV, file_name="people.csv"
    )
    action = ouro.routes.execute(str(csv_stats.pk), input_assets={"table": str(file.id)})

    assert action.status == "success"
    [call] = received()
    assert call["fetched"]["table"] == 200
    assert call["body"]["table"]["id"] == str(file.id)
    summary = Dataset.objects.get(user__username="alice", name="Column stats")
    assert action.final_data["summary"]["id"] == str(summary.pk)
    assert action.final_data["rows"] == 3

    used = ouro.assets.actions(str(file.id), role="input")
    assert [str(a.id) for a in used.as_input] == [str(action.id)]
    made = ouro.assets.actions(str(summary.pk), role="output")
    assert str(made.created_by.id) == str(action.id)

    compatible = ouro.assets.compatible_routes(str(file.id))
    assert [str(r.id) for r in compatible] == [str(csv_stats.pk)]


def test_a_post_created_from_a_declared_output(ouro, image_info, received):
    image = ouro.files.create(
        name="Dot", visibility="private", file_content=png_bytes(6, 2), file_name="dot.png"
    )
    action = ouro.routes.execute(str(image_info.pk), input_assets={"image": str(image.id)})

    assert action.status == "success"
    report = action.final_data["report"]
    assert report["asset_type"] == "post"
    post = Post.objects.get(pk=report["id"])
    assert "6×2 PNG" in post.content_text
    assert received()[0]["fetched"]["image"] == 200


def test_a_mismatched_input_is_refused_before_the_upstream(ouro, image_info, received):
    pdf = ouro.files.create(
        name="Paper", visibility="private", file_content=b"%PDF-1.4 x", file_name="paper.pdf"
    )
    with pytest.raises(Exception, match="image"):
        ouro.routes.execute(str(image_info.pk), input_assets={"image": str(pdf.id)})
    assert received() == []


def test_replace_bytes_from_a_direct_upload_and_download_links(ouro):
    file = ouro.files.create(
        name="People", visibility="public", file_content=CSV, file_name="people.csv"
    )
    reserved = ouro.files.create_upload_url("dot.png", content_type="image/png")
    httpx.put(reserved["upload_url"], content=png_bytes(), headers=reserved["headers"])
    updated = ouro.files.update(str(file.id), upload_id=reserved["upload_id"])
    assert updated.metadata.type == "image/png"

    link = ouro.assets.create_download_url(str(file.id))
    answer = httpx.get(link["download_url"], follow_redirects=False)
    assert (answer.status_code, answer.content) == (200, png_bytes())


def test_search_files_by_extension(ouro):
    ouro.files.create(name="People", visibility="public", file_content=CSV, file_name="p.csv")
    ouro.files.create(name="Dot", visibility="public", file_content=png_bytes(), file_name="d.png")
    found = ouro.files.search(extension="png")
    assert [f.name for f in found] == ["Dot"]
    assert {a.name for a in ouro.assets.search("people")} == {"People"}


def test_assets_download_through_the_client(ouro, ouro_client, bob_key, tmp_path):
    from ouro import NotFoundError

    rows = [{"name": "a", "score": 1}, {"name": "b", "score": 2}]
    dataset = ouro.datasets.create(name="Scores", visibility="private", data=rows)
    saved = ouro.assets.download(str(dataset.id), output_path=str(tmp_path))
    assert saved.content_type.startswith("text/csv")
    assert Path(saved.path).read_text().splitlines() == ["name,score", "a,1", "b,2"]
    file = ouro.files.create(
        name="People", visibility="private", file_content=CSV, file_name="people.csv"
    )
    saved = ouro.assets.download(str(file.id), output_path=str(tmp_path))
    assert saved.filename == "people.csv" and Path(saved.path).read_bytes() == CSV
    post = ouro.posts.create(name="Note", content="# Hello\n\nWorld", visibility="private")
    saved = ouro.assets.download(str(post.id), output_path=str(tmp_path / "note.md"))
    assert "# Hello" in Path(saved.path).read_text()
    with pytest.raises(NotFoundError):
        ouro_client(bob_key).assets.download(str(dataset.id), output_path=str(tmp_path))
    assert ouro.datasets.list_indexes(str(dataset.id)) == []
    assert ouro.datasets.query(str(dataset.id)).to_dict("records") == rows
    frame = ouro.datasets.query(str(dataset.id), "SELECT * FROM {{table}} WHERE score > 1")
    assert frame.to_dict("records") == rows[1:]
