"""Route pages: the list, the routes an asset can be run through, a route's related assets.

A route's own page (run form, actions, live panel) is in `apps.actions.route_views`.
"""

import uuid

import markdown
import nh3
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from apps.assets.models import Asset
from apps.assets.selectors import asset_can_edit, asset_concrete, asset_for_viewer
from apps.assets.services import AssetError
from apps.assets.views import asset_page_url
from apps.core.bounded_markdown import BoundedExtension, RenderLimitError, convert
from apps.routes.models import Route
from apps.routes.selectors import (
    route_by_name,
    route_related_assets,
    route_tags,
    routes_compatible_with,
    routes_visible,
)
from apps.routes.services import route_asset_link, route_asset_unlink

LIST_LIMIT = 200


DESCRIPTION_PLAIN_CHARS = 10_000


def markdown_html(text: str) -> str:
    """Descriptions are markdown written by service authors: rendered (within the renderer's
    limits, else shown as plain text), then sanitised."""
    if not text:
        return ""
    md = markdown.Markdown(extensions=["fenced_code", "tables", BoundedExtension()])
    try:
        html = convert(md, text)
    except RenderLimitError:
        return format_html('<p class="description-plain">{}</p>', text[:DESCRIPTION_PLAIN_CHARS])
    # Links written by a service author: followed by no crawler on their word.
    return mark_safe(nh3.clean(html, link_rel="nofollow noopener noreferrer"))  # noqa: S308


def routes_grouped(routes: list[Route]) -> list[dict]:
    """Routes by service, then by their first tag ("Other" when they have none), in order."""
    services: dict = {}
    for route in routes:
        group = services.setdefault(
            route.service_id, {"service": route.service, "count": 0, "tags": {}}
        )
        tag = (route.tags or ["Other"])[0] if isinstance(route.tags, list) else "Other"
        group["tags"].setdefault(str(tag) or "Other", []).append(route)
        group["count"] += 1
    return [
        {**group, "tags": [{"tag": t, "routes": rs} for t, rs in group["tags"].items()]}
        for group in services.values()
    ]


def route_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip()
    found = routes_visible(user=request.user, query=query, tag=tag)
    routes = list(found[: LIST_LIMIT + 1])
    more = len(routes) > LIST_LIMIT
    groups = routes_grouped(routes[:LIST_LIMIT])
    context = {
        "groups": groups,
        "count": min(len(routes), LIST_LIMIT),
        "more": more,
        "query": query,
        "tag": tag,
        "tags": route_tags(user=request.user),
        "open_all": bool(query or tag) or len(groups) <= 3,
    }
    if request.htmx and request.htmx.target == "route-results":
        return render(request, "routes/list.html#results", context)
    return render(request, "routes/list.html", context)


def route_for_page(request: HttpRequest, entity: str, name: str) -> Route:
    """The route at /routes/<entity>/<name> when the user may see it; a 404 otherwise."""
    route = route_by_name(user=request.user, entity=entity, name=name)
    if route is None:
        raise Http404("No such route, or you may not see it")
    return route


def _viewable_asset(request: HttpRequest, asset_id, model):
    asset = asset_for_viewer(user=request.user, asset_id=asset_id, model=model)
    if asset is None:
        raise Http404("Not found")
    return asset


# Chaining and related assets ------------------------------------------------------------------


def chain_choices(*, asset, user, query: str = "") -> list[dict]:
    """Compatible routes with a link to each one's form, the asset bound to the input."""
    concrete = asset_concrete(asset) or asset
    routes = routes_compatible_with(asset=concrete, user=user, query=query)
    choices = []
    for route in routes[:20]:
        name = route.compatible_inputs[0]
        choices.append(
            {
                "route": route,
                "input": name,
                "url": f"{route.get_absolute_url()}?input_{name}={asset.pk}",
            }
        )
    return choices


def asset_use(request: HttpRequest, asset_id: uuid.UUID):
    """The "Use in another route" fragment, searchable by text."""
    asset = _viewable_asset(request, asset_id, Asset)
    choices = chain_choices(asset=asset, user=request.user, query=request.GET.get("query", ""))
    return render(
        request,
        "assets/_use_in_route.html",
        {"asset": asset, "choices": choices, "query": request.GET.get("query", "")},
    )


def route_related(request: HttpRequest, route_id: uuid.UUID):
    """The route page's related-assets fragment; its owner links and unlinks assets here."""
    route = _viewable_asset(request, route_id, Route)
    can_edit = asset_can_edit(user=request.user, asset=route)
    error = None
    if request.method == "POST":
        if not can_edit:
            return HttpResponse("Only the route's owner may change its related assets.", status=403)
        try:
            target = uuid.UUID(request.POST.get("asset_id", "").strip())
        except ValueError:
            target = None
        if request.POST.get("unlink"):
            if target:
                route_asset_unlink(route=route, asset_id=target)
        else:
            asset = asset_for_viewer(user=request.user, asset_id=target) if target else None
            if asset is None:
                error = "No asset with that id that you may see."
            else:
                try:
                    route_asset_link(route=route, asset=asset, user=request.user)
                except AssetError as exc:
                    error = exc.message
        if not request.htmx and error is None:
            return redirect(route.get_absolute_url())
    context = route_related_context(user=request.user, route=route, error=error)
    return render(request, "assets/_route_related.html", context, status=400 if error else 200)


def route_related_context(*, user, route, error: str | None = None) -> dict:
    links = route_related_assets(route=route, user=user)
    return {
        "route": route,
        "links": [{"link": link, "url": asset_page_url(link.asset)} for link in links],
        "can_edit": asset_can_edit(user=user, asset=route),
        "error": error,
    }
