"""The JSON shapes of the Ouro contract for comments, notifications and connections."""

from apps.accounts.models import User
from apps.accounts.serializers import iso, user_profile_dict
from apps.assets.models import Asset
from apps.assets.serializers import asset_dict
from apps.social.models import Comment, Notification
from apps.social.selectors import Edge


def comment_dict(comment: Comment) -> dict:
    parent = comment.reply_to_id or comment.target_id or comment.action_id
    replies = getattr(comment, "reply_count", None)
    if replies is None:
        replies = comment.replies.count()
    return {
        **asset_dict(comment),
        "parent_id": str(parent),
        "target_id": str(comment.target_id) if comment.target_id else None,
        "action_id": str(comment.action_id) if comment.action_id else None,
        "reply_to_id": str(comment.reply_to_id) if comment.reply_to_id else None,
        "content": {"text": comment.content_text, "json": comment.content_json},
        "assets": [],
        "replies": replies,
    }


def asset_ref_dict(asset: Asset) -> dict:
    return {
        "id": str(asset.pk),
        "name": asset.name,
        "asset_type": asset.asset_type,
        "user_id": str(asset.user_id),
        "org_id": str(asset.org_id),
        "team_id": str(asset.team_id),
        "visibility": asset.visibility,
        "slug": asset.slug,
        "created_at": iso(asset.created_at),
    }


def _end(value: Asset | User) -> dict:
    if isinstance(value, User):
        return {"id": str(value.pk), "name": value.username, "asset_type": "user"}
    return asset_ref_dict(value)


def _end_type(value: Asset | User) -> str:
    return "user" if isinstance(value, User) else value.asset_type


def connection_dict(edge: Edge) -> dict:
    return {
        "id": str(edge.id),
        "type": edge.type,
        "source_id": str(edge.source.pk),
        "target_id": str(edge.target.pk),
        "source_asset_type": _end_type(edge.source),
        "target_asset_type": _end_type(edge.target),
        "source": _end(edge.source),
        "target": _end(edge.target),
        "action_id": str(edge.action_id) if edge.action_id else None,
        "user_id": str(edge.user_id) if edge.user_id else None,
        "created_at": iso(edge.created_at),
        "last_updated": iso(edge.created_at),
    }


def notification_dict(notification: Notification) -> dict:
    n = notification
    return {
        "id": str(n.pk),
        "destination_user_id": str(n.user_id),
        "source_user_id": str(n.source_user_id) if n.source_user_id else None,
        "source_user": user_profile_dict(n.source_user) if n.source_user else None,
        "asset_id": str(n.asset_id) if n.asset_id else None,
        "asset": asset_ref_dict(n.asset) if n.asset else None,
        "parent_asset_id": str(n.parent_asset_id) if n.parent_asset_id else None,
        "root_asset_id": str(n.parent_asset_id or n.asset_id) if n.asset_id else None,
        "action_id": str(n.action_id) if n.action_id else None,
        "org_id": str(n.org_id) if n.org_id else None,
        "type": n.type,
        "viewed": n.viewed,
        "content": {"text": n.text},
        "created_at": iso(n.created_at),
        "last_updated": iso(n.last_updated),
    }
