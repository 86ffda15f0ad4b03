"""The route editor as a form: parameters as rows (round-tripping every parameter of the real
specs), timeouts, JSON that says whether it is valid as it is typed, the raw JSON kept."""

import json
import shutil

import pytest

from apps.routes.route_forms import ParameterRows, parameters_as_rows, parameters_from_rows
from apps.services.importer import import_bytes
from tests.spec_files import FIXTURE_SPECS, spec_corpus_dir

LIMIT = 16 * 1024 * 1024


def spec_files() -> list:
    files = sorted(p for p in FIXTURE_SPECS.iterdir() if p.suffix in (".json", ".yaml"))
    corpus = spec_corpus_dir()
    if corpus.is_dir():
        files += sorted(p for p in corpus.iterdir() if p.suffix in (".json", ".yaml"))
    return files


def rows_post(rows: list[dict], prefix: str = "param") -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "required":
                if value:
                    data[f"{prefix}-{index}-required"] = "on"
            elif key == "DELETE":
                if value:
                    data[f"{prefix}-{index}-DELETE"] = "on"
            else:
                data[f"{prefix}-{index}-{key}"] = value
    return data


def expected(param: dict) -> dict:
    """What saving a parameter from its row keeps: all of it, path ones required."""
    param = dict(param)
    if param.get("in") == "path" or param.get("required"):
        param["required"] = True
    else:
        param.pop("required", None)
    if not param.get("description"):
        param.pop("description", None)
    return param


@pytest.mark.parametrize("path", spec_files(), ids=lambda p: p.name)
def test_every_parameter_of_every_spec_survives_the_rows(path):
    try:
        result = import_bytes(path.read_bytes(), max_bytes=LIMIT)
    except Exception:  # specs that need their sibling files are covered by the importer tests
        pytest.skip("needs its referenced files")
    checked = 0
    for route in result.routes:
        rows = parameters_as_rows(route.parameters)
        if rows is None:
            continue
        formset = ParameterRows(rows_post(rows), prefix="param")
        assert formset.is_valid(), (route.method, route.path, formset.errors)
        saved = parameters_from_rows([r for r in formset.cleaned_data if r])
        assert saved == [expected(p) for p in route.parameters], (route.method, route.path)
        checked += len(saved)
    assert checked or not any(r.parameters for r in result.routes)


def test_rows_change_add_and_remove_parameters_and_type_their_defaults():
    rows = parameters_as_rows(
        [
            {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
            {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
        ]
    )
    rows[0]["default"] = "10"
    rows.append({"name": "tags", "location": "query", "type": "array", "default": "a, b"})
    rows.append({"name": "flag", "location": "header", "type": "boolean", "default": "true"})
    rows[1]["DELETE"] = True
    formset = ParameterRows(rows_post(rows), prefix="param")
    assert formset.is_valid()
    saved = parameters_from_rows([r for r in formset.cleaned_data if r and not r.get("DELETE")])
    assert saved == [
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "maximum": 50, "default": 10},
        },
        {
            "name": "tags",
            "in": "query",
            "schema": {"type": "array", "items": {"type": "string"}, "default": ["a", "b"]},
        },
        {"name": "flag", "in": "header", "schema": {"type": "boolean", "default": True}},
    ]


def test_a_default_of_the_wrong_type_is_refused_on_its_row():
    rows = [{"name": "n", "location": "query", "type": "integer", "default": "many"}]
    formset = ParameterRows(rows_post(rows), prefix="param")
    assert not formset.is_valid()
    assert formset.errors[0]["default"] == ["Enter a whole number"]


def test_parameters_by_reference_are_edited_as_json():
    assert parameters_as_rows([{"$ref": "#/components/parameters/Limit"}]) is None


# The page ------------------------------------------------------------------------------------


@pytest.fixture
def route(db, alice):
    from apps.accounts.services import personal_org
    from apps.routes.models import Route
    from apps.services.models import Service

    org = personal_org()
    service = Service.objects.create(
        user=alice, org=org, team=org.default_team, name="Svc", base_url="https://api.example.org"
    )
    return Route.objects.create(
        user=alice,
        org=org,
        team=org.default_team,
        parent=service,
        service=service,
        name="get_pet",
        method="GET",
        path="/pets/{id}",
        parameters=[
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            },
            {"name": "fields", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
        ],
    )


def edit_data(route, **changes) -> dict:
    data = {
        "method": route.method,
        "path": route.path,
        "name": route.name,
        "execution_mode": "async",
        "visibility": "inherit",
        "parameters": json.dumps(route.parameters),
        "parameters_source": "rows",
        "quiet_window_seconds": "600",
        "hard_timeout_seconds": "3600",
        "sync_timeout_seconds": "30",
    }
    data.update(changes)
    return data


def test_the_editor_shows_rows_and_saves_them_keeping_what_rows_do_not_show(client, alice, route):
    client.force_login(alice)
    url = f"/services/{route.service_id}/routes/{route.pk}/edit"
    page = client.get(url).content.decode()
    assert 'name="param-0-name"' in page and 'value="fields"' in page
    assert "data-json-editor" in page and "Parameters as JSON" in page
    rows = parameters_as_rows(route.parameters)
    rows[1]["name"] = "select"
    rows.append({"name": "X-Trace", "location": "header", "type": "string", "required": True})
    response = client.post(url, {**edit_data(route), **rows_post(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    route.refresh_from_db()
    assert route.parameters == [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid"},
        },
        {"name": "select", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
        {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
    ]
    assert (route.execution_mode, route.quiet_window_seconds, route.hard_timeout_seconds) == (
        "async",
        600,
        3600,
    )
    assert route.sync_timeout_seconds == 30


def test_the_json_wins_when_chosen_and_bad_input_saves_nothing(client, alice, route):
    client.force_login(alice)
    url = f"/services/{route.service_id}/routes/{route.pk}/edit"
    rows = parameters_as_rows(route.parameters)
    chosen = [{"name": "q", "in": "query"}]
    data = {
        **edit_data(route, parameters=json.dumps(chosen), parameters_source="json"),
        **rows_post(rows),
    }
    assert client.post(url, data).status_code == 302
    route.refresh_from_db()
    assert route.parameters == chosen
    rows = parameters_as_rows(route.parameters)
    rows[0]["type"], rows[0]["default"] = "integer", "ten"
    response = client.post(url, {**edit_data(route, quiet_window_seconds="1"), **rows_post(rows)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a whole number" in page and "greater than or equal to 10" in page
    route.refresh_from_db()
    assert route.parameters == chosen


def test_the_api_sets_timeouts_within_bounds(api, alice_key, route):
    url = f"/services/{route.service_id}/routes/{route.pk}"
    ok = api(alice_key).put(url, {"route": {"quiet_window_seconds": 120}})
    assert ok.status_code == 200, ok.content
    route.refresh_from_db()
    assert route.quiet_window_seconds == 120
    bad = api(alice_key).put(url, {"route": {"hard_timeout_seconds": 1}})
    assert bad.status_code == 400 and "hard_timeout_seconds" in bad.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed")
def test_rows_are_added_and_json_is_checked_as_it_is_typed(live_site, page, route):
    from playwright.sync_api import expect

    page.goto(f"{live_site.url}/services/{route.service_id}/routes/{route.pk}/edit")
    page.get_by_role("button", name="Add a parameter").click()
    page.fill("#id_param-3-name", "page")
    page.select_option("#id_param-3-type", "integer")
    page.fill("#id_param-3-default", "1")
    status = page.locator("#id_request_body-status")
    page.fill("#id_request_body", '{"content": ')
    expect(status).to_contain_text("Not valid JSON")
    expect(page.locator("#id_request_body")).to_have_attribute("aria-invalid", "true")
    page.fill(
        "#id_request_body", '{"content": {"application/json": {"schema": {"type": "object"}}}}'
    )
    expect(status).to_have_text("Valid JSON")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_site.url}/services/{route.service_id}")
    route.refresh_from_db()
    assert route.parameters[-1] == {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "default": 1},
    }
    assert route.request_body == {"content": {"application/json": {"schema": {"type": "object"}}}}
