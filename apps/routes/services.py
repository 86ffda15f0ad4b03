"""Writing routes: create, update and archive by hand, and the sync step that applies an import.

A route is identified within its service by method + path. Syncing an import keeps the id of
every route whose method + path still exist, and archives (never deletes) the others, so their
actions stay readable.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Organization, User
from apps.assets.models import Asset, Visibility
from apps.assets.provenance import ProvenanceError, attribution_merged, license_id_checked
from apps.assets.services import AssetError
from apps.routes.import_report import import_report
from apps.routes.models import ExecutionMode, Route, RouteAsset
from apps.routes.pricing import pricing_normalized
from apps.services.importer import (
    HTTP_METHODS,
    PROJECTION_FIELDS,
    ImportedRoute,
    ImportResult,
    asset_declarations,
    asset_projection,
)
from apps.services.models import Service
from apps.services.openapi.changes import Change, route_changes
from apps.services.services import ServiceError, service_create, service_spec_store

# What an import sets on a route; everything else (visibility, timeouts) is the owner's.
SPEC_FIELDS = (
    "name",
    "operation_id",
    "summary",
    "description",
    "parameters",
    "request_body",
    "responses",
    "tags",
    "deprecated",
    "servers",
    "execution_mode",
    "input_assets",
    "output_assets",
    "pricing",
    *PROJECTION_FIELDS,
)
# The official client's visibility for a paid, public route.
MONETIZED = "monetized"
# The Ouro contract's price fields on a route (CONTRACT §8), as the official client sends them.
MONETIZATION_FIELDS = ("monetization", "unit_cost", "unit_cost_usd", "unit_cost_sats", "price")


class RouteError(Exception):
    """A route cannot be written as asked; the message says why."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class RouteDiff:
    added: list[ImportedRoute] = field(default_factory=list)
    changed: list[tuple[Route, ImportedRoute, list[str]]] = field(default_factory=list)
    removed: list[Route] = field(default_factory=list)
    restored: list[tuple[Route, ImportedRoute]] = field(default_factory=list)
    unchanged: int = 0
    # The name each imported route gets (by method + path), unique among its owner's routes.
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    # Imported routes whose spec name another route of the owner already has: (route, name).
    renamed: list[tuple[ImportedRoute, str]] = field(default_factory=list)
    # What changes in each changed route, field by field (by method + path).
    changes: dict[tuple[str, str], list[Change]] = field(default_factory=dict)

    @property
    def breaking(self) -> int:
        """How many changes may break a caller (an archived route is one)."""
        changed = sum(c.breaking for changes in self.changes.values() for c in changes)
        return changed + len(self.removed)

    def changes_of(self, route: Route) -> list[Change]:
        return self.changes.get((route.method, route.path), [])

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.restored)

    def summary(self) -> dict:
        return {
            "added": [
                {"method": r.method, "path": r.path, "name": self.names.get(r.key, r.name)}
                for r in self.added
            ],
            "changed": [
                {
                    "id": str(route.pk),
                    "method": route.method,
                    "path": route.path,
                    "fields": f,
                    "changes": [c.as_dict() for c in self.changes_of(route)],
                    "breaking": any(c.breaking for c in self.changes_of(route)),
                }
                for route, _, f in self.changed
            ],
            "removed": [
                {"id": str(r.pk), "method": r.method, "path": r.path, "name": r.name}
                for r in self.removed
            ],
            "restored": [
                {"id": str(route.pk), "method": route.method, "path": route.path}
                for route, _ in self.restored
            ],
            "renamed": renamed_summary(self.renamed),
            "unchanged": self.unchanged,
            "breaking": self.breaking,
        }


def renamed_summary(renamed: list[tuple[ImportedRoute, str]]) -> list[dict]:
    return [
        {"method": r.method, "path": r.path, "spec_name": r.name, "name": name}
        for r, name in renamed
    ]


def _spec_values(imported: ImportedRoute, route: Route | None = None) -> dict:
    """What the import sets on `route` (a new route when None).

    Raises RouteError for a declared `x-ouro-pricing` that cannot be stored as a price: a
    route is never left free, or charged, by a price misread.
    """
    values = {name: getattr(imported, name) for name in SPEC_FIELDS}
    try:
        values["pricing"] = pricing_normalized(imported.pricing)
    except ValueError as exc:
        message = f"{imported.method.upper()} {imported.path}: x-ouro-pricing: {exc}"
        raise RouteError(message, field="pricing") from None
    if route is not None and not values["pricing"]:
        # A spec that declares no price leaves the owner's: a re-sync never makes a route free.
        values["pricing"] = route.pricing
    return values


def _changed_fields(route: Route, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(route, name) != value]


def _entity_routes(*, owner: User, org: Organization) -> QuerySet:
    """The live routes addressed under the same `entity/` as the owner's routes in `org`: the
    organization's, or in the personal context the owner's own."""
    routes = Route.objects.live().filter(org=org)
    return routes.filter(user=owner) if org.is_personal else routes


def _name_is_free(name: str, taken: set[str]) -> bool:
    # A page is found by slug or by exact name: both must be free.
    return name not in taken and slugify(name)[:200] not in taken


def _free_name(base: str, taken: set[str], prefix: str) -> str:
    """`base`, or when another route has it (as name or slug), `<prefix>-<base>`, then with a
    number."""
    if _name_is_free(base, taken):
        return base
    candidate, n = f"{prefix}-{base}"[:200], 2
    while not _name_is_free(candidate, taken):
        candidate, n = f"{prefix}-{base}"[: 200 - len(str(n)) - 1] + f"-{n}", n + 1
    return candidate


def _take(name: str, taken: set[str]) -> None:
    taken.update({name, slugify(name)[:200]} - {""})


def route_names_plan(
    *,
    owner: User,
    org: Organization,
    service: Service | None,
    imported: list[ImportedRoute],
    prefix: str = "",
) -> tuple[dict[tuple[str, str], str], list[tuple[ImportedRoute, str]]]:
    """The name each imported route gets, and the renames: unique among the owner's routes.

    A route of `service` that stays keeps the name it has (a re-sync never renames it) unless
    its operationId changed; every other name is checked against the names and slugs of the
    entity's routes and of the names given before it, and prefixed with the service's slug
    when taken (`prefix` stands for the slug of a service not made yet). The renames are every
    route whose name is not the spec's, the ones an earlier import gave included.
    """
    prefix = (service.slug if service is not None else slugify(prefix)) or "service"
    existing = {}
    others = _entity_routes(owner=owner, org=org)
    if service is not None:
        existing = {(r.method, r.path): r for r in Route.objects.filter(service=service)}
        others = others.exclude(service=service)
    taken: set[str] = set()
    for name, slug in others.values_list("name", "slug"):
        _take(name, taken)
        _take(slug, taken)
    names: dict[tuple[str, str], str] = {}
    pending = []
    for item in imported:
        route = existing.get(item.key)
        keeps = route is not None and route.operation_id == item.operation_id
        if keeps and (route.archived_at is None or _name_is_free(route.name, taken)):
            names[item.key] = route.name
            _take(route.name, taken)
        else:
            pending.append(item)
    for item in pending:
        names[item.key] = _free_name(item.name, taken, prefix)
        _take(names[item.key], taken)
    renamed = [(item, names[item.key]) for item in imported if names[item.key] != item.name]
    return names, renamed


def route_diff(*, service: Service, imported: list[ImportedRoute]) -> RouteDiff:
    """What syncing `imported` into the service would change, by method + path."""
    existing = {(r.method, r.path): r for r in Route.objects.filter(service=service)}
    diff = RouteDiff()
    diff.names, diff.renamed = route_names_plan(
        owner=service.user, org=service.org, service=service, imported=imported
    )
    seen = set()
    for item in imported:
        seen.add(item.key)
        route = existing.get(item.key)
        if route is None:
            diff.added.append(item)
        elif route.archived_at is not None:
            diff.restored.append((route, item))
        else:
            values = {**_spec_values(item, route), "name": diff.names[item.key]}
            fields = _changed_fields(route, values)
            if fields:
                diff.changed.append((route, item, fields))
                diff.changes[item.key] = route_changes(
                    {name: getattr(route, name) for name in fields},
                    {name: values[name] for name in fields},
                )
            else:
                diff.unchanged += 1
    diff.removed = [
        route for key, route in existing.items() if key not in seen and route.archived_at is None
    ]
    return diff


def _apply(route: Route, values: dict) -> None:
    for name, value in values.items():
        setattr(route, name, value)
    route.slug = slugify(route.name)[:200] or str(route.pk)[:8]


def routes_sync(*, service: Service, imported: list[ImportedRoute]) -> RouteDiff:
    """Apply an import to the service's routes in one transaction and return the diff."""
    with transaction.atomic():
        # One sync at a time per service, so two concurrent re-syncs cannot both add a route,
        # and per entity (the owner, or the organization), so two imports cannot both give
        # one name.
        Service.objects.select_for_update().filter(pk=service.pk).first()
        if service.org.is_personal:
            User.objects.select_for_update().filter(pk=service.user_id).first()
        else:
            Organization.objects.select_for_update().filter(pk=service.org_id).first()
        diff = route_diff(service=service, imported=imported)
        for item in diff.added:
            route = Route(
                user=service.user,
                org=service.org,
                team=service.team,
                parent=service,
                service=service,
                visibility=Visibility.INHERIT,
                method=item.method,
                path=item.path,
                source=service.source,
            )
            _apply(route, {**_spec_values(item), "name": diff.names[item.key]})
            route.save()
        for route, item in diff.restored:
            _apply(route, {**_spec_values(item, route), "name": diff.names[item.key]})
            route.archived_at = None
            route.save()
        for route, item, _ in diff.changed:
            _apply(route, {**_spec_values(item, route), "name": diff.names[item.key]})
            route.save()
        for route in diff.removed:
            route_archive(route=route)
    return diff


def route_archive(*, route: Route) -> None:
    """Archive a route: it disappears from every list and look-up; its actions stay."""
    if route.archived_at is None:
        route.archived_at = timezone.now()
        route.save(update_fields=["archived_at", "last_updated"])


# Hand-made routes ------------------------------------------------------------------------------


def _text(value) -> str:
    """A description given as markdown text or as the client's {text, json}."""
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")


def _pricing(data: dict, current: dict) -> dict:
    """Pricing from `pricing` ({model, unit_cost, ...}) or the contract's monetization fields,
    as billing's parser stores it."""
    if isinstance(data.get("pricing"), dict):
        declared = data["pricing"]
    elif any(key in data for key in MONETIZATION_FIELDS):
        if data.get("monetization", "pay-per-use") == "none":
            return {}
        per_second = data.get("cost_unit") == "seconds" or data.get("cost_accounting") == "runtime"
        unit_cost = data.get("unit_cost_usd", data.get("unit_cost", data.get("price")))
        currency = data.get("price_currency") or "usd"
        if unit_cost is None and data.get("unit_cost_sats") is not None:
            # Sold in sats only: kept as priced, so it is never run for free by mistake.
            unit_cost, currency = data["unit_cost_sats"], "btc"
        elif data.get("unit_cost_usd") is not None:
            currency = "usd"  # sold in both: wallets here pay the USD price
        declared = {
            "model": "per_second" if per_second else "per_call",
            "unit_cost": unit_cost,
            "currency": currency,
            "max_billable_seconds": data.get("max_billable_seconds"),
        }
    else:
        return current
    try:
        return pricing_normalized(declared)
    except ValueError as exc:
        raise RouteError(str(exc), field="pricing") from None


def _validated(data: dict, route: Route) -> dict:
    """The fields of `data` checked and normalized; absent fields keep the route's values."""
    values: dict = {}
    if "method" in data:
        method = str(data["method"] or "").upper()
        if method.lower() not in HTTP_METHODS:
            raise RouteError(f"method must be one of {', '.join(HTTP_METHODS)}", field="method")
        values["method"] = method
    if "path" in data:
        path = str(data["path"] or "").strip()
        if not path.startswith("/") or any(ch.isspace() for ch in path):
            raise RouteError("path must start with '/' and contain no spaces", field="path")
        values["path"] = path[:1000]
    if data.get("name") is not None:
        name = str(data["name"]).strip()
        if not name or len(name) > 200:
            raise RouteError("name must be 1 to 200 characters", field="name")
        values["name"] = name
    for text_field, limit in (("summary", 500), ("operation_id", 200)):
        if data.get(text_field) is not None:
            values[text_field] = str(data[text_field])[:limit]
    if data.get("description") is not None:
        values["description"] = _text(data["description"])
    try:
        if data.get("license_id") is not None:
            values["license_id"] = license_id_checked(data["license_id"])
        if data.get("attribution") is not None:
            values["attribution"] = attribution_merged(route.attribution, data["attribution"])
    except ProvenanceError as exc:
        raise RouteError(exc.message, field=exc.field) from None
    if "parameters" in data:
        parameters = data["parameters"] or []
        if not isinstance(parameters, list) or not all(
            isinstance(p, dict) and p.get("name") and p.get("in") for p in parameters
        ):
            raise RouteError(
                "parameters must be a list of objects with name and in", field="parameters"
            )
        values["parameters"] = parameters
    if "request_body" in data:
        body = data["request_body"]
        if body in ({}, None):
            body = None
        elif not isinstance(body, dict):
            raise RouteError("request_body must be an object or null", field="request_body")
        values["request_body"] = body
    if "responses" in data:
        if not isinstance(data["responses"] or {}, dict):
            raise RouteError("responses must be an object", field="responses")
        values["responses"] = data["responses"] or {}
    if data.get("execution_mode") is not None:
        if data["execution_mode"] not in ExecutionMode.values:
            raise RouteError("execution_mode must be sync or async", field="execution_mode")
        values["execution_mode"] = data["execution_mode"]
    if data.get("visibility") == MONETIZED:
        data = {**data, "visibility": Visibility.PUBLIC}  # everyone may see it, and pay to run it
    if data.get("visibility") is not None:
        if data["visibility"] not in Visibility.values:
            raise RouteError(
                f"visibility must be one of {', '.join(Visibility.values)}", field="visibility"
            )
        values["visibility"] = data["visibility"]
    for what in ("input", "output"):
        key = f"{what}_assets"
        if key in data:
            declarations, problems = asset_declarations(data[key] or {}, what)
            if problems:
                raise RouteError(problems[0], field=key)
            values[key] = declarations
    if "input_assets" in values or "output_assets" in values:
        values.update(
            asset_projection(
                values.get("input_assets", route.input_assets),
                values.get("output_assets", route.output_assets),
                input_filter=str(data.get("input_filter") or ""),
                output_filter=str(data.get("output_filter") or route.output_filter or ""),
            )
        )
    if "total_timeout_seconds" in data:
        values["total_timeout_seconds"] = _seconds(data["total_timeout_seconds"])
    for name, low, high in TIMEOUT_BOUNDS:
        if data.get(name) is not None:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise RouteError(
                    f"{name} must be a whole number of seconds from {low} to {high}", field=name
                )
            values[name] = value
    pricing = _pricing(data, route.pricing)
    if pricing != route.pricing:
        values["pricing"] = pricing
    return values


# The waits a route may set: (field, at least, at most) in seconds.
TIMEOUT_BOUNDS = (
    ("sync_timeout_seconds", 1, 3600),
    ("quiet_window_seconds", 10, 7 * 24 * 3600),
    ("hard_timeout_seconds", 10, 30 * 24 * 3600),
)


def _seconds(value) -> int | None:
    """A route's total timeout: whole seconds, at least 1, or null for the server's."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise RouteError(
            "total_timeout_seconds must be a whole number of seconds (at least 1) or null",
            field="total_timeout_seconds",
        )
    return value


def _check_unique(route: Route) -> None:
    siblings = Route.objects.live().filter(service_id=route.service_id).exclude(pk=route.pk)
    if siblings.filter(method=route.method, path=route.path).exists():
        raise RouteError(
            f"The service already has a route {route.method} {route.path}", field="path"
        )
    if siblings.filter(name=route.name).exists():
        raise RouteError(f"The service already has a route named {route.name!r}", field="name")
    # Its page and `entity/name` must be its own among all the owner's routes.
    names = {route.name, route.slug}
    clash = (
        _entity_routes(owner=route.user, org=route.org)
        .exclude(pk=route.pk)
        .filter(Q(name__in=names) | Q(slug__in=names))
        .select_related("service")
        .first()
    )
    if clash is not None:
        raise RouteError(
            f"You already have a route named {route.name!r} (in {clash.service.name})",
            field="name",
        )


def route_create(*, service: Service, user, data: dict) -> Route:
    """A route added by hand (page or API). Visibility defaults to inherit (the service's)."""
    if not data.get("method") or not data.get("path"):
        raise RouteError("A route needs a method and a path", field="path")
    route = Route(
        user=user,
        org=service.org,
        team=service.team,
        parent=service,
        service=service,
        visibility=Visibility.INHERIT,
        source=str(data.get("source") or "web")[:8],
    )
    values = _validated(data, route)
    values.setdefault("name", data.get("operation_id") or _default_name(values))
    _apply(route, values)
    _check_unique(route)
    route.save()
    return route


def route_update(*, route: Route, data: dict) -> Route:
    """Change a route's fields; fields not given stay as they are."""
    values = _validated(data, route)
    _apply(route, values)
    _check_unique(route)
    route.save()
    return route


def _default_name(values: dict) -> str:
    words = slugify(values["path"].replace("/", " ")).replace("-", "_")
    return f"{values['method'].lower()}_{words}".strip("_")


# Related assets ------------------------------------------------------------------------------


def route_asset_link(*, route, asset: Asset, user: User) -> RouteAsset:
    if asset.asset_type not in ("file", "dataset", "post"):
        raise AssetError("Only files, datasets and posts can be linked to a route")
    link, _ = RouteAsset.objects.get_or_create(
        route=route, asset=asset, defaults={"added_by": user}
    )
    return link


def route_asset_unlink(*, route, asset_id) -> None:
    RouteAsset.objects.filter(route=route, asset_id=asset_id).delete()


# A service with its routes ---------------------------------------------------------------------


def service_import_openapi(
    *,
    owner: User,
    org: Organization,
    source: ImportResult,
    service: Service | None = None,
    spec_url: str = "",
    origin: str = "web",
    **fields,
) -> tuple[Service, RouteDiff]:
    """Register a service from an OpenAPI import with one route per operation, or, given
    `service`, re-sync it: routes keep their ids by method + path, removed ones are archived.
    `fields` are the new service's (`name`, `base_url`, `visibility`, credentials...) and
    `origin` where it was made (web, api). One transaction: a failure leaves nothing
    half-imported."""
    with transaction.atomic():
        if service is None:
            service = service_create(
                user=owner, org=org, spec=source, spec_url=spec_url, source=origin, **fields
            )
        else:
            service_spec_store(service=service, result=source, spec_url=spec_url or None)
        try:
            diff = routes_sync(service=service, imported=source.routes)
        except RouteError as exc:  # a declared price that is not one: nothing is imported
            raise ServiceError(exc.message, field="spec", code="invalid_price") from None
        report = import_report(source, renamed_summary(diff.renamed))
        service.import_report = {**report, "imported_at": service.import_report.get("imported_at")}
        service.save(update_fields=["import_report"])
    return service, diff


def service_import_preview(*, owner: User, org: Organization, result: ImportResult, name: str):
    """The import report of a service not made yet: its forms and the renames it would need."""
    _, renamed = route_names_plan(
        owner=owner, org=org, service=None, imported=result.routes, prefix=name or result.title
    )
    return import_report(result, renamed_summary(renamed))


def service_resync_preview(*, service: Service, result: ImportResult) -> RouteDiff:
    """What re-syncing `service` from `result` would change, without changing anything.

    Raises ServiceError, as the re-sync would, for a declared price that is not one.
    """
    try:
        return route_diff(service=service, imported=result.routes)
    except RouteError as exc:
        raise ServiceError(exc.message, field="spec", code="invalid_price") from None


def service_delete(*, service: Service, delete_children: bool = True, dry_run: bool = False):
    """Archive a service with its routes (their actions stay). Returns the contract's summary."""
    routes = list(Route.objects.live().filter(service=service).order_by("path", "method"))
    if routes and not delete_children:
        raise ServiceError(
            f"The service has {len(routes)} route(s); pass delete_children=true to delete them",
            code="has_children",
        )
    summary = {
        "id": str(service.pk),
        "name": service.name,
        "asset_type": service.asset_type,
        "deleted_children": [
            {
                "id": str(r.pk),
                "name": r.name,
                "asset_type": r.asset_type,
                "org_id": str(r.org_id),
                "team_id": str(r.team_id),
                "user_id": str(r.user_id),
            }
            for r in routes
        ],
        "dry_run": dry_run,
    }
    if not dry_run:
        with transaction.atomic():
            for route in routes:
                route_archive(route=route)
            service.archived_at = timezone.now()
            service.save(update_fields=["archived_at", "last_updated"])
    return summary
