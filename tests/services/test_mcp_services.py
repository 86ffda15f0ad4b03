"""The service, route and run-listing tools of the official MCP server, ouro-mcp, over stdio
against the live server and the demo upstream: what each answers and what it changed here. An
outsider gets the same not-found as for an id that does not exist."""

import json

import pytest

from apps.accounts.models import PERSONAL_ORG_ID
from apps.actions.models import Action
from apps.routes.models import Route
from apps.services.models import Service
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL = {"OURO_ORG_ID": str(PERSONAL_ORG_ID)}
MISSING = "00000000-0000-4000-8000-00000000abcd"
DEMO_ROUTES = {"hello", "get_item", "make_chart", "start_job", "fail", "slow", "echo"}
NAME = {"name": "name", "in": "query", "schema": {"type": "string", "maxLength": 100}}


def tools(live_site, key: str, calls: list[tuple[str, dict]]) -> list[str]:
    return call_tools(live_site.url, key, calls, **PERSONAL)


def refusal(text: str, asset_id: str) -> dict:
    """The tool's error, with the asked-for id taken out so two refusals compare."""
    error = json.loads(text.replace(asset_id, "<id>"))
    assert error["error"] == "not_found", error
    return error


def rows(text: str) -> list[dict]:
    """The rows of a list tool's JSON answer (its lead line, if any, dropped)."""
    return json.loads(text[text.index("{") :])["results"]


@pytest.fixture
def demo(live_site, alice_key, demo_upstream) -> Service:
    """alice's demo service, imported through create_service from the upstream's spec."""
    (created,) = tools(
        live_site,
        alice_key,
        [
            (
                "create_service",
                {
                    "name": "demo",
                    "base_url": demo_upstream,
                    "spec_url": f"{demo_upstream}/openapi.json",
                    "visibility": "public",
                    "description": "Hello, items, charts and jobs",
                },
            )
        ],
    )
    return Service.objects.get(pk=json.loads(created)["id"])


# create_service and update_service ------------------------------------------------------------


def test_create_service_imports_every_route_of_the_spec(alice, demo, demo_upstream):
    assert (demo.name, demo.base_url, demo.user, demo.visibility) == (
        "demo",
        demo_upstream,
        alice,
        "public",
    )
    assert demo.description == "Hello, items, charts and jobs"
    assert demo.spec_url == f"{demo_upstream}/openapi.json"
    routes = Route.objects.live().filter(service=demo)
    assert set(routes.values_list("name", flat=True)) == DEMO_ROUTES
    hello = routes.get(name="hello")
    assert (hello.method, hello.path, hello.parent_id) == ("GET", "/hello", demo.pk)


def test_create_service_without_a_spec_has_no_routes(live_site, alice_key, demo_upstream):
    (created,) = tools(
        live_site,
        alice_key,
        [("create_service", {"name": "by hand", "base_url": demo_upstream})],
    )
    answer = json.loads(created)
    service = Service.objects.get(pk=answer["id"])
    assert (answer["name"], answer["asset_type"], service.name) == ("by hand", "service", "by hand")
    assert not Route.objects.filter(service=service).exists()


def test_update_service_renames_describes_and_hides_it(live_site, alice_key, demo):
    (updated,) = tools(
        live_site,
        alice_key,
        [
            (
                "update_service",
                {
                    "id": str(demo.pk),
                    "name": "greetings",
                    "description": "Only greetings now",
                    "visibility": "private",
                    "version": "2.0",
                },
            )
        ],
    )
    answer = json.loads(updated)
    assert (answer["id"], answer["name"], answer["visibility"]) == (
        str(demo.pk),
        "greetings",
        "private",
    )
    demo.refresh_from_db()
    assert (demo.name, demo.description, demo.visibility) == (
        "greetings",
        "Only greetings now",
        "private",
    )
    assert Route.objects.live().filter(service=demo).count() == len(DEMO_ROUTES)


def test_update_service_by_an_outsider_is_a_not_found_and_changes_nothing(
    live_site, alice_key, charlie_key, demo
):
    tools(live_site, alice_key, [("update_service", {"id": str(demo.pk), "visibility": "private"})])
    hidden, missing = tools(
        live_site,
        charlie_key,
        [
            ("update_service", {"id": str(demo.pk), "name": "mine"}),
            ("update_service", {"id": MISSING, "name": "mine"}),
        ],
    )
    assert refusal(hidden, str(demo.pk)) == refusal(missing, MISSING)
    demo.refresh_from_db()
    assert demo.name == "demo"


# create_route and update_route ----------------------------------------------------------------


def test_create_route_adds_a_route_that_runs(live_site, alice, alice_key, demo_upstream):
    (created,) = tools(
        live_site,
        alice_key,
        [("create_service", {"name": "by hand", "base_url": demo_upstream})],
    )
    service_id = json.loads(created)["id"]
    added, ran = tools(
        live_site,
        alice_key,
        [
            (
                "create_route",
                {
                    "service_id": service_id,
                    "method": "GET",
                    "path": "/hello",
                    "name": "greet",
                    "description": "Says hello",
                    "parameters": [NAME],
                },
            ),
            ("execute_route", {"route_id": "alice/greet", "query": {"name": "Ada"}}),
        ],
    )
    answer = json.loads(added)
    route = Route.objects.get(pk=answer["id"])
    assert (answer["name"], answer["asset_type"]) == ("greet", "route")
    assert (route.method, route.path, str(route.service_id), route.user) == (
        "GET",
        "/hello",
        service_id,
        alice,
    )
    assert route.parameters == [NAME]
    assert "Hello, Ada!" in ran
    assert Action.objects.get(route=route).response == {"message": "Hello, Ada!"}


def test_create_route_with_a_price(live_site, alice_key, demo):
    (added,) = tools(
        live_site,
        alice_key,
        [
            (
                "create_route",
                {
                    "service_id": str(demo.pk),
                    "method": "POST",
                    "path": "/echo-paid",
                    "visibility": "monetized",
                    "unit_cost": 0.25,
                    "price_currency": "usd",
                },
            )
        ],
    )
    route = Route.objects.get(pk=json.loads(added)["id"])
    # Unnamed, it is named after its method and path, as a name that fits in its page path.
    assert (route.name, route.method, route.path) == ("post_echo_paid", "POST", "/echo-paid")
    assert route.pricing["model"] == "per_call"
    assert (float(route.pricing["unit_cost"]), route.pricing["currency"]) == (0.25, "usd")


def test_create_route_on_an_outsiders_service_is_a_not_found(
    live_site, alice_key, charlie_key, demo
):
    tools(live_site, alice_key, [("update_service", {"id": str(demo.pk), "visibility": "private"})])
    route = {"method": "GET", "path": "/mine"}
    hidden, missing = tools(
        live_site,
        charlie_key,
        [
            ("create_route", {"service_id": str(demo.pk), **route}),
            ("create_route", {"service_id": MISSING, **route}),
        ],
    )
    assert refusal(hidden, str(demo.pk)) == refusal(missing, MISSING)
    assert not Route.objects.filter(path="/mine").exists()


def test_update_route_changes_what_is_passed_and_keeps_the_rest(live_site, alice_key, demo):
    hello = Route.objects.get(service=demo, name="hello")
    described, priced = tools(
        live_site,
        alice_key,
        [
            ("update_route", {"id": "alice/hello", "description": "Greets you by name"}),
            (
                "update_route",
                {
                    "id": str(hello.pk),
                    "visibility": "monetized",
                    "unit_cost": 0.05,
                    "price_currency": "usd",
                },
            ),
        ],
    )
    assert (json.loads(described)["id"], json.loads(described)["name"]) == (str(hello.pk), "hello")
    hello.refresh_from_db()
    assert hello.description == "Greets you by name"
    assert (hello.name, hello.method, hello.path) == ("hello", "GET", "/hello")
    assert hello.pricing["model"] == "per_call"
    assert (float(hello.pricing["unit_cost"]), hello.pricing["currency"]) == (0.05, "usd")
    assert json.loads(priced)["id"] == str(hello.pk)


def test_update_route_by_an_outsider_is_a_not_found_and_changes_nothing(
    live_site, alice_key, charlie_key, demo
):
    tools(live_site, alice_key, [("update_service", {"id": str(demo.pk), "visibility": "private"})])
    hello = Route.objects.get(service=demo, name="hello")
    hidden, missing = tools(
        live_site,
        charlie_key,
        [
            ("update_route", {"id": str(hello.pk), "description": "mine"}),
            ("update_route", {"id": MISSING, "description": "mine"}),
        ],
    )
    assert refusal(hidden, str(hello.pk)) == refusal(missing, MISSING)
    hello.refresh_from_db()
    assert hello.description != "mine"


# list_route_actions and list_my_actions -------------------------------------------------------


def test_list_route_actions_shows_ones_own_runs_and_the_owner_all(
    live_site, alice, alice_key, bob, bob_key, demo
):
    hello = Route.objects.get(service=demo, name="hello")
    run = {"route_id": str(hello.pk), "query": {"name": "Bob"}}
    tools(live_site, bob_key, [("execute_route", run), ("execute_route", run)])
    tools(live_site, alice_key, [("execute_route", {"route_id": str(hello.pk)})])
    bobs = {str(a.pk) for a in Action.objects.filter(user=bob)}
    alices = {str(a.pk) for a in Action.objects.filter(user=alice)}
    assert (len(bobs), len(alices)) == (2, 1)

    own, others_asked = tools(
        live_site,
        bob_key,
        [
            ("list_route_actions", {"route_id": str(hello.pk)}),
            ("list_route_actions", {"route_id": str(hello.pk), "include_other_users": True}),
        ],
    )
    assert all(row["route_id"] == str(hello.pk) for row in rows(own))
    assert {row["action_id"] for row in rows(own)} == bobs
    assert all(row["action_status"] == "success" for row in rows(own))
    assert {row["action_id"] for row in rows(others_asked)} == bobs

    mine, everyone = tools(
        live_site,
        alice_key,
        [
            ("list_route_actions", {"route_id": str(hello.pk)}),
            ("list_route_actions", {"route_id": str(hello.pk), "include_other_users": True}),
        ],
    )
    assert {row["action_id"] for row in rows(mine)} == alices
    assert {row["action_id"] for row in rows(everyone)} == bobs | alices


def test_list_route_actions_of_an_outsider_is_a_not_found(live_site, alice_key, charlie_key, demo):
    hello = Route.objects.get(service=demo, name="hello")
    tools(
        live_site,
        alice_key,
        [
            ("execute_route", {"route_id": str(hello.pk)}),
            ("update_service", {"id": str(demo.pk), "visibility": "private"}),
        ],
    )
    hidden, missing = tools(
        live_site,
        charlie_key,
        [
            ("list_route_actions", {"route_id": str(hello.pk)}),
            ("list_route_actions", {"route_id": MISSING}),
        ],
    )
    assert str(Action.objects.get().pk) not in hidden
    assert refusal(hidden, str(hello.pk)) == refusal(missing, MISSING)


def test_list_my_actions_lists_ones_runs_across_routes(live_site, alice_key, bob, bob_key, demo):
    tools(
        live_site,
        bob_key,
        [
            ("execute_route", {"route_id": "alice/hello", "query": {"name": "Bob"}}),
            ("execute_route", {"route_id": "alice/fail"}),
        ],
    )
    tools(live_site, alice_key, [("execute_route", {"route_id": "alice/hello"})])
    hello = Action.objects.get(user=bob, route__name="hello")
    fail = Action.objects.get(user=bob, route__name="fail")
    assert (hello.status, fail.status) == ("success", "error")

    everything, failed = tools(
        live_site,
        bob_key,
        [("list_my_actions", {}), ("list_my_actions", {"status": ["error"]})],
    )
    listed = rows(everything)
    # Newest first, and only bob's own
    assert [row["action_id"] for row in listed] == [str(fail.pk), str(hello.pk)]
    assert [row["action_status"] for row in listed] == ["error", "success"]
    assert [row["action_id"] for row in rows(failed)] == [str(fail.pk)]
    assert {row["route_id"] for row in listed} == {str(hello.route_id), str(fail.route_id)}
