"""The per-action capability an async upstream uses to report back: a URL and a token."""

import hashlib
import hmac
import secrets

from django.conf import settings

from apps.actions.models import Action


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def webhook_url(action: Action) -> str:
    return f"{settings.SITE_URL}/api/actions/{action.pk}/webhook"


def log_url(action: Action) -> str:
    return f"{settings.SITE_URL}/api/actions/{action.pk}/log"


def webhook_token_new() -> tuple[str, str]:
    """A fresh callback token and the hash that is stored in its place: (token, hash)."""
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def webhook_issue(action: Action) -> tuple[str, str]:
    """Mint the action's callback token (only its hash is stored); returns (url, token)."""
    token, token_hash = webhook_token_new()
    Action.objects.filter(pk=action.pk).update(webhook_token_hash=token_hash)
    action.webhook_token_hash = token_hash
    return webhook_url(action), token


def webhook_token_matches(action: Action, token: str | None) -> bool:
    if not token or not action.webhook_token_hash:
        return False
    return hmac.compare_digest(_hash(token), action.webhook_token_hash)
