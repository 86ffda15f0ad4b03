from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.assets.models import Asset, AssetType
from apps.services.models import Service


class ExecutionMode(models.TextChoices):
    SYNC = "sync"
    ASYNC = "async"


class Route(Asset):
    """One operation (method + path) of a service's API. `parent` is the service."""

    ASSET_TYPE = AssetType.ROUTE

    asset_ptr = models.OneToOneField(
        Asset,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="route_detail",
    )

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="routes")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=1000)
    operation_id = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    parameters = models.JSONField(default=list, blank=True)
    request_body = models.JSONField(null=True, blank=True)
    responses = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    deprecated = models.BooleanField(default=False)
    servers = models.JSONField(default=list, blank=True)
    execution_mode = models.CharField(
        max_length=8, choices=ExecutionMode, default=ExecutionMode.SYNC
    )
    input_assets = models.JSONField(default=dict, blank=True)
    output_assets = models.JSONField(default=dict, blank=True)
    # Projection of the primary declared input/output asset (the legacy single-asset columns).
    input_type = models.CharField(max_length=16, blank=True)
    input_filter = models.CharField(max_length=32, blank=True)
    input_file_extension = models.CharField(max_length=32, blank=True)
    output_type = models.CharField(max_length=16, blank=True)
    output_filter = models.CharField(max_length=32, blank=True)
    output_file_extension = models.CharField(max_length=32, blank=True)
    pricing = models.JSONField(default=dict, blank=True)
    # How long the API's sync path waits inline before answering 202 (seconds).
    sync_timeout_seconds = models.PositiveIntegerField(default=60)
    # An async action silent for longer than this is timed out (any log or progress resets it).
    quiet_window_seconds = models.PositiveIntegerField(default=45 * 60)
    # No action may run longer than this, whatever it reports.
    hard_timeout_seconds = models.PositiveIntegerField(default=24 * 3600)
    # The most one call to the upstream may take, connect to the answer's last byte (seconds);
    # null: UPSTREAM_TOTAL_TIMEOUT, which also caps it.
    total_timeout_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "method", "path"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"

    def get_absolute_url(self) -> str:
        return reverse("route_detail", kwargs={"entity": self.entity_name, "name": self.slug})


class RouteAsset(models.Model):
    """A file, dataset or post its route's owner linked to the route for context."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="related")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="route_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "assets_routeasset"  # first kept by the assets app
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "asset"], name="one_link_per_route_asset")
        ]
