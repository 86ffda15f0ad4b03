"""Every datasets method of the official ouro-py client against the live server: SQL column
types, typed timestamps and dates, allowed values, reference columns, read-only SQL, saved
views, permissions; an outsider gets the same 404 as for a missing id."""

import uuid
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from ouro import BadRequestError, NotFoundError, PermissionDeniedError

from apps.assets.models import Dataset, DatasetView

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ouro(ouro_client, alice_key):
    return ouro_client(alice_key)


@pytest.fixture
def outsider(ouro_client, charlie_key):
    return ouro_client(charlie_key)


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sample": ["a", "b", "c"],
            "count": [3, 1, 2],
            "score": [1.5, None, 2.25],
            "ok": [True, False, True],
            "measured_at": pd.to_datetime(
                ["2024-05-01T12:00:00+02:00", "2024-05-02T00:00:00+00:00", "2024-05-03T08:30:00Z"],
                utc=True,
            ),
            "day": [date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)],
        }
    )


@pytest.fixture
def samples(ouro, frame):
    return ouro.datasets.create(name="Samples", visibility="private", data=frame)


def test_create_keeps_the_sql_types_of_a_dataframe(ouro, samples):
    assert samples.row_ingest.inserted == 3 and samples.metadata.columns[0] == "sample"
    types = {c.name: c.type for c in ouro.datasets.schema(str(samples.id))}
    assert types == {
        "sample": "text",
        "count": "bigint",
        "score": "double precision",
        "ok": "boolean",
        "measured_at": "timestamp with time zone",
        "day": "date",
    }
    stats = ouro.datasets.stats(str(samples.id))
    assert (stats.count, stats.column_count, stats.table_name) == (
        3,
        6,
        f"dataset_{samples.id.hex}",
    )


def test_timestamps_and_dates_come_back_typed(ouro, samples):
    rows = ouro.datasets.list_rows(str(samples.id)).data
    assert [r["measured_at"] for r in rows] == [
        "2024-05-01T10:00:00+00:00",
        "2024-05-02T00:00:00+00:00",
        "2024-05-03T08:30:00+00:00",
    ]
    assert rows[0]["day"] == "2024-05-01" and rows[1]["score"] is None and rows[0]["ok"] is True
    frame = ouro.datasets.query(str(samples.id))
    assert list(frame["day"]) == [date(2024, 5, 1), date(2024, 5, 2), date(2024, 5, 3)]
    stored = Dataset.objects.get(pk=samples.id).rows.first().data
    assert datetime.fromisoformat(stored["measured_at"]) == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_retrieve_list_and_delete(ouro, outsider, samples):
    dataset_id = str(samples.id)
    assert ouro.datasets.retrieve(dataset_id).name == "Samples"
    assert [d.name for d in ouro.datasets.list()] == ["Samples"]
    with pytest.raises(NotFoundError):
        outsider.datasets.retrieve(dataset_id)
    with pytest.raises(NotFoundError):
        outsider.datasets.retrieve(str(uuid.uuid4()))
    assert ouro.datasets.delete(dataset_id, dry_run=True).dry_run is True
    assert ouro.datasets.delete(dataset_id).id == samples.id
    assert not Dataset.objects.filter(pk=samples.id).exists()


def test_sql_runs_over_the_dataset_alone(ouro, outsider, samples):
    dataset_id = str(samples.id)
    frame = ouro.datasets.query(
        dataset_id, "SELECT sample, count FROM {{table}} WHERE ok ORDER BY count DESC"
    )
    assert frame.to_dict("records") == [{"sample": "a", "count": 3}, {"sample": "c", "count": 2}]
    assert frame.attrs["sql"].startswith("SELECT sample")
    counted = ouro.datasets.query(
        dataset_id, f"SELECT count(*) AS n, max(day) AS last FROM dataset_{samples.id.hex}"
    )
    assert counted.to_dict("records") == [{"n": 3, "last": "2024-05-03"}]
    page = ouro.datasets.list_rows(
        dataset_id, sql="SELECT sample FROM {{table}} ORDER BY sample", limit=2, offset=1
    )
    assert (page.data, page.total, page.has_more) == ([{"sample": "b"}, {"sample": "c"}], 3, False)
    assert page.sql == "SELECT sample FROM {{table}} ORDER BY sample"
    with pytest.raises(NotFoundError):
        outsider.datasets.query(dataset_id, "SELECT 1")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM {{table}}", "only a read-only SELECT is allowed"),
        ("UPDATE {{table}} SET count = 0", "only a read-only SELECT is allowed"),
        ("INSERT INTO {{table}} (sample) VALUES ('x')", "only a read-only SELECT is allowed"),
        ("DROP TABLE {{table}}", "only a read-only SELECT is allowed"),
        ("CREATE TABLE t AS SELECT * FROM {{table}}", "only a read-only SELECT is allowed"),
        ("ATTACH DATABASE '/tmp/h6-attach.db' AS other", "ATTACH and DETACH are not allowed"),
        ("PRAGMA table_info('x')", "PRAGMA is not allowed"),
        ("SELECT * FROM sqlite_master", "only the dataset's table can be read"),
        ("SELECT * FROM pragma_database_list", "only the dataset's table can be read"),
        ("SELECT load_extension('/tmp/evil')", r"load_extension\(\) is not allowed"),
        ("SELECT 1; DELETE FROM {{table}}", "Only one SQL statement is allowed"),
        ("SELECT * FROM assets_asset", "no such table: assets_asset"),
        ("SELECT readfile('/etc/passwd')", "no such function: readfile"),
        ("SELEC nothing", "syntax error"),
    ],
)
def test_hostile_sql_is_a_clear_400(ouro, samples, sql, message):
    with pytest.raises(BadRequestError, match=message):
        ouro.datasets.query(str(samples.id), sql)
    assert Dataset.objects.get(pk=samples.id).rows.count() == 3


def test_another_datasets_table_cannot_be_read(ouro, ouro_client, bob_key, samples):
    secret = ouro_client(bob_key).datasets.create(
        name="Secret", visibility="private", data=[{"pin": 1234}]
    )
    other = f"datasets.dataset_{secret.id.hex}"
    with pytest.raises(BadRequestError, match=f"no such table: {other}"):
        ouro.datasets.query(str(samples.id), f"SELECT * FROM {{{{table}}}}, {other}")


def test_endless_and_huge_queries_stop_at_the_time_limit(ouro, samples, settings):
    settings.DATASET_QUERY_TIMEOUT_SECONDS = 1
    bomb = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
    cross = "SELECT count(*) FROM " + ", ".join(f"{{{{table}}}} t{i}" for i in range(40))
    for sql in (bomb, cross):
        with pytest.raises(BadRequestError, match="ran for over 1 s and was stopped"):
            ouro.datasets.query(str(samples.id), sql)
    growing = "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r) SELECT * FROM r"
    with pytest.raises(BadRequestError, match="string or blob too big"):
        ouro.datasets.query(str(samples.id), growing)


def test_a_dataset_over_the_query_size_limit_is_refused(ouro, samples, settings):
    settings.DATASET_QUERY_MAX_ROWS = 2
    with pytest.raises(BadRequestError, match="SQL runs over datasets of up to 2 rows"):
        ouro.datasets.query(str(samples.id), "SELECT 1")


def test_enum_columns_are_kept_and_enforced(ouro):
    dataset = ouro.datasets.create(
        name="Tasks",
        visibility="private",
        data=[{"task": "a", "status": "todo"}, {"task": "b", "status": "done"}],
        enum_columns={"status": ["todo", "done"]},
    )
    columns = {c.name: c for c in ouro.datasets.schema(str(dataset.id))}
    assert (columns["status"].semantic_type, columns["status"].enum_values) == (
        "enum",
        ["todo", "done"],
    )
    with pytest.raises(BadRequestError, match="'status' must be one of todo, done, not 'late'"):
        ouro.datasets.update(str(dataset.id), data=[{"task": "c", "status": "late"}])
    promoted = ouro.datasets.update(str(dataset.id), enum_columns={"task": ["a", "b", "c"]})
    assert promoted.metadata.model_extra["enum_columns"]["task"] == {"values": ["a", "b", "c"]}
    with pytest.raises(BadRequestError, match="'b' is not one of a"):
        ouro.datasets.update(str(dataset.id), enum_columns={"task": ["a"]})


def test_reference_columns_skip_rows_naming_nothing(ouro, ouro_client, bob_key):
    post = ouro.posts.create(name="Note", content="Hello", visibility="private")
    hidden = ouro_client(bob_key).posts.create(name="Bob's", content="Hi", visibility="private")
    missing = uuid.uuid4()
    rows = [
        {"label": "mine", "post_id": str(post.id)},
        {"label": "gone", "post_id": str(missing)},
        {"label": "bob's", "post_id": str(hidden.id)},
        {"label": "none", "post_id": None},
    ]
    dataset = ouro.datasets.create(
        name="Links", visibility="private", data=rows, refs={"post_id": "post"}
    )
    assert (dataset.row_ingest.inserted, dataset.row_ingest.skipped) == (2, 2)
    assert dataset.ingest_warning["refs"] == {"skipped": 2, "columns": ["post_id"]}
    assert {r["value"] for r in dataset.ingest_warning["rows"]} == {str(missing), str(hidden.id)}
    column = {c.name: c for c in ouro.datasets.schema(str(dataset.id))}["post_id"]
    assert (column.semantic_type, column.ref_kind, column.asset_type) == (
        "reference",
        "asset",
        "post",
    )
    assert dataset.metadata.refs["post_id"].asset_type == "post"
    page = ouro.datasets.list_rows(str(dataset.id), resolve_refs=True)
    assert [r["label"] for r in page.data] == ["mine", "none"]
    resolved = page.resolved_refs["post_id"][str(post.id)]
    assert (resolved.kind, resolved.name, resolved.asset_type) == ("asset", "Note", "post")
    queried = ouro.datasets.list_rows(
        str(dataset.id), sql="SELECT post_id FROM {{table}}", resolve_refs=True
    )
    assert list(queried.resolved_refs["post_id"]) == [str(post.id)]
    appended = ouro.datasets.update(
        str(dataset.id), data=[{"label": "late", "post_id": str(missing)}]
    )
    assert (appended.row_ingest.inserted, appended.row_ingest.skipped) == (0, 1)


def test_promoting_a_column_to_a_reference_checks_every_value(ouro):
    file = ouro.files.create(
        name="Data", visibility="private", file_content=b"a,b\n1,2\n", file_name="d.csv"
    )
    dataset = ouro.datasets.create(
        name="Files", visibility="private", data=[{"file_id": str(file.id)}]
    )
    updated = ouro.datasets.update(str(dataset.id), refs={"file_id": "file"})
    assert updated.metadata.refs["file_id"].asset_type == "file"
    ouro.datasets.update(str(dataset.id), data=[{"file_id": str(uuid.uuid4())}])
    fresh = ouro.datasets.create(name="Bad", visibility="private", data=[{"x": "nope"}])
    with pytest.raises(BadRequestError, match="every value of a reference column must be an id"):
        ouro.datasets.update(str(fresh.id), refs={"x": "asset"})


def test_data_modes_keep_the_declared_types(ouro, samples):
    dataset_id = str(samples.id)
    frame = pd.DataFrame({"sample": ["z"], "measured_at": pd.to_datetime(["2025-01-01T00:00:00Z"])})
    overwritten = ouro.datasets.update(dataset_id, data=frame, data_mode="overwrite")
    assert overwritten.row_ingest.inserted == 1
    types = {c.name: c.type for c in ouro.datasets.schema(dataset_id)}
    assert types == {"sample": "text", "measured_at": "timestamp with time zone"}
    with pytest.raises(BadRequestError, match="column 'measured_at': 'soon' cannot be read"):
        ouro.datasets.update(dataset_id, data=[{"sample": "y", "measured_at": "soon"}])
    ouro.datasets.update(dataset_id, data=[{"sample": "y", "measured_at": "2025-02-01T03:00"}])
    assert ouro.datasets.list_rows(dataset_id).data == [
        {"sample": "z", "measured_at": "2025-01-01T00:00:00+00:00"},
        {"sample": "y", "measured_at": "2025-02-01T03:00:00+00:00"},
    ]


def test_views_are_saved_checked_updated_and_deleted(ouro, outsider, samples):
    dataset_id = str(samples.id)
    config = {"type": "bar", "category": {"dataKey": "sample"}, "series": [{"dataKey": "count"}]}
    view = ouro.datasets.create_view(
        dataset_id,
        name="Counts",
        description="Count per sample",
        sql_query="SELECT sample, count FROM {{table}} ORDER BY sample",
        config=config,
    )
    assert (view.name, view.dataset_id, view.config) == ("Counts", samples.id, config)
    assert view.model_extra["sample_rows"][0] == {"sample": "a", "count": 3}
    assert [v.id for v in ouro.datasets.list_views(dataset_id)] == [view.id]
    with pytest.raises(BadRequestError, match="config names 'total'"):
        ouro.datasets.create_view(
            dataset_id,
            name="Bad",
            sql_query="SELECT sample FROM {{table}}",
            config={"type": "bar", "category": {"dataKey": "total"}},
        )
    with pytest.raises(BadRequestError, match="only a read-only SELECT"):
        ouro.datasets.update_view(dataset_id, str(view.id), sql_query="DELETE FROM {{table}}")
    renamed = ouro.datasets.update_view(dataset_id, str(view.id), name="Tally")
    assert renamed.name == "Tally" and DatasetView.objects.get().name == "Tally"
    with pytest.raises(NotFoundError):
        outsider.datasets.list_views(dataset_id)
    with pytest.raises(NotFoundError):
        outsider.datasets.delete_view(dataset_id, str(view.id))
    ouro.datasets.delete_view(dataset_id, str(view.id))
    assert ouro.datasets.list_views(dataset_id) == []


def test_permissions_list_the_owner_and_shares(ouro, ouro_client, bob, bob_key, outsider, samples):
    dataset_id = str(samples.id)
    ouro.assets.share(dataset_id, user_id=str(bob.pk), role="read")
    grants = ouro.datasets.permissions(dataset_id)
    assert [(g.user.username, g.role) for g in grants] == [("alice", "admin"), ("bob", "read")]
    assert all(g.asset_id == samples.id for g in grants)
    readers_view = ouro_client(bob_key).datasets.permissions(dataset_id)
    assert [g.user.username for g in readers_view] == ["alice", "bob"]
    with pytest.raises(PermissionDeniedError):
        ouro_client(bob_key).datasets.update(dataset_id, name="Mine")
    with pytest.raises(NotFoundError):
        outsider.datasets.permissions(dataset_id)


def test_license_and_attribution_are_kept_and_merged(ouro, frame):
    dataset = ouro.datasets.create(
        name="Cited",
        visibility="private",
        data=frame,
        license_id="CC-BY-4.0",
        attribution={"originality": "derivative", "paper_url": "https://example.org/p"},
    )
    assert dataset.license_id == "CC-BY-4.0"
    assert dataset.attribution.originality == "derivative"
    updated = ouro.datasets.update(
        str(dataset.id), attribution={"github_url": "https://github.com/x/y"}
    )
    assert updated.attribution.originality == "derivative"
    assert updated.attribution.paper_url == "https://example.org/p"
    assert updated.attribution.github_url == "https://github.com/x/y"
    assert ouro.datasets.update(str(dataset.id), license_id="MIT").license_id == "MIT"
    with pytest.raises(BadRequestError, match="attribution.originality must be one of"):
        ouro.datasets.update(str(dataset.id), attribution={"originality": "stolen"})


def test_partial_payload_and_indexes(ouro, samples):
    partial = ouro.datasets.partial([{"a": 1}], name="Inline")
    assert partial["data"] == [{"a": 1}] and partial["asset_type"] == "dataset"
    assert ouro.datasets.list_indexes(str(samples.id)) == []
    with pytest.raises(BadRequestError, match="keep no indexes"):
        ouro.datasets.create_index(str(samples.id), "sample")
    with pytest.raises(NotFoundError, match="no index 'sample_idx'"):
        ouro.datasets.drop_index(str(samples.id), "sample_idx")


def test_prompts_are_refused_clearly(ouro, samples):
    with pytest.raises(BadRequestError, match="not written from a prompt"):
        ouro.datasets.query(str(samples.id), prompt="the biggest counts")
    with pytest.raises(BadRequestError, match="not written from a prompt"):
        ouro.datasets.create_view(str(samples.id), name="AI", prompt="a nice chart")
