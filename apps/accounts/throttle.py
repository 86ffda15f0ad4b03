"""Attempts counted in a window, in Django's cache: failed log-ins per username and per
address, API requests per key.

A window is kept as slices, one cache key each that expires on its own; the count is the sum
of the slices still inside the window, so a window of 15 minutes in 15 slices slides by a
minute. Log-in failures are counted in the `throttle` cache, shared by every web process: a
database table on the embedded default (its increment is a read, then a write, so concurrent
failures may count a little low, never high), Redis when REDIS_URL is set. API requests are
counted in the `default` cache: Redis scaled out, each web process's memory on the embedded
default, so that a request adds no database statement.
"""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest


def _cache(alias: str):
    return caches[alias if alias in settings.CACHES else "default"]


@dataclass(frozen=True)
class Window:
    name: str
    limit: int  # attempts allowed within the window
    seconds: int  # the window's length
    slices: int = 1  # kept in this many slices; one slice is a fixed window
    cache: str = "throttle"  # the alias in CACHES (absent: "default")

    @property
    def slice_seconds(self) -> int:
        return self.seconds // self.slices

    def key(self, ident: str, index: int) -> str:
        digest = hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"{self.name}:{digest}:{index}"

    def indexes(self, now: float) -> range:
        """The slices inside the window at `now`, oldest first."""
        current = int(now // self.slice_seconds)
        return range(current - self.slices + 1, current + 1)

    def ends(self, index: int) -> int:
        """When a slice's attempts leave the window."""
        return (index + self.slices) * self.slice_seconds


def _wait(window: Window, counts: dict[int, int], now: float) -> int:
    """Seconds until the window holds fewer than `limit` attempts (0: it does now)."""
    total = sum(counts.values())
    for index in sorted(counts):
        if total < window.limit:
            break
        total -= counts[index]
        if total < window.limit:
            return max(1, math.ceil(window.ends(index) - now))
    return 0


def _counts(window: Window, ident: str, now: float) -> dict[int, int]:
    keys = {window.key(ident, index): index for index in window.indexes(now)}
    found = _cache(window.cache).get_many(list(keys))
    return {keys[key]: int(count) for key, count in found.items()}


def _increment(window: Window, ident: str, now: float) -> tuple[int, int]:
    """Count one attempt in the current slice: (the slice's index, its count now)."""
    cache = _cache(window.cache)
    index = window.indexes(now)[-1]
    key = window.key(ident, index)
    timeout = window.ends(index) - int(now) + 1
    if incr_expiring := getattr(cache, "incr_expiring", None):  # Redis: one round trip
        return index, incr_expiring(key, timeout)
    if type(cache).incr is BaseCache.incr:
        # No increment of its own (the database cache): Django's would read, then write with
        # the default expiry. Read, then write with the slice's.
        count = int(cache.get(key, 0)) + 1
        cache.set(key, count, timeout)
        return index, count
    try:
        count = cache.incr(key)
    except ValueError:  # the slice's first attempt
        if cache.add(key, 1, timeout):
            return index, 1
        count = cache.incr(key)
    if count == 1:  # the key expired between Redis's EXISTS and INCR: INCR made it, timeless
        cache.touch(key, timeout)
    return index, count


def retry_after(window: Window, ident: str, *, now: float | None = None) -> int:
    """Seconds until another attempt is allowed; 0 if one is allowed now."""
    now = time.time() if now is None else now
    return _wait(window, _counts(window, ident, now), now)


def record(window: Window, ident: str, *, now: float | None = None) -> None:
    _increment(window, ident, time.time() if now is None else now)


def hit(window: Window, ident: str, *, now: float | None = None) -> int:
    """Count an attempt and say whether it was allowed: 0 if so, else the seconds to wait."""
    now = time.time() if now is None else now
    index, count = _increment(window, ident, now)
    if window.slices == 1:
        return 0 if count <= window.limit else max(1, math.ceil(window.ends(index) - now))
    counts = _counts(window, ident, now)
    if sum(counts.values()) <= window.limit:
        return 0
    return _wait(window, counts, now)


def reset(window: Window, ident: str, *, now: float | None = None) -> None:
    """Forget the window's attempts (a read, and a write only if there were any)."""
    now = time.time() if now is None else now
    keys = [window.key(ident, index) for index in window.indexes(now)]
    cache = _cache(window.cache)
    if cache.get_many(keys):
        cache.delete_many(keys)


# --- log-ins -------------------------------------------------------------------------------

LOGIN_FAILURES_PER_USERNAME = Window("login-failures-user", limit=10, seconds=15 * 60, slices=15)
LOGIN_FAILURES_PER_ADDRESS = Window("login-failures-addr", limit=10, seconds=15 * 60, slices=15)


def _username(username) -> str:
    return str(username or "").strip().casefold()


def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT proxies in front, the
    entry of X-Forwarded-For the outermost of them added. An IPv6 address stands for its /64,
    which one subscriber usually holds whole."""
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        chain = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [hop for hop in chain if hop]
        if chain:
            address = chain[-proxies] if len(chain) >= proxies else chain[0]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def login_retry_after(username, address: str) -> int:
    """Seconds until this username may try again from this address; 0: it may now."""
    waits = [retry_after(LOGIN_FAILURES_PER_USERNAME, _username(username))]
    if address:
        waits.append(retry_after(LOGIN_FAILURES_PER_ADDRESS, address))
    return max(waits)


def login_failed(username, address: str) -> None:
    record(LOGIN_FAILURES_PER_USERNAME, _username(username))
    if address:
        record(LOGIN_FAILURES_PER_ADDRESS, address)


def login_succeeded(username) -> None:
    """A right password clears its username's failures (not its address's)."""
    reset(LOGIN_FAILURES_PER_USERNAME, _username(username))


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """`user_login_failed`: a wrong password (or a disabled user) at any log-in form."""
    login_failed(credentials.get("username"), client_address(request))


def on_logged_in(sender, user, request=None, **kwargs) -> None:
    login_succeeded(user.get_username())
