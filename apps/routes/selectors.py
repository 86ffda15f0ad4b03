"""Reading routes through the one permission selector: lists, look-ups by id and by name."""

from django.db.models import Q, QuerySet

from apps.accounts.models import PERSONAL_ORG_ID
from apps.assets.models import AssetType
from apps.assets.selectors import assets_visible_to
from apps.routes.models import Route


def routes_visible(*, user, query: str = "") -> QuerySet:
    """Routes the user may see, optionally filtered by words in name, path or description."""
    qs = assets_visible_to(user=user, queryset=Route.objects.all())
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(path__icontains=word)
            | Q(summary__icontains=word)
            | Q(service__name__icontains=word)
        )
    # A service's spec and import report can be megabytes: loaded only where they are used.
    return (
        qs.select_related("service", "user", "org", "parent")
        .defer("service__spec", "service__import_report")
        .order_by("service__name", "path", "method")
    )


def route_for_user(*, user, route_id) -> Route | None:
    return routes_visible(user=user).filter(pk=route_id).first()


def route_by_name(*, user, entity: str, name: str) -> Route | None:
    """`entity/name`: the entity is an organization's name or, in the personal context, the
    owner's username; the name is the route's slug (or its exact name)."""
    owned = Q(org__name=entity) & ~Q(org_id=PERSONAL_ORG_ID) | Q(
        org_id=PERSONAL_ORG_ID, user__username=entity
    )
    return (
        routes_visible(user=user)
        .filter(owned, Q(slug=name) | Q(name=name), asset_type=AssetType.ROUTE)
        .order_by("created_at")
        .first()
    )
