"""Reading comments, notifications, an asset's connections and its engagement.

Who may read a comment is who may read what it is on (the asset, through apps.assets'
selectors, or the run, through apps.actions'); nothing here decides access on its own.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.actions.models import Action, ActionAsset
from apps.actions.selectors import action_can_view
from apps.assets.models import Asset, AssetType, Dataset, File
from apps.assets.selectors import asset_can_edit, asset_can_view, assets_visible_to
from apps.billing.selectors import asset_earned_cents, routes_earned_cents
from apps.posts.models import Post
from apps.routes.models import RouteAsset
from apps.social.models import CATEGORY_TYPES, DOWNLOAD, AssetView, Comment, Notification

# Comments --------------------------------------------------------------------------------------


def comment_can_view(*, user, comment: Comment) -> bool:
    if comment.archived_at is not None:
        return False
    if comment.action_id:
        return action_can_view(user=user, action=comment.action)
    return comment.target is not None and asset_can_view(user=user, asset=comment.target)


def comment_for_viewer(*, user, comment_id) -> Comment | None:
    comment = (
        Comment.objects.filter(pk=comment_id)
        .select_related("user", "target__parent", "action__route", "reply_to")
        .first()
    )
    if comment is None or not comment_can_view(user=user, comment=comment):
        return None
    return comment


@dataclass(frozen=True)
class Thread:
    """What comments can be listed under: an asset, a run, or a top-level comment (replies)."""

    target: Asset | None = None
    action: Action | None = None
    comment: Comment | None = None


def thread_for_viewer(*, user, parent_id) -> Thread | None:
    """The asset, run or comment with this id when `user` may read it, else None."""
    comment = comment_for_viewer(user=user, comment_id=parent_id)
    if comment is not None:
        return Thread(comment=comment)
    if Comment.objects.filter(pk=parent_id).exists():
        return None
    asset = Asset.objects.filter(pk=parent_id).select_related("parent", "user").first()
    if asset is not None:
        return Thread(target=asset) if asset_can_view(user=user, asset=asset) else None
    action = Action.objects.filter(pk=parent_id).select_related("route").first()
    if action is not None and action_can_view(user=user, action=action):
        return Thread(action=action)
    return None


def thread_comments(thread: Thread) -> QuerySet:
    """Top-level comments on an asset or a run, or a comment's replies, oldest first."""
    if thread.comment is not None:
        qs = Comment.objects.filter(reply_to=thread.comment)
    elif thread.action is not None:
        qs = Comment.objects.filter(action=thread.action, reply_to=None)
    else:
        qs = Comment.objects.filter(target=thread.target, reply_to=None)
    return (
        qs.filter(archived_at__isnull=True)
        .select_related("user")
        .annotate(reply_count=Count("replies"))
        .order_by("created_at", "id")
    )


# Notifications ---------------------------------------------------------------------------------


def notifications_of(
    *, user, unread_only: bool = False, categories: list[str] | None = None, org_id=None
) -> QuerySet:
    qs = Notification.objects.filter(user=user).select_related("source_user", "asset__user")
    if unread_only:
        qs = qs.filter(viewed=False)
    if categories:
        qs = qs.filter(type__in=[t for c in categories for t in CATEGORY_TYPES.get(c, ())])
    if org_id is not None:
        qs = qs.filter(org_id=org_id)
    return qs


def notifications_unread_count(*, user, org_id=None) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return notifications_of(user=user, unread_only=True, org_id=org_id).count()


# Connections -----------------------------------------------------------------------------------

LINK_HREF = re.compile(r'href="/links/(route|file|post|dataset|service)/([0-9a-f-]{36})"')
MENTION_SPAN = re.compile(r'<span class="mention">@([^<]{1,150})</span>')
# An asset's edges are gathered from at most this many of each kind of source, newest first.
EDGE_SCAN = 200


@dataclass(frozen=True)
class Edge:
    """One connection: `source` points at `target` (assets, or a user for a mention)."""

    type: str
    source: Asset
    target: Asset | User
    created_at: datetime
    action_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None

    @property
    def id(self) -> uuid.UUID:
        """Stable: the same edge has the same id on every read."""
        key = f"{self.type}:{self.source.pk}:{self.target.pk}:{self.action_id or ''}"
        return uuid.uuid5(uuid.NAMESPACE_URL, key)


def post_references(post: Post) -> list[tuple[str, str]]:
    """(edge type, asset id) of what a post links to and embeds, in order, once each."""
    found = [("link", m.group(2)) for m in LINK_HREF.finditer(post.html or "")]
    found += [("component", str(e.get("id", "")).lower()) for e in post.embeds or []]
    return list(dict.fromkeys(found))


def mentioned_usernames(html: str) -> list[str]:
    """The users a rendered text mentions (the renderer marks each as a mention span)."""
    return list(dict.fromkeys(m.group(1) for m in MENTION_SPAN.finditer(html or "")))


def _post_edges(post: Post, *, user) -> list[Edge]:
    refs = post_references(post)
    ids = {i for _, i in refs}
    seen = {str(a.pk): a for a in assets_visible_to(user=user).filter(pk__in=_uuids(ids))}
    edges = [
        Edge(kind, post, seen[i], post.last_updated, user_id=post.user_id)
        for kind, i in refs
        if i in seen
    ]
    names = mentioned_usernames(post.html)
    for person in User.objects.filter(username__in=names):
        edges.append(Edge("mention", post, person, post.last_updated, user_id=post.user_id))
    return edges


def _uuids(values) -> list[uuid.UUID]:
    out = []
    for v in values:
        try:
            out.append(uuid.UUID(v))
        except ValueError:
            continue
    return out


def _action_edges(asset: Asset, *, user) -> list[Edge]:
    """A run's inputs point at its route, its route at its outputs (lineage's data)."""
    if asset.asset_type == "route":
        actions = Action.objects.filter(route_id=asset.pk).order_by("-created_at")[:EDGE_SCAN]
        links = ActionAsset.objects.filter(action__in=list(actions))
    else:
        links = ActionAsset.objects.filter(asset_id=asset.pk).order_by("-created_at")[:EDGE_SCAN]
    edges = []
    visible: dict = {}

    def can_see(a: Asset) -> bool:
        if a.pk not in visible:
            visible[a.pk] = asset_can_view(user=user, asset=a)
        return visible[a.pk]

    for link in links.select_related("asset__parent", "action__route__parent"):
        route, other = link.action.route, link.asset
        if not (can_see(route) and can_see(other)):
            continue
        action_id = link.action_id if action_can_view(user=user, action=link.action) else None
        source, target = (other, route) if link.role == ActionAsset.Role.INPUT else (route, other)
        edges.append(
            Edge("action", source, target, link.created_at, action_id, link.action.user_id)
        )
    return edges


def asset_connections(*, asset: Asset, user) -> list[Edge]:
    """Every edge touching `asset` that `user` may see both ends of: a post's links, embeds
    and mentions (and the posts linking to or embedding it), runs' inputs and outputs,
    route-to-asset links and comments. Newest first."""
    edges: list[Edge] = []
    if asset.asset_type == "post":
        post = Post.objects.filter(pk=asset.pk).first()
        if post is not None:
            edges += _post_edges(post, user=user)
    needle = str(asset.pk)
    citing = (
        assets_visible_to(user=user, queryset=Post.objects.exclude(pk=asset.pk))
        .filter(Q(html__contains=needle) | Q(content_text__icontains=needle))
        .order_by("-last_updated")[:EDGE_SCAN]
    )
    for post in citing:
        for kind, target_id in post_references(post):
            if target_id == needle:
                edges.append(Edge(kind, post, asset, post.last_updated, user_id=post.user_id))
    edges += _action_edges(asset, user=user)
    links = RouteAsset.objects.filter(Q(route_id=asset.pk) | Q(asset_id=asset.pk))
    for link in links.select_related("route__parent", "asset__parent")[:EDGE_SCAN]:
        if asset_can_view(user=user, asset=link.route) and asset_can_view(
            user=user, asset=link.asset
        ):
            edges.append(
                Edge("link", link.route, link.asset, link.created_at, None, link.added_by_id)
            )
    comments = Comment.objects.filter(target=asset, archived_at__isnull=True)
    for comment in comments.order_by("-created_at")[:EDGE_SCAN]:
        edges.append(Edge("comment", comment, asset, comment.created_at, user_id=comment.user_id))
    return sorted(edges, key=lambda e: e.created_at, reverse=True)


# Engagement ------------------------------------------------------------------------------------


def _runs_of(asset: Asset) -> QuerySet:
    """A route's runs; for another asset, the runs that took it as an input."""
    if asset.asset_type == "route":
        return Action.objects.filter(route_id=asset.pk)
    links = ActionAsset.objects.filter(asset_id=asset.pk, role=ActionAsset.Role.INPUT)
    return Action.objects.filter(pk__in=links.values("action_id"))


def asset_runs(asset: Asset) -> int:
    """A route's runs; for another asset, the runs that took it as an input."""
    return _runs_of(asset).count()


def asset_engagement(asset: Asset) -> dict:
    """Views and comments, as a post's JSON carries them."""
    return {
        "views": AssetView.objects.filter(asset=asset).exclude(source=DOWNLOAD).count(),
        "comments": Comment.objects.filter(target=asset, archived_at__isnull=True).count(),
    }


def asset_counts(*, asset: Asset, user) -> dict:
    """Views, downloads, comments and runs; earnings only for those who may edit the asset."""
    comments = Comment.objects.filter(target=asset, archived_at__isnull=True)
    runs = asset_runs(asset)
    seen = AssetView.objects.filter(asset=asset)
    return {
        "views": seen.exclude(source=DOWNLOAD).count(),
        "comments": comments.count(),
        "external_comments": comments.exclude(user_id=asset.user_id).count(),
        "runs": runs,
        "uses": runs,
        "reactions": 0,  # there are no reactions here
        "downloads": seen.filter(source=DOWNLOAD).count(),
        "earnings_btc": 0,
        "earnings_usd": asset_earned_cents(asset) if asset_can_edit(user=user, asset=asset) else 0,
    }


IMPACT_SUMS = (
    "views",
    "quality_views",
    "comments",
    "external_comments",
    "reactions",
    "external_reactions",
    "downloads",
    "uses",
    "external_uses",
    "earnings_btc",
    "earnings_usd",
)


def asset_impact(*, asset: Asset, user, since: datetime | None = None) -> dict:
    """What happened to an asset, as the clients' AssetImpact reads it: views, comments and
    runs (`uses`), each also without the owner's own (`external_*`), since `since` when given;
    earnings (all time) only for those who may edit it. Views are recorded once per reader a
    while, so all of them count as quality views; there are no reactions here."""
    seen = AssetView.objects.filter(asset=asset)
    all_views, downloads = seen.exclude(source=DOWNLOAD), seen.filter(source=DOWNLOAD)
    views = all_views
    comments = Comment.objects.filter(target=asset, archived_at__isnull=True)
    runs = _runs_of(asset)
    if since is not None:
        views = views.filter(created_at__gte=since)
        downloads = downloads.filter(created_at__gte=since)
        comments = comments.filter(created_at__gte=since)
        runs = runs.filter(created_at__gte=since)
    view_count = views.count()
    week_ago = timezone.now() - timedelta(days=7)
    recent_views = all_views.filter(created_at__gte=week_ago).count()
    uses = runs.count()
    return {
        "asset_id": str(asset.pk),
        "asset_type": asset.asset_type,
        "name": asset.name,
        "owner_user_id": str(asset.user_id),
        "views": view_count,
        "quality_views": view_count,
        "comments": comments.count(),
        "external_comments": comments.exclude(user_id=asset.user_id).count(),
        "reactions": 0,
        "external_reactions": 0,
        "downloads": downloads.count(),
        "runs": uses,
        "uses": uses,
        "external_uses": runs.exclude(user_id=asset.user_id).count(),
        "earnings_btc": 0,
        "earnings_usd": asset_earned_cents(asset) if asset_can_edit(user=user, asset=asset) else 0,
        "popularity_7d": float(recent_views),
        "median_dwell_ms": None,
        "quest_ids": [],
    }


def user_impact(
    *, owner: User, viewer, since: datetime | None, limit: int, asset_ids: list | None
) -> dict:
    """A user's impact: the impact of their assets the viewer may see (those named, else their
    `limit` most recent), each and summed. An outsider's rollup holds only what they may see."""
    assets = assets_visible_to(
        user=viewer,
        queryset=Asset.objects.filter(user=owner, asset_type__in=AssetType.values),
    ).select_related("parent")
    if asset_ids is not None:
        assets = assets.filter(pk__in=asset_ids).order_by("-created_at")
    else:
        assets = assets.order_by("-created_at")[:limit]
    rows, earning = [], {"route": [], "service": []}
    for asset in assets:
        rows.append(asset_impact(asset=asset, user=viewer, since=since))
        if asset.asset_type in earning and asset_can_edit(user=viewer, asset=asset):
            earning[asset.asset_type].append(asset.pk)
    aggregate = {key: sum(row[key] for row in rows) for key in IMPACT_SUMS}
    # A service earns what its routes earn: summed once, not once per route and per service.
    aggregate["earnings_usd"] = routes_earned_cents(
        route_ids=earning["route"], service_ids=earning["service"]
    )
    return {
        "user_id": str(owner.pk),
        "since": since.isoformat() if since else None,
        "aggregate": {**aggregate, "assets": len(rows)},
        "assets": rows,
    }


def _property(asset: Asset, key: str, label: str, value_type: str, value, **extra) -> dict:
    return {
        "key": key,
        "label": label,
        "value_type": value_type,
        "asset_types": [asset.asset_type],
        "category": "platform",
        **extra,
        "values": [
            {
                "id": str(uuid.uuid5(asset.pk, key)),
                "value": value,
                "source": "platform",
                "status": "active",
                "created_at": asset.last_updated.isoformat(),
            }
        ],
    }


def asset_properties(asset: Asset) -> list[dict]:
    """What the platform itself knows about an asset, as the clients' properties."""
    props = []
    if asset.asset_type == "post":
        text = Post.objects.filter(pk=asset.pk).values_list("content_text", flat=True).first()
        words = len((text or "").split())
        props.append(_property(asset, "word_count", "Word count", "integer", words))
    elif asset.asset_type == "dataset":
        dataset = Dataset.objects.filter(pk=asset.pk).first()
        if dataset is not None:
            props.append(_property(asset, "row_count", "Rows", "integer", dataset.row_count))
            props.append(
                _property(asset, "column_count", "Columns", "integer", len(dataset.columns))
            )
    elif asset.asset_type == "file":
        file = File.objects.filter(pk=asset.pk).first()
        if file is not None:
            props.append(_property(asset, "file_size", "Size", "integer", file.size, unit="B"))
            props.append(_property(asset, "content_type", "Type", "text", file.content_type))
    elif asset.asset_type == "route":
        props.append(_property(asset, "run_count", "Runs", "integer", asset_runs(asset)))
    return props
