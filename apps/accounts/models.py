import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from apps.accounts.actor_policy import effective_policy

PERSONAL_ORG_ID = uuid.UUID("00000000-0000-0000-0000-000000000000")
API_KEY_PREFIX = "ouro_"


class ActorType(models.TextChoices):
    HUMAN = "human", "Human (a person uses this account)"
    AGENT = "agent", "Agent (a program acts through this account)"


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(blank=True)
    actor_type = models.CharField(
        max_length=8,
        choices=ActorType,
        default=ActorType.HUMAN,
        help_text="Whether a person uses this account or a program acts through it; teams "
        "and organizations may admit agents only, or verified humans only.",
    )
    verified = models.BooleanField(
        default=False,
        help_text="Verified by an administrator. This site makes no identity checks of its "
        "own: an administrator marks an account verified here or with "
        "`manage.py user_verify USERNAME` (`--undo` takes it back). Teams whose actor type "
        "policy is verified_only admit verified human accounts only.",
    )

    def __str__(self) -> str:
        return self.username

    @property
    def is_agent(self) -> bool:
        return self.actor_type == ActorType.AGENT


class Role(models.TextChoices):
    ADMIN = "admin"
    WRITE = "write"
    READ = "read"


class SourcePolicy(models.TextChoices):
    """Where assets may be created from: the web pages, the API (clients, agents) or both."""

    ANY = "any"
    WEB_ONLY = "web_only"
    API_ONLY = "api_only"


class ActorTypePolicy(models.TextChoices):
    ANY = "any"
    VERIFIED_ONLY = "verified_only"
    AGENTS_ONLY = "agents_only"


class JoinPolicy(models.TextChoices):
    OPEN = "open"
    REQUEST = "request"
    INVITE_ONLY = "invite_only"


class Organization(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public"
        PRIVATE = "private"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)
    mission = models.TextField(blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility, default=Visibility.PRIVATE)
    join_policy = models.CharField(
        max_length=16, choices=JoinPolicy, default=JoinPolicy.INVITE_ONLY
    )
    source_policy = models.CharField(max_length=16, choices=SourcePolicy, default=SourcePolicy.ANY)
    actor_type_policy = models.CharField(
        max_length=16, choices=ActorTypePolicy, default=ActorTypePolicy.ANY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organizations"
    )

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.id == PERSONAL_ORG_ID

    @cached_property
    def default_team(self) -> "Team":
        return self.teams.get(is_default=True)


class Team(models.Model):
    """A channel of an organization that assets are published to.

    `public`: anyone may see it; `organization`: the organization's members; `private`: its own
    members and the organization's admins. An empty policy follows the organization's."""

    class Visibility(models.TextChoices):
        PUBLIC = "public"
        ORGANIZATION = "organization"
        PRIVATE = "private"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    description_json = models.JSONField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    visibility = models.CharField(
        max_length=16, choices=Visibility, default=Visibility.ORGANIZATION
    )
    default_role = models.CharField(max_length=8, choices=Role, default=Role.WRITE)
    join_policy = models.CharField(max_length=16, choices=JoinPolicy, default=JoinPolicy.OPEN)
    source_policy = models.CharField(max_length=16, choices=SourcePolicy, blank=True)
    actor_type_policy = models.CharField(max_length=16, choices=ActorTypePolicy, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="team_name_unique_in_org"),
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(is_default=True), name="one_default_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org.name}/{self.name}"

    @property
    def effective_source_policy(self) -> str:
        return self.source_policy or self.org.source_policy

    @property
    def effective_actor_type_policy(self) -> str:
        return effective_policy(self.actor_type_policy, self.org.actor_type_policy)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role, default=Role.READ)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "org"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.org} ({self.role})"


class TeamMembership(models.Model):
    """A member of a team that is not its organization's default team (every member of the
    organization is in that one, with their organization role)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=8, choices=Role, default=Role.WRITE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]


class TeamJoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]


class TeamBan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="bans")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_ban_per_team")]


class TeamRead(models.Model):
    """When a user last read a team's feed: what was published after it is unread."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_read_per_team")]


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> "ApiKeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A personal access token. Only its SHA-256 is stored; the key is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def generate() -> str:
        return API_KEY_PREFIX + secrets.token_urlsafe(32)
