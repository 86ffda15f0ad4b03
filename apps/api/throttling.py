"""API requests are limited per key: API_RATE_LIMIT a minute (0: no limit), then 429 with
Retry-After in the API's error envelope. Every API view has it (DRF's default throttle); a
request without a key (a callback carrying its run's webhook token, the token exchange) is not
counted here. The count is in the default cache: shared in Redis scaled out, kept by each web
process on the embedded default (no database statement per request)."""

from django.conf import settings
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from apps.accounts.throttle import Window, hit


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        rate = settings.API_RATE_LIMIT
        key = request.auth
        if not rate or key is None:
            return True
        wait = hit(Window("api-key", limit=rate, seconds=60, cache="default"), str(key.pk))
        if wait:
            raise Throttled(
                wait=wait,
                detail=(
                    f"Too many requests with this API key (at most {rate} a minute); "
                    f"try again in {wait} s"
                ),
            )
        return True
