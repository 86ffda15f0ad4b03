"""Reading services through the one permission selector."""

from django.db.models import Count, Q, QuerySet

from apps.assets.selectors import assets_visible_to
from apps.services.models import Service


def services_visible(*, user, query: str = "") -> QuerySet:
    """Services the user may see, with their live route count, newest first."""
    qs = assets_visible_to(user=user, queryset=Service.objects.all())
    for word in query.split()[:5]:
        qs = qs.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(base_url__icontains=word)
        )
    return (
        qs.select_related("user", "org")
        .annotate(route_count=Count("routes", filter=Q(routes__archived_at__isnull=True)))
        .order_by("-created_at")
    )


def service_for_user(*, user, service_id) -> Service | None:
    return (
        assets_visible_to(user=user, queryset=Service.objects.all())
        .select_related("user", "org", "team")
        .filter(pk=service_id)
        .first()
    )
