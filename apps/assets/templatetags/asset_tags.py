from django import template

register = template.Library()


@register.filter
def route_url(route) -> str:
    from apps.assets.views import route_page_url

    return route_page_url(route)


def _page_context(context) -> dict:
    """What an included fragment needs from its page: the request and its CSRF token."""
    return {"request": context.get("request"), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("assets/_action_outputs.html", takes_context=True)
def action_outputs(context, action) -> dict:
    from apps.assets.views import action_outputs_context

    user = context["request"].user
    return {**_page_context(context), **action_outputs_context(user=user, action=action)}


@register.inclusion_tag("assets/_route_related.html", takes_context=True)
def route_related(context, route) -> dict:
    from apps.assets.views import route_related_context

    user = context["request"].user
    return {**_page_context(context), **route_related_context(user=user, route=route)}
