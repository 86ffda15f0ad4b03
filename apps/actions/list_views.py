"""The runs page (every run the user may see, across routes) and comparing two runs."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.actions.forms import RunFilterForm
from apps.actions.json_diff import json_diff
from apps.actions.models import Action, ActionAsset
from apps.actions.selectors import (
    action_for_user,
    actions_after,
    actions_filter_choices,
    actions_visible,
)
from apps.assets.selectors import asset_can_view
from apps.assets.views import asset_page_url
from apps.billing.selectors import action_charge

RUNS_PAGE = 50
# The table shows a few columns: the runs' and routes' JSON stays unloaded.
LIST_DEFERRED = (
    "metadata",
    "request",
    "response",
    "route__parameters",
    "route__request_body",
    "route__responses",
)


def page_query(request: HttpRequest, **changes) -> str:
    """The current query string with `changes` applied (None removes a key)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    form = RunFilterForm(request.GET)
    filters = form.filters()
    queryset = (
        actions_visible(user=request.user, filters=filters)
        .select_related("route__service", "route__org", "route__user", "user")
        .defer(*LIST_DEFERRED)
    )
    actions, next_cursor = actions_after(
        queryset, cursor=request.GET.get("cursor"), limit=RUNS_PAGE
    )
    routes, services = actions_filter_choices(user=request.user, scope=filters.scope)
    context = {
        "form": form,
        "filters": filters,
        "actions": actions,
        "routes": routes,
        "services": services,
        "older_query": page_query(request, cursor=next_cursor) if next_cursor else "",
        "compare_with": request.GET.get("compare", ""),
        "first_page": not request.GET.get("cursor"),
    }
    if request.htmx and request.htmx.target == "runs":
        return render(request, "actions/list.html#runs", context)
    return render(request, "actions/list.html", context)


def _pretty(value) -> str:
    return json.dumps(value, indent=2, default=str)


def _duration(action: Action) -> float | None:
    if action.started_at and action.finished_at:
        return round((action.finished_at - action.started_at).total_seconds(), 3)
    return None


def _outputs(action: Action, *, user) -> list[dict]:
    outputs = []
    for link in action.asset_links:
        if link.role == ActionAsset.Role.OUTPUT and asset_can_view(user=user, asset=link.asset):
            outputs.append(
                {"name": link.name, "asset": link.asset, "url": asset_page_url(link.asset)}
            )
    return outputs


def _inputs(action: Action) -> dict:
    return {k: v for k, v in (action.metadata or {}).items() if v not in (None, {}, [])}


def _side(action: Action, *, user) -> dict:
    return {
        "action": action,
        "duration": _duration(action),
        "charge": action_charge(action=action),
        "inputs": _pretty(_inputs(action)),
        "request": _pretty(action.request or {}),
        "response": _pretty(action.response),
        "outputs": _outputs(action, user=user),
    }


# Headers that name the run itself: they differ between any two runs, so they are not
# listed as differences (both requests are still shown in full).
PER_RUN_HEADERS = ("ouro-action-id", "ouro-webhook-url", "ouro-webhook-token")


def _comparable_request(request: dict) -> dict:
    headers = request.get("headers")
    if not isinstance(headers, dict):
        return request
    kept = {k: v for k, v in headers.items() if k.lower() not in PER_RUN_HEADERS}
    return {**request, "headers": kept}


def _differences(left, right) -> dict:
    diff = json_diff(left, right)
    return {"changes": diff.changes, "truncated": diff.truncated}


@login_required
def action_compare(request: HttpRequest) -> HttpResponse:
    """Two runs side by side (`?a=<id>&b=<id>`, or two `id`s from the runs page's checkboxes)."""
    ids = [request.GET.get("a"), request.GET.get("b")]
    if not all(ids):
        ids = request.GET.getlist("id")
    if len(ids) != 2 or ids[0] == ids[1]:
        return render(
            request,
            "actions/compare.html",
            {"problem": "Pick two different runs to compare."},
            status=400,
        )
    left, right = (action_for_user(user=request.user, action_id=pk) for pk in ids)
    if left is None or right is None:
        raise Http404("No such action, or you may not see it")
    rows = [
        ("Status", left.display_status, right.display_status),
        ("Route", left.route.name, right.route.name),
        ("Run by", left.user.username, right.user.username),
        ("Source", left.source, right.source),
        ("Upstream status", left.upstream_status_code, right.upstream_status_code),
        ("Duration (s)", _duration(left), _duration(right)),
        ("Message", left.error_message, right.error_message),
    ]
    context = {
        "left": _side(left, user=request.user),
        "right": _side(right, user=request.user),
        "rows": [{"label": label, "a": a, "b": b, "same": a == b} for label, a, b in rows],
        "inputs_diff": _differences(_inputs(left), _inputs(right)),
        "request_diff": _differences(
            _comparable_request(left.request or {}), _comparable_request(right.request or {})
        ),
        "response_diff": _differences(left.response, right.response),
    }
    return render(request, "actions/compare.html", context)
