"""The action page and its live panel (the poll view returns the same partial the pages use)."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from apps.actions.models import Action, ActionAsset, Status
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import (
    action_asset_links,
    action_can_view,
    action_for_user,
    action_log_tail,
    action_state_for_user,
    asset_lineage,
)
from apps.actions.snippets import RouteRef, snippets
from apps.assets.models import File
from apps.assets.selectors import asset_can_view
from apps.assets.services import signed_download_url
from apps.assets.views import asset_page_url
from apps.billing.selectors import action_charge
from apps.routes.views import chain_choices

INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def _seconds(delta) -> str:
    return f"{delta.total_seconds():.1f} s"


def _response_view(response) -> dict:
    """How to show a stored response: an inline image, text, or pretty JSON."""
    if response is None:
        return {"kind": "none"}
    if (
        isinstance(response, dict)
        and response.get("contentType") in INLINE_IMAGE_TYPES
        and response.get("base64")
    ):
        return {
            "kind": "image",
            "src": f"data:{response['contentType']};base64,{response['base64']}",
        }
    if isinstance(response, str):
        return {"kind": "text", "text": response}
    return {"kind": "json", "text": json.dumps(response, indent=2, default=str)}


OUTPUT_PAGES = {"file": "file_detail", "dataset": "dataset_detail", "post": "post_detail"}
OUTPUT_PAGE_ARGS = {"file": "file_id", "dataset": "dataset_id", "post": "post_id"}


def _output_views(action: Action, *, user) -> list[dict]:
    """Each output the viewer may see, with a link to its page and an inline picture for images.
    (The outputs belong to whoever ran the route; its owner sees the run, not always them.)"""
    links = [
        link
        for link in action_asset_links(action)
        if link.role == ActionAsset.Role.OUTPUT and asset_can_view(user=user, asset=link.asset)
    ]
    images = (
        set(
            File.objects.filter(
                pk__in=[link.asset_id for link in links], content_type__startswith="image/"
            ).values_list("pk", flat=True)
        )
        if links
        else set()
    )
    views = []
    for link in links:
        kind = link.asset.asset_type
        page = OUTPUT_PAGES.get(kind)
        views.append(
            {
                "name": link.name,
                "is_primary": link.is_primary,
                "asset": link.asset,
                "url": reverse(page, kwargs={OUTPUT_PAGE_ARGS[kind]: link.asset_id})
                if page
                else None,
                "image_url": signed_download_url(asset=link.asset)
                if link.asset_id in images
                else None,
            }
        )
    return views


def panel_context(action: Action, *, user) -> dict:
    now = timezone.now()
    end = action.finished_at or now
    logs = action_log_tail(action)
    duration = None
    if action.started_at and action.finished_at:
        duration = int((action.finished_at - action.started_at).total_seconds() * 1000)
    return {
        "elapsed": _seconds(end - action.created_at),
        "elapsed_seconds": f"{(end - action.created_at).total_seconds():.1f}",
        "duration_ms": duration,
        "response": _response_view(action.response),
        # Outputs exist only once a run has succeeded; a polled, running panel skips the query.
        "outputs": _output_views(action, user=user) if action.status == Status.SUCCESS else [],
        "logs": logs,
        "charge": _charge(action, user=user),
    }


def _charge(action: Action, *, user) -> str | None:
    """A paid run's charge, for those who may see the run itself (not a post's readers)."""
    if not action.paid or not action_can_view(user=user, action=action):
        return None
    return action_charge(action=action)


def _action(request: HttpRequest, action_id, *, with_assets: bool = True) -> Action:
    action = action_for_user(user=request.user, action_id=action_id, with_assets=with_assets)
    if action is None:
        raise Http404("No such action, or you may not see it")
    action_expire_if_overdue(action)
    return action


@login_required
def action_detail(request: HttpRequest, action_id) -> HttpResponse:
    action = _action(request, action_id)
    route = action.route
    inputs = action.metadata or {}
    ref = RouteRef(
        id=str(route.pk),
        service_id=str(route.service_id),
        address=f"{route.entity_name}/{route.slug}",
    )
    context = {
        "action": action,
        "route": route,
        "panel": panel_context(action, user=request.user),
        "inputs_text": json.dumps(
            {k: v for k, v in inputs.items() if v not in (None, {}, [])}, indent=2, default=str
        ),
        "request_text": json.dumps(action.request or {}, indent=2, default=str),
        "snippets": snippets(site_url=settings.SITE_URL, route=ref, inputs=inputs),
        "again_url": f"/routes/{ref.address}?again={action.pk}",
    }
    return render(request, "actions/detail.html", context)


@login_required
def action_panel(request: HttpRequest, action_id) -> HttpResponse:
    """The live panel. A poll names the change stamp it shows (`?since=`); while nothing has
    changed the answer is 204, which htmx leaves in place (the elapsed time ticks in the page)."""
    since = request.GET.get("since")
    if since:
        state = action_state_for_user(user=request.user, action_id=action_id)
        if state is None:
            raise Http404("No such action, or you may not see it")
        if not action_expire_if_overdue(state) and state.change_stamp == since:
            return HttpResponse(status=204)
    action = _action(request, action_id, with_assets=False)
    return render(
        request,
        "actions/_panel.html",
        {"action": action, "panel": panel_context(action, user=request.user)},
    )


# Outputs and lineage ---------------------------------------------------------------------------


def action_outputs_context(*, user, action) -> dict:
    """Each output of `action` the user may see, with the routes that take it next."""
    outputs = []
    links = action.assets.filter(role=ActionAsset.Role.OUTPUT).select_related("asset__parent")
    for link in links:
        if asset_can_view(user=user, asset=link.asset):
            outputs.append(
                {
                    "link": link,
                    "url": asset_page_url(link.asset),
                    "choices": chain_choices(asset=link.asset, user=user),
                }
            )
    return {"outputs": outputs}


def action_outputs(request: HttpRequest, action_id) -> HttpResponse:
    """The action page's outputs fragment, on its own."""
    action = Action.objects.select_related("route").filter(pk=action_id).first()
    if action is None or not action_can_view(user=request.user, action=action):
        raise Http404("Not found")
    context = action_outputs_context(user=request.user, action=action)
    return render(request, "assets/_action_outputs.html", context)


def asset_lineage_section(*, asset, user) -> dict:
    """A file's or dataset's page: the runs it came from and went into."""
    return {"lineage": {**asset_lineage(asset=asset, user=user), "asset_id": asset.pk}}
