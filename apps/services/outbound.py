"""The SSRF-safe outbound HTTP client: every call to a user-supplied URL goes through here.

It resolves the host once, refuses private, loopback, link-local, multicast and reserved
addresses unless allowed, and pins the connection to the vetted address (the Host header and
TLS SNI keep the name), so a DNS answer cannot change between the check and the connect. The
body is streamed and cut at a size cap. Redirects are followed only to the same origin, each
hop vetted again. Headers and bodies are never logged.
"""

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict

MAX_REDIRECTS = 3
USER_AGENT = "ouro-routes/1.0"

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


class OutboundError(Exception):
    """A call that could not be made or completed; the message says what to do about it."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass
class OutboundResponse:
    status: int
    headers: CaseInsensitiveDict
    content: bytes
    url: str
    elapsed_ms: int
    history: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        charset = requests.utils.get_encoding_from_headers(self.headers) or "utf-8"
        return self.content.decode(charset, errors="replace")

    def json(self) -> Any:
        import json

        return json.loads(self.content)


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


def vet_host(host: str, port: int, *, allow_private: bool) -> str:
    """Resolve `host` and return the address to connect to, or raise if it is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutboundError(
            f"The host {host!r} could not be resolved; check the service's base URL", "dns"
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
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


class PinnedAdapter(HTTPAdapter):
    """Connects to the vetted address while keeping the host name for Host and TLS."""

    def __init__(self, *, allow_private: bool):
        super().__init__(max_retries=0)
        self.allow_private = allow_private

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host = host_params["host"]
        port = host_params["port"] or (443 if host_params["scheme"] == "https" else 80)
        address = vet_host(host, port, allow_private=self.allow_private)
        request.headers = CaseInsensitiveDict(request.headers or {})
        host_header = f"[{host}]" if ":" in host else host
        if host_params["port"]:
            host_header += f":{host_params['port']}"
        request.headers["Host"] = host_header
        if host_params["scheme"] == "https":
            pool_kwargs["assert_hostname"] = host
            pool_kwargs["server_hostname"] = host
        host_params["host"] = f"[{address}]" if ":" in address else address
        return host_params, pool_kwargs


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


_local = threading.local()


def _session(*, allow_private: bool) -> requests.Session:
    """This thread's session: connections to an upstream stay open between calls, so a run
    does not pay a new TCP and TLS handshake each time. Every call still resolves and vets
    the host, and connections are pooled by the vetted address and the TLS name, so one is
    reused only for the address just vetted. No cookies are kept: one caller's session with
    an upstream must never travel with another caller's run."""
    sessions = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    session = sessions.get(allow_private)
    if session is None:
        session = requests.Session()
        session.trust_env = False  # never route through a proxy from the environment
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        adapter = PinnedAdapter(allow_private=allow_private)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        sessions[allow_private] = session
    return session


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise OutboundError(f"{url!r} is not a valid URL", "invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundError(f"Only absolute http(s) URLs can be called, not {url!r}", "invalid_url")
    if parts.username or parts.password:
        raise OutboundError("URLs with embedded credentials are not allowed", "invalid_url")


def outbound_request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    params: dict | list | None = None,
    json: Any = None,
    data: bytes | str | None = None,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    max_bytes: int | None = None,
    allow_private: bool | None = None,
    follow_redirects: bool = True,
) -> OutboundResponse:
    allow = settings.UPSTREAM_ALLOW_PRIVATE_IPS if allow_private is None else allow_private
    timeout = (
        connect_timeout or settings.UPSTREAM_CONNECT_TIMEOUT,
        read_timeout or settings.UPSTREAM_READ_TIMEOUT,
    )
    limit = max_bytes or settings.UPSTREAM_MAX_RESPONSE_BYTES
    started = time.monotonic()
    history: list[str] = []
    _check_url(url)
    first_origin = _origin(url)

    session = _session(allow_private=allow)
    request = requests.Request(
        method.upper(),
        url,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        params=params,
        json=json,
        data=data,
    )
    prepared = session.prepare_request(request)
    while True:
        response = _send(session, prepared, timeout)
        try:
            if follow_redirects and response.is_redirect:
                target = urljoin(prepared.url, response.headers.get("Location", ""))
                if _origin(target) != first_origin:
                    raise OutboundError(
                        f"The upstream redirected to another host ({urlsplit(target).netloc}); "
                        "redirects are followed only within the same origin",
                        "redirect",
                    )
                if len(history) >= MAX_REDIRECTS:
                    raise OutboundError("The upstream redirected too many times", "redirect")
                history.append(prepared.url)
                prepared = _redirected(prepared, target, response.status_code)
                continue
            content = _read_capped(response, limit)
            return OutboundResponse(
                status=response.status_code,
                headers=CaseInsensitiveDict(response.headers),
                content=content,
                url=prepared.url,
                elapsed_ms=int((time.monotonic() - started) * 1000),
                history=history,
            )
        finally:
            response.close()


def _send(session: requests.Session, prepared, timeout) -> requests.Response:
    host = urlsplit(prepared.url).netloc
    try:
        return session.send(prepared, timeout=timeout, stream=True, allow_redirects=False)
    except OutboundError:
        raise
    except requests.exceptions.ConnectTimeout:
        raise OutboundError(
            f"Connecting to {host} timed out after {timeout[0]:g} s; is the upstream up?", "timeout"
        ) from None
    except requests.exceptions.ReadTimeout:
        raise OutboundError(
            f"The upstream at {host} did not answer within {timeout[1]:g} s", "timeout"
        ) from None
    except requests.exceptions.SSLError as exc:
        raise OutboundError(f"TLS with {host} failed: {_reason(exc)}", "protocol") from None
    except requests.exceptions.ConnectionError as exc:
        if isinstance(exc.__context__, OutboundError):
            raise exc.__context__ from None
        raise OutboundError(
            f"Could not connect to {host}: {_reason(exc)}; is the upstream running and reachable?",
            "connect",
        ) from None
    except requests.exceptions.RequestException as exc:
        raise OutboundError(f"The request to {host} failed: {_reason(exc)}", "protocol") from None


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "Network is unreachable"):
        if marker in text:
            return marker.lower()
    return text.split(": ")[-1][:200] if text else type(exc).__name__


def _redirected(prepared, target: str, status: int):
    follow = prepared.copy()
    follow.prepare_url(target, None)
    if status == 303 or (status in (301, 302) and prepared.method == "POST"):
        follow.method = "GET"
        follow.body = None
        for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
            follow.headers.pop(header, None)
    follow.headers.pop("Host", None)
    return follow


def _read_capped(response: requests.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise OutboundError(_too_large(limit), "too_large")
    chunks, total = [], 0
    try:
        for chunk in response.iter_content(chunk_size=64 * 1024):
            total += len(chunk)
            if total > limit:
                raise OutboundError(_too_large(limit), "too_large")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        raise OutboundError(
            f"Reading the upstream's answer failed: {_reason(exc)}", "protocol"
        ) from None
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return (
        f"The upstream's answer is larger than the {limit // 1024} KiB limit "
        "(UPSTREAM_MAX_RESPONSE_BYTES)"
    )
