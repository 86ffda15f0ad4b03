"""The cancel button and the delivery log on the action page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.actions.callbacks import action_can_control, action_cancel
from apps.actions.models import Action
from apps.actions.reaper import action_expire_if_overdue
from apps.actions.selectors import DELIVERY_ROWS, action_delivery_rows, action_for_user
from apps.actions.views import panel_context
from apps.actions.webhooks import log_url, webhook_url

VERDICT_BADGES = {
    "accepted": "status-success",
    "duplicate": "status-queued",
    "late": "status-timed-out",
    "forbidden": "status-error",
    "malformed": "status-error",
}


def delivery_log_context(action: Action) -> dict:
    """The newest deliveries, each with the badge its verdict is shown with."""
    rows = action_delivery_rows(action)
    return {
        "action": action,
        "deliveries": [{"row": row, "badge": VERDICT_BADGES.get(row.verdict, "")} for row in rows],
        "row_limit": DELIVERY_ROWS,
        "webhook_url": webhook_url(action),
        "log_url": log_url(action),
    }


def _controlled_action(request: HttpRequest, action_id) -> Action:
    action = action_for_user(user=request.user, action_id=action_id)
    if action is None:
        raise Http404("No such action, or you may not see it")
    if not action_can_control(user=request.user, action=action):
        raise PermissionDenied("Only the caller, the route's owner or an admin may do this")
    return action


@login_required
@require_POST
def action_cancel_page(request: HttpRequest, action_id) -> HttpResponse:
    action = _controlled_action(request, action_id)
    action_expire_if_overdue(action)
    canceled = action_cancel(action=action, user=request.user)
    if request.htmx:
        return render(
            request,
            "actions/_panel.html",
            {"action": action, "panel": panel_context(action, user=request.user)},
        )
    if canceled:
        messages.success(request, "The run was canceled.")
    else:
        messages.info(request, f"This run had already ended ({action.status}).")
    return redirect("action_detail", action_id=action.pk)


@login_required
def action_deliveries(request: HttpRequest, action_id) -> HttpResponse:
    action = _controlled_action(request, action_id)
    return render(request, "actions/_deliveries.html", delivery_log_context(action))
