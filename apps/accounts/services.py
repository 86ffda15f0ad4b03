"""Writes for users, organizations and API tokens."""

import copy
import re
import time
import uuid
from datetime import timedelta

import jwt
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone

from apps.accounts.actor_policy import REFUSAL_CODE
from apps.accounts.models import (
    PERSONAL_ORG_ID,
    ActorType,
    ActorTypePolicy,
    ApiKey,
    JoinPolicy,
    Membership,
    Organization,
    Role,
    SourcePolicy,
    Team,
    TeamBan,
    TeamJoinRequest,
    TeamMembership,
    TeamRead,
    User,
    hash_api_key,
)
from apps.accounts.selectors import TeamAccess, membership_for, team_actor_refusal
from apps.accounts.signals import join_requested

JWT_ALGORITHM = "HS256"
JWT_AUDIENCE = "ouro-api"


class InvalidApiKey(Exception):
    """The key is unknown, malformed or revoked."""


class InvalidAccessToken(Exception):
    """The access token is malformed, expired, forged or its key was revoked."""


_PERSONAL: dict[str, Team] = {}


@receiver(post_migrate)
def _forget_personal_org(**kwargs) -> None:
    # A flushed database (test runs) loses the rows; a migrated one may have new ones.
    _PERSONAL.clear()


def personal_org() -> Organization:
    """The personal context's organization, with its default team loaded.

    Both rows are made once (by a migration) and never change, so each process reads them
    once and hands out copies.
    """
    team = _PERSONAL.get("team")
    if team is None:
        team = _PERSONAL["team"] = _personal_team()
    team = copy.copy(team)
    org = team.org = copy.copy(team.org)
    org.default_team = team
    return org


def _personal_team() -> Team:
    team = (
        Team.objects.select_related("org").filter(org_id=PERSONAL_ORG_ID, is_default=True).first()
    )
    if team is None:
        org, _ = Organization.objects.get_or_create(
            id=PERSONAL_ORG_ID,
            defaults={"name": "Personal", "visibility": "public", "join_policy": "open"},
        )
        team, _ = Team.objects.get_or_create(
            org=org, name="all", defaults={"is_default": True, "visibility": "public"}
        )
    return team


@transaction.atomic
def organization_create(*, name: str, owner: User | None = None) -> Organization:
    org = Organization.objects.create(name=name)
    Team.objects.create(org=org, name="all", is_default=True)
    if owner is not None:
        Membership.objects.create(user=owner, org=org, role=Role.ADMIN)
    return org


def membership_set(*, user: User, org: Organization, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, org=org, defaults={"role": role})
    return membership


def user_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    actor_type: str = ActorType.HUMAN,
    verified: bool = False,
) -> User:
    if actor_type not in ActorType.values:
        raise ValueError(f"actor_type must be one of {', '.join(ActorType.values)}")
    user = User(username=username, email=email, actor_type=actor_type, verified=verified)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    personal_org()
    return user


def user_set_verified(*, user: User, verified: bool = True) -> User:
    """Mark an account verified by an administrator (or take it back). The site makes no
    identity checks itself: this records that an administrator vouches for the account."""
    if user.verified != verified:
        user.verified = verified
        user.save(update_fields=["verified"])
    return user


def api_key_create(*, user: User, name: str, org: Organization | None = None) -> tuple[ApiKey, str]:
    """Create a personal access token; returns the row and the raw key (shown once)."""
    raw = ApiKey.generate()
    key = ApiKey.objects.create(
        user=user,
        name=name.strip() or "API key",
        prefix=raw[:12],
        key_hash=hash_api_key(raw),
        org=org,
    )
    return key, raw


def api_key_context(*, user: User, bind: str) -> Organization:
    """The context a key is bound to: `personal`, or the name or id of one of the user's
    organizations (ValueError otherwise)."""
    if bind == "personal" or bind == str(PERSONAL_ORG_ID):
        return personal_org()
    membership = (
        Membership.objects.filter(user=user)
        .filter(models.Q(org__name=bind) | models.Q(org_id=_uuid_or_none(bind)))
        .select_related("org")
        .first()
    )
    if membership is None:
        raise ValueError(f"{user.username} is not a member of an organization {bind!r}")
    return membership.org


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def api_key_revoke(*, key: ApiKey) -> None:
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def _key_with_user(**match) -> ApiKey | None:
    """The key matching `match` with its user, in one read (every API call makes one)."""
    try:
        return ApiKey.objects.select_related("user").get(**match)
    except ApiKey.DoesNotExist:
        return None


def api_key_authenticate(raw: str) -> ApiKey:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidApiKey("An API key is required")
    key = _key_with_user(key_hash=hash_api_key(raw.strip()))
    if key is None:
        raise InvalidApiKey("Invalid API key")
    if key.revoked_at is not None:
        raise InvalidApiKey("This API key has been revoked")
    if not key.user.is_active:
        raise InvalidApiKey("This API key's user is disabled")
    key_used(key)
    return key


# "Last used" is shown to the minute; a key in steady use is written once a minute, not per call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_used(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def _sign(claims: dict) -> str:
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=JWT_ALGORITHM)


def access_token_issue(*, key: ApiKey, now: float | None = None) -> dict:
    """Exchange a validated API key for a short-lived access token and a refresh token."""
    issued = int(now if now is not None else time.time())
    base = {"sub": str(key.user_id), "kid": str(key.id), "aud": JWT_AUDIENCE, "iat": issued}
    access = _sign({**base, "typ": "access", "exp": issued + settings.ACCESS_TOKEN_TTL_SECONDS})
    refresh = _sign(
        {**base, "typ": "refresh", "jti": uuid.uuid4().hex, "exp": issued + 30 * 24 * 3600}
    )
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "bearer",
        "expires_in": settings.ACCESS_TOKEN_TTL_SECONDS,
        "api_key_org_id": str(key.org_id) if key.org_id else None,
        "api_key_name": key.name,
    }


def access_token_authenticate(token: str) -> tuple[User, ApiKey]:
    try:
        claims = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[JWT_ALGORITHM],
            audience=JWT_AUDIENCE,
            options={"require": ["exp", "sub", "kid"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidAccessToken("The access token has expired") from None
    except jwt.PyJWTError:
        raise InvalidAccessToken("Invalid access token") from None
    if claims.get("typ") != "access":
        raise InvalidAccessToken("Invalid access token")
    key = _key_with_user(pk=claims["kid"])
    if key is None or key.revoked_at is not None or str(key.user_id) != claims["sub"]:
        raise InvalidAccessToken("The API key behind this token has been revoked")
    if not key.user.is_active:
        raise InvalidAccessToken("This user is disabled")
    return key.user, key


class TeamError(Exception):
    """A team request that cannot be honoured, with a status and a stable code."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_team"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


TEAM_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TEAM_DESCRIPTION_MAX = 20_000
_TEAM_CHOICES = {
    "visibility": Team.Visibility,
    "default_role": Role,
    "join_policy": JoinPolicy,
    "source_policy": SourcePolicy,
    "actor_type_policy": ActorTypePolicy,
}


def _team_fields(fields: dict) -> dict:
    """The writable fields of a team as the client sends them, checked (TeamError if not)."""
    clean: dict = {}
    if "name" in fields:
        name = fields["name"]
        if not isinstance(name, str) or not TEAM_NAME.fullmatch(name) or len(name) > 100:
            raise TeamError(
                f"Team name {name!r} must be a slug: lowercase letters, numbers and single "
                "dashes (at most 100 characters), e.g. 'data-science'",
                code="invalid_team_name",
            )
        clean["name"] = name
    for field, choices in _TEAM_CHOICES.items():
        if field in fields and fields[field] is not None:
            if fields[field] not in choices.values:
                allowed = ", ".join(choices.values)
                raise TeamError(f"{field} must be one of {allowed}", code=f"invalid_{field}")
            clean[field] = fields[field]
    if "description" in fields:
        clean["description"], clean["description_json"] = _team_description(fields["description"])
    return clean


def _team_description(value) -> tuple[str, dict | None]:
    if value is None or value == "":
        return "", None
    if isinstance(value, str):
        text, doc = value, None
    elif isinstance(value, dict):
        text, doc = value.get("text") or "", value.get("json")
        if not isinstance(text, str) or (doc is not None and not isinstance(doc, dict)):
            raise TeamError("description must be text or {text, json}", code="invalid_description")
    else:
        raise TeamError("description must be text or {text, json}", code="invalid_description")
    if len(text) > TEAM_DESCRIPTION_MAX:
        raise TeamError(
            f"description is longer than {TEAM_DESCRIPTION_MAX} characters",
            code="invalid_description",
        )
    return text, doc


def team_create(*, user: User, org: Organization, fields: dict) -> Team:
    """A new team; its creator is its first admin. Members of the organization who may write
    create teams (everyone, in the personal space)."""
    membership = membership_for(user=user, org_id=org.pk)
    if not org.is_personal and (membership is None or membership.role == Role.READ):
        raise TeamError(
            "Only the organization's members who may write can create teams",
            status=403,
            code="team_create_forbidden",
        )
    clean = _team_fields({"name": fields.get("name"), **fields})
    if "visibility" not in clean:
        clean["visibility"] = (
            Team.Visibility.PUBLIC if org.is_personal else Team.Visibility.ORGANIZATION
        )
    try:
        with transaction.atomic():
            team = Team.objects.create(org=org, **clean)
            TeamMembership.objects.create(team=team, user=user, role=Role.ADMIN)
    except IntegrityError:
        raise TeamError(
            f"There is already a team named {clean['name']!r} in {org.name}",
            status=409,
            code="team_name_taken",
        ) from None
    return team


def _require_moderator(access: TeamAccess) -> None:
    if not access.can_moderate:
        raise TeamError(
            "Only the team's or the organization's admins may do this",
            status=403,
            code="team_admin_required",
        )


def team_update(*, access: TeamAccess, fields: dict) -> Team:
    _require_moderator(access)
    team = access.team
    clean = _team_fields(fields)
    for field, value in clean.items():
        setattr(team, field, value)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise TeamError(
            f"There is already a team named {clean.get('name')!r} in {team.org.name}",
            status=409,
            code="team_name_taken",
        ) from None
    return team


def _move_team_rows(*, team: Team, to: Team, user: User | None = None) -> None:
    """Move what the apps above keep in `team` (assets, actions: every model whose foreign key
    to Team protects it) to `to`; only `user`'s rows when given."""
    for relation in Team._meta.get_fields(include_hidden=True):
        if not relation.auto_created or getattr(relation, "on_delete", None) is not models.PROTECT:
            continue
        model, field = relation.related_model, relation.field.name
        rows = model._default_manager.filter(**{field: team})
        if user is not None:
            if "user" not in {f.name for f in model._meta.get_fields()}:
                continue
            rows = rows.filter(user=user)
        rows.update(**{field: to})


@transaction.atomic
def team_delete(*, access: TeamAccess) -> None:
    """Delete a team; its assets stay, in the organization's default team."""
    _require_moderator(access)
    team = access.team
    if team.is_default:
        raise TeamError("An organization's default team cannot be deleted", code="default_team")
    _move_team_rows(team=team, to=team.org.teams.get(is_default=True))
    team.delete()


def team_join(*, access: TeamAccess, user: User) -> TeamJoinRequest | None:
    """Join an open team at once, or ask to join one that takes requests (returned)."""
    team = access.team
    if access.role:
        return None
    if TeamBan.objects.filter(team=team, user=user).exists():
        raise TeamError("You are banned from this team", status=403, code="team_banned")
    if not access.in_org:
        raise TeamError(
            f"Join the organization {team.org.name} before joining its teams",
            status=403,
            code="org_membership_required",
        )
    _require_actor_allowed(team, user, who="this account")
    if team.join_policy == JoinPolicy.INVITE_ONLY:
        raise TeamError(
            "This team is invite-only: its admins add members", status=403, code="invite_only"
        )
    if team.join_policy == JoinPolicy.REQUEST:
        pending = TeamJoinRequest.objects.filter(
            team=team, user=user, status=TeamJoinRequest.Status.PENDING
        ).first()
        if pending is not None:
            return pending
        pending = TeamJoinRequest.objects.create(team=team, user=user)
        join_requested.send(sender=Team, team=team, user=user, request_id=pending.pk)
        return pending
    TeamMembership.objects.get_or_create(team=team, user=user, defaults={"role": team.default_role})
    return None


def _require_actor_allowed(team: Team, user: User, *, who: str) -> None:
    refusal = team_actor_refusal(team=team, user=user, who=who)
    if refusal:
        raise TeamError(refusal, status=403, code=REFUSAL_CODE)


def team_leave(*, access: TeamAccess, user: User) -> None:
    team = access.team
    if team.is_default:
        raise TeamError(
            "Every member of the organization is in its default team; leave the organization "
            "instead",
            code="default_team",
        )
    if not TeamMembership.objects.filter(team=team, user=user).delete()[0]:
        TeamJoinRequest.objects.filter(
            team=team, user=user, status=TeamJoinRequest.Status.PENDING
        ).delete()


def _pending_request(team: Team, request_id) -> TeamJoinRequest:
    found = TeamJoinRequest.objects.filter(
        pk=request_id, team=team, status=TeamJoinRequest.Status.PENDING
    ).first()
    if found is None:
        raise TeamError("No pending join request with this id", status=404, code="not_found")
    return found


@transaction.atomic
def team_join_request_approve(*, access: TeamAccess, request_id) -> TeamJoinRequest:
    _require_moderator(access)
    join_request = _pending_request(access.team, request_id)
    _require_actor_allowed(
        access.team, join_request.user, who=f"{join_request.user.username}'s account"
    )
    TeamMembership.objects.get_or_create(
        team=access.team, user=join_request.user, defaults={"role": access.team.default_role}
    )
    join_request.status = TeamJoinRequest.Status.APPROVED
    join_request.reviewed_at = timezone.now()
    join_request.save(update_fields=["status", "reviewed_at"])
    return join_request


def team_join_request_reject(*, access: TeamAccess, request_id) -> TeamJoinRequest:
    _require_moderator(access)
    join_request = _pending_request(access.team, request_id)
    join_request.status = TeamJoinRequest.Status.REJECTED
    join_request.reviewed_at = timezone.now()
    join_request.save(update_fields=["status", "reviewed_at"])
    return join_request


@transaction.atomic
def team_ban(
    *, access: TeamAccess, by: User, user: User, reason: str = "", remove_contributions=False
) -> TeamBan:
    """Remove a member and keep them out; with `remove_contributions` their assets in the
    team move to the organization's default team."""
    _require_moderator(access)
    team = access.team
    if team.is_default:
        raise TeamError(
            "Nobody can be banned from a default team: remove them from the organization",
            code="default_team",
        )
    if user.pk == by.pk:
        raise TeamError("You cannot ban yourself", code="invalid_ban")
    TeamMembership.objects.filter(team=team, user=user).delete()
    TeamJoinRequest.objects.filter(
        team=team, user=user, status=TeamJoinRequest.Status.PENDING
    ).update(status=TeamJoinRequest.Status.REJECTED, reviewed_at=timezone.now())
    if remove_contributions:
        _move_team_rows(team=team, to=team.org.teams.get(is_default=True), user=user)
    ban, _ = TeamBan.objects.update_or_create(team=team, user=user, defaults={"reason": reason})
    return ban


def team_unban(*, access: TeamAccess, user_id) -> None:
    _require_moderator(access)
    if not TeamBan.objects.filter(team=access.team, user_id=user_id).delete()[0]:
        raise TeamError("This user is not banned from this team", status=404, code="not_found")


def team_mark_read(*, team: Team, user: User) -> None:
    TeamRead.objects.update_or_create(team=team, user=user, defaults={"read_at": timezone.now()})
