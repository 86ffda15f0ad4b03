"""Comments, notifications, connections and engagement over the Ouro HTTP API, and the
refusal of what this platform does not offer (quests, conversations)."""

from datetime import UTC

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request

from apps.accounts.selectors import user_by_name_or_id
from apps.api.envelope import body_object, ok, paged, parse_uuid, query_bool, text_field, window
from apps.api.errors import ApiError
from apps.api.schema import PAGE, content, field, json_object, query
from apps.assets.api_views.common import asset_for_request
from apps.assets.models import Asset
from apps.assets.selectors import asset_can_view, asset_is_admin
from apps.social import selectors, services
from apps.social.models import CATEGORY_TYPES, Comment
from apps.social.serializers import comment_dict, connection_dict, notification_dict

READ_BATCH = 200
IMPACT_IDS = 200


def _comment_errors(exc: services.CommentError) -> ApiError:
    return ApiError(exc.message, status=exc.status, code=exc.code)


def _comment(request: Request, comment_id) -> Comment:
    comment = selectors.comment_for_viewer(user=request.user, comment_id=parse_uuid(comment_id))
    if comment is None:
        raise ApiError("Comment not found", status=404, code="not_found")
    return comment


def _attribution(fields: dict) -> dict | None:
    value = fields.get("attribution")
    if value is not None and not isinstance(value, dict):
        raise ApiError("comment.attribution must be an object", code="invalid_body")
    return value


@extend_schema(
    request=json_object(
        "CommentCreate",
        {
            "comment": json_object(
                "CommentFields",
                {
                    "parent_id": field(
                        str, "What it is on: an asset, a run or a comment", required=True
                    ),
                    "source": field(str, "`api` (the default is `web`)"),
                    "license_id": field(str, "A licence id"),
                    "attribution": field(dict, "Who made it"),
                },
            ),
            "content": content("The comment's text", required=True),
        },
    )
)
@api_view(["POST"])
def comment_create_view(request: Request):
    body = body_object(request)
    fields = body_object(request, "comment")
    parent_id = parse_uuid(fields.get("parent_id"), "comment.parent_id")
    thread = selectors.thread_for_viewer(user=request.user, parent_id=parent_id)
    if thread is None:
        raise ApiError("Nothing to comment on with that id", status=404, code="not_found")
    try:
        comment = services.comment_create(
            user=request.user,
            thread=thread,
            content=body.get("content"),
            source="api" if fields.get("source") == "api" else "web",
            license_id=text_field(fields, "license_id", "comment") or "",
            attribution=_attribution(fields),
        )
    except services.CommentError as exc:
        raise _comment_errors(exc) from None
    return ok(comment_dict(comment), status=201)


@extend_schema(
    methods=["DELETE"], parameters=[query("dry_run", "Only report what would be deleted", bool)]
)
@extend_schema(
    methods=["PUT"],
    request=json_object(
        "CommentUpdate",
        {
            "comment": json_object(
                "CommentChanges",
                {
                    "license_id": field(str, "A licence id"),
                    "attribution": field(dict, "Who made it"),
                },
                required=False,
            ),
            "content": content("The comment's new text"),
        },
        "The changes; those left out are kept.",
    ),
)
@api_view(["GET", "PUT", "DELETE"])
def comment_detail_view(request: Request, comment_id: str):
    comment = _comment(request, comment_id)
    if request.method == "GET":
        return ok(comment_dict(comment))
    if request.method == "DELETE":
        holder = comment.target or comment.action.route
        if comment.user_id != request.user.pk and not asset_is_admin(
            user=request.user, asset=holder
        ):
            raise ApiError(
                "Only its author or the asset's admins may delete a comment",
                status=403,
                code="permission_denied",
            )
        return ok(services.comment_delete(comment=comment, dry_run=query_bool(request, "dry_run")))
    if comment.user_id != request.user.pk:
        raise ApiError("Only its author may edit a comment", status=403, code="permission_denied")
    body = body_object(request)
    fields = body.get("comment") if isinstance(body.get("comment"), dict) else {}
    try:
        comment = services.comment_update(
            comment=comment,
            content=body.get("content"),
            license_id=text_field(fields, "license_id", "comment"),
            attribution=_attribution(fields),
        )
    except services.CommentError as exc:
        raise _comment_errors(exc) from None
    return ok(comment_dict(comment))


def comment_claims(asset_id: str) -> bool:
    """Whether `asset_id` is a comment's (the posts API hands those requests over)."""
    return Comment.objects.filter(pk=_uuid_or_none(asset_id)).exists()


def comment_at_posts_path(request: HttpRequest, asset_id: str):
    """`/posts/{id}` for a comment: what `/comments/{id}` answers."""
    return comment_detail_view(request, comment_id=asset_id)


def _uuid_or_none(value: str):
    try:
        return parse_uuid(value)
    except ApiError:
        return None


@extend_schema(parameters=PAGE)
@api_view(["GET"])
def thread_comments_view(request: Request, parent_id: str):
    """Top-level comments on an asset or a run, or a comment's replies, oldest first."""
    thread = selectors.thread_for_viewer(user=request.user, parent_id=parse_uuid(parent_id))
    if thread is None:
        raise ApiError("Asset not found", status=404, code="not_found")
    return paged(selectors.thread_comments(thread), window(request, default_limit=50), comment_dict)


# Notifications ---------------------------------------------------------------------------------


def _org_param(request: Request):
    raw = request.query_params.get("org_id")
    return parse_uuid(raw, "org_id") if raw else None


@extend_schema(
    parameters=[
        *PAGE,
        query("org_id", "One organization"),
        query("category", "Comma-separated categories"),
        query("unread_only", "Only unread ones", bool),
    ]
)
@api_view(["GET"])
def notifications_view(request: Request):
    categories = None
    raw = request.query_params.get("category")
    if raw:
        categories = [c.strip() for c in raw.split(",") if c.strip()]
        unknown = [c for c in categories if c not in CATEGORY_TYPES]
        if unknown:
            raise ApiError(
                f"Unknown category {unknown[0]!r}; one of {', '.join(CATEGORY_TYPES)}",
                code="invalid_parameter",
            )
    qs = selectors.notifications_of(
        user=request.user,
        unread_only=query_bool(request, "unread_only"),
        categories=categories,
        org_id=_org_param(request),
    )
    return paged(qs, window(request), notification_dict)


@api_view(["GET"])
def notifications_unreads_view(request: Request):
    return ok(selectors.notifications_unread_count(user=request.user, org_id=_org_param(request)))


@api_view(["GET"])
def notification_read_view(request: Request, notification_id: str):
    """Reading one notification marks it read."""
    nid = parse_uuid(notification_id)
    if not services.notifications_mark_read(user=request.user, ids=[nid]):
        raise ApiError("Notification not found", status=404, code="not_found")
    return ok(notification_dict(selectors.notifications_of(user=request.user).get(pk=nid)))


@extend_schema(
    request=json_object(
        "NotificationsRead",
        {
            "ids": field(list, f"The notifications to mark read (at most {READ_BATCH})", items=str),
            "all": field(bool, "`true` marks all of them read (then `ids` is not read)"),
        },
    )
)
@api_view(["POST"])
def notifications_read_many_view(request: Request):
    """`{"ids": [...]}` (at most 200) or `{"all": true}`; answers the ids marked read."""
    body = body_object(request)
    if body.get("all") is True:
        return ok({"read": services.notifications_mark_read(user=request.user)})
    ids = body.get("ids")
    if not isinstance(ids, list) or len(ids) > READ_BATCH:
        raise ApiError(
            f'ids must be a list of at most {READ_BATCH} notification ids (or send "all": true)',
            code="invalid_body",
        )
    parsed = [parse_uuid(i, "ids[]") for i in ids]
    return ok({"read": services.notifications_mark_read(user=request.user, ids=parsed)})


# Connections and engagement --------------------------------------------------------------------


@extend_schema(
    parameters=[
        *PAGE,
        query("direction", "Edges from or to the asset", enum=["source", "target"]),
        query("type", "Comma-separated edge types"),
    ]
)
@api_view(["GET"])
def asset_connections_view(request: Request, asset_id: str):
    asset = asset_for_request(request, asset_id)
    edges = selectors.asset_connections(asset=asset, user=request.user)
    direction = request.query_params.get("direction")
    if direction not in (None, "", "source", "target"):
        raise ApiError("direction must be source or target", code="invalid_parameter")
    if direction == "source":
        edges = [e for e in edges if e.source.pk == asset.pk]
    elif direction == "target":
        edges = [e for e in edges if e.target.pk == asset.pk]
    wanted = request.query_params.get("type")
    if wanted:
        types = {t.strip() for t in wanted.split(",")}
        edges = [e for e in edges if e.type in types]
    return paged(edges, window(request, default_limit=50), connection_dict)


@extend_schema(
    request=json_object(
        "AssetView", {"source": field(str, "Where it was viewed from (default `api`)")}
    )
)
@api_view(["POST"])
def asset_view_view(request: Request, asset_id: str):
    asset = asset_for_request(request, asset_id)
    data = request.data if isinstance(request.data, dict) else {}
    source = data.get("source") if isinstance(data.get("source"), str) else "api"
    recorded = services.asset_view_record(asset=asset, user=request.user, source=source)
    return ok({"asset_id": str(asset.pk), "recorded": recorded})


@api_view(["GET"])
def asset_counts_view(request: Request, asset_id: str):
    asset = asset_for_request(request, asset_id)
    return ok(selectors.asset_counts(asset=asset, user=request.user))


@api_view(["GET"])
def asset_properties_view(request: Request, asset_id: str):
    asset = asset_for_request(request, asset_id)
    return ok(selectors.asset_properties(asset))


def _asset_ids(raw: str | None, name: str) -> list | None:
    ids = [i.strip() for i in (raw or "").split(",") if i.strip()]
    if len(ids) > IMPACT_IDS:
        raise ApiError(f"{name} must name at most {IMPACT_IDS} assets", code="invalid_parameter")
    return [parse_uuid(i, name) for i in ids] or None


@extend_schema(parameters=[query("ids", "Comma-separated asset ids")])
@api_view(["GET"])
def assets_impact_view(request: Request):
    """Engagement of several assets at once (`ids`, comma-separated); unseen ones left out."""
    ids = _asset_ids(request.query_params.get("ids"), "ids")
    if not ids:
        raise ApiError(f"ids must name 1 to {IMPACT_IDS} assets", code="invalid_parameter")
    rows = [
        selectors.asset_impact(asset=asset, user=request.user)
        for asset in Asset.objects.filter(pk__in=ids).select_related("parent")
        if asset_can_view(user=request.user, asset=asset)
    ]
    return ok({"assets": rows})


@extend_schema(
    parameters=[
        query("since", "Count views, comments and runs from this ISO 8601 time on"),
        query("limit", f"How many of the most recent assets (1 to {IMPACT_IDS}, default 50)", int),
        query("asset_ids", "Comma-separated ids of the user's assets to sum instead"),
    ]
)
@api_view(["GET"])
def user_impact_view(request: Request, name_or_id: str):
    """`UserImpact`: what happened to a user's assets (by username or id) that the caller may
    see, each (`assets`) and summed (`aggregate`): views, comments, runs (`uses`), each also
    without the owner's own (`external_*`), and earnings for those who may edit the asset."""
    owner = user_by_name_or_id(name_or_id)
    if owner is None:
        raise ApiError(f"No user {name_or_id!r}", status=404, code="not_found")
    since = None
    if raw := request.query_params.get("since"):
        try:
            since = parse_datetime(raw)
        except ValueError:  # well formed but no such time (a 13th month)
            since = None
        if since is None:
            raise ApiError(f"since must be an ISO 8601 time, not {raw!r}", code="invalid_parameter")
        if timezone.is_naive(since):
            since = timezone.make_aware(since, UTC)
    try:
        limit = int(request.query_params.get("limit", 50))
    except ValueError:
        raise ApiError("limit must be a whole number", code="invalid_parameter") from None
    if not 1 <= limit <= IMPACT_IDS:
        raise ApiError(f"limit must be 1 to {IMPACT_IDS}", code="invalid_parameter")
    impact = selectors.user_impact(
        owner=owner,
        viewer=request.user,
        since=since,
        limit=limit,
        asset_ids=_asset_ids(request.query_params.get("asset_ids"), "asset_ids"),
    )
    return ok(impact)


# Not offered here ------------------------------------------------------------------------------


@extend_schema(methods=["POST", "PUT", "PATCH"], request=None)  # refused whatever the body
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def quests_not_offered(request: Request, rest: str = ""):
    raise ApiError(
        "Quests are not offered on this platform: it hosts routes, their runs and the assets "
        "they use (posts, files, datasets)",
        status=404,
        code="not_offered",
    )


@extend_schema(methods=["POST", "PUT", "PATCH"], request=None)  # refused whatever the body
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def conversations_not_offered(request: Request, rest: str = ""):
    raise ApiError(
        "Conversations are not offered on this platform: comment on an asset or a run instead "
        "(comments, with @mentions)",
        status=404,
        code="not_offered",
    )
