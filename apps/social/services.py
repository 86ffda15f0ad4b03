"""Writing comments, notifications and views: one function per operation.

Comment content goes through the posts' content pipeline (the bounded markdown renderer and
the TipTap checks), so a comment is sanitised and limited exactly as a post is.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Membership, Role, User
from apps.actions.models import Action
from apps.actions.selectors import action_can_view
from apps.assets.models import Asset, Visibility
from apps.assets.selectors import asset_can_view
from apps.assets.services import AssetError
from apps.posts.models import Post
from apps.posts.services import PostError, content_prepare
from apps.social.models import DOWNLOAD, AssetView, Comment, Notification, NotificationType
from apps.social.selectors import Thread, mentioned_usernames

# A client reading an asset again within this window is one view, not another.
VIEW_WINDOW = timedelta(minutes=30)
NAME_CHARS = 80


class CommentError(AssetError):
    def __init__(self, message: str, *, code: str = "invalid_comment", status: int = 400):
        super().__init__(message, status=status, code=code)


def _prepared(content):
    if content is None or (isinstance(content, str) and not content.strip()):
        raise CommentError("A comment needs some text (content)")
    try:
        prepared = content_prepare(content)
    except PostError as exc:
        raise CommentError(exc.message, code=exc.code, status=exc.status) from None
    if prepared.partials:
        raise CommentError("A comment cannot create the posts of partial embeds")
    if not prepared.content.text.strip():
        raise CommentError("A comment needs some text (content)")
    return prepared


def _apply(comment: Comment, prepared) -> None:
    comment.content_text = prepared.content.text.strip()
    comment.content_json = prepared.content.json
    comment.html = prepared.rendered.html
    first_line = prepared.content.text.strip().splitlines()[0]
    comment.name = first_line[:NAME_CHARS] or "Comment"


def comment_create(
    *,
    user: User,
    thread: Thread,
    content,
    source: str = "web",
    license_id: str = "",
    attribution: dict | None = None,
) -> Comment:
    """A comment on the thread's asset or run, or a reply to its comment (replies stay one
    level deep: a reply to a reply joins the top-level comment's thread)."""
    prepared = _prepared(content)
    reply_to = None
    target, action = thread.target, thread.action
    if thread.comment is not None:
        reply_to = thread.comment.reply_to or thread.comment
        target, action = reply_to.target, reply_to.action
    holder = target if target is not None else action
    comment = Comment(
        user=user,
        org_id=holder.org_id,
        team_id=holder.team_id,
        parent=target,
        target=target,
        action=action,
        reply_to=reply_to,
        visibility=Visibility.INHERIT,
        source=source,
        license_id=license_id or "",
        attribution=attribution or {"originality": "original"},
    )
    _apply(comment, prepared)
    with transaction.atomic():
        comment.save()
        _comment_notify(comment)
    return comment


def comment_update(
    *, comment: Comment, content=None, license_id: str | None = None, attribution=None
) -> Comment:
    prepared = _prepared(content) if content is not None else None
    if prepared is not None:
        _apply(comment, prepared)
    if license_id is not None:
        comment.license_id = license_id
    if isinstance(attribution, dict):
        comment.attribution = {**(comment.attribution or {}), **attribution}
    with transaction.atomic():
        comment.save()
        if prepared is not None:
            _mentions_notify(comment, about=_thread_holder(comment))
    return comment


def comment_delete(*, comment: Comment, dry_run: bool = False) -> dict:
    """Delete a comment and its replies."""
    replies = list(comment.replies.all()) if comment.reply_to_id is None else []
    summary = {
        "id": str(comment.pk),
        "name": comment.name,
        "asset_type": "comment",
        "deleted_children": [
            {"id": str(r.pk), "name": r.name, "asset_type": "comment"} for r in replies
        ],
        "dry_run": dry_run,
    }
    if not dry_run:
        Asset.objects.filter(pk=comment.pk).delete()
    return summary


# Notifications ---------------------------------------------------------------------------------


def notification_send(
    *,
    user: User,
    type: str,
    key: str,
    text: str,
    source_user: User | None = None,
    asset: Asset | None = None,
    parent_asset_id=None,
    action: Action | None = None,
    org_id=None,
) -> Notification | None:
    """Tell `user` once about the event `key` (None when they have been told already)."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                user=user,
                type=type,
                key=key[:120],
                text=text[:500],
                source_user=source_user,
                asset=asset,
                parent_asset_id=parent_asset_id,
                action=action,
                org_id=org_id,
            )
    except IntegrityError:
        return None


def notifications_mark_read(*, user: User, ids=None) -> list[str]:
    """Mark the user's notifications read (`ids`, or all of them when None); the ids marked."""
    qs = Notification.objects.filter(user=user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    marked = [str(pk) for pk in qs.values_list("pk", flat=True)]
    qs.filter(viewed=False).update(viewed=True, last_updated=timezone.now())
    return marked


def _thread_holder(comment: Comment):
    return comment.target if comment.target_id else comment.action


def _holder_can_view(user: User, holder) -> bool:
    if isinstance(holder, Action):
        return action_can_view(user=user, action=holder)
    return asset_can_view(user=user, asset=holder)


def _holder_name(holder) -> str:
    if isinstance(holder, Action):
        return f"your run of {holder.route.name}"
    return f"{holder.asset_type} {holder.name}"


def _comment_notify(comment: Comment) -> None:
    holder = _thread_holder(comment)
    author = comment.user
    told = {author.pk}
    common = {
        "source_user": author,
        "asset": comment,
        "parent_asset_id": comment.target_id,
        "action": comment.action,
        "org_id": comment.org_id,
    }
    reply_to = comment.reply_to
    if reply_to is not None and reply_to.user_id not in told:
        told.add(reply_to.user_id)
        notification_send(
            user=reply_to.user,
            type=NotificationType.REPLY,
            key=f"reply:{comment.pk}",
            text=f"@{author.username} replied to your comment on {_holder_name(holder)}",
            **common,
        )
    owner = holder.user
    if owner.pk not in told:
        told.add(owner.pk)
        notification_send(
            user=owner,
            type=NotificationType.COMMENT,
            key=f"comment:{comment.pk}",
            text=f"@{author.username} commented on {_holder_name(holder)}",
            **common,
        )
    _mentions_notify(comment, about=holder)


def _mentions_notify(asset: Asset, *, about) -> None:
    """Tell each user the text mentions, once, if they may read where it was written."""
    names = mentioned_usernames(asset.html)
    if not names:
        return
    where = _holder_name(about) if about is not asset else f"{asset.asset_type} {asset.name}"
    for person in User.objects.filter(username__in=names).exclude(pk=asset.user_id):
        if not _holder_can_view(person, about):
            continue
        notification_send(
            user=person,
            type=NotificationType.MENTION,
            key=f"mention:{asset.pk}",
            text=f"@{asset.user.username} mentioned you in {where}",
            source_user=asset.user,
            asset=asset,
            parent_asset_id=asset.parent_id,
            action=getattr(asset, "action", None),
            org_id=asset.org_id,
        )


def post_mentions_notify(*, post: Post) -> None:
    _mentions_notify(post, about=post)


def action_finished_notify(*, action: Action) -> None:
    """Tell the caller how their run ended."""
    succeeded = action.status == "success"
    route = action.route
    outcome = "finished" if succeeded else f"failed ({action.status})"
    notification_send(
        user=action.user,
        type=NotificationType.ACTION_COMPLETED if succeeded else NotificationType.ACTION_FAILED,
        key=f"action:{action.pk}",
        text=f"Your run of {route.name} {outcome}",
        asset=route,
        action=action,
        org_id=action.org_id,
    )


def join_request_notify(*, team, user: User, request_id=None) -> None:
    """Tell the team's organization admins that `user` asks to join `team`."""
    admins = Membership.objects.filter(org_id=team.org_id, role=Role.ADMIN).select_related("user")
    for membership in admins.exclude(user=user):
        notification_send(
            user=membership.user,
            type=NotificationType.JOIN_REQUEST,
            key=f"join:{request_id or team.pk}:{user.pk}",
            text=f"@{user.username} asks to join {team.org.name}/{team.name}",
            source_user=user,
            org_id=team.org_id,
        )


# Views -----------------------------------------------------------------------------------------


def asset_view_record(*, asset: Asset, user, source: str = "web") -> bool:
    """Count a view of `asset`; the same person again within VIEW_WINDOW is not counted."""
    viewer = user if user is not None and user.is_authenticated else None
    if viewer is not None:
        recent = AssetView.objects.filter(
            asset=asset, user=viewer, created_at__gte=timezone.now() - VIEW_WINDOW
        )
        if recent.exists():
            return False
    AssetView.objects.create(asset=asset, user=viewer, source=source[:16])
    return True


def asset_download_record(*, asset: Asset, user) -> None:
    """Count a download of `asset` (its bytes served): every one counts, a person's too."""
    viewer = user if user is not None and user.is_authenticated else None
    AssetView.objects.create(asset_id=asset.pk, user=viewer, source=DOWNLOAD)
