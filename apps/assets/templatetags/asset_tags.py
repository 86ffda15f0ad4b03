from django import template

register = template.Library()


@register.filter
def route_url(route) -> str:
    """A route's page (the routes app adds the route kind and its URL)."""
    return route.get_absolute_url()
