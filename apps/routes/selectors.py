"""Reading routes through the one permission selector: lists, look-ups by id and by name."""

from django.db.models import Q, QuerySet

from apps.accounts.models import PERSONAL_ORG_ID
from apps.assets.selectors import asset_can_view, assets_visible_to
from apps.routes.models import Route


def routes_visible(*, user, query: str = "") -> QuerySet:
    """Routes the user may see, optionally filtered by words in name, path or description."""
    qs = assets_visible_to(user=user, queryset=Route.objects.all())
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(path__icontains=word)
            | Q(summary__icontains=word)
            | Q(service__name__icontains=word)
        )
    # A service's spec and import report can be megabytes: loaded only where they are used.
    return (
        qs.select_related("service", "user", "org", "parent")
        .defer("service__spec", "service__import_report")
        .order_by("service__name", "path", "method")
    )


def _routes() -> QuerySet:
    return (
        Route.objects.filter(archived_at__isnull=True)
        .select_related("service", "user", "org", "parent")
        .defer("service__spec", "service__import_report")
    )


def _first_viewable(user, candidates) -> Route | None:
    """A look-up fetches its few candidates plainly, then asks the permission selector about
    each: far cheaper than building the whole visibility filter for one row."""
    for route in candidates:
        if asset_can_view(user=user, asset=route):
            return route
    return None


def route_for_user(*, user, route_id) -> Route | None:
    return _first_viewable(user, _routes().filter(pk=route_id))


# What the permission selector reads of an asset.
_PERMISSION_FIELDS = ("asset_type", "user", "org", "team", "parent", "visibility", "archived_at")
# What a run reads of its route and service, and no more: a route's response schemas and a
# service's spec can be large, and every column costs on the hot path.
RUN_FIELDS = (
    *_PERMISSION_FIELDS,
    *("name", "slug", "service", "method", "path", "execution_mode", "sync_timeout_seconds"),
    *("parameters", "request_body", "input_assets", "output_assets", "pricing"),
    "hard_timeout_seconds",
    *(f"service__{name}" for name in _PERMISSION_FIELDS),
    *("service__base_url", "service__auth_method", "service__auth_param_name"),
    *("service__credential_encrypted", "service__spec_version"),
)


def route_run_loaded(route_id) -> Route | None:
    """A route by id with its service (the asset it inherits its visibility from), loaded with
    the least a run needs; no permission check (a queued run was checked when it was asked)."""
    route = (
        Route.objects.select_related("service")
        .only(*RUN_FIELDS)
        .filter(pk=route_id, archived_at__isnull=True)
        .first()
    )
    if route is not None and route.parent_id == route.service_id:
        route.parent = route.service  # the same row: no second look-up for the visibility
    return route


def route_to_run(*, user, route_id) -> Route | None:
    """A route by id for running it or listing its runs, if the user may see it."""
    route = route_run_loaded(route_id)
    return route if route is not None and asset_can_view(user=user, asset=route) else None


def route_by_name(*, user, entity: str, name: str) -> Route | None:
    """`entity/name`: the entity is an organization's name or, in the personal context, the
    owner's username; the name is the route's slug (or its exact name)."""
    candidates = _routes().filter(
        Q(org__name=entity) & ~Q(org_id=PERSONAL_ORG_ID)
        | Q(org_id=PERSONAL_ORG_ID, user__username=entity),
        Q(slug=name) | Q(name=name),
    )
    return _first_viewable(user, candidates.order_by("created_at"))
