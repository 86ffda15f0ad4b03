"""Reading actions: who may see which run, the lists, a route's stats and latency metrics."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Func, IntegerField, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from apps.accounts.models import PERSONAL_ORG_ID, Membership, Role
from apps.actions import sql
from apps.actions.models import (
    ACTIVE_STATUSES,
    CANCELED,
    Action,
    ActionAsset,
    ActionLog,
    CallbackDelivery,
    Status,
)
from apps.assets.models import AssetShare
from apps.assets.selectors import asset_can_view, asset_is_admin
from apps.routes.models import Route

# Latency metrics are computed over this many recent finished runs of a route.
METRICS_SAMPLE = 500
STATUSES = tuple(Status.values)
# The runs page offers at most this many routes in its route filter.
ROUTE_CHOICES = 200


def asset_links() -> Prefetch:
    """An action's asset links with their assets, in one read, as `action.asset_links`."""
    return Prefetch(
        "assets", queryset=ActionAsset.objects.select_related("asset"), to_attr="asset_links"
    )


def actions_with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("route", "user", "usage_record").prefetch_related(asset_links())


def action_can_view(*, user, action: Action) -> bool:
    """The caller who ran it, and the route's owner and organization admins."""
    if user is None or not user.is_authenticated:
        return False
    return action.user_id == user.pk or asset_is_admin(user=user, asset=action.route)


# A panel shows this many of a run's last log lines, and of its newest callback deliveries.
LOG_TAIL_LINES = 200
DELIVERY_ROWS = 50


def action_by_id(action_id) -> Action | None:
    """The action as it is now, for the executor (a queued run was checked when asked for)."""
    return Action.objects.filter(pk=action_id).first()


def action_for_user(*, user, action_id, with_assets: bool = True) -> Action | None:
    """The action if the user may see it; `with_assets=False` skips loading its asset links
    (the live panel loads outputs itself, and only once they can exist)."""
    related = ("route", "user") if with_assets else ("route",)
    action = Action.objects.select_related(*related).filter(pk=action_id).first()
    if action is None or not action_can_view(user=user, action=action):
        return None
    if with_assets:
        prefetch_related_objects([action], asset_links())
    return action


def action_delivery_rows(action: Action) -> list[CallbackDelivery]:
    """The run's newest DELIVERY_ROWS callback deliveries, newest first."""
    rows = CallbackDelivery.objects.filter(action_id=action.pk).order_by("-received_at", "-id")
    return list(rows[:DELIVERY_ROWS])


def action_asset_links(action: Action) -> list[ActionAsset]:
    """The run's asset links with their assets: as already loaded (`asset_links()`, or
    set by whoever knows them), or in one read."""
    prefetch_related_objects([action], asset_links())  # nothing to do when loaded
    return action.asset_links


def action_log_tail(action: Action) -> list[ActionLog]:
    """The run's last LOG_TAIL_LINES log lines, oldest first."""
    lines = ActionLog.objects.filter(action_id=action.pk).order_by("-created_at", "-id")
    return list(lines[:LOG_TAIL_LINES])[::-1]


def action_state(*, action_id) -> Action | None:
    """The least of an action a poll needs to answer "unchanged": its viewers, the reaper's
    rule and its change stamp (plain SQL: apps.actions.sql). The caller decides who may ask."""
    return sql.action_state(action_id)


def action_state_for_user(*, user, action_id) -> Action | None:
    """`action_state`, if the user may see the action."""
    action = action_state(action_id=action_id)
    return action if action and action_can_view(user=user, action=action) else None


def route_run_loaded(route_id) -> Route | None:
    """A route by id with its service (the asset it inherits its visibility from), loaded with
    the least a run needs (plain SQL: apps.actions.sql); no permission check (a queued run was
    checked when it was asked)."""
    route = sql.route_to_run(route_id)
    if route is not None and route.parent_id == route.service_id:
        route.parent = route.service  # the same row: no second look-up for the visibility
    return route


def route_to_run(*, user, route_id) -> Route | None:
    """A route by id for running it or listing its runs, if the user may see it."""
    route = route_run_loaded(route_id)
    return route if route is not None and asset_can_view(user=user, asset=route) else None


def statuses_parse(raw: str | None) -> list[str]:
    """`success` or `queued,in-progress` -> the known statuses named (unknown ones raise)."""
    if not raw:
        return []
    names = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [n for n in names if n not in STATUSES]
    if unknown:
        raise ValueError(f"Unknown status {unknown[0]!r}; use one of {', '.join(STATUSES)}")
    return names


def actions_of_user(
    *, user, statuses: list[str] | None = None, since: datetime | None = None
) -> QuerySet:
    qs = Action.objects.filter(user=user)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return actions_with_related(qs).order_by("-created_at", "-id")


@dataclass(frozen=True)
class RunFilters:
    """What the runs page and a route's Actions tab filter by; empty fields filter nothing."""

    scope: str = "mine"  # "mine", "callers" (others' runs of routes I administer) or "all"
    route_id: object = None
    service_id: object = None
    status: str = ""  # one of DISPLAY_STATUSES
    source: str = ""  # "web" (a page), "api", "post"
    since: date | None = None
    until: date | None = None  # inclusive

    @property
    def narrowed(self) -> bool:
        """Whether anything beyond the scope is filtered (the empty state then says so)."""
        return any(
            (self.route_id, self.service_id, self.status, self.source, self.since, self.until)
        )


def _administered_routes_q(user) -> Q:
    """Runs of the routes the user owns, or administers through an organization or a share."""
    admin_orgs = (
        Membership.objects.filter(user=user, role=Role.ADMIN)
        .exclude(org_id=PERSONAL_ORG_ID)
        .values("org_id")
    )
    shared = AssetShare.objects.filter(user=user, role=Role.ADMIN).values("asset_id")
    return Q(route__user=user) | Q(route__org_id__in=admin_orgs) | Q(route_id__in=shared)


def actions_visible(*, user, filters: RunFilters) -> QuerySet:
    """Every run the user may see across routes, newest first, narrowed by `filters`.

    The same rule as `action_can_view`: the caller's own runs, and the runs of the routes the
    user administers (for "callers", those of other people only).
    """
    if user is None or not user.is_authenticated:
        return Action.objects.none()
    mine = Q(user=user)
    if filters.scope == "callers":
        qs = Action.objects.filter(_administered_routes_q(user)).exclude(mine)
    elif filters.scope == "all":
        qs = Action.objects.filter(mine | _administered_routes_q(user))
    else:
        qs = Action.objects.filter(mine)
    if filters.route_id:
        qs = qs.filter(route_id=filters.route_id)
    if filters.service_id:
        qs = qs.filter(route__service_id=filters.service_id)
    if filters.status == CANCELED:
        qs = qs.filter(status=Status.ERROR, canceled_by__isnull=False)
    elif filters.status == Status.ERROR:
        qs = qs.filter(status=Status.ERROR, canceled_by__isnull=True)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source=filters.source)
    tz = timezone.get_current_timezone()
    if filters.since:
        qs = qs.filter(created_at__gte=datetime.combine(filters.since, time.min, tzinfo=tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")


def actions_filter_choices(*, user, scope: str) -> tuple[list[Route], list]:
    """The routes and services the user's runs in `scope` touched, for the filter menus."""
    runs = actions_visible(user=user, filters=RunFilters(scope=scope))
    routes = list(
        Route.objects.filter(pk__in=runs.values("route_id"))
        .select_related("service")
        .order_by("name")[:ROUTE_CHOICES]
    )
    services = sorted({r.service for r in routes}, key=lambda s: s.name.lower())
    return routes, services


def route_actions_can_see_all(*, user, route: Route) -> bool:
    return asset_is_admin(user=user, asset=route)


def route_actions(
    *, route: Route, user, everyone: bool = False, statuses: list[str] | None = None
) -> QuerySet:
    """The route's runs: the viewer's own, or everyone's when asked and allowed."""
    qs = Action.objects.filter(route=route)
    if not (everyone and route_actions_can_see_all(user=user, route=route)):
        qs = qs.filter(user=user)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return actions_with_related(qs).order_by("-created_at", "-id")


def actions_after(queryset: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:
    """Keyset pagination over (-created_at, -id): a page and the cursor of the next one.

    The cursor is "<created_at iso>|<id>" of the last row shown; each page costs the same
    whatever the table's size.
    """
    if cursor:
        stamp, _, last_id = cursor.partition("|")
        try:
            created = datetime.fromisoformat(stamp)
        except ValueError:
            created = None
        if created is not None and last_id:
            queryset = queryset.filter(
                Q(created_at__lt=created) | Q(created_at=created, id__lt=last_id)
            )
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], f"{last.created_at.isoformat()}|{last.pk}"


def route_stats(*, route: Route, user) -> dict:
    runs = Action.objects.filter(route=route)
    in_progress = actions_with_related(
        runs.filter(status__in=ACTIVE_STATUSES, user=user).order_by("-created_at")
    )[:20]
    return {
        "total": runs.count(),
        "userTotal": runs.filter(user=user).count(),
        "inProgress": list(in_progress),
    }


def _percentile(values: list[int], fraction: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


class MillisecondsBetween(Func):
    """`end - start` in whole milliseconds, worked out by the database: reading hundreds of
    timestamps back into Python to subtract them costs far more than the query. (SQLite's
    julianday() keeps milliseconds, so there a figure may be off by one.)"""

    arity = 2
    output_field = IntegerField()
    template = "CAST(ROUND(EXTRACT(EPOCH FROM (%(expressions)s)) * 1000) AS integer)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s)) * 86400000) AS integer)",
            arg_joiner=") - julianday(",
            **extra,
        )


def route_metrics(*, route: Route) -> dict:
    """Average and p95 of ack and completion times (ms) over recent successful runs."""
    rows = list(
        Action.objects.filter(route=route, status=Status.SUCCESS, started_at__isnull=False)
        .order_by("-created_at")
        .values_list(
            MillisecondsBetween("ack_at", "started_at"),
            MillisecondsBetween("finished_at", "started_at"),
        )[:METRICS_SAMPLE]
    )
    ack = [acked for acked, _ in rows if acked is not None]
    completion = [finished for _, finished in rows if finished is not None]

    def average(values: list[int]) -> int | None:
        return round(sum(values) / len(values)) if values else None

    return {
        "avg_ack_ms": average(ack),
        "p50_ack_ms": _percentile(ack, 0.5),
        "p95_ack_ms": _percentile(ack, 0.95),
        "avg_completion_ms": average(completion),
        "p50_completion_ms": _percentile(completion, 0.5),
        "p95_completion_ms": _percentile(completion, 0.95),
        "latency_sample_count": len(completion),
    }


# What an asset came from and went into -----------------------------------------------------


def asset_actions(*, asset, user, role: str) -> tuple[object | None, list]:
    """(the action that produced `asset`, the actions that used it as input), as user sees them."""
    links = ActionAsset.objects.filter(asset_id=asset.pk).select_related(
        "action__route", "action__user"
    )
    created_by = None
    as_input = []
    if role in ("output", "both"):
        link = links.filter(role=ActionAsset.Role.OUTPUT).order_by("created_at").first()
        if link and action_can_view(user=user, action=link.action):
            created_by = link.action
    if role in ("input", "both"):
        seen = set()
        for link in links.filter(role=ActionAsset.Role.INPUT).order_by("-action__created_at"):
            if link.action_id not in seen and action_can_view(user=user, action=link.action):
                seen.add(link.action_id)
                as_input.append(link.action)
    return created_by, as_input


LINEAGE_DEPTH = 6


def asset_lineage(*, asset, user) -> dict:
    """How `asset` came to be and where it was used since, limited to what `user` may see.

    Returns {"sources": [step], "uses": [step]} where a step is
    {"action", "route", "inputs"|"outputs": [asset], "hidden": n, "earlier"|"later": [step]}.
    An asset the user may not see is counted in `hidden`, never named; a run the user may not
    see shows only its route (when visible).
    """

    def visible(a) -> bool:
        return asset_can_view(user=user, asset=a)

    def step(action, *, side: str, depth: int, seen: set) -> dict:
        route = action.route if asset_can_view(user=user, asset=action.route) else None
        role = ActionAsset.Role.INPUT if side == "inputs" else ActionAsset.Role.OUTPUT
        linked = [
            link.asset for link in action.assets.filter(role=role).select_related("asset__parent")
        ]
        shown = [a for a in linked if visible(a)]
        next_steps = []
        if depth < LINEAGE_DEPTH:
            for a in shown:
                next_steps += walk(a, side=side, depth=depth + 1, seen=seen)
        return {
            "action": action if action_can_view(user=user, action=action) else None,
            "route": route,
            side: shown,
            "hidden": len(linked) - len(shown),
            "next": next_steps,
        }

    def walk(a, *, side: str, depth: int, seen: set) -> list[dict]:
        if a.pk in seen:
            return []
        seen.add(a.pk)
        role = ActionAsset.Role.OUTPUT if side == "inputs" else ActionAsset.Role.INPUT
        actions = (
            link.action
            for link in ActionAsset.objects.filter(asset_id=a.pk, role=role)
            .select_related("action__route__parent")
            .order_by("created_at")
        )
        return [step(action, side=side, depth=depth, seen=seen) for action in actions]

    return {
        "sources": walk(asset, side="inputs", depth=0, seen=set()),
        "uses": walk(asset, side="outputs", depth=0, seen=set()),
    }


# A lineage graph shows at most this many runs and assets around the one it is drawn for.
GRAPH_NODES = 80


def lineage_graph(*, user, asset=None, action: Action | None = None) -> dict:
    """The runs and assets upstream and downstream of `asset` or `action`, any number of hops.

    Walks from the root towards its sources (a run's inputs, the run that made an asset) and
    towards its uses (the runs that took an asset, a run's outputs), never sideways, and only
    through what `user` may see: a hidden run or asset ends the walk there and is counted.
    Returns {"assets": {id: asset}, "actions": {id: action}, "edges": [(from, to)],
    "hidden": n, "truncated": bool}; an edge goes from an input to its run, or from a run to
    its output.
    """
    assets: dict = {}
    actions: dict = {}
    edges: set[tuple[str, str]] = set()
    hidden: set = set()
    queue: list[tuple[str, object, str]] = []  # (kind, id, direction)
    if asset is not None:
        assets[str(asset.pk)] = asset
        queue += [("asset", asset.pk, "up"), ("asset", asset.pk, "down")]
    if action is not None:
        actions[str(action.pk)] = action
        queue += [("action", action.pk, "up"), ("action", action.pk, "down")]
    walked: set = set()
    truncated = False
    while queue:
        kind, node_id, direction = queue.pop(0)
        if (kind, node_id, direction) in walked:
            continue
        walked.add((kind, node_id, direction))
        # From an asset: the runs that made it (up) or took it (down); from a run: what it
        # took (up) or made (down). Each edge points from an input to its run to its output.
        if kind == "asset":
            role = ActionAsset.Role.OUTPUT if direction == "up" else ActionAsset.Role.INPUT
            links = ActionAsset.objects.filter(asset_id=node_id, role=role).select_related(
                "action__route__parent", "action__user"
            )
            found = [(link.action, "action") for link in links]
        else:
            role = ActionAsset.Role.INPUT if direction == "up" else ActionAsset.Role.OUTPUT
            links = ActionAsset.objects.filter(action_id=node_id, role=role).select_related(
                "asset__parent", "asset__user", "asset__org"
            )
            found = [(link.asset, "asset") for link in links]
        for node, node_kind in found:
            shown = actions if node_kind == "action" else assets
            visible = (
                action_can_view(user=user, action=node)
                if node_kind == "action"
                else asset_can_view(user=user, asset=node)
            )
            if not visible:
                hidden.add(node.pk)
                continue
            if str(node.pk) not in shown and len(assets) + len(actions) >= GRAPH_NODES:
                truncated = True
                continue
            shown[str(node.pk)] = node
            ends = (str(node.pk), str(node_id))
            edges.add(ends if direction == "up" else ends[::-1])
            queue.append((node_kind, node.pk, direction))
    return {
        "assets": assets,
        "actions": actions,
        "edges": sorted(edges),
        "hidden": len(hidden),
        "truncated": truncated,
    }


# The route page's strip: success rate and durations over this many recent finished runs.
STRIP_SAMPLE = 200
SPARK_RUNS = 30


def route_run_stats(*, route: Route) -> dict:
    """Runs in all, and over recent finished runs the success rate, the median duration and
    the durations of the last successful ones, oldest first (for a sparkline)."""
    total = Action.objects.filter(route=route).count()
    recent = list(
        Action.objects.filter(route=route, finished_at__isnull=False)
        .order_by("-created_at")
        .values_list("status", MillisecondsBetween("finished_at", "started_at"))[:STRIP_SAMPLE]
    )
    succeeded = [ms for status, ms in recent if status == Status.SUCCESS]
    durations = [ms for ms in succeeded if ms is not None]
    return {
        "total": total,
        "finished": len(recent),
        "success_rate": round(100 * len(succeeded) / len(recent)) if recent else None,
        "median_ms": _percentile(durations, 0.5),
        "recent_ms": list(reversed(durations[:SPARK_RUNS])),
    }
