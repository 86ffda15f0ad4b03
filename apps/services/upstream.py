"""The outbound policy the settings describe: the one place the UPSTREAM_* settings are read.

`apps.services.outbound` is a pure core that reads no settings; its callers pass it the policy
built here. It is built on every call, so a changed setting (a test's, or an operator's
override) applies to the next call.
"""

from django.conf import settings

from apps.services.outbound import OutboundPolicy


def upstream_policy() -> OutboundPolicy:
    return OutboundPolicy(
        allow_private=settings.UPSTREAM_ALLOW_PRIVATE_IPS,
        connect_timeout=settings.UPSTREAM_CONNECT_TIMEOUT,
        read_timeout=settings.UPSTREAM_READ_TIMEOUT,
        max_response_bytes=settings.UPSTREAM_MAX_RESPONSE_BYTES,
        dns_cache_seconds=settings.UPSTREAM_DNS_CACHE_SECONDS,
        ca_bundle=settings.UPSTREAM_CA_BUNDLE,
        total_timeout=settings.UPSTREAM_TOTAL_TIMEOUT,
        # An idle connection for every thread that may call out at once: sync runs or workers.
        pool_size=max(settings.SYNC_RUN_THREADS, settings.HUEY["consumer"]["workers"]),
    )
