"""The cancel button and delivery log inside the action panel, shown only to those in control."""

from django import template

from apps.actions.callback_views import delivery_log_context
from apps.actions.callbacks import action_can_control
from apps.routes.models import ExecutionMode

register = template.Library()


def _in_control(context, action) -> bool:
    request = context.get("request")
    return action_can_control(user=getattr(request, "user", None), action=action)


@register.inclusion_tag("actions/_cancel.html", takes_context=True)
def cancel_button(context, action) -> dict:
    return {"action": action, "show": not action.is_terminal and _in_control(context, action)}


@register.inclusion_tag("actions/_deliveries.html", takes_context=True)
def delivery_log(context, action) -> dict:
    if not _in_control(context, action):
        return {"hidden": True}
    log = delivery_log_context(action)
    # A sync run has nothing to deliver unless an upstream called back anyway.
    if not log["deliveries"] and action.route.execution_mode != ExecutionMode.ASYNC:
        return {"hidden": True}
    return log
