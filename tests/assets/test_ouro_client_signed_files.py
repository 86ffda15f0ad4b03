"""The official client against the live server: signed uploads as it keeps them, the download
formats it offers, a route found from its slug, and a run whose input asset is the whole body."""

from pathlib import Path

import httpx
import pytest
from ouro import BadRequestError, NotFoundError

from apps.actions.models import ActionAsset
from apps.assets.models import File, FileUpload
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


@pytest.fixture
def bob_ouro(ouro_client, bob_key):
    return ouro_client(bob_key)


def signed_upload(ouro, file_name: str, content: bytes, content_type: str) -> dict:
    reserved = ouro.files.create_upload_url(file_name, content_type=content_type)
    put = httpx.put(reserved["upload_url"], content=content, headers=reserved["headers"])
    assert put.status_code == 200
    return reserved


def test_a_signed_upload_is_named_by_its_bucket_and_path(ouro):
    reserved = ouro.files.create_upload_url("fe.cif", content_type="chemical/x-cif")
    assert reserved["upload_id"] == f"{reserved['bucket']}/{reserved['path']}"
    assert reserved["upload_id"].endswith("/fe.cif")
    assert reserved["headers"] == {"content-type": "chemical/x-cif"}
    assert (reserved["method"], reserved["mime_type"]) == ("PUT", "chemical/x-cif")

    httpx.put(reserved["upload_url"], content=b"data_fe\n", headers=reserved["headers"])
    file = ouro.files.create(name="Iron", visibility="private", upload_id=reserved["upload_id"])
    assert (file.metadata.name, file.metadata.size) == ("fe.cif", 8)
    answer = httpx.get(ouro.files.retrieve(str(file.id)).data.url)
    assert answer.content == b"data_fe\n"
    assert not FileUpload.objects.exists()


def test_updating_from_a_signed_upload_keeps_the_storage_path(ouro):
    first = signed_upload(ouro, "fe.cif", b"data_fe\n_cell 1\n", "chemical/x-cif")
    file = ouro.files.create(name="Iron", visibility="private", upload_id=first["upload_id"])
    path = File.objects.get(pk=file.id).storage_path
    assert path.endswith("/fe.cif")

    second = signed_upload(ouro, "fe.cif", b"data_fe\n_cell 2\n", "chemical/x-cif")
    updated = ouro.files.update(str(file.id), upload_id=second["upload_id"])
    stored = File.objects.get(pk=file.id)
    assert stored.storage_path == path
    assert updated.metadata.path == path and updated.metadata.size == 16
    assert httpx.get(ouro.files.read_data(str(file.id)).url).content == b"data_fe\n_cell 2\n"

    replaced = ouro.files.update(
        str(file.id), file_content=b"data_fe\n_cell 3\n", file_name="fe.cif"
    )
    assert File.objects.get(pk=file.id).storage_path == path
    assert replaced.metadata.size == 16
    assert httpx.get(ouro.files.read_data(str(file.id)).url).content == b"data_fe\n_cell 3\n"


def test_an_unknown_or_never_uploaded_id_is_not_found(ouro, bob_ouro):
    reserved = ouro.files.create_upload_url("dot.png", content_type="image/png")
    with pytest.raises(NotFoundError, match="Nothing was uploaded"):
        ouro.files.create(name="Dot", visibility="private", upload_id=reserved["upload_id"])
    with pytest.raises(NotFoundError, match="Nothing was uploaded"):
        ouro.files.read_upload(reserved["upload_id"])
    with pytest.raises(NotFoundError):
        ouro.files.create(
            name="Dot",
            visibility="private",
            upload_id="files/files/3f0c7a52-7a43-4f3e-9a39-0d7d2b8e2a11/dot.png",
        )
    httpx.put(reserved["upload_url"], content=png_bytes(), headers=reserved["headers"])
    with pytest.raises(NotFoundError):  # someone else's upload is as good as none
        bob_ouro.files.create(name="Dot", visibility="private", upload_id=reserved["upload_id"])
    assert ouro.files.read_upload(reserved["upload_id"], discard=False) == png_bytes()
    ouro.files.discard_upload(reserved["upload_id"])
    assert not FileUpload.objects.exists()


def test_a_file_update_naming_a_path_nothing_was_uploaded_to_is_not_found(ouro, api, alice_key):
    file = ouro.files.create(
        name="People", visibility="private", file_content=CSV, file_name="p.csv"
    )
    answer = api(alice_key).put(
        f"/files/{file.id}", {"file": {"metadata": {"path": "files/elsewhere/p.csv"}}}
    )
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found")


def test_a_post_downloads_as_markdown_or_html(ouro, bob_ouro, tmp_path):
    post = ouro.posts.create(
        name="Notes <b>1</b>",
        content="# Hello\n\nWorld <script>alert(1)</script>",
        visibility="private",
    )
    markdown = ouro.assets.create_download_url(str(post.id))
    assert (markdown["content_type"], markdown["file_name"]) == ("text/markdown", "notes-b1b.md")
    assert "# Hello" in httpx.get(markdown["download_url"]).text

    html = ouro.assets.create_download_url(str(post.id), format="html")
    assert (html["content_type"], html["format"]) == ("text/html", "html")
    answer = httpx.get(html["download_url"])
    assert answer.headers["content-type"].startswith("text/html")
    assert "attachment" in answer.headers["content-disposition"]
    page = answer.text
    assert "<h1>Hello</h1>" in page and "World" in page
    assert "<title>Notes &lt;b&gt;1&lt;/b&gt;</title>" in page
    assert "<script" not in page

    saved = ouro.assets.download(str(post.id), output_path=str(tmp_path), format="html")
    assert saved.filename.endswith(".html") and "<h1>Hello</h1>" in Path(saved.path).read_text()
    saved = ouro.assets.download(str(post.id), output_path=str(tmp_path), format="markdown")
    assert Path(saved.path).read_text().startswith("# Hello")

    with pytest.raises(BadRequestError, match="markdown or html"):
        ouro.assets.create_download_url(str(post.id), format="pdf")
    with pytest.raises(NotFoundError):
        bob_ouro.assets.create_download_url(str(post.id), format="html")
    file = ouro.files.create(
        name="People", visibility="private", file_content=CSV, file_name="p.csv"
    )
    with pytest.raises(BadRequestError, match="downloads as original"):
        ouro.assets.create_download_url(str(file.id), format="html")


def test_a_route_is_retrieved_from_its_slug(ouro, csv_stats):
    route = ouro.routes.retrieve(str(csv_stats.pk))
    assert route.slug == f"/routes/alice/{csv_stats.slug}"
    _, kind, entity, name = route.slug.split("/")
    assert (kind, entity) == ("routes", "alice")
    assert ouro.routes.retrieve(f"{entity}/{name}").id == route.id
    listed = ouro.assets.search(asset_type="route", scope="all")
    assert [a.slug for a in listed] == [route.slug]


def test_an_input_asset_is_injected_when_no_body_is_sent(ouro, make_route, received):
    required_table = {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["table"],
                    "properties": {"table": {"type": "object", "required": ["url"]}},
                }
            }
        },
    }
    inspect = make_route(
        "/inspect",
        inputs={"table": {"asset_type": "file", "file_extensions": ["csv"]}},
        request_body=required_table,
    )
    file = ouro.files.create(
        name="People", visibility="private", file_content=CSV, file_name="p.csv"
    )
    action = ouro.routes.execute(str(inspect.pk), input_assets={"table": str(file.id)})
    assert action.status == "success"
    (call,) = received()
    assert set(call["body"]) == {"table"}
    assert call["body"]["table"]["id"] == str(file.id)
    assert call["body"]["table"]["url"].startswith("http")
    # The stored request keeps what the caller sent; the asset is linked as the run's input.
    assert action.metadata["body"] is None
    link = ActionAsset.objects.get(action_id=action.id)
    assert (str(link.asset_id), link.role, link.name) == (str(file.id), "input", "table")

    with pytest.raises(Exception, match="input asset is required|body"):
        ouro.routes.execute(str(inspect.pk))
    assert len(received()) == 1
