from django import template

from apps.routes.views import route_related_context

register = template.Library()


@register.inclusion_tag("assets/_route_related.html", takes_context=True)
def route_related(context, route) -> dict:
    """A route's related-assets fragment, included in the route page."""
    user = context["request"].user
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        **route_related_context(user=user, route=route),
    }
