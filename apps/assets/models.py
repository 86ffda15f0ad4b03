import uuid

from django.conf import settings
from django.db import models
from django.utils.text import slugify

from apps.accounts.models import Organization, Role, Team


class Visibility(models.TextChoices):
    PUBLIC = "public"
    PRIVATE = "private"
    ORGANIZATION = "organization"
    INHERIT = "inherit"


class AssetType(models.TextChoices):
    POST = "post"
    FILE = "file"
    DATASET = "dataset"
    SERVICE = "service"
    ROUTE = "route"


class AssetQuerySet(models.QuerySet):
    def live(self) -> "AssetQuerySet":
        return self.filter(archived_at__isnull=True)


class Asset(models.Model):
    """What every post, file, dataset, service and route shares: one id space, one owner."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset_type = models.CharField(max_length=16, choices=AssetType, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, allow_unicode=False)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility, default=Visibility.PRIVATE)
    source = models.CharField(max_length=8, default="web")
    metadata = models.JSONField(default=dict, blank=True)
    license_id = models.CharField(max_length=64, blank=True)
    attribution = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = AssetQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["asset_type", "user", "slug"]),
            models.Index(fields=["org", "visibility"]),
        ]

    def __str__(self) -> str:
        return f"{self.asset_type}:{self.name}"

    def save(self, *args, **kwargs) -> None:
        if not self.asset_type:
            self.asset_type = getattr(type(self), "ASSET_TYPE", "")
        if not self.slug:
            self.slug = slugify(self.name)[:200] or str(self.id)[:8]
        super().save(*args, **kwargs)

    @property
    def entity_name(self) -> str:
        """The name a route is addressed by: the organization's, or the owner's username."""
        if self.org_id and not self.org.is_personal:
            return self.org.name
        return self.user.username

    @property
    def effective_visibility(self) -> str:
        if self.visibility == Visibility.INHERIT and self.parent_id:
            return self.parent.effective_visibility
        if self.visibility == Visibility.INHERIT:
            return Visibility.PRIVATE
        return self.visibility


class AssetShare(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=Role, default=Role.READ)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "user"], name="one_share_per_user")]


class File(Asset):
    """Bytes kept through the storage API, with the type taken from content and extension."""

    ASSET_TYPE = AssetType.FILE

    asset_ptr = models.OneToOneField(
        Asset,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="file_detail",
    )
    file_name = models.CharField(max_length=255)
    storage_path = models.CharField(max_length=500)
    content_type = models.CharField(max_length=120)
    extension = models.CharField(max_length=32, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)


class FileUpload(models.Model):
    """Bytes uploaded before their file asset exists (base64 upload or signed direct upload).

    Its id becomes the file's id when the file is created from it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    storage_path = models.CharField(max_length=500)
    content_type = models.CharField(max_length=120, blank=True)
    extension = models.CharField(max_length=32, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    visibility = models.CharField(max_length=16, choices=Visibility, default=Visibility.PRIVATE)
    received = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class Dataset(Asset):
    """Rows with a schema of typed columns."""

    ASSET_TYPE = AssetType.DATASET

    asset_ptr = models.OneToOneField(
        Asset,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dataset_detail",
    )
    # [{"name": str, "type": <SQL type name, apps.assets.tabular.SQL_TYPES>, "is_nullable": bool,
    #   "label"?: str, "enum"?: [str], "ref"?: {"kind": "asset"|"action", "asset_type"?: str}}]
    columns = models.JSONField(default=list, blank=True)
    # Columns that identify a row for upserts.
    key_columns = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)


class DatasetRow(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "position"], name="one_row_per_position")
        ]


class DatasetView(models.Model):
    """A saved chart of a dataset: the SQL that selects its rows and the chart's config."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="views")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sql_query = models.TextField()
    config = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
