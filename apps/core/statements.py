"""The few statements every run and every poll repeats, compiled once and run again.

Building SQL through the ORM costs far more than running it: a route look-up spends about
0.8 ms in Python to write SQL that SQLite answers in 0.06 ms. The statements on the hot path
(a run's key, route, insert and transitions; a poll's session, user and action) are written
by the ORM once per process and database, kept, and executed again with new values. They
return what the ORM would: the same model instances, through the same converters and the same
connection wrappers (a test's captured queries see them). Everything else uses the ORM.
"""

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.db import connections, models, transaction
from django.db.models.query import get_related_populators


def _marker(field: models.Field, index: int) -> Any:
    """A value a look-up is compiled with, to find its place among the compiled parameters."""
    compared = field.target_field if field.is_relation else field  # e.g. a child model's pk
    if isinstance(compared, models.UUIDField):
        return uuid.UUID(int=0x5E1EC7ED_0000_4000_8000_000000000000 + index)
    if isinstance(compared, models.CharField | models.TextField):
        return f"\x00statement-marker-{index}\x00"
    if isinstance(compared, models.DateTimeField):
        return datetime(2001, 2, 3, 4, 5, 6, index + 1, tzinfo=UTC)
    raise ValueError(f"no marker for a {type(compared).__name__}")


def _prepare(field: models.Field, connection, value: Any) -> Any:
    return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)


class _Compiled:
    """One look-up's SQL for one database, and how its rows become instances."""

    def __init__(self, lookup: "Lookup", alias: str):
        connection = connections[alias]
        queryset = lookup.build(**lookup.markers)
        compiler = queryset.query.get_compiler(alias)
        self.sql, params = compiler.as_sql()
        self.params, self.slots = list(params), {}
        for name, field in lookup.fields.items():
            value = _prepare(field, connection, lookup.markers[name])
            slots = [index for index, param in enumerate(params) if param == value]
            if len(slots) != 1:
                raise ValueError(f"cannot keep {queryset.query} as a statement")
            self.slots[name] = (slots[0], field)
        # Annotations, known related objects and peer tracking need per-query state.
        tracked = queryset._fetch_mode.track_peers
        if compiler.annotation_col_map or queryset._known_related_objects or tracked:
            raise ValueError(f"cannot keep {queryset.query} as a statement")
        select, klass_info = compiler.select, compiler.klass_info
        self.converters = compiler.get_converters([column[0] for column in select])
        self.apply_converters = compiler.apply_converters
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        fetch_mode = queryset._fetch_mode
        self.from_db = partial(klass_info["model"].from_db, fetch_mode=fetch_mode)
        self.populators = get_related_populators(klass_info, select, alias, fetch_mode)
        self.alias = alias

    def rows(self, values: dict[str, Any]) -> list:
        connection = connections[self.alias]  # this thread's
        params = list(self.params)
        for name, (slot, field) in self.slots.items():
            params[slot] = _prepare(field, connection, values[name])
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = list(self.apply_converters(rows, self.converters))
        return rows

    def instances(self, values: dict[str, Any]) -> list[models.Model]:
        found = []
        for row in self.rows(values):
            instance = self.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, instance)
            found.append(instance)
        return found


class Lookup:
    """A SELECT of model instances by a few values: `build(**values)` is the queryset.

    `fields` name the field each value is compared with (it prepares the value as the ORM
    would); the queryset is compiled on first use per database alias.
    """

    def __init__(self, build: Callable[..., models.QuerySet], **fields: models.Field):
        self.build, self.fields = build, fields
        self.markers = {name: _marker(field, i) for i, (name, field) in enumerate(fields.items())}
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:  # one thread compiles; the others wait and take its result
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = self._compiled[alias] = _Compiled(self, alias)
        return compiled

    def first(self, *, using: str = "default", **values: Any) -> models.Model | None:
        found = self._for(using).instances(values)
        return found[0] if found else None

    def all(self, *, using: str = "default", **values: Any) -> list[models.Model]:
        return self._for(using).instances(values)


def insert(instance: models.Model, *, using: str = "default") -> None:
    """INSERT a new row as `save(force_insert=True)` does for a model with a client-side
    primary key and no database defaults (and without its save signals)."""
    model = type(instance)
    connection = connections[using]
    sql, fields = _insert_sql(model, connection)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
    instance._state.adding = False
    instance._state.db = using


_INSERTS: dict[tuple, tuple[str, list]] = {}


def _insert_sql(model: type[models.Model], connection) -> tuple[str, list]:
    key = (model, connection.vendor)
    if key not in _INSERTS:
        fields = list(model._meta.local_concrete_fields)
        if any(f.db_returning or f.has_db_default() or f.generated for f in fields):
            raise ValueError(f"{model.__name__} needs the ORM's insert")
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        _INSERTS[key] = (
            # Only the model's own quoted names are formatted in; every value is a parameter.
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608
            fields,
        )
    return _INSERTS[key]


def update_if(
    model: type[models.Model],
    pk: Any,
    *,
    field: str,
    allowed: tuple,
    values: dict[str, Any],
    using: str = "default",
) -> int:
    """`UPDATE … SET values WHERE pk = pk AND field IN allowed`; returns the rows changed.

    Plain values are prepared by their fields as `update()` would; a statement with an
    expression among its values goes through the ORM.
    """
    if not allowed:
        raise ValueError("update_if needs at least one allowed value")
    if any(hasattr(value, "resolve_expression") for value in values.values()):
        rows = model._default_manager.using(using).filter(pk=pk, **{f"{field}__in": allowed})
        return rows.update(**values)  # an expression: the ORM writes it
    connection = connections[using]
    names = tuple(values)
    sql = _update_sql(model, connection, names, field, len(allowed))
    meta = model._meta
    params = []
    for name in names:
        target, value = meta.get_field(name), values[name]
        if target.remote_field and isinstance(value, models.Model):
            value = value.prepare_database_save(target)  # a related instance: its key
        params.append(target.get_db_prep_save(value, connection))
    params.append(_prepare(meta.pk, connection, pk))
    condition = meta.get_field(field)
    params.extend(_prepare(condition, connection, value) for value in allowed)
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


_UPDATES: dict[tuple, str] = {}


def _update_sql(model, connection, names: tuple, field: str, count: int) -> str:
    key = (model, connection.vendor, names, field, count)
    if key not in _UPDATES:
        meta = model._meta
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(meta.get_field(n).column)} = %s" for n in names)
        choices = ", ".join(["%s"] * count)
        # Only the model's own quoted names are formatted in; every value is a parameter.
        _UPDATES[key] = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(meta.pk.column)} = %s "
            f"AND {quote(meta.get_field(field).column)} IN ({choices})"
        )
    return _UPDATES[key]
