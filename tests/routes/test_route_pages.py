"""The routes list and a route's page: docs, schemas, tabs and the run form."""

import pytest

from apps.actions.models import Action, Status
from apps.actions.services import route_run
from tests.actions.conftest import json_body

pytestmark = pytest.mark.django_db


def page(client, route, **params):
    return client.get(f"/routes/{route.entity_name}/{route.slug}", params)


def test_the_list_shows_visible_routes_and_filters_them(
    client, hello_route, make_route, make_service, charlie
):
    hidden = make_route("GET", "/secret", service=make_service(name="Hidden", visibility="private"))
    client.force_login(charlie)
    html = client.get("/routes").content.decode()
    assert "/hello" in html and "/secret" not in html
    assert "/hello" not in client.get("/routes", {"q": "nothing-like-it"}).content.decode()
    assert hidden.pk


def test_a_route_page_shows_docs_parameters_and_the_form(client, hello_route, alice):
    client.force_login(alice)
    response = page(client, hello_route)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>name</strong>" in html  # markdown rendered
    assert 'name="query.name"' in html and 'value="world"' in html
    assert 'maxlength="100"' in html


def test_markdown_in_descriptions_is_sanitised(client, make_route, alice):
    route = make_route(
        "GET", "/x", description="Hi <script>alert(1)</script> [a](javascript:alert(1))"
    )
    client.force_login(alice)
    html = page(client, route).content.decode()
    assert "<script>alert(1)" not in html
    assert "javascript:alert" not in html


def test_a_private_route_page_is_not_found_for_outsiders(client, make_route, make_service, charlie):
    route = make_route("GET", "/hello", service=make_service(visibility="private"))
    client.force_login(charlie)
    assert page(client, route).status_code == 404


def test_the_form_shows_enums_booleans_arrays_and_nested_objects(client, make_route, alice):
    route = make_route(
        "POST",
        "/chart",
        request_body=json_body(
            {
                "type": "object",
                "required": ["values"],
                "properties": {
                    "values": {"type": "array", "items": {"type": "number"}, "example": [3, 1]},
                    "color": {"type": "string", "enum": ["indigo", "teal"], "default": "teal"},
                    "smooth": {"type": "boolean", "default": True},
                    "size": {"type": "object", "properties": {"w": {"type": "integer"}}},
                },
            }
        ),
    )
    client.force_login(alice)
    html = page(client, route).content.decode()
    assert '<select id="f-body-color" name="body.color">' in html
    assert '<option value="teal" selected>' in html
    assert 'name="body.smooth" value="true" checked' in html
    assert ">3\n1</textarea>" in html
    assert 'name="body.size.w"' in html and "<legend>size" in html


def test_invalid_form_input_shows_errors_and_sends_nothing(
    client, make_route, make_service, recorder, alice
):
    route = make_route(
        "POST",
        "/json",
        service=make_service(base_url=recorder.url),
        request_body=json_body(
            {
                "type": "object",
                "required": ["count"],
                "properties": {"count": {"type": "integer", "maximum": 3}},
            }
        ),
    )
    client.force_login(alice)
    url = f"/routes/{route.entity_name}/{route.slug}/run"
    response = client.post(url, {"body.count": "9"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "At most 3" in response.content.decode()
    response = client.post(url, {"body.count": "x"})
    assert response.status_code == 400
    assert "Enter a whole number" in response.content.decode()
    assert recorder.requests == []
    assert Action.objects.count() == 0


def test_a_valid_run_queues_the_action_and_shows_the_live_panel(
    client, hello_route, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = f"/routes/{hello_route.entity_name}/{hello_route.slug}/run"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"query.name": "Ada"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    action = Action.objects.get()
    assert action.status == Status.QUEUED and action.source == "web"
    assert (
        f'hx-get="/actions/{action.pk}/panel?since={action.change_stamp}"' in html
        and 'hx-trigger="every 1s"' in html
    )
    callbacks[0]()
    action.refresh_from_db()
    assert action.response == {"message": "Hello, Ada!"}


def test_without_htmx_a_run_redirects_to_the_action_page(client, hello_route, alice):
    client.force_login(alice)
    response = client.post(f"/routes/{hello_route.entity_name}/{hello_route.slug}/run", {})
    assert response.status_code == 302
    assert response["Location"] == f"/actions/{Action.objects.get().pk}"


def test_anonymous_visitors_are_asked_to_log_in_to_run(client, hello_route):
    html = page(client, hello_route).content.decode()
    assert "Log in</a> to run this route" in html
    response = client.post(f"/routes/{hello_route.entity_name}/{hello_route.slug}/run", {})
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_actions_tab_lists_own_runs_and_all_runs_for_the_owner(client, hello_route, alice, bob):
    for user in (alice, bob, bob):
        route_run(route=hello_route, user=user, inputs={}, source="test")
    client.force_login(bob)
    html = page(client, hello_route, tab="actions").content.decode()
    assert html.count("status-success") == 2
    assert "Everyone's runs" not in html
    html = page(client, hello_route, tab="actions", scope="all").content.decode()
    assert html.count("status-success") == 2
    client.force_login(alice)
    html = page(client, hello_route, tab="actions", scope="all").content.decode()
    assert html.count("status-success") == 3


def test_the_actions_tab_filters_by_status_and_pages_by_keyset(
    client, hello_route, fail_route, alice
):
    for _ in range(27):
        route_run(route=hello_route, user=alice, inputs={}, source="test")
    client.force_login(alice)
    response = page(client, hello_route, tab="actions")
    first = response.context["actions"]
    assert len(first) == 25 and response.context["next_cursor"]
    second = page(client, hello_route, tab="actions", cursor=response.context["next_cursor"])
    rest = second.context["actions"]
    assert len(rest) == 2 and not {a.pk for a in rest} & {a.pk for a in first}
    assert page(client, hello_route, tab="actions", status="error").context["actions"] == []


def test_the_api_tab_has_snippets_for_ouro_py_curl_and_mcp(client, item_route, alice):
    client.force_login(alice)
    html = page(client, item_route, tab="api").content.decode()
    assert "ouro.routes.execute(&#x27;alice/get-item&#x27;" in html
    assert f"/api/services/{item_route.service_id}/routes/{item_route.pk}/use" in html
    assert "execute_route" in html


def test_run_again_prefills_the_form(client, item_route, alice):
    action = route_run(
        route=item_route,
        user=alice,
        inputs={"parameters": {"item_id": "3"}, "query": {"currency": "EUR"}},
    )
    client.force_login(alice)
    html = page(client, item_route, again=str(action.pk)).content.decode()
    assert 'name="path.item_id" value="3"' in html
    assert '<option value="EUR" selected>' in html
