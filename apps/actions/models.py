import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Organization, Team
from apps.assets.models import Asset
from apps.routes.models import Route


class Status(models.TextChoices):
    QUEUED = "queued"
    IN_PROGRESS = "in-progress"
    SUCCESS = "success"
    ERROR = "error"
    TIMED_OUT = "timed-out"


ACTIVE_STATUSES = (Status.QUEUED, Status.IN_PROGRESS)
TERMINAL_STATUSES = (Status.SUCCESS, Status.ERROR, Status.TIMED_OUT)
# Pages show a canceled run (an `error` ended by a person) as a state of its own.
CANCELED = "canceled"
DISPLAY_STATUSES = (*Status.values, CANCELED)


class ActionQuerySet(models.QuerySet):
    def active(self) -> "ActionQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)


class Action(models.Model):
    """One run of a route: the request as sent, the outcome, timings and logs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No single-column indexes where a composite one below leads with the column: every index
    # is written on each insert, and each status change writes those that hold the status.
    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="actions", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    # The caller's inputs: {"body", "query", "parameters", "headers"} (no service credentials).
    metadata = models.JSONField(default=dict, blank=True)
    # The request as sent upstream, with secrets redacted.
    request = models.JSONField(default=dict, blank=True)
    response = models.JSONField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    upstream_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, default="api")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ack_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_updated = models.DateTimeField(default=timezone.now)
    # Any callback, log line or progress report from the upstream.
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    status_message = models.CharField(max_length=300, blank=True)
    webhook_token_hash = models.CharField(max_length=64, blank=True)
    # A paid run: a usage record holds its price until the run ends (apps.billing).
    paid = models.BooleanField(default=False)
    # The worker process that claimed the run (host:pid:start time, apps.actions.liveness),
    # and its heartbeat while it holds the run waiting for the upstream's answer: renewed by
    # the process every few seconds, cleared once the upstream acknowledged (202) and the run
    # waits for its callback. A held run whose heartbeat stops is ended by the reaper.
    worker = models.CharField(max_length=200, blank=True)
    worker_seen_at = models.DateTimeField(null=True, blank=True)
    canceled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["route", "user", "-created_at"]),
            # Everyone's runs of a route (owners and admins), by status, and its latency metrics.
            models.Index(fields=["route", "-created_at"]),
            models.Index(fields=["route", "status", "-created_at"]),
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "last_heartbeat_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.route_id} {self.status}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def display_status(self) -> str:
        """The status pages show: a canceled run is stored as `error` but shown as canceled."""
        return CANCELED if self.canceled_by_id and self.status == Status.ERROR else self.status

    @property
    def change_stamp(self) -> str:
        """Changes with anything the live panel shows: every transition bumps `last_updated`,
        every log line and progress report `last_heartbeat_at`."""
        stamps = (self.last_updated, self.last_heartbeat_at)
        return ".".join(str(int(t.timestamp() * 1_000_000)) if t else "0" for t in stamps)

    def log_system(self, message: str, level: str = "info", user=None) -> None:
        """A line the platform itself writes in the run's log (`user`: on whose behalf)."""
        ActionLog.objects.create(
            action=self, level=level, message=message, origin="system", user=user
        )

    def transition(self, *, to: str, expected: tuple[str, ...], **fields) -> bool:
        """Move to `to` only if the status is still one of `expected`; exactly one caller wins.

        One conditional UPDATE, so two workers or two callbacks can never both succeed, and a
        terminal status never changes. Returns whether this call made the change, and leaves
        the instance as the row is. This is the row's rule only: ending a paid run also
        settles its charge, so every caller goes through `action_transition`
        (apps.actions.transitions), which does both in one transaction.
        """
        now = timezone.now()
        values = {"status": to, "last_updated": now, **fields}
        if to in TERMINAL_STATUSES:
            values.setdefault("finished_at", now)
        if not Action.objects.filter(pk=self.pk, status__in=expected).update(**values):
            self.refresh_from_db()  # someone else moved it: show what it is now
            return False
        computed = [name for name, value in values.items() if hasattr(value, "resolve_expression")]
        for name, value in values.items():
            if name not in computed:
                setattr(self, name, value)
        if computed:
            self.refresh_from_db(fields=computed)  # what the database made of them
        return True


class ActionLog(models.Model):
    class Level(models.TextChoices):
        DEBUG = "debug"
        INFO = "info"
        WARNING = "warning"
        ERROR = "error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    action = models.ForeignKey(  # indexed by (action, created_at) below
        Action, on_delete=models.CASCADE, related_name="logs", db_index=False
    )
    level = models.CharField(max_length=8, choices=Level, default=Level.INFO)
    message = models.TextField()
    # Who wrote it: "upstream", "caller" or "system".
    origin = models.CharField(max_length=16, default="system")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["action", "created_at"])]


class ActionAsset(models.Model):
    """An asset an action consumed (input) or created (output), by its declared name."""

    class Role(models.TextChoices):
        INPUT = "input"
        OUTPUT = "output"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="assets")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="action_links")
    role = models.CharField(max_length=8, choices=Role)
    name = models.CharField(max_length=200)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "role", "name"], name="one_asset_per_name")
        ]


class CallbackDelivery(models.Model):
    """Every callback and log delivery received for an action, with our verdict."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=16)  # "callback" or "log"
    verdict = models.CharField(max_length=32)  # accepted, duplicate, late, forbidden, malformed
    http_status = models.PositiveSmallIntegerField()
    size = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "id"]
