"""The files API (CONTRACT §7) and the signed URLs it hands out."""

import base64
from urllib.parse import urlparse

import pytest
from django.core.files.storage import default_storage

from apps.assets import services
from apps.assets.models import File, FileUpload
from tests.assets.conftest import CSV, png_bytes

pytestmark = pytest.mark.django_db


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def signed_get(client, url: str):
    return client.get(urlparse(url).path)


def upload_and_create(api, key, content=CSV, file_name="people.csv", **file_fields):
    upload = api(key).post(
        "/files/upload",
        {"file_name": file_name, "file_base64": b64(content), "visibility": "private"},
    )
    assert upload.status_code == 201, upload.json()
    ref = upload.json()["data"]
    created = api(key).post(
        "/files/create", {"file": {"id": ref["id"], "name": "People", **file_fields}}
    )
    assert created.status_code == 201, created.json()
    return created.json()["data"]


def test_upload_then_create_makes_a_typed_file(api, alice_key, alice):
    upload = (
        api(alice_key)
        .post("/files/upload", {"file_name": "people.csv", "file_base64": b64(CSV)})
        .json()["data"]
    )
    assert set(upload) == {"id", "bucket", "path"}
    metadata = api(alice_key).get(f"/files/{upload['id']}/metadata").json()["data"]
    assert metadata["metadata"]["type"] == "text/csv"
    assert metadata["metadata"]["size"] == len(CSV)

    data = (
        api(alice_key)
        .post(
            "/files/create",
            {"file": {"id": upload["id"], "name": "People", "visibility": "public"}},
        )
        .json()["data"]
    )

    assert data["id"] == upload["id"]
    assert data["asset_type"] == "file" and data["visibility"] == "public"
    assert data["metadata"]["extension"] == "csv" and data["metadata"]["bucket"] == "public-files"
    assert data["preview"][0] == {"name": "A", "height": 1.5, "weight": 60}
    assert File.objects.get(pk=upload["id"]).user == alice
    assert not FileUpload.objects.exists()


def test_the_data_url_answers_with_the_bytes_without_credentials(api, alice_key, client):
    file = upload_and_create(api, alice_key, png_bytes(), "dot.png")
    url = api(alice_key).get(f"/files/{file['id']}/data").json()["data"]["url"]
    assert url.startswith("http")

    client.logout()
    response = signed_get(client, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()


def test_a_tampered_or_expired_url_is_refused(api, alice_key, client, monkeypatch):
    file = upload_and_create(api, alice_key)
    url = api(alice_key).get(f"/files/{file['id']}/data").json()["data"]["url"]
    assert signed_get(client, url[:-2] + "xx").status_code == 403
    monkeypatch.setattr(services, "SIGNED_URL_TTL_SECONDS", -1)
    assert signed_get(client, url).status_code == 403


def test_html_is_served_as_a_sandboxed_download(api, alice_key, client):
    file = upload_and_create(api, alice_key, b"<script>alert(1)</script>", "x.html")
    url = api(alice_key).get(f"/files/{file['id']}/data").json()["data"]["url"]
    response = signed_get(client, url)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_outsiders_cannot_read_a_private_file(api, alice_key, charlie_key):
    file = upload_and_create(api, alice_key)
    for path in (f"/files/{file['id']}", f"/files/{file['id']}/data"):
        response = api(charlie_key).get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api(charlie_key).get("/files/not-a-uuid").status_code == 400


def test_an_upload_of_someone_else_cannot_be_claimed(api, alice_key, bob_key):
    upload = (
        api(alice_key)
        .post("/files/upload", {"file_name": "a.csv", "file_base64": b64(CSV)})
        .json()["data"]
    )
    response = api(bob_key).post("/files/create", {"file": {"id": upload["id"], "name": "x"}})
    assert response.status_code == 404


def test_files_over_the_size_limit_are_refused(api, alice_key, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1024
    response = api(alice_key).post(
        "/files/upload", {"file_name": "big.bin", "file_base64": b64(b"x" * 2048)}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_invalid_base64_is_a_400(api, alice_key):
    response = api(alice_key).post("/files/upload", {"file_name": "a", "file_base64": "%%"})
    assert response.status_code == 400


def test_update_and_replace_content(api, alice_key, bob_key):
    file = upload_and_create(api, alice_key)
    updated = api(alice_key).put(f"/files/{file['id']}", {"file": {"name": "Renamed"}})
    assert updated.json()["data"]["name"] == "Renamed"
    assert api(bob_key).put(f"/files/{file['id']}", {"file": {"name": "x"}}).status_code == 404

    replaced = (
        api(alice_key)
        .put(
            f"/files/{file['id']}/content",
            {"file_name": "dot.png", "file_base64": b64(png_bytes())},
        )
        .json()["data"]
    )
    assert replaced["metadata"]["type"] == "image/png"
    stored = File.objects.get(pk=file["id"])
    assert default_storage.open(stored.storage_path).read() == png_bytes()


def test_signed_direct_upload_then_create(api, alice_key, client):
    reserved = (
        api(alice_key)
        .post("/files/upload-url", {"file_name": "dot.png", "content_type": "image/png"})
        .json()["data"]
    )
    assert reserved["method"] == "PUT"
    assert reserved["headers"] == {"content-type": "image/png"}
    assert reserved["upload_id"] == f"{reserved['bucket']}/{reserved['path']}"
    incomplete = api(alice_key).post("/files/upload/complete", {"upload_id": reserved["upload_id"]})
    assert (incomplete.status_code, incomplete.json()["error"]["code"]) == (404, "not_found")

    put = client.put(urlparse(reserved["upload_url"]).path, png_bytes(), content_type="image/png")
    assert put.status_code == 200

    done = (
        api(alice_key)
        .post(
            "/files/upload/complete", {"upload_id": reserved["upload_id"], "file_name": "dot.png"}
        )
        .json()["data"]
    )
    assert (done["upload_id"], done["mime_type"], done["size"]) == (
        reserved["upload_id"],
        "image/png",
        len(png_bytes()),
    )
    created = (
        api(alice_key)
        .post("/files/create", {"file": {"id": done["id"], "name": "Dot"}})
        .json()["data"]
    )
    assert created["metadata"]["type"] == "image/png"


def test_a_forged_upload_url_is_refused(client):
    assert client.put("/files/upload/forged", b"x").status_code == 403


def test_delete_with_dry_run(api, alice_key, bob_key, django_capture_on_commit_callbacks):
    file = upload_and_create(api, alice_key)
    path = File.objects.get(pk=file["id"]).storage_path
    assert api(bob_key).delete(f"/files/{file['id']}").status_code == 404

    dry = api(alice_key).delete(f"/files/{file['id']}?dry_run=true").json()["data"]
    assert dry == {
        "id": file["id"],
        "name": "People",
        "asset_type": "file",
        "deleted_children": [],
        "dry_run": True,
    }
    assert File.objects.filter(pk=file["id"]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert api(alice_key).delete(f"/files/{file['id']}").status_code == 200
    assert not File.objects.filter(pk=file["id"]).exists()
    assert not default_storage.exists(path)
