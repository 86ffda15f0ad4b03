"""The post editor's "Embed a run" picker: the author's routes and runs, each with its block."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.actions.selectors import RunFilters, actions_visible
from apps.posts.markdown import Embed
from apps.posts.services import action_embed_block
from apps.routes.selectors import routes_visible

PICKER_ROUTES = 8
PICKER_RUNS = 5


def route_embed_block(route) -> str:
    """The block embedding a route with no run pinned (readers see its form's link)."""
    return Embed.from_attrs({"id": str(route.pk), "assetType": "route"}).block()


@login_required
def post_embed_picker(request: HttpRequest) -> HttpResponse:
    """Routes matching `q` that the author may see, each with the author's newest runs of it
    (and, for the route's owner, its callers' runs): any of them can be pinned."""
    query = (request.GET.get("picker_q") or request.GET.get("q") or "").strip()
    routes = list(routes_visible(user=request.user, query=query)[:PICKER_ROUTES])
    choices = []
    for route in routes:
        runs = (
            actions_visible(user=request.user, filters=RunFilters(scope="all", route_id=route.pk))
            .select_related("route", "user")
            .defer("request", "response")[:PICKER_RUNS]
        )
        choices.append(
            {
                "route": route,
                "block": route_embed_block(route),
                "runs": [{"action": a, "block": action_embed_block(action=a)} for a in runs],
            }
        )
    return render(request, "posts/_embed_picker.html", {"choices": choices, "query": query})
