"""The plain SQL of apps.actions.sql answers exactly what its ORM query answers, on SQLite and
on PostgreSQL; on PostgreSQL psycopg prepares it once per connection."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.actions import sql
from apps.actions.models import Action
from apps.actions.selectors import action_state, route_run_loaded
from apps.actions.services import route_run
from apps.routes.models import Route
from apps.services.models import AuthMethod, Service

pytestmark = pytest.mark.django_db


def orm_route_to_run(route_id) -> Route | None:
    service_fields = (f"service__{name}" for name in sql.RUN_SERVICE_FIELDS)
    return (
        Route.objects.select_related("service")
        .only(*sql.RUN_ROUTE_FIELDS, *service_fields)
        .filter(pk=route_id, archived_at__isnull=True)
        .first()
    )


def orm_action_state(action_id) -> Action | None:
    route_fields = (f"route__{name}" for name in sql.POLL_ROUTE_FIELDS)
    return (
        Action.objects.select_related("route")
        .only(*sql.POLL_ACTION_FIELDS, *route_fields)
        .filter(pk=action_id)
        .first()
    )


def loaded(instance) -> dict:
    """What the instance holds: every loaded field's value, with its type."""
    return {
        name: (type(value), value)
        for name, value in vars(instance).items()
        if not name.startswith("_")
    }


def assert_same(found, expected) -> None:
    assert type(found) is type(expected)
    assert loaded(found) == loaded(expected)
    assert found.get_deferred_fields() == expected.get_deferred_fields()


@pytest.fixture
def rich_route(make_route, make_service, bob):
    """A route with every kind of value a run reads: JSON of each shape, a credential, an
    archived service (a datetime), another owner and organization's team."""
    service = make_service(
        owner=bob, auth=AuthMethod.API_KEY_HEADER, secret="s3cret", auth_param_name="X-Key"
    )
    Service.objects.filter(pk=service.pk).update(
        archived_at=timezone.now() - timedelta(days=1, microseconds=7)
    )
    return make_route(
        "POST",
        "/items/{item_id}",
        service=service,
        name="Items ü",
        parameters=[{"name": "item_id", "in": "path", "required": True, "schema": {"type": "x"}}],
        request_body={"content": {"application/json": {"schema": {"type": "object"}}}},
        input_assets={"photo": {"asset_type": "file"}},
        output_assets={"chart": {"asset_type": "file", "primary": True}},
        pricing={"amount": "0.10", "currency": "USD"},
        sync_timeout_seconds=7,
        hard_timeout_seconds=99,
    )


def test_a_run_reads_its_route_and_service_as_the_orm_does(rich_route, hello_route):
    for route in (rich_route, hello_route):
        found, expected = sql.route_to_run(route.pk), orm_route_to_run(route.pk)
        assert_same(found, expected)
        assert_same(found.service, expected.service)
        assert isinstance(found.pk, uuid.UUID) and found.pk == route.pk
        assert found.id == found.asset_ptr_id == route.pk  # the parent key, with no read
    found = sql.route_to_run(str(rich_route.pk))  # an id as text, as a URL gives it
    assert found.parameters[0]["schema"] == {"type": "x"} and found.request_body is not None
    assert found.service.archived_at == Service.objects.get(pk=found.service_id).archived_at
    assert found.service.credential() == "s3cret"


def test_a_route_read_for_a_run_costs_one_query_and_a_left_out_column_is_read_when_asked(
    hello_route,
):
    with CaptureQueriesContext(connection) as queries:
        route = route_run_loaded(hello_route.pk)
        assert route.service.base_url == hello_route.service.base_url
        assert route.parent is route.service
    assert len(queries) == 1
    assert {"responses", "description"} <= route.get_deferred_fields()
    assert route.responses == hello_route.responses  # read when asked, as with only()


def test_an_archived_or_unknown_route_is_not_read_for_a_run(hello_route):
    Route.objects.filter(pk=hello_route.pk).update(archived_at=timezone.now())
    assert sql.route_to_run(hello_route.pk) is None and orm_route_to_run(hello_route.pk) is None
    assert sql.route_to_run(uuid.uuid4()) is None


def test_a_poll_reads_the_action_as_the_orm_does(hello_route, alice, bob, personal):
    finished = route_run(route=hello_route, user=alice, inputs={}, source="test")
    running = Action.objects.create(
        route=hello_route, user=bob, org=personal, team=personal.default_team, paid=True
    )
    now = timezone.now()
    Action.objects.filter(pk=running.pk).update(
        status="in-progress", started_at=now, ack_at=now, last_heartbeat_at=now
    )
    for action in (finished, running):
        found, expected = sql.action_state(action.pk), orm_action_state(action.pk)
        assert_same(found, expected)
        assert_same(found.route, expected.route)
        assert found.change_stamp == expected.change_stamp
    assert sql.action_state(running.pk).paid is True
    assert sql.action_state(uuid.uuid4()) is None


def test_on_postgresql_the_statements_are_prepared_once_per_connection(hello_route, alice):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI's PostgreSQL run)")
    action = route_run(route=hello_route, user=alice, inputs={}, source="test")
    for _ in range(6):
        assert route_run_loaded(hello_route.pk).pk == hello_route.pk
        assert action_state(action_id=action.pk).pk == action.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "routes_route" r' in text and "$1" in text for text in prepared), prepared
    assert any('FROM "actions_action" a' in text and "$1" in text for text in prepared), prepared
