"""The SSRF-safe outbound HTTP client: every call to a user-supplied URL goes through here.

It resolves the host once, refuses private, loopback, link-local, multicast and reserved
addresses unless allowed, and pins the connection to the vetted address (the Host header and
TLS SNI keep the name), so a DNS answer cannot change between the check and the connect. The
body is streamed and cut at a size cap. Redirects are followed only to the same origin, each
hop vetted again. Headers and bodies are never logged.

Every call has a total deadline (the policy's `total_timeout`, or a lower one the caller sets)
that covers connecting, sending, the answer's headers and its whole body, whatever the pace:
the connect and read timeouts of each step are cut to the time left, and one watchdog thread
shuts the socket of a call still running at its deadline, so an upstream that drips a byte
at a time (each within the read timeout) is cut there all the same.

The transport is urllib3, the one requests is built on, used directly: the same connection
pools, TLS verification (certifi's roots unless UPSTREAM_CA_BUNDLE names others) and
stale-connection checks, without the session layer (environment proxies, cookie jars, hooks,
a prepared-request copy) that cost a run more than the call itself. There is no cookie jar:
nothing an upstream sets for one run is sent with another.

This module is a pure core: it imports nothing from Django and reads no settings. Every limit
comes in an `OutboundPolicy` the caller passes; `apps.services.upstream.upstream_policy()`
builds one from the UPSTREAM_* settings.
"""

import contextlib
import ipaddress
import json as jsonlib
import os
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import certifi
import requests.utils
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import Timeout
from urllib3.util.ssl_match_hostname import CertificateError

MAX_REDIRECTS = 3
TOTAL_TIMEOUT_NAME = "UPSTREAM_TOTAL_TIMEOUT"
USER_AGENT = "ouro-routes/1.0"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# An upstream certificate from an unknown authority, expired, or for another name.
CERTIFICATE_REFUSALS = (ssl.SSLCertVerificationError, CertificateError)
# As http.client and requests check them: a header line must not be split or smuggled.
_HEADER_NAME = re.compile(r"^[^:\s][^:\r\n]*$")
_HEADER_VALUE = re.compile(r"^\S[^\r\n]*$|^$")

# Ranges that `ipaddress` does not flag but must never be reached from a shared server.
EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",
        "192.88.99.0/24",
        "198.18.0.0/15",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2002::/16",
    )
)


@dataclass(frozen=True, slots=True)
class OutboundPolicy:
    """What an outbound call may reach and how long and how much it may take.

    The defaults are those of the UPSTREAM_* settings left unset."""

    allow_private: bool = False  # private, loopback and link-local addresses may be called
    connect_timeout: float = 10  # seconds
    read_timeout: float = 60  # seconds between bytes of the answer
    max_response_bytes: int = 20 * 1024 * 1024  # of the decoded body
    dns_cache_seconds: float = 30  # how long a name's addresses are reused; 0: never
    ca_bundle: str = ""  # a PEM file of the authorities trusted for TLS; "": certifi's roots
    pool_size: int = 16  # idle connections kept per upstream: the threads that may call at once
    total_timeout: float = 120  # seconds for the whole call: connect, headers and all the body


class OutboundError(Exception):
    """A call that could not be made or completed; the message says what to do about it."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass
class OutboundResponse:
    status: int
    headers: urllib3.HTTPHeaderDict  # case-insensitive
    content: bytes
    url: str
    elapsed_ms: int
    history: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        charset = requests.utils.get_encoding_from_headers(self.headers) or "utf-8"
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


def address_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return False
    return not any(ip in net for net in EXTRA_BLOCKED)


# (host, port) -> (the addresses it resolved to, when that answer expires). Only answers are
# kept, never verdicts: every call vets the addresses again, so a cached name is as safe as a
# fresh one, and connections go only to vetted addresses (no rebinding between check and use).
_RESOLVED: dict[tuple[str, int], tuple[list, float]] = {}
_RESOLVED_MAX = 1024


def _resolve(host: str, port: int, ttl: float) -> list:
    now = time.monotonic()
    cached = _RESOLVED.get((host, port)) if ttl else None
    if cached is not None and cached[1] > now:
        return cached[0]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundError(
            f"The host {host!r} could not be resolved; check the service's base URL", "dns"
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if ttl:
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[(host, port)] = (addresses, now + ttl)
    return addresses


def vet_host(host: str, port: int, *, allow_private: bool, dns_cache_seconds: float = 0) -> str:
    """Resolve `host` (or reuse its addresses, resolved less than `dns_cache_seconds` ago) and
    return the address to connect to, or raise if it is not allowed."""
    addresses = _resolve(host, port, dns_cache_seconds)
    if not allow_private:
        refused = [ip for ip in addresses if not address_is_public(ip)]
        if refused:
            raise OutboundError(
                f"The upstream {host} resolves to {refused[0]}, a private or loopback address; "
                "calls to private and loopback addresses are disabled "
                "(UPSTREAM_ALLOW_PRIVATE_IPS)",
                "blocked",
            )
    return str(addresses[0])


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


class _Call:
    """One call's deadline and the connection it is on, as the watchdog sees them."""

    __slots__ = ("conn", "deadline", "expired", "received")

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.conn: HTTPConnection | None = None
        self.expired = False
        self.received: int | None = None  # bytes of the answer's body, once its headers came

    def on(self, conn: HTTPConnection) -> None:
        self.conn = conn
        if self.expired:  # the deadline passed while it was connecting
            self.cut()

    def cut(self) -> None:
        """Shut the call's socket: a read or write blocked on it returns at once. The plain
        socket's shutdown, also under TLS (the TLS object stays for the reader to fail)."""
        self.expired = True
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One thread per process that cuts every call still running at its deadline.

    A call is in a set, under a lock, while it runs. The thread sleeps until the earliest
    deadline among them, or for a second when there is none, so a call that arrives is woken
    for only if its deadline comes before that: under steady traffic, hardly ever (a wake-up
    per call would cost each call a thread switch)."""

    IDLE_SECONDS = 1.0

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # the thread does not survive a fork

    def _reset(self) -> None:
        self._lock = threading.Lock()  # a plain lock: a Condition's costs a call microseconds
        self._wake = threading.Event()
        self._calls: set[_Call] = set()
        self._wake_at = 0.0
        self._thread: threading.Thread | None = None

    def watch(self, call: _Call) -> None:
        with self._lock:
            self._calls.add(call)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="outbound-deadlines", daemon=True
                )
                self._thread.start()
            earlier = call.deadline < self._wake_at
            if earlier:
                self._wake_at = call.deadline
        if earlier:
            self._wake.set()

    def forget(self, call: _Call) -> None:
        with self._lock:
            self._calls.discard(call)

    def _run(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                due = [c for c in self._calls if c.deadline <= now]
                self._calls.difference_update(due)
                self._wake_at = min(
                    (c.deadline for c in self._calls), default=now + self.IDLE_SECONDS
                )
                sleep = self._wake_at - now
            for call in due:
                call.cut()
            self._wake.wait(sleep)
            self._wake.clear()  # a call added since is in the set: the next pass sees it


_WATCHDOG = _Watchdog()
# The call a thread is making: the connections below tell it which one it is on.
_CURRENT = threading.local()


def _on_connection(conn: HTTPConnection) -> None:
    call = getattr(_CURRENT, "call", None)
    if call is not None:
        call.on(conn)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _on_connection(self)

    def request(self, *args, **kwargs) -> None:  # a kept connection is not connected again
        _on_connection(self)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _on_connection(self)

    def request(self, *args, **kwargs) -> None:
        _on_connection(self)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


# Connection pools by vetted address, port, scheme, TLS name and size, shared by the process's
# threads; the least recently used are closed past `num_pools`. Each keeps an idle connection
# for every thread of the process that may call out at once (the policy's `pool_size`).
_POOLS = urllib3.PoolManager(num_pools=64, block=False, cert_reqs="CERT_REQUIRED")
_POOLS.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
_DEFAULT_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "*/*",
    "Accept-Encoding": urllib3.util.make_headers(accept_encoding=True)["accept-encoding"],
}


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        raise OutboundError(f"{url!r} is not a valid URL", "invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundError(f"Only absolute http(s) URLs can be called, not {url!r}", "invalid_url")
    if parts.username or parts.password:
        raise OutboundError("URLs with embedded credentials are not allowed", "invalid_url")


def _with_params(url: str, params: dict | list | None) -> str:
    """`params` added to the URL's query as requests adds them: a list value repeats its key,
    None is left out."""
    if not params:
        return url
    items = params.items() if isinstance(params, dict) else params
    pairs = []
    for key, values in items:
        for value in values if isinstance(values, list | tuple) else [values]:
            if value is not None:
                pairs.append((key, value))
    if not pairs:
        return url
    base, _, fragment = url.partition("#")
    joined = f"{base}{'&' if '?' in base else '?'}{urlencode(pairs, doseq=True)}"
    return f"{joined}#{fragment}" if fragment else joined


def _encoded_body(json: Any, data: bytes | str | None) -> tuple[bytes | None, str | None]:
    if json is not None:
        try:
            return jsonlib.dumps(json, allow_nan=False).encode(), "application/json"
        except (TypeError, ValueError) as exc:
            raise OutboundError(
                f"The request body cannot be sent as JSON: {exc}", "invalid_request"
            ) from None
    if isinstance(data, str):
        return data.encode(), None
    return data, None


def _check_headers(headers: dict) -> None:
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            raise OutboundError(
                f"The header name {str(name)[:40]!r} cannot be sent over HTTP", "invalid_request"
            )
        if not isinstance(value, str) or not _HEADER_VALUE.match(value):
            # Never the value itself: it may be a credential.
            raise OutboundError(
                f"The value of the header {name!r} cannot be sent over HTTP "
                "(it has a line break or leading space)",
                "invalid_request",
            )


def outbound_request(
    method: str,
    url: str,
    *,
    policy: OutboundPolicy,
    headers: dict | None = None,
    params: dict | list | None = None,
    json: Any = None,
    data: bytes | str | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    max_bytes: int | None = None,
    allow_private: bool | None = None,
    follow_redirects: bool = True,
    total_timeout: float | None = None,
    total_timeout_name: str = TOTAL_TIMEOUT_NAME,
) -> OutboundResponse:
    """Call `url` within `policy`; `connect_timeout`, `read_timeout`, `max_bytes` and
    `allow_private`, when given, override the policy's for this call. `total_timeout` may
    only lower the policy's deadline; `total_timeout_name` is what its message calls it."""
    allow = policy.allow_private if allow_private is None else allow_private
    total, total_name = policy.total_timeout, TOTAL_TIMEOUT_NAME
    if total_timeout and total_timeout < total:
        total, total_name = total_timeout, total_timeout_name
    limit = max_bytes or policy.max_response_bytes
    started = time.monotonic()
    history: list[str] = []
    _check_url(url)
    first_origin = _origin(url)

    method = method.upper()
    url = _with_params(url, params)
    body, content_type = _encoded_body(json, data)
    sent_headers = {**_DEFAULT_HEADERS, **(headers or {})}
    if content_type:
        sent_headers["Content-Type"] = content_type
    elif body is None and method not in ("GET", "HEAD"):
        sent_headers["Content-Length"] = "0"  # as requests sends an empty body
    _check_headers(sent_headers)
    call = _Call(started + total)
    _CURRENT.call = call
    _WATCHDOG.watch(call)
    try:
        while True:
            left = call.deadline - time.monotonic()
            if left <= 0:
                raise OutboundError("past the deadline between redirects", "timeout")
            timeout = Timeout(
                connect=min(connect_timeout or policy.connect_timeout, left),
                read=min(read_timeout or policy.read_timeout, left),
            )
            response = _send(method, url, sent_headers, body, timeout, allow, policy)
            call.received = 0
            complete = False
            try:
                if follow_redirects and response.status in REDIRECT_STATUSES:
                    target = urljoin(url, response.headers.get("Location", ""))
                    if _origin(target) != first_origin:
                        raise OutboundError(
                            "The upstream redirected to another host "
                            f"({urlsplit(target).netloc}); "
                            "redirects are followed only within the same origin",
                            "redirect",
                        )
                    if len(history) >= MAX_REDIRECTS:
                        raise OutboundError("The upstream redirected too many times", "redirect")
                    history.append(url)
                    url = target.partition("#")[0]
                    if response.status == 303 or (
                        response.status in (301, 302) and method == "POST"
                    ):
                        method, body = "GET", None
                        for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                            sent_headers.pop(header, None)
                    call.received = None
                    continue
                content = _read_capped(response, limit, urlsplit(url).netloc, call)
                if call.expired:  # cut at the deadline: what was read may be only a part
                    raise OutboundError("cut at the deadline", "timeout")
                complete = True
                return OutboundResponse(
                    status=response.status,
                    headers=response.headers,
                    content=content,
                    url=url,
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                    history=history,
                )
            finally:
                if not complete:  # a body left unread: the connection cannot serve another call
                    response.close()
                response.release_conn()
    except OutboundError as exc:
        # A step that failed because the time was up says so, whatever the step saw.
        if exc.kind != "too_large" and (call.expired or time.monotonic() >= call.deadline):
            message = _past_deadline(url, total, total_name, call)
            raise OutboundError(message, "timeout") from None
        raise
    finally:
        _WATCHDOG.forget(call)
        _CURRENT.call = None


def _past_deadline(url: str, total: float, name: str, call: _Call) -> str:
    if call.received is None:
        progress = "it had not answered"
    else:
        progress = f"it had sent {call.received} bytes of its answer"
    return (
        f"The upstream at {urlsplit(url).netloc} took longer than the {total:g} s total limit "
        f"({name}); {progress}"
    )


def _send(
    method: str,
    url: str,
    headers: dict,
    body: bytes | None,
    timeout: Timeout,
    allow_private: bool,
    policy: OutboundPolicy,
):
    """One request to the vetted address of the URL's host, on a kept connection if one is
    idle. The Host header and TLS keep the name."""
    parts = urlsplit(url)
    host, scheme = parts.hostname or "", parts.scheme
    port = parts.port or (443 if scheme == "https" else 80)
    address = vet_host(
        host, port, allow_private=allow_private, dns_cache_seconds=policy.dns_cache_seconds
    )
    pool_kwargs: dict[str, Any] = {"maxsize": policy.pool_size}
    if scheme == "https":  # the certificate must be valid for the name, not the address
        roots = policy.ca_bundle or certifi.where()
        pool_kwargs.update(server_hostname=host, assert_hostname=host, ca_certs=roots)
    pool = _POOLS.connection_from_host(address, port, scheme, pool_kwargs=pool_kwargs)
    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    netloc = parts.netloc
    try:
        return pool.urlopen(
            method,
            target,
            body=body,
            headers={**headers, "Host": host_header},
            retries=False,
            redirect=False,
            assert_same_host=False,
            timeout=timeout,
            preload_content=False,
            decode_content=True,
        )
    except NewConnectionError as exc:  # before ConnectTimeoutError: it is one of those
        raise OutboundError(
            f"Could not connect to {netloc}: {_reason(exc)}; "
            "is the upstream running and reachable?",
            "connect",
        ) from None
    except ConnectTimeoutError:
        raise OutboundError(
            f"Connecting to {netloc} timed out after {timeout.connect_timeout:g} s; "
            "is the upstream up?",
            "timeout",
        ) from None
    except ReadTimeoutError:
        raise OutboundError(
            f"The upstream at {netloc} did not answer within {timeout.read_timeout:g} s",
            "timeout",
        ) from None
    except SSLError as exc:
        if isinstance(exc.args[0] if exc.args else None, CERTIFICATE_REFUSALS):
            raise OutboundError(
                f"TLS with {netloc} failed: its certificate was not accepted ({_reason(exc)}); "
                "check the service's base URL, or name the authority that signs the certificate "
                "in UPSTREAM_CA_BUNDLE",
                "protocol",
            ) from None
        raise OutboundError(f"TLS with {netloc} failed: {_reason(exc)}", "protocol") from None
    except (ProtocolError, HTTPError, OSError) as exc:
        raise OutboundError(f"The request to {netloc} failed: {_reason(exc)}", "protocol") from None
    except ValueError:  # http.client refusing a header (never echoed: it may be a secret)
        raise OutboundError(
            "The request could not be sent: a header is not valid HTTP", "invalid_request"
        ) from None


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Network is unreachable"):
        if marker in text:
            return marker.lower()
    return text.split(": ")[-1][:200] if text else type(exc).__name__


def _read_capped(response: urllib3.BaseHTTPResponse, limit: int, netloc: str, call: _Call) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise OutboundError(_too_large(limit), "too_large")
    chunks, total = [], 0
    try:
        # read1: what has arrived, up to a chunk, so the deadline is checked as bytes come.
        while chunk := response.read1(64 * 1024, decode_content=True):
            total += len(chunk)
            call.received = total
            if total > limit:
                raise OutboundError(_too_large(limit), "too_large")
            if time.monotonic() >= call.deadline:
                raise OutboundError("past the deadline", "timeout")
            chunks.append(chunk)
    except ReadTimeoutError:
        raise OutboundError(
            f"The upstream at {netloc} stopped sending its answer (read timeout)", "timeout"
        ) from None
    except (ProtocolError, DecodeError, HTTPError, OSError) as exc:
        raise OutboundError(
            f"Reading the upstream's answer failed: {_reason(exc)}", "protocol"
        ) from None
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return (
        f"The upstream's answer is larger than the {limit // 1024} KiB limit "
        "(UPSTREAM_MAX_RESPONSE_BYTES)"
    )
