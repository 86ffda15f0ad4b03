"""Kept statements answer exactly as the ORM does, on SQLite and on PostgreSQL."""

import uuid

import pytest
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import ApiKey
from apps.accounts.services import api_key_create
from apps.actions.models import Action
from apps.core.statements import Lookup, insert, update_if
from apps.routes.models import Route
from apps.routes.selectors import RUN_FIELDS

ROUTE_RUN = Lookup(
    lambda pk: Route.objects.select_related("service").only(*RUN_FIELDS).filter(pk=pk).order_by(),
    pk=Route._meta.pk,
)
KEY_BY_HASH = Lookup(
    lambda key_hash: ApiKey.objects.select_related("user").filter(key_hash=key_hash).order_by(),
    key_hash=ApiKey._meta.get_field("key_hash"),
)


@pytest.fixture
def route(make_route):
    return make_route(
        "POST",
        "/items/{item_id}",
        parameters=[{"name": "item_id", "in": "path", "required": True}],
        output_assets={"chart": {"type": "file"}},
    )


def _loaded(instance) -> dict:
    return {name: value for name, value in vars(instance).items() if not name.startswith("_")}


def test_a_lookup_builds_what_the_orm_builds_with_its_related_row(route):
    kept = ROUTE_RUN.first(pk=route.pk)
    orm = Route.objects.select_related("service").only(*RUN_FIELDS).get(pk=route.pk)
    assert _loaded(kept) == _loaded(orm)
    assert _loaded(kept.service) == _loaded(orm.service)
    # Converted as the ORM converts: a UUID, an aware datetime, decoded JSON.
    assert isinstance(kept.pk, uuid.UUID)
    assert kept.parameters == [{"name": "item_id", "in": "path", "required": True}]
    assert kept.output_assets == {"chart": {"type": "file"}}
    assert kept.get_deferred_fields() == orm.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert kept.service.base_url == route.service.base_url  # already loaded
    assert len(queries) == 0


def test_a_lookup_finds_nothing_for_an_unknown_value(route):
    assert ROUTE_RUN.first(pk=uuid.uuid4()) is None
    assert KEY_BY_HASH.first(key_hash="0" * 64) is None


def test_a_lookup_by_text_and_the_statement_is_compiled_once(alice):
    key, _ = api_key_create(user=alice, name="laptop")
    found = KEY_BY_HASH.first(key_hash=key.key_hash)
    assert found.pk == key.pk and found.user.username == "alice"
    compiled = KEY_BY_HASH._compiled[connection.alias]
    with CaptureQueriesContext(connection) as queries:
        assert KEY_BY_HASH.first(key_hash=key.key_hash).pk == key.pk
    assert KEY_BY_HASH._compiled[connection.alias] is compiled
    assert len(queries) == 1


def test_a_query_that_compares_the_value_twice_cannot_be_kept(alice):
    twice = Lookup(
        lambda key_hash: ApiKey.objects.filter(key_hash=key_hash, prefix=key_hash),
        key_hash=ApiKey._meta.get_field("key_hash"),
    )
    with pytest.raises(ValueError, match="cannot keep"):
        twice.first(key_hash="abc")


def test_insert_writes_the_row_save_would_write(route, alice, personal):
    kept = Action(
        route=route,
        user=alice,
        org=personal,
        team=personal.default_team,
        metadata={"query": {"q": "ü"}},
    )
    insert(kept)
    saved = Action(route=route, user=alice, org=personal, team=personal.default_team)
    saved.save(force_insert=True)
    row = Action.objects.get(pk=kept.pk)
    assert row.metadata == {"query": {"q": "ü"}}
    assert row.status == "queued" and row.created_at == kept.created_at
    assert not kept._state.adding
    assert {f.attname for f in Action._meta.concrete_fields} <= set(vars(row))
    # The same columns as the ORM's insert, value for value.
    other = Action.objects.get(pk=saved.pk)
    for field in Action._meta.concrete_fields:
        if field.name not in {"id", "metadata", "created_at", "last_updated"}:
            assert getattr(row, field.attname) == getattr(other, field.attname), field.name


def test_insert_inside_a_failed_transaction_rolls_back(route, alice, personal):
    action = Action(route=route, user=alice, org=personal, team=personal.default_team)
    insert(action)
    duplicate = Action(
        pk=action.pk, route=route, user=alice, org=personal, team=personal.default_team
    )
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the backend's error
        insert(duplicate)
    assert Action.objects.filter(pk=action.pk).count() == 1


def test_update_if_changes_only_rows_in_an_allowed_state(route, alice, personal):
    action = Action.objects.create(
        route=route, user=alice, org=personal, team=personal.default_team
    )
    assert (
        update_if(
            Action, action.pk, field="status", allowed=("success",), values={"status": "error"}
        )
        == 0
    )
    changed = update_if(
        Action,
        action.pk,
        field="status",
        allowed=("queued", "in-progress"),
        values={"status": "error", "response": {"n": [1, None]}, "canceled_by": alice},
    )
    assert changed == 1
    action.refresh_from_db()
    assert action.status == "error" and action.response == {"n": [1, None]}
    assert action.canceled_by_id == alice.pk


def test_update_if_leaves_expressions_to_the_orm(route, alice, personal):
    action = Action.objects.create(
        route=route, user=alice, org=personal, team=personal.default_team, error_message="a"
    )
    values = {"error_message": Concat(F("error_message"), Value("b"))}
    assert update_if(Action, action.pk, field="status", allowed=("queued",), values=values) == 1
    action.refresh_from_db()
    assert action.error_message == "ab"
    with pytest.raises(ValueError, match="at least one"):
        update_if(Action, action.pk, field="status", allowed=(), values={"status": "error"})


def test_on_postgresql_a_repeated_statement_is_prepared_once_per_connection(route):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (CI's PostgreSQL run)")
    for _ in range(6):
        assert ROUTE_RUN.first(pk=route.pk).pk == route.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "routes_route"' in text and "$1" in text for text in prepared), prepared


@pytest.mark.django_db(transaction=True)
def test_threads_share_a_kept_statement_each_on_its_own_connection(make_route):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    routes = [make_route("GET", f"/thread/{i}", name=f"thread-{i}") for i in range(4)]
    fresh = Lookup(
        lambda pk: Route.objects.select_related("service").filter(pk=pk).order_by(),
        pk=Route._meta.pk,
    )

    def look_up(index: int) -> list[str]:
        try:
            return [fresh.first(pk=routes[(index + n) % 4].pk).path for n in range(40)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(look_up, range(8)))
    for index, paths in enumerate(answers):
        assert paths == [f"/thread/{(index + n) % 4}" for n in range(40)]
    assert list(fresh._compiled) == ["default"]
