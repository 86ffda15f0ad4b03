"""Upstream credentials encrypted at rest with the dedicated CREDENTIAL_KEYS (MultiFernet)."""

import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialError(Exception):
    """A stored credential cannot be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.CREDENTIAL_KEYS])


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialError(
            "A stored credential could not be decrypted: check CREDENTIAL_KEYS"
        ) from None


def rotate_secret(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialError(
            "A stored credential could not be decrypted: check CREDENTIAL_KEYS"
        ) from None


def fingerprint(secret: str) -> str:
    """A short, non-reversible label for a secret, safe to show on pages."""
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]
