import uuid

from django.conf import settings
from django.db import models

from apps.actions.models import Action
from apps.assets.models import Asset


class Comment(Asset):
    """A comment on an asset (post, route, file, dataset, ...) or on a run, or a reply to one.

    Its asset base lives with the asset commented on (`parent`, same organization and team,
    visibility `inherit`); who may read it is decided by what it is on (`target` or `action`),
    through the same selectors as that asset or run.
    """

    ASSET_TYPE = "comment"

    asset_ptr = models.OneToOneField(
        Asset,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="comment_detail",
    )
    # What the thread is on: an asset, or a run (exactly one of the two).
    target = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    content_text = models.TextField(blank=True)
    content_json = models.JSONField(default=dict, blank=True)
    html = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["target", "reply_to"], name="comment_thread"),
            models.Index(fields=["action", "reply_to"], name="comment_action_thread"),
        ]


class NotificationType(models.TextChoices):
    MENTION = "mention"
    COMMENT = "comment"
    REPLY = "reply"
    ACTION_COMPLETED = "action-completed"
    ACTION_FAILED = "action-failed"
    JOIN_REQUEST = "join-request"


# The clients filter by category (ouro-py's Notifications.list).
CATEGORY_TYPES = {
    "mentions": (NotificationType.MENTION,),
    "comments": (NotificationType.COMMENT, NotificationType.REPLY),
    "actions": (NotificationType.ACTION_COMPLETED, NotificationType.ACTION_FAILED),
    "references": (),
    "shares": (),
    "money": (),
    "teams": (NotificationType.JOIN_REQUEST,),
}


class Notification(models.Model):
    """Something that happened that `user` should hear about."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    source_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=24, choices=NotificationType)
    # What it is about: the comment or post (for a mention, a comment, a reply) ...
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # ... the asset commented on, and the run (finished runs, comments on runs).
    parent_asset_id = models.UUIDField(null=True, blank=True)
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    org_id = models.UUIDField(null=True, blank=True)
    text = models.CharField(max_length=500)
    viewed = models.BooleanField(default=False)
    # The same event notifies once (a post mentioning someone, saved again, does not).
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "viewed", "-created_at"], name="notification_inbox")
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_event")
        ]


# The source of an AssetView that is a download (the asset's bytes served), not a view.
DOWNLOAD = "download"


class AssetView(models.Model):
    """Someone opened an asset (a page, or a client reading it), or downloaded it (source
    DOWNLOAD)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, default="web")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["asset", "user", "-created_at"], name="asset_view_recent")]
