"""The outbound policy the settings describe: the one place the UPSTREAM_* settings are read.

`apps.services.outbound` is a pure core that reads no settings; its callers pass it the policy
built here. It is built on every call, so a changed setting (a test's, or an operator's
override) applies to the next call.

Here too are the places a process keeps for each service's calls in flight: at most
UPSTREAM_MAX_CONCURRENCY_PER_SERVICE at once per process (a web process's sync-run threads, a
worker's threads), so one slow upstream cannot take every thread. A `threading.BoundedSemaphore`
per service id in a dict under a lock: the limit is per process, not across a deployment.
"""

import threading

from django.conf import settings

from apps.services.outbound import OutboundPolicy

# What a refused sync run is told to wait before trying again (Retry-After, seconds).
BUSY_RETRY_SECONDS = 2


def upstream_policy() -> OutboundPolicy:
    return OutboundPolicy(
        allow_private=settings.UPSTREAM_ALLOW_PRIVATE_IPS,
        connect_timeout=settings.UPSTREAM_CONNECT_TIMEOUT,
        read_timeout=settings.UPSTREAM_READ_TIMEOUT,
        max_response_bytes=settings.UPSTREAM_MAX_RESPONSE_BYTES,
        dns_cache_seconds=settings.UPSTREAM_DNS_CACHE_SECONDS,
        ca_bundle=settings.UPSTREAM_CA_BUNDLE,
        # An idle connection for every thread that may call out at once: sync runs or workers.
        pool_size=max(settings.SYNC_RUN_THREADS, settings.HUEY["consumer"]["workers"]),
        total_timeout=settings.UPSTREAM_TOTAL_TIMEOUT,
    )


class UpstreamBusy(Exception):
    """A service already has as many calls in flight in this process as it may."""

    def __init__(self, limit: int):
        self.limit = limit
        self.retry_after = BUSY_RETRY_SECONDS
        self.message = (
            f"This service's upstream is already answering {limit} runs here, as many as it may "
            "at once (UPSTREAM_MAX_CONCURRENCY_PER_SERVICE); nothing was run or charged: try "
            f"again in {BUSY_RETRY_SECONDS} s, or run it queued (Prefer: respond-async)"
        )
        super().__init__(self.message)


class UpstreamSlot:
    """A place among a service's calls in flight, held until released (at most once); also a
    context manager. `UpstreamSlot()` holds nothing."""

    __slots__ = ("_semaphore",)

    def __init__(self, semaphore: threading.BoundedSemaphore | None = None):
        self._semaphore = semaphore

    def release(self) -> None:
        semaphore, self._semaphore = self._semaphore, None
        if semaphore is not None:
            semaphore.release()

    def __enter__(self) -> "UpstreamSlot":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# (service id, limit) -> its places. A changed limit (a test's setting) starts afresh; a slot
# taken before releases to the semaphore it came from.
_PLACES: dict[tuple[str, int], threading.BoundedSemaphore] = {}
_PLACES_LOCK = threading.Lock()


def upstream_slot(service_id, *, wait: float = 0) -> UpstreamSlot | None:
    """A place for one call to the service's upstream, or None if all are taken (after
    waiting up to `wait` seconds for one)."""
    limit = settings.UPSTREAM_MAX_CONCURRENCY_PER_SERVICE
    key = (str(service_id), limit)
    places = _PLACES.get(key)
    if places is None:
        with _PLACES_LOCK:
            places = _PLACES.setdefault(key, threading.BoundedSemaphore(limit))
    taken = places.acquire(timeout=wait) if wait > 0 else places.acquire(blocking=False)
    return UpstreamSlot(places) if taken else None


def upstream_slot_or_busy(service_id) -> UpstreamSlot:
    """A place for a call made now (a sync run), or UpstreamBusy."""
    slot = upstream_slot(service_id)
    if slot is None:
        raise UpstreamBusy(settings.UPSTREAM_MAX_CONCURRENCY_PER_SERVICE)
    return slot
