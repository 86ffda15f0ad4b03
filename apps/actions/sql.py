"""Plain SQL for the two reads every run and every poll repeat; everything else uses the ORM.

Writing a query's SQL costs the ORM far more than running it: a run's route with its service
(four tables, as both are assets) takes it over a millisecond of Python for a statement SQLite
answers in a tenth of that, and `bench/run_overhead.py` shows that this cost puts a sync run and
a status poll past their targets. So these two statements are written out here, once per
process, from the models' own table and column names (`Model._meta`). They run through
`connection.cursor()`, so a test's captured queries see them and psycopg prepares them, and
their rows become model instances through `Model.from_db`, each value converted by its field as
the ORM converts it. Each answers what the ORM query in its docstring answers:
tests/actions/test_sql.py compares them value for value, on SQLite and on PostgreSQL.
"""

from datetime import UTC

from django.conf import settings
from django.db import connections, models
from django.utils.dateparse import parse_datetime

from apps.actions.models import Action
from apps.routes.models import Route
from apps.services.models import Service

# What the permission selector reads of an asset.
PERMISSION_FIELDS = ("asset_type", "user", "org", "team", "parent", "visibility", "archived_at")
# What a run reads of its route and service, and no more: a route's response schemas and a
# service's spec can be large, and every column costs on the hot path.
RUN_ROUTE_FIELDS = (
    *PERMISSION_FIELDS,
    *("name", "slug", "service", "method", "path", "execution_mode", "sync_timeout_seconds"),
    *("parameters", "request_body", "input_assets", "output_assets", "pricing"),
    *("hard_timeout_seconds", "total_timeout_seconds"),
)
RUN_SERVICE_FIELDS = (
    *PERMISSION_FIELDS,
    *("base_url", "auth_method", "auth_param_name", "credential_encrypted", "spec_version"),
)
# What a status poll reads: who may see the run, the reaper's rule, and the change stamp.
POLL_ACTION_FIELDS = (
    *("user", "route", "status", "created_at", "started_at", "ack_at"),
    *("last_heartbeat_at", "last_updated", "paid", "worker_seen_at"),
)
POLL_ROUTE_FIELDS = (
    *("asset_type", "user", "org", "parent", "visibility", "archived_at"),
    *("quiet_window_seconds", "hard_timeout_seconds"),
)


def _quote(name: str) -> str:
    return f'"{name}"'  # the same on SQLite and PostgreSQL; only the models' own names


def _converter(field: models.Field):
    """The value of `field` from what the driver returns, as the ORM's converters give it."""
    if isinstance(field, models.DateTimeField):

        def aware(value):  # SQLite keeps naive UTC; PostgreSQL answers aware datetimes
            if isinstance(value, str):
                value = parse_datetime(value)
            if value is not None and value.tzinfo is None and settings.USE_TZ:
                value = value.replace(tzinfo=UTC)
            return value

        return aware
    if isinstance(field, models.JSONField):  # text on both: decoded by the field
        return lambda value: field.from_db_value(value, None, None)
    return field.to_python  # UUIDs (SQLite: hex text), booleans (SQLite: 0/1), numbers, text


class _Part:
    """Some fields of one model under a table alias, in the order `Model.from_db` takes them.

    A child model's inherited fields are read from its parent's table, joined by the primary
    key; the primary key is always read, as the ORM's `only()` reads it (a child's parent key
    is then known from it without a read)."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...], alias: str):
        meta, pk = model._meta, model._meta.pk
        self.model = model
        self.table = f"{_quote(meta.db_table)} {alias}"
        self.aliases = {meta.db_table: alias}
        self.parent_join = ""
        wanted = {*names, pk.name}
        if pk.is_relation:  # a child model: its primary key is the link to its parent's row
            parent = pk.related_model._meta
            self.aliases[parent.db_table] = f"{alias}p"
            self.parent_join = (
                f" INNER JOIN {_quote(parent.db_table)} {alias}p"
                f" ON ({alias}p.{_quote(parent.pk.column)} = {alias}.{_quote(pk.column)})"
            )
        self.fields = [f for f in meta.concrete_fields if f.name in wanted]
        self.attnames = [f.attname for f in self.fields]
        self.converters = [_converter(f) for f in self.fields]
        self.columns = [self.column(f.name) for f in self.fields]
        self.key = self.column(pk.name)

    def column(self, name: str) -> str:
        field = self.model._meta.get_field(name)
        return f"{self.aliases[field.model._meta.db_table]}.{_quote(field.column)}"

    def instance(self, using: str, values) -> models.Model:
        converters = self.converters
        converted = [convert(value) for convert, value in zip(converters, values, strict=True)]
        return self.model.from_db(using, self.attnames, converted)


class _WithRelated:
    """One row of `first` by primary key, with the row of `second` its foreign key `link`
    names already attached (what `select_related(link)` does)."""

    def __init__(self, first: _Part, link: str, second: _Part, condition: str = ""):
        self.first, self.link, self.second = first, link, second
        # Only the models' own quoted names are formatted in; the key is a parameter.
        self.sql = (
            f"SELECT {', '.join(first.columns + second.columns)}"  # noqa: S608
            f" FROM {first.table}{first.parent_join}"
            f" INNER JOIN {second.table} ON ({second.key} = {first.column(link)})"
            f"{second.parent_join}"
            f" WHERE {first.key} = %s{condition}"
        )

    def get(self, pk, *, using: str) -> models.Model | None:
        connection = connections[using]
        key = self.first.model._meta.pk.get_db_prep_value(pk, connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        split = len(self.first.fields)
        found = self.first.instance(using, row[:split])
        setattr(found, self.link, self.second.instance(using, row[split:]))
        return found


_ROUTE = _Part(Route, RUN_ROUTE_FIELDS, "r")
_ROUTE_TO_RUN = _WithRelated(
    _ROUTE,
    "service",
    _Part(Service, RUN_SERVICE_FIELDS, "s"),
    condition=f" AND {_ROUTE.column('archived_at')} IS NULL",
)
_ACTION_STATE = _WithRelated(
    _Part(Action, POLL_ACTION_FIELDS, "a"), "route", _Part(Route, POLL_ROUTE_FIELDS, "r")
)


def route_to_run(route_id, *, using: str = "default") -> Route | None:
    """The route with its service, as a run reads them, unless the route is archived: what
    `Route.objects.select_related("service").only(*RUN_ROUTE_FIELDS, *service__RUN_SERVICE_FIELDS)
    .filter(pk=route_id, archived_at__isnull=True).first()` answers."""
    return _ROUTE_TO_RUN.get(route_id, using=using)


def action_state(action_id, *, using: str = "default") -> Action | None:
    """The action with its route, as a status poll reads them: what
    `Action.objects.select_related("route").only(*POLL_ACTION_FIELDS, *route__POLL_ROUTE_FIELDS)
    .filter(pk=action_id).first()` answers."""
    return _ACTION_STATE.get(action_id, using=using)
