from django.db import models
from django.utils import timezone

from apps.assets.models import Asset, AssetType


class Post(Asset):
    """A document in extended markdown. `html` is derived on save and holds embed slots."""

    ASSET_TYPE = AssetType.POST

    asset_ptr = models.OneToOneField(
        Asset,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="post_detail",
    )

    content_text = models.TextField(blank=True)
    content_json = models.JSONField(default=dict, blank=True)
    html = models.TextField(blank=True)
    # The validated assetComponent blocks, in slot order (TipTap attrs).
    embeds = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def publish(self) -> None:
        if self.published_at is None:
            self.published_at = timezone.now()


class PinnedSnapshot(models.Model):
    """The content hash of a pinned action's inputs and outputs, taken once it had finished."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="snapshots")
    action = models.ForeignKey("actions.Action", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "action"], name="one_snapshot_per_pin")
        ]
