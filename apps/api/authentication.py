from rest_framework import authentication, exceptions

from apps.accounts.models import API_KEY_PREFIX
from apps.accounts.services import (
    InvalidAccessToken,
    InvalidApiKey,
    access_token_authenticate,
    api_key_authenticate,
)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: <access token>`, with or without `Bearer `; a raw API key also works."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "").strip()
        if not header:
            return None
        if header.lower().startswith("bearer "):
            header = header[7:].strip()
        if header.startswith(API_KEY_PREFIX):
            try:
                key = api_key_authenticate(header)
            except InvalidApiKey as exc:
                raise exceptions.AuthenticationFailed(str(exc)) from None
            return key.user, key
        try:
            user, key = access_token_authenticate(header)
        except InvalidAccessToken as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from None
        return user, key

    def authenticate_header(self, request) -> str:
        return "Bearer"
