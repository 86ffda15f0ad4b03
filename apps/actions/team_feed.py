"""A team's feed: the assets published to it and the routes its members run there, newest
activity first, and what a member has not read yet. It lives here, the lowest app that sees
both assets and actions."""

from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from apps.accounts.models import Team, TeamRead, User
from apps.actions.models import Action
from apps.assets.selectors import assets_visible_to


def team_activity(*, team: Team, user: User, asset_type: str | None = None) -> QuerySet:
    """The assets of `team` the user may see, and the visible routes run in it, by their
    latest activity (an edit, or a run in this team)."""
    runs = Action.objects.filter(team=team)
    last_run = runs.filter(route_id=OuterRef("pk")).order_by("-created_at").values("created_at")
    assets = assets_visible_to(user=user).filter(Q(team=team) | Q(pk__in=runs.values("route_id")))
    if asset_type:
        assets = assets.filter(asset_type=asset_type)
    return assets.annotate(
        activity_at=Greatest(
            "last_updated",
            Coalesce(Subquery(last_run[:1], output_field=DateTimeField()), "last_updated"),
        )
    ).order_by("-activity_at", "-id")


def team_unread(*, team: Team, user: User) -> QuerySet:
    """What others published to the team since the user last read its feed."""
    read = TeamRead.objects.filter(team=team, user=user).first()
    assets = assets_visible_to(user=user).filter(team=team).exclude(user=user)
    if read is not None:
        assets = assets.filter(created_at__gt=read.read_at)
    return assets.order_by("-created_at", "-id")
