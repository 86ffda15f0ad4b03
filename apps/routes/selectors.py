"""Reading routes through the one permission selector: lists, look-ups by id and by name."""

import json
from typing import Any

from django.db.models import Count, Q, QuerySet

from apps.accounts.models import PERSONAL_ORG_ID
from apps.assets.io import input_mismatch
from apps.assets.selectors import asset_can_view, assets_visible_to
from apps.routes.models import Route
from apps.services.models import Service


def routes_visible(*, user, query: str = "", tag: str = "") -> QuerySet:
    """Routes the user may see, optionally filtered by words in name, path or description,
    and by one of their tags."""
    qs = assets_visible_to(user=user, queryset=Route.objects.all())
    if tag:
        # Tags are a JSON list: the tag as a JSON string inside it, on SQLite and PostgreSQL.
        qs = qs.filter(tags__icontains=json.dumps(tag))
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


# The tag filter offers at most this many tags, the most used first.
TAG_CHOICES = 100


def route_tags(*, user) -> list[str]:
    """The tags of the routes the user may see, most used first."""
    counts: dict[str, int] = {}
    visible = assets_visible_to(user=user, queryset=Route.objects.all())
    for tags in visible.values_list("tags", flat=True)[:5000]:
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, str) and tag:
                counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t.lower()))[:TAG_CHOICES]


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


def route_by_name(*, user, entity: str, name: str) -> Route | None:
    """`entity/name`: the entity is an organization's name or, in the personal context, the
    owner's username; the name is the route's slug (or its exact name)."""
    candidates = _routes().filter(
        Q(org__name=entity) & ~Q(org_id=PERSONAL_ORG_ID)
        | Q(org_id=PERSONAL_ORG_ID, user__username=entity),
        Q(slug=name) | Q(name=name),
    )
    return _first_viewable(user, candidates.order_by("created_at"))


# Chaining and related assets -----------------------------------------------------------------


def routes_compatible_with(*, asset, user, query: str = "", sort: str = "popular") -> list:
    """Routes the user may run whose input declarations accept `asset`, best first.

    `sort`: popular (most runs), recent (newest), updated (last changed). A text `query`
    keeps only routes whose name, summary, description or path mention every word, ranked
    by how many fields match.
    """
    routes = assets_visible_to(user=user, queryset=Route.objects.exclude(input_assets={})).annotate(
        runs=Count("actions")
    )
    matching = []
    for route in routes:
        declarations = route.input_assets if isinstance(route.input_assets, dict) else {}
        names = [n for n, d in declarations.items() if not input_mismatch(d, asset)]
        if names:
            route.compatible_inputs = names
            matching.append(route)
    words = [w.lower() for w in query.split() if w]
    if words:

        def fields(route) -> list[str]:
            return [
                f.lower() for f in (route.name, route.summary, route.description, route.path) if f
            ]

        matching = [r for r in matching if all(any(w in f for f in fields(r)) for w in words)]
        return sorted(
            matching,
            key=lambda r: (-sum(w in f for w in words for f in fields(r)), -r.runs, r.name),
        )
    if sort == "recent":
        return sorted(matching, key=lambda r: r.created_at, reverse=True)
    if sort == "updated":
        return sorted(matching, key=lambda r: r.last_updated, reverse=True)
    return sorted(matching, key=lambda r: (-r.runs, -r.created_at.timestamp()))


def route_related_assets(*, route, user) -> list:
    """The assets linked to a route, each only when the user may see it."""
    return [
        link
        for link in route.related.select_related("asset__parent", "asset__user")
        if asset_can_view(user=user, asset=link.asset)
    ]


# The spec a route's schemas refer to --------------------------------------------------------


def _has_ref(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    return False


def route_spec_context(route: Route) -> tuple[dict | None, str]:
    """The service spec's components (for local $refs) and its OpenAPI version.

    The version is kept on the service; the components are read (as a JSON path, so a run
    never loads a whole, possibly multi-megabyte, spec) only when the route's schemas refer
    to them. Both are kept on the route instance (`spec_context`) for its next use.
    """
    cached = getattr(route, "spec_context", None)
    if cached is not None:
        return cached
    components = None
    if _has_ref(route.parameters) or _has_ref(route.request_body):
        components = (
            Service.objects.filter(pk=route.service_id)
            .values_list("spec__components", flat=True)
            .first()
        )
    # Every route look-up loads the route with its service (without the spec).
    route.spec_context = components, route.service.spec_version or "3.1"
    return route.spec_context


def service_routes(*, user, service: Service, query: str = "") -> QuerySet:
    """The service's live routes the user may see, by path then method."""
    qs = assets_visible_to(user=user, queryset=Route.objects.filter(service=service))
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(path__icontains=word)
            | Q(summary__icontains=word)
            | Q(method__iexact=word)
        )
    return qs.select_related("service", "user", "org", "parent").order_by("path", "method")
