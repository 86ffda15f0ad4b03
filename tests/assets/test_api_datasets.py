"""The datasets API (CONTRACT §7)."""

import gzip
import json

import pytest

from apps.assets.models import Dataset

pytestmark = pytest.mark.django_db

ROWS = [{"id": 1, "name": "a", "score": 1.5}, {"id": 2, "name": "b", "score": None}]


def create(api, key, rows=ROWS, **fields):
    response = api(key).post(
        "/datasets/create/from-schema",
        {"dataset": {"name": "Scores", "visibility": "private", "rows": rows, **fields}},
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_from_rows_reports_the_ingest(api, alice_key, alice):
    body = create(api, alice_key)
    assert body["row_ingest"] == {"inserted": 2, "updated": 0, "skipped": 0, "mode": "append"}
    data = body["data"]
    assert data["asset_type"] == "dataset"
    assert data["metadata"]["columns"] == ["id", "name", "score"]
    assert data["preview"] == ROWS
    assert Dataset.objects.get(pk=data["id"]).user == alice


def test_schema_and_stats(api, alice_key):
    dataset_id = create(api, alice_key)["data"]["id"]
    schema = api(alice_key).get(f"/datasets/{dataset_id}/schema").json()["data"]
    assert schema == [
        {"name": "id", "type": "bigint", "is_nullable": False},
        {"name": "name", "type": "text", "is_nullable": False},
        {"name": "score", "type": "double precision", "is_nullable": True},
    ]
    stats = api(alice_key).get(f"/datasets/{dataset_id}/stats").json()["data"]
    assert (stats["count"], stats["columnCount"]) == (2, 3)


def test_rows_are_paged(api, alice_key):
    rows = [{"n": i} for i in range(7)]
    dataset_id = create(api, alice_key, rows=rows)["data"]["id"]
    page = api(alice_key).get(f"/datasets/{dataset_id}/data?limit=3&offset=3").json()
    assert page["data"] == rows[3:6]
    assert page["pagination"] == {"hasMore": True, "offset": 3, "limit": 3}


def test_append_overwrite_and_upsert(api, alice_key):
    dataset_id = create(api, alice_key)["data"]["id"]
    url = f"/datasets/{dataset_id}/data"

    appended = api(alice_key).post(url, {"rows": [{"id": 3, "name": "c"}], "mode": "append"})
    assert appended.json()["data"]["inserted"] == 1

    upserted = (
        api(alice_key)
        .post(url, {"rows": [{"id": 1, "name": "A"}, {"id": 9, "name": "z"}], "mode": "upsert"})
        .json()["data"]
    )
    assert (upserted["inserted"], upserted["updated"]) == (1, 1)
    rows = api(alice_key).get(url).json()["data"]
    assert [r["name"] for r in rows] == ["A", "b", "c", "z"]

    overwritten = api(alice_key).post(url, {"rows": [{"x": True}], "mode": "overwrite"})
    assert overwritten.json()["data"]["inserted"] == 1
    assert api(alice_key).get(url).json()["data"] == [{"x": True}]
    schema = api(alice_key).get(f"/datasets/{dataset_id}/schema").json()["data"]
    assert schema == [{"name": "x", "type": "boolean", "is_nullable": False}]


def test_upsert_without_keys_is_a_clear_error(api, alice_key):
    dataset_id = create(api, alice_key, rows=[{"a": 1}])["data"]["id"]
    response = api(alice_key).post(
        f"/datasets/{dataset_id}/data", {"rows": [{"a": 2}], "mode": "upsert"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "missing_key_columns"


def test_gzip_encoded_rows_are_accepted(api, alice_key, client):
    dataset_id = create(api, alice_key, rows=[{"a": 1}])["data"]["id"]
    raw = gzip.compress(json.dumps({"rows": [{"a": n} for n in range(500)]}).encode())
    response = client.post(
        f"/api/datasets/{dataset_id}/data",
        raw,
        content_type="application/json",
        headers={"Authorization": alice_key, "Content-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert Dataset.objects.get(pk=dataset_id).row_count == 501


def test_readers_read_and_only_writers_write(api, alice_key, bob_key, charlie_key, bob):
    dataset_id = create(api, alice_key)["data"]["id"]
    assert api(charlie_key).get(f"/datasets/{dataset_id}").status_code == 404
    api(alice_key).put(
        f"/assets/{dataset_id}/share",
        {"permission": {"user": {"user_id": str(bob.pk)}, "role": "read"}},
    )
    assert api(bob_key).get(f"/datasets/{dataset_id}/data").status_code == 200
    write = api(bob_key).post(f"/datasets/{dataset_id}/data", {"rows": [{"id": 5}]})
    assert write.status_code == 403
    assert api(bob_key).delete(f"/datasets/{dataset_id}").status_code == 403
    assert api(alice_key).delete(f"/datasets/{dataset_id}").status_code == 200


def test_bad_rows_are_a_400(api, alice_key):
    response = api(alice_key).post(
        "/datasets/create/from-schema", {"dataset": {"name": "x", "rows": [1, 2]}}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_rows"


def test_create_from_an_uploaded_csv_file(api, alice_key, charlie_key, alice, make_file):
    file = make_file(alice, b"name,score\na,1\nb,2\n", "scores.csv")
    body = {"dataset": {"name": "From CSV", "file_id": str(file.pk)}}
    response = api(alice_key).post("/datasets/create/from-schema", body)
    assert response.status_code == 201
    assert response.json()["data"]["preview"] == [
        {"name": "a", "score": 1},
        {"name": "b", "score": 2},
    ]
    assert api(charlie_key).post("/datasets/create/from-schema", body).status_code == 404
    image = make_file(alice, b"\x89PNG\r\n\x1a\nrest", "x.png")
    not_csv = {"dataset": {"name": "x", "file_id": str(image.pk)}}
    assert api(alice_key).post("/datasets/create/from-schema", not_csv).status_code == 400


@pytest.mark.parametrize("body", ["true", "[1]", '"dataset"', '{"dataset": 5}'])
def test_an_update_whose_body_is_not_an_object_is_a_400(client, api, alice_key, body):
    dataset_id = create(api, alice_key)["data"]["id"]
    response = client.put(
        f"/api/datasets/{dataset_id}",
        body,
        content_type="application/json",
        headers={"Authorization": alice_key},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_body"


def test_too_many_or_too_long_columns_are_a_400(api, alice_key):
    wide = {f"c{i}": i for i in range(1001)}
    long_name = {"x" * 201: 1}
    for rows, message in (([wide], "at most 1000 columns"), ([long_name], "1 to 200 characters")):
        response = api(alice_key).post(
            "/datasets/create/from-schema", {"dataset": {"name": "x", "rows": rows}}
        )
        assert response.status_code == 400
        assert message in response.json()["error"]["message"]
    assert not Dataset.objects.exists()


def test_a_malformed_schema_is_a_400(api, alice_key):
    for schema, message in (
        ("DROP TABLE x", "one CREATE TABLE statement"),
        ('CREATE TABLE x ("a" MONEY)', "Unknown column type 'MONEY'"),
        (["not", "sql"], "must be a CREATE TABLE statement"),
    ):
        body = {"dataset": {"name": "x", "rows": [{"a": 1}], "schema": schema}}
        response = api(alice_key).post("/datasets/create/from-schema", body)
        assert response.status_code == 400
        assert message in response.json()["error"]["message"]
