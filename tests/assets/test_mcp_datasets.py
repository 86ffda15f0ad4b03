"""Every dataset tool of the official MCP server, ouro-mcp, over stdio against the live server
(and its dataset resources): what each answers, and what it changed here."""

import asyncio
import json
import sys

import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from apps.accounts.models import PERSONAL_ORG_ID
from apps.assets.models import Dataset, DatasetView

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    {"sample": "a", "count": 3, "status": "done", "measured_at": "2024-05-01T12:00:00+02:00"},
    {"sample": "b", "count": 1, "status": "todo", "measured_at": "2024-05-02T00:00:00Z"},
    {"sample": "c", "count": 2, "status": "done", "measured_at": None},
]
CONFIG = {"type": "bar", "category": {"dataKey": "sample"}, "series": [{"dataKey": "count"}]}


def session(live_url: str, key: str, steps: list[tuple[str, str, dict]]) -> list[str]:
    """Start ouro-mcp on stdio, pinned to the personal space, and run the steps in order:
    ("tool", name, arguments) or ("resource", uri, {})."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "ouro_mcp.server", "--transport", "stdio"],
        env={
            "OURO_API_KEY": key,
            "OURO_BASE_URL": f"{live_url}/api",
            "OURO_MCP_RESPONSE_FORMAT": "json",
            "OURO_ORG_ID": str(PERSONAL_ORG_ID),
        },
    )

    async def run() -> list[str]:
        texts = []
        async with stdio_client(params) as streams, ClientSession(*streams) as client:
            await client.initialize()
            for kind, name, arguments in steps:
                if kind == "tool":
                    result = await asyncio.wait_for(client.call_tool(name, arguments), 60)
                    texts.append("".join(getattr(p, "text", "") for p in result.content))
                else:
                    result = await asyncio.wait_for(client.read_resource(name), 60)
                    texts.append("".join(getattr(p, "text", "") for p in result.contents))
        return texts

    return asyncio.run(run())


@pytest.fixture
def created(live_site, alice_key):
    (text,) = session(
        live_site.url,
        alice_key,
        [
            (
                "tool",
                "create_dataset",
                {
                    "name": "Samples",
                    "data": ROWS,
                    "enum_columns": {"status": {"values": ["todo", "done"]}},
                    "license_id": "CC-BY-4.0",
                    "attribution": {"originality": "derivative"},
                    "view": {"name": "Counts", "sql_query": "SELECT * FROM {{table}}"}
                    | {"config": CONFIG},
                },
            )
        ],
    )
    return json.loads(text)


def test_create_dataset_reports_schema_enums_and_its_view(created, alice):
    dataset = Dataset.objects.get(pk=created["id"])
    assert (dataset.user, dataset.row_count, dataset.license_id) == (alice, 3, "CC-BY-4.0")
    assert dataset.attribution == {"originality": "derivative"}
    assert created["table_name"] == f"dataset_{dataset.pk.hex}"
    schema = {c["name"]: c for c in created["schema"]}
    assert schema["count"]["type"] == "bigint"
    assert schema["status"] == {"name": "status", "type": "text", "semantic_type": "enum"} | {
        "enum_values": ["todo", "done"]
    }
    assert created["enum_columns"] == {"status": {"values": ["todo", "done"]}}
    assert created["row_ingest"]["inserted"] == 3
    view = DatasetView.objects.get(dataset=dataset)
    assert created["view"]["id"] == str(view.pk) and created["view"]["sample_rows"][0]["sample"]
    assert f'"visualizationId": "{view.pk}"' in created["embed_markdown"]


def test_query_dataset_pages_the_table_and_runs_sql(live_site, alice_key, created):
    dataset_id = created["id"]
    table, query, refused = session(
        live_site.url,
        alice_key,
        [
            ("tool", "query_dataset", {"dataset_id": dataset_id, "limit": 2}),
            (
                "tool",
                "query_dataset",
                {
                    "dataset_id": dataset_id,
                    "sql": "SELECT status, sum(count) AS n FROM {{table}} GROUP BY status "
                    "ORDER BY n DESC",
                },
            ),
            ("tool", "query_dataset", {"dataset_id": dataset_id, "sql": "DELETE FROM {{table}}"}),
        ],
    )
    page = json.loads(table)
    assert [r["sample"] for r in page["rows"]] == ["a", "b"] and page["has_more"] is True
    # JSON rows carry timestamps as text, and pandas keeps them text: stored as sent.
    assert page["rows"][0]["measured_at"] == "2024-05-01T12:00:00+02:00"
    result = json.loads(query)
    assert result["rows"] == [{"status": "done", "n": 5}, {"status": "todo", "n": 1}]
    assert result["total"] == 2 and result["sql"].startswith("SELECT status")
    assert "only a read-only SELECT is allowed" in refused
    assert Dataset.objects.get(pk=dataset_id).rows.count() == 3


def test_references_are_checked_and_resolved(live_site, alice_key, alice):
    from apps.accounts.services import personal_org
    from apps.posts.services import post_create

    org = personal_org()
    post = post_create(user=alice, org=org, team=org.default_team, name="Note", content="Hi")
    rows = [{"label": "note", "post_id": str(post.pk)}, {"label": "gone", "post_id": "0" * 32}]
    (created,) = session(
        live_site.url,
        alice_key,
        [("tool", "create_dataset", {"name": "Links", "data": rows, "refs": {"post_id": "post"}})],
    )
    body = json.loads(created)
    assert body["refs"] == {"post_id": {"kind": "asset", "asset_type": "post"}}
    assert body["row_ingest"] == {"inserted": 1, "updated": 0, "skipped": 1, "mode": "append"}
    assert body["ingest_warning"]["refs"] == {"skipped": 1, "columns": ["post_id"]}
    (queried,) = session(
        live_site.url,
        alice_key,
        [("tool", "query_dataset", {"dataset_id": body["id"], "resolve_refs": True})],
    )
    resolved = json.loads(queried)["resolved_refs"]["post_id"][str(post.pk)]
    assert (resolved["name"], resolved["asset_type"]) == ("Note", "post")


def test_update_dataset_appends_promotes_and_merges_attribution(live_site, alice_key, created):
    dataset_id = created["id"]
    appended, promoted, refused = session(
        live_site.url,
        alice_key,
        [
            (
                "tool",
                "update_dataset",
                {"id": dataset_id, "data": [{"sample": "d", "count": 7, "status": "todo"}]},
            ),
            (
                "tool",
                "update_dataset",
                {
                    "id": dataset_id,
                    "enum_columns": {"sample": {"values": ["a", "b", "c", "d"]}},
                    "attribution": {"paper_url": "https://example.org/paper"},
                },
            ),
            ("tool", "update_dataset", {"id": dataset_id, "data": [{"status": "late"}]}),
        ],
    )
    assert json.loads(appended)["row_ingest"]["inserted"] == 1
    body = json.loads(promoted)
    assert body["enum_columns"]["sample"] == {"values": ["a", "b", "c", "d"]}
    dataset = Dataset.objects.get(pk=dataset_id)
    assert dataset.row_count == 4
    assert dataset.attribution == {
        "originality": "derivative",
        "paper_url": "https://example.org/paper",
    }
    assert "'status' must be one of todo, done, not 'late'" in refused


def test_edit_dataset_columns_and_refused_indexes(live_site, alice_key, created):
    operations = [
        {"op": "update", "name": "count", "type": "numeric"},
        {"op": "add", "name": "seen_on", "type": "date"},
    ]
    edited, index = session(
        live_site.url,
        alice_key,
        [
            (
                "tool",
                "edit_dataset_columns",
                {"dataset_id": created["id"], "operations": operations},
            ),
            (
                "tool",
                "edit_dataset_columns",
                {"dataset_id": created["id"], "operations": [{"op": "index", "name": "sample"}]},
            ),
        ],
    )
    types = {c["name"]: c["type"] for c in json.loads(edited)["schema"]}
    assert (types["count"], types["seen_on"]) == ("double precision", "date")
    assert "keep no indexes" in index


def test_dataset_view_tools_list_write_and_delete(live_site, alice_key, created):
    dataset_id = created["id"]
    view_id = created["view"]["id"]
    listed, updated, bad, deleted, empty, written = session(
        live_site.url,
        alice_key,
        [
            ("tool", "list_dataset_views", {"dataset_id": dataset_id}),
            (
                "tool",
                "write_dataset_view",
                {"dataset_id": dataset_id, "view_id": view_id, "name": "Tally"},
            ),
            (
                "tool",
                "write_dataset_view",
                {
                    "dataset_id": dataset_id,
                    "name": "Broken",
                    "sql_query": "SELECT sample FROM {{table}}",
                    "config": {"type": "bar", "category": {"dataKey": "missing"}},
                },
            ),
            ("tool", "delete_dataset_view", {"dataset_id": dataset_id, "view_id": view_id}),
            ("tool", "list_dataset_views", {"dataset_id": dataset_id}),
            (
                "tool",
                "write_dataset_view",
                {
                    "dataset_id": dataset_id,
                    "name": "By status",
                    "sql_query": "SELECT status, count(*) AS n FROM {{table}} GROUP BY status ORDER BY status",
                    "config": {"type": "pie", "category": {"dataKey": "status"}},
                },
            ),
        ],
    )
    assert json.loads(listed)["results"][0]["name"] == "Counts"
    assert json.loads(updated)["name"] == "Tally"
    assert "config names 'missing'" in bad
    assert json.loads(deleted)["deleted"] is True
    assert json.loads(empty)["results"] == []
    fresh = json.loads(written)
    assert fresh["sample_rows"] == [{"status": "done", "n": 2}, {"status": "todo", "n": 1}]
    assert f'"visualizationId": "{fresh["id"]}"' in fresh["embed_markdown"]
    assert DatasetView.objects.get().name == "By status"


def test_dataset_resources_and_get_asset(live_site, alice_key, created):
    detail, schema, asset = session(
        live_site.url,
        alice_key,
        [
            ("resource", f"ouro://datasets/{created['id']}", {}),
            ("resource", f"ouro://datasets/{created['id']}/schema", {}),
            ("tool", "get_asset", {"id": created["id"], "detail": "full"}),
        ],
    )
    assert json.loads(detail)["stats"]["count"] == 3
    assert json.loads(schema)["enum_columns"] == {"status": {"values": ["todo", "done"]}}
    full = json.loads(asset)
    types = {c["name"]: c["type"] for c in full["schema"]}
    assert types == {"sample": "text", "count": "bigint", "status": "text", "measured_at": "text"}
    assert full["stats"]["row_count"] == 3


def test_an_outsider_gets_not_found(live_site, charlie_key, created):
    queried, views = session(
        live_site.url,
        charlie_key,
        [
            ("tool", "query_dataset", {"dataset_id": created["id"], "sql": "SELECT 1"}),
            ("tool", "list_dataset_views", {"dataset_id": created["id"]}),
        ],
    )
    assert "not found" in queried.lower() and "not found" in views.lower()
