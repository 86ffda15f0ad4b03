"""The official MCP server, ouro-mcp, driving this platform over stdio through the API."""

import asyncio
import json
import sys

import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from apps.accounts.services import personal_org
from apps.routes.services import service_import_openapi
from apps.services.services import spec_from_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_service(alice, demo_upstream):
    service, _ = service_import_openapi(
        owner=alice,
        org=personal_org(),
        name="demo",
        base_url=demo_upstream,
        visibility="public",
        source=spec_from_url(f"{demo_upstream}/openapi.json"),
        spec_url=f"{demo_upstream}/openapi.json",
    )
    return service


def call_tools(live_url: str, key: str, calls: list[tuple[str, dict]], **env: str) -> list[str]:
    """Start ouro-mcp on stdio against the live server and run the tool calls in order."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "ouro_mcp.server", "--transport", "stdio"],
        env={
            "OURO_API_KEY": key,
            "OURO_BASE_URL": f"{live_url}/api",
            "OURO_MCP_RESPONSE_FORMAT": "json",
            **env,
        },
    )

    async def run() -> list[str]:
        texts = []
        async with stdio_client(params) as streams, ClientSession(*streams) as session:
            await session.initialize()
            for name, arguments in calls:
                result = await asyncio.wait_for(session.call_tool(name, arguments), timeout=60)
                texts.append("".join(getattr(part, "text", "") for part in result.content))
        return texts

    return asyncio.run(run())


def test_execute_route_runs_and_records_an_action(live_site, demo_service, alice, alice_key):
    from apps.actions.models import Action

    (text,) = call_tools(
        live_site.url,
        alice_key,
        [("execute_route", {"route_id": "alice/hello", "query": {"name": "Ada"}})],
    )
    assert "Hello, Ada!" in text
    action = Action.objects.get(route__name="hello", user=alice)
    assert action.status == "success"
    assert action.response == {"message": "Hello, Ada!"}


def test_a_failing_route_comes_back_as_an_error(live_site, demo_service, alice_key):
    (text,) = call_tools(live_site.url, alice_key, [("execute_route", {"route_id": "alice/fail"})])
    assert "error" in text.lower()
    assert "failed on purpose" in text


def test_get_action_reads_a_run_back(live_site, demo_service, alice_key):
    from apps.actions.models import Action

    call_tools(live_site.url, alice_key, [("execute_route", {"route_id": "alice/hello"})])
    action = Action.objects.get()
    (text,) = call_tools(live_site.url, alice_key, [("get_action", {"id": str(action.pk)})])
    assert str(action.pk) in text
    assert "success" in text


def test_a_paid_run_through_mcp_reports_its_charge_and_the_balance(
    live_site, demo_service, bob, bob_key
):
    from apps.billing.services import wallet_adjust
    from apps.routes.models import Route

    Route.objects.filter(service=demo_service, name="hello").update(
        pricing={"model": "per_call", "unit_cost": 0.05, "currency": "usd"}
    )
    wallet_adjust(user=bob, cents=100)
    ran, balance, usage = call_tools(
        live_site.url,
        bob_key,
        [
            ("execute_route", {"route_id": "alice/hello", "query": {"name": "Bob"}}),
            ("get_balance", {"currency": "usd"}),
            ("list_usage", {}),
        ],
    )
    assert "Hello, Bob!" in ran and "$0.05 charged" in ran
    assert '"available_cents": 95' in balance
    (charge,) = json.loads(usage)["results"]
    assert (charge["status"], charge["total_cents"]) == ("confirmed", 5)


def test_get_user_reads_a_profile(live_site, alice_key, bob):
    (text,) = call_tools(live_site.url, alice_key, [("get_user", {"username": "@bob"})])
    profile = json.loads(text)
    assert (profile["user_id"], profile["username"]) == (str(bob.pk), "bob")


def test_edit_dataset_columns_adds_renames_and_drops(live_site, alice, alice_key):
    from apps.accounts.services import personal_org
    from apps.assets.services import Owner, dataset_create

    org = personal_org()
    dataset, _ = dataset_create(
        owner=Owner(user=alice, org=org, team=org.default_team),
        name="Scores",
        rows=[{"name": "a", "score": 1}],
    )
    operations = [
        {"op": "add", "name": "grade", "type": "text", "enum_values": ["pass", "fail"]},
        {"op": "rename", "name": "score", "new_name": "points"},
        {"op": "drop", "name": "name"},
    ]
    (text,) = call_tools(
        live_site.url,
        alice_key,
        [("edit_dataset_columns", {"dataset_id": str(dataset.pk), "operations": operations})],
    )
    assert str(dataset.pk) in text
    dataset.refresh_from_db()
    assert [c["name"] for c in dataset.columns] == ["points", "grade"]
    assert list(dataset.rows.values_list("data", flat=True)) == [{"points": 1}]


def test_pinned_to_the_personal_space_it_creates_and_downloads_assets(
    live_site, alice, alice_key, tmp_path
):
    from apps.accounts.models import PERSONAL_ORG_ID
    from apps.assets.models import Dataset

    personal = {"OURO_ORG_ID": str(PERSONAL_ORG_ID)}
    rows = [{"a": 1}, {"a": 2}]
    (created,) = call_tools(
        live_site.url, alice_key, [("create_dataset", {"name": "Scores", "data": rows})], **personal
    )
    dataset = Dataset.objects.get(pk=json.loads(created)["id"])
    assert (dataset.user, dataset.org_id, dataset.row_count) == (alice, PERSONAL_ORG_ID, 2)
    download = {"id": str(dataset.pk), "output_path": str(tmp_path)}
    call_tools(live_site.url, alice_key, [("download_asset", download)], **personal)
    assert (tmp_path / f"{dataset.slug}.csv").read_text().splitlines() == ["a", "1", "2"]


def test_unpinned_it_finds_a_team_and_publishes_there(live_site, alice, alice_key, acme):
    from apps.assets.models import Dataset

    team = acme.default_team
    place = {"org_id": str(acme.pk), "team_id": str(team.pk)}
    teams, created = call_tools(
        live_site.url,
        alice_key,
        [
            ("list_teams", {}),
            ("create_dataset", {"name": "Scores", "data": [{"a": 1}], **place}),
        ],
    )
    assert str(team.pk) in teams and str(acme.pk) in teams
    dataset = Dataset.objects.get(pk=json.loads(created)["id"])
    assert (dataset.org_id, dataset.team_id) == (acme.pk, team.pk)
