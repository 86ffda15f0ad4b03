"""A run's log through the official clients: the platform writes the lifecycle of every run it
calls (the request sent, the upstream's answer and how long it took, what was saved), so a sync
run has its own log as an async one has the upstream's."""

import json

import pytest
from ouro import NotFoundError

from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sync_run_logs_its_request_answer_and_saved_response(
    ouro_client, alice_key, charlie_key, hello_route
):
    ouro = ouro_client(alice_key)
    action = ouro.routes.execute(str(hello_route.pk), query={"name": "Ada"})
    assert action.status == "success"

    page = ouro.routes.get_action_logs(str(action.id), sort_order="asc")
    messages = [line.message for line in page]
    assert len(messages) == 3
    assert messages[0] == f"Request sent: GET {hello_route.service.base_url}/hello"
    assert messages[1].startswith("The upstream answered 200 in ") and messages[1].endswith(" ms")
    assert messages[2].startswith("Response saved: ") and "application/json" in messages[2]
    assert {(line.level, line.origin) for line in page} == {("info", "system")}
    assert all(str(line.action_id) == str(action.id) for line in page)
    answered = page.data[1].metadata
    assert answered["event"] == "upstream_answered" and answered["status"] == 200
    assert answered["elapsed_ms"] >= 0 and answered["bytes"] > 0
    newest_first = ouro.routes.get_action_logs(str(action.id))
    assert [line.message for line in newest_first] == messages[::-1]

    with pytest.raises(NotFoundError):
        ouro_client(charlie_key).routes.get_action_logs(str(action.id))
    with pytest.raises(NotFoundError):
        ouro.routes.get_action_logs("00000000-0000-4000-8000-000000000000")


def test_a_failed_sync_run_logs_the_answer_as_a_warning_and_the_error(
    ouro_client, alice_key, fail_route
):
    ouro = ouro_client(alice_key)
    action = ouro.routes.execute(str(fail_route.pk))
    assert action.status == "error"
    lines = list(ouro.routes.get_action_logs(str(action.id), chronological=True))
    assert [line.level for line in lines] == ["info", "warning", "error"]
    assert lines[1].message.startswith("The upstream answered 500 in ")
    assert lines[2].message == action.response["error"]["message"]
    (warning,) = ouro.routes.get_action_logs(str(action.id), level="warning")
    assert warning.metadata["status"] == 500


def test_the_mcp_tool_reads_a_sync_runs_log(live_site, alice_key, charlie_key, hello_route):
    from apps.actions.models import Action

    (ran,) = call_tools(
        live_site.url,
        alice_key,
        [("execute_route", {"route_id": str(hello_route.pk), "query": {"name": "Ada"}})],
    )
    action = Action.objects.get(route=hello_route)
    assert action.status == "success"
    logs, warnings = call_tools(
        live_site.url,
        alice_key,
        [
            ("get_action_logs", {"action_id": str(action.pk)}),
            ("get_action_logs", {"action_id": str(action.pk), "level": "warn"}),
        ],
    )
    results = json.loads(logs)["results"]
    assert len(results) == 3
    assert results[0]["message"].startswith("Request sent: GET ")
    assert results[1]["message"].startswith("The upstream answered 200 in ")
    assert results[2]["message"].startswith("Response saved: ")
    assert {(r["level"], r["origin"]) for r in results} == {("info", "system")}
    assert json.loads(warnings)["results"] == []
    (outsider,) = call_tools(
        live_site.url, charlie_key, [("get_action_logs", {"action_id": str(action.pk)})]
    )
    assert "not found" in outsider.lower()
