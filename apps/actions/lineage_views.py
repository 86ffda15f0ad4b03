"""The lineage graph of an asset or a run: every hop upstream and downstream, as an SVG."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from apps.actions.lineage_layout import Edge, Node, graph_layout
from apps.actions.models import Action
from apps.actions.selectors import action_for_user, lineage_graph
from apps.assets.selectors import asset_for_viewer
from apps.assets.views import asset_page_url


def _run_node(action: Action, *, root: bool) -> Node:
    return Node(
        id=str(action.pk),
        kind="run",
        label=action.route.name,
        detail=f"run {action.display_status} · {str(action.pk)[:8]}",
        url=f"/actions/{action.pk}",
        root=root,
    )


def _asset_node(asset, *, root: bool) -> Node:
    return Node(
        id=str(asset.pk),
        kind=asset.asset_type,
        label=asset.name,
        detail=asset.asset_type,
        url=asset_page_url(asset),
        root=root,
    )


def _render(
    request: HttpRequest, *, title: str, back_url: str, graph: dict, root_id
) -> HttpResponse:
    nodes = [_asset_node(a, root=key == str(root_id)) for key, a in graph["assets"].items()]
    nodes += [_run_node(a, root=key == str(root_id)) for key, a in graph["actions"].items()]
    layout = graph_layout(nodes, [Edge(source=a, target=b) for a, b in graph["edges"]])
    context = {
        "title": title,
        "back_url": back_url,
        "layout": layout,
        "hidden": graph["hidden"],
        "truncated": graph["truncated"],
    }
    return render(request, "actions/lineage.html", context)


def asset_lineage_graph(request: HttpRequest, asset_id) -> HttpResponse:
    asset = asset_for_viewer(user=request.user, asset_id=asset_id)
    if asset is None:
        raise Http404("No such asset, or you may not see it")
    graph = lineage_graph(user=request.user, asset=asset)
    return _render(
        request, title=asset.name, back_url=asset_page_url(asset), graph=graph, root_id=asset.pk
    )


def action_lineage_graph(request: HttpRequest, action_id) -> HttpResponse:
    action = action_for_user(user=request.user, action_id=action_id, with_assets=False)
    if action is None:
        raise Http404("No such action, or you may not see it")
    graph = lineage_graph(user=request.user, action=action)
    title = f"Run {str(action.pk)[:8]} of {action.route.name}"
    return _render(
        request, title=title, back_url=f"/actions/{action.pk}", graph=graph, root_id=action.pk
    )
