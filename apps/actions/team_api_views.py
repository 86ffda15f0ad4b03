"""A team's activity feed and unread counts over the Ouro HTTP API (`ouro.teams.activity`,
`unreads`, `unread_preview`)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.selectors import team_for_viewer, teams_visible_to
from apps.accounts.services import team_mark_read
from apps.actions.team_feed import team_activity, team_unread
from apps.api.envelope import ok, parse_uuid, window
from apps.api.errors import ApiError
from apps.api.schema import PAGE, query
from apps.assets.api_views.assets import typed_asset_dicts
from apps.assets.models import AssetType


def _visible_team(request: Request, team_id: str):
    access = team_for_viewer(user=request.user, team_id=parse_uuid(team_id, "team id"))
    if access is None:
        raise ApiError("Team not found", status=404, code="not_found")
    return access


def _page(request: Request, assets) -> tuple[list, dict]:
    win = window(request)
    rows = list(assets.select_related("user")[win.offset : win.offset + win.limit + 1])
    pagination = {"hasMore": len(rows) > win.limit, "offset": win.offset, "limit": win.limit}
    return typed_asset_dicts(rows[: win.limit]), pagination


@extend_schema(parameters=[*PAGE, query("assetType", "Only assets of this type")])
@api_view(["GET"])
def team_activity_view(request: Request, team_id: str):
    """The feed, newest first; a member reading its first page has read the team."""
    access = _visible_team(request, team_id)
    asset_type = request.query_params.get("assetType") or None
    if asset_type is not None and asset_type not in AssetType.values:
        choices = ", ".join(AssetType.values)
        raise ApiError(f"assetType must be one of {choices}", code="invalid_parameter")
    data, pagination = _page(
        request, team_activity(team=access.team, user=request.user, asset_type=asset_type)
    )
    if access.role and pagination["offset"] == 0:
        team_mark_read(team=access.team, user=request.user)
    return Response({"data": data, "pagination": pagination})


@extend_schema(
    parameters=[
        query("view_mode", "count or list"),
        query("team_id", "One team"),
        query("org_id", "One organization's teams"),
    ]
)
@api_view(["GET"])
def team_unreads_view(request: Request):
    """`view_mode=count&org_id=`: unread counts of the caller's teams in that organization;
    `view_mode=preview&team_id=`: a page of one team's unread assets."""
    mode = request.query_params.get("view_mode") or "count"
    if mode == "preview":
        access = _visible_team(request, request.query_params.get("team_id") or "")
        unread = team_unread(team=access.team, user=request.user)
        data, pagination = _page(request, unread)
        preview = {"team_id": str(access.team.pk), "unread_count": unread.count(), "results": data}
        return Response({"data": preview, "pagination": pagination})
    if mode != "count":
        raise ApiError("view_mode must be count or preview", code="invalid_parameter")
    org_id = request.query_params.get("org_id")
    if not org_id:
        raise ApiError("org_id is required", code="missing_org_id")
    accesses = teams_visible_to(user=request.user, org_id=parse_uuid(org_id, "org_id"), joined=True)
    counts = {str(a.team.pk): team_unread(team=a.team, user=request.user).count() for a in accesses}
    return ok({"org_id": org_id, "unreads": counts})
