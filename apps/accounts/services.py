"""Writes for users, organizations and API tokens."""

import copy
import time
import uuid
from datetime import timedelta

import jwt
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone

from apps.accounts.models import (
    PERSONAL_ORG_ID,
    ApiKey,
    Membership,
    Organization,
    Role,
    Team,
    User,
    hash_api_key,
)

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
            id=PERSONAL_ORG_ID, defaults={"name": "Personal"}
        )
        team, _ = Team.objects.get_or_create(
            org=org, name="Personal", defaults={"is_default": True}
        )
    return team


@transaction.atomic
def organization_create(*, name: str, owner: User | None = None) -> Organization:
    org = Organization.objects.create(name=name)
    Team.objects.create(org=org, name="General", is_default=True)
    if owner is not None:
        Membership.objects.create(user=owner, org=org, role=Role.ADMIN)
    return org


def membership_set(*, user: User, org: Organization, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(user=user, org=org, defaults={"role": role})
    return membership


def user_create(*, username: str, email: str = "", password: str | None = None) -> User:
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    personal_org()
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
