from django import template

from apps.actions.views import action_outputs_context

register = template.Library()


@register.inclusion_tag("assets/_action_outputs.html", takes_context=True)
def action_outputs(context, action) -> dict:
    """A run's outputs fragment, included in the page that shows the run."""
    user = context["request"].user
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        **action_outputs_context(user=user, action=action),
    }
