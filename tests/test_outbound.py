import gzip
import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.services.outbound import (
    OutboundError,
    OutboundPolicy,
    address_is_public,
    outbound_request,
)
from apps.services.upstream import upstream_policy

# The defaults: what the UPSTREAM_* settings are when left unset.
POLICY = OutboundPolicy()


class Upstream(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        port = self.server.server_address[1]
        if self.path == "/ok":
            return self._reply(200, b'{"ok": true}', {"Content-Type": "application/json"})
        if self.path == "/host":
            return self._reply(200, self.headers["Host"].encode())
        if self.path == "/big":
            return self._reply(200, b"x" * 50_000)
        if self.path == "/chunked-big":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"1388\r\n" + b"y" * 5000 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return None
        if self.path == "/same":
            return self._reply(302, headers={"Location": "/ok"})
        if self.path == "/other":
            return self._reply(302, headers={"Location": f"http://localhost:{port}/ok"})
        if self.path == "/loop":
            return self._reply(302, headers={"Location": "/loop"})
        if self.path == "/slow":
            time.sleep(2)
            return self._reply(200, b"late")
        if self.path == "/gzip-bomb":  # 1 MB of zeros in about a kilobyte
            body = gzip.compress(b"0" * 1_000_000)
            return self._reply(200, body, {"Content-Encoding": "gzip"})
        if self.path == "/gzip":
            return self._reply(200, gzip.compress(b"hello " * 100), {"Content-Encoding": "gzip"})
        if self.path == "/headers":
            seen = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
            return self._reply(200, seen.encode())
        if self.path.startswith("/drip"):
            return self._drip()
        return self._reply(404)

    def _drip(self):
        """An upstream that never finishes: it promises 100 kB and sends a byte every 0.3 s
        (/drip), the same with no length, until it closes (/drip-until-close), or its headers
        a byte at a time (/drip-headers)."""
        if self.path == "/drip-headers":
            head, body = b"", b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 1000
        else:
            length = "" if self.path == "/drip-until-close" else "Content-Length: 100000\r\n"
            head, body = f"HTTP/1.1 200 OK\r\n{length}\r\n".encode(), b"x" * 100_000
        self.close_connection = True
        self.wfile.write(head)
        for byte in body:
            time.sleep(0.3)
            self.wfile.write(bytes([byte]))  # fails once the client has given up

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        return self._reply(200, self.rfile.read(length))


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up (the timeout tests) is expected here


def _serve(handler):
    """Serve `handler` on a loopback port until the generator is closed; yields its URL."""
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def upstream():
    yield from _serve(Upstream)


@pytest.mark.parametrize(
    "address,public",
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fd00::1", False),
        ("224.0.0.1", False),
    ],
)
def test_address_is_public(address, public):
    assert address_is_public(ipaddress.ip_address(address)) is public


def test_loopback_is_refused_unless_allowed(upstream):
    with pytest.raises(OutboundError) as caught:
        outbound_request("GET", f"{upstream}/ok", policy=POLICY, allow_private=False)
    assert caught.value.kind == "blocked"
    assert "UPSTREAM_ALLOW_PRIVATE_IPS" in str(caught.value)
    assert outbound_request("GET", f"{upstream}/ok", policy=POLICY, allow_private=True).json() == {
        "ok": True
    }


def test_a_name_resolving_to_loopback_is_refused():
    with pytest.raises(OutboundError) as caught:
        outbound_request("GET", "http://localhost:9/", policy=POLICY, allow_private=False)
    assert caught.value.kind == "blocked"


def test_a_resolved_name_is_reused_for_a_while_but_vetted_on_every_call(upstream, settings):
    from apps.services import outbound

    port = int(upstream.rsplit(":", 1)[1])
    settings.UPSTREAM_DNS_CACHE_SECONDS = 30
    outbound._RESOLVED.clear()
    assert outbound_request(
        "GET", f"http://localhost:{port}/ok", policy=upstream_policy(), allow_private=True
    ).json()
    addresses, expires = outbound._RESOLVED[("localhost", port)]
    assert ipaddress.ip_address("127.0.0.1") in addresses
    assert 29 < expires - time.monotonic() <= 30
    # The cached answer is still checked: loopback stays refused where it is not allowed.
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "GET", f"http://localhost:{port}/ok", policy=upstream_policy(), allow_private=False
        )
    assert caught.value.kind == "blocked"
    assert outbound._RESOLVED[("localhost", port)][1] == expires  # reused, not resolved again
    # Once expired, the name is resolved again.
    outbound._RESOLVED[("localhost", port)] = (addresses, time.monotonic() - 1)
    outbound_request(
        "GET", f"http://localhost:{port}/ok", policy=upstream_policy(), allow_private=True
    )
    assert outbound._RESOLVED[("localhost", port)][1] > time.monotonic() + 29
    # With no cache, nothing is kept.
    settings.UPSTREAM_DNS_CACHE_SECONDS = 0
    outbound._RESOLVED.clear()
    outbound_request(
        "GET", f"http://localhost:{port}/ok", policy=upstream_policy(), allow_private=True
    )
    assert outbound._RESOLVED == {}


def test_a_name_that_does_not_resolve_is_not_remembered(settings):
    from apps.services import outbound

    settings.UPSTREAM_DNS_CACHE_SECONDS = 30
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "GET", "http://no-such-host.invalid/", policy=upstream_policy(), allow_private=True
        )
    assert caught.value.kind == "dns"
    assert not any(host == "no-such-host.invalid" for host, _ in outbound._RESOLVED)


def test_the_host_header_keeps_the_name(upstream):
    port = upstream.rsplit(":", 1)[1]
    response = outbound_request(
        "GET", f"http://localhost:{port}/host", policy=POLICY, allow_private=True
    )
    assert response.text == f"localhost:{port}"


def test_bodies_are_capped(upstream):
    for path in ("/big", "/chunked-big"):
        with pytest.raises(OutboundError) as caught:
            outbound_request(
                "GET", f"{upstream}{path}", policy=POLICY, allow_private=True, max_bytes=10_000
            )
        assert caught.value.kind == "too_large"
    assert (
        len(outbound_request("GET", f"{upstream}/big", policy=POLICY, allow_private=True).content)
        == 50_000
    )


def test_redirects_stay_on_the_same_origin(upstream):
    response = outbound_request("GET", f"{upstream}/same", policy=POLICY, allow_private=True)
    assert response.status == 200 and response.history == [f"{upstream}/same"]
    with pytest.raises(OutboundError) as other:
        outbound_request("GET", f"{upstream}/other", policy=POLICY, allow_private=True)
    assert other.value.kind == "redirect"
    with pytest.raises(OutboundError) as loop:
        outbound_request("GET", f"{upstream}/loop", policy=POLICY, allow_private=True)
    assert "too many" in str(loop.value)
    assert (
        outbound_request(
            "GET", f"{upstream}/same", policy=POLICY, allow_private=True, follow_redirects=False
        ).status
        == 302
    )


def test_timeouts_and_refused_connections_say_what_happened(upstream):
    with pytest.raises(OutboundError) as slow:
        outbound_request(
            "GET", f"{upstream}/slow", policy=POLICY, allow_private=True, read_timeout=0.3
        )
    assert slow.value.kind == "timeout" and "did not answer within 0.3 s" in str(slow.value)
    with pytest.raises(OutboundError) as refused:
        outbound_request("GET", "http://127.0.0.1:9/", policy=POLICY, allow_private=True)
    assert refused.value.kind == "connect" and "connection refused" in str(refused.value)


def test_bad_urls_are_refused():
    for url in (
        "file:///etc/passwd",
        "ftp://example.org/",
        "/relative",
        "http://user:pw@example.org/",
        "http://example.org:port/",
    ):
        with pytest.raises(OutboundError) as caught:
            outbound_request("GET", url, policy=POLICY, allow_private=True)
        assert caught.value.kind == "invalid_url"
    with pytest.raises(OutboundError) as caught:
        outbound_request("GET", "http://no-such-host.invalid/", policy=POLICY, allow_private=True)
    assert caught.value.kind == "dns"


def test_json_bodies_are_sent_with_a_content_length(upstream):
    response = outbound_request(
        "POST", f"{upstream}/echo", json={"a": 1}, policy=POLICY, allow_private=True
    )
    assert response.json() == {"a": 1}


def test_a_body_that_is_not_json_is_refused_before_anything_is_sent(upstream):
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "POST", f"{upstream}/echo", json={"x": float("nan")}, policy=POLICY, allow_private=True
        )
    assert caught.value.kind == "invalid_request"


def test_query_parameters_join_the_url_query_and_lists_repeat_their_key(upstream):
    response = outbound_request(
        "GET",
        f"{upstream}/same?keep=1",
        params={"tag": ["a", "b"], "skip": None, "q": "x y"},
        policy=POLICY,
        allow_private=True,
        follow_redirects=False,
    )
    assert response.url == f"{upstream}/same?keep=1&tag=a&tag=b&q=x+y"


def test_compressed_answers_are_decoded_and_capped_by_their_decoded_size(upstream):
    assert outbound_request(
        "GET", f"{upstream}/gzip", policy=POLICY, allow_private=True
    ).content == (b"hello " * 100)
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "GET", f"{upstream}/gzip-bomb", policy=POLICY, allow_private=True, max_bytes=10_000
        )
    assert caught.value.kind == "too_large"


def test_a_header_that_would_split_the_request_is_refused_without_echoing_it(upstream):
    secret = "sk-live-123\r\nX-Injected: 1"
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "GET",
            f"{upstream}/headers",
            headers={"X-Api-Key": secret},
            policy=POLICY,
            allow_private=True,
        )
    assert caught.value.kind == "invalid_request"
    assert "X-Api-Key" in caught.value.message and "sk-live" not in caught.value.message
    sent = outbound_request(
        "GET",
        f"{upstream}/headers",
        headers={"X-Api-Key": "sk-live-123"},
        policy=POLICY,
        allow_private=True,
    ).text
    assert "X-Api-Key: sk-live-123" in sent and "User-Agent: ouro-routes/1.0" in sent


class KeepAliveUpstream(BaseHTTPRequestHandler):
    """An HTTP/1.1 upstream that keeps connections open and says which one a request came on."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/set-cookie":
            body = b"set"
            extra = {"Set-Cookie": "sid=caller-one-session; Path=/"}
        else:
            cookie = self.headers.get("Cookie") or "-"
            body = f"{self.client_address[1]} {cookie}".encode()
            extra = {}
        self.send_response(200)
        for key, value in extra.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def keep_alive_upstream():
    yield from _serve(KeepAliveUpstream)


def test_calls_to_an_upstream_reuse_its_connection_but_never_its_cookies(keep_alive_upstream):
    first = outbound_request("GET", f"{keep_alive_upstream}/who", policy=POLICY, allow_private=True)
    outbound_request("GET", f"{keep_alive_upstream}/set-cookie", policy=POLICY, allow_private=True)
    second = outbound_request(
        "GET", f"{keep_alive_upstream}/who", policy=POLICY, allow_private=True
    )
    first_port, _ = first.text.split()
    second_port, cookie = second.text.split()
    assert first_port == second_port  # the same TCP connection, no new handshake
    assert cookie == "-"  # what the upstream set for one run is not sent with the next


def test_threads_share_the_idle_connections_to_an_upstream(keep_alive_upstream):
    ports = []

    def call():
        ports.append(
            outbound_request("GET", f"{keep_alive_upstream}/who", policy=POLICY, allow_private=True)
        )

    for _ in range(3):  # one after the other, each on a thread of its own
        thread = threading.Thread(target=call)
        thread.start()
        thread.join()
    assert len({response.text.split()[0] for response in ports}) == 1


def test_a_kept_connection_does_not_get_past_the_private_address_check(keep_alive_upstream):
    assert (
        outbound_request(
            "GET", f"{keep_alive_upstream}/who", policy=POLICY, allow_private=True
        ).status
        == 200
    )
    with pytest.raises(OutboundError) as refused:
        outbound_request("GET", f"{keep_alive_upstream}/who", policy=POLICY, allow_private=False)
    assert refused.value.kind == "blocked"


def _certificate(name: str, issuer_key, issuer_name, *, ca: bool = False):
    """A key and a certificate for `name`, signed by the issuer (itself when it is the CA)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
        )
    return key, builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture(scope="module")
def tls_authority(tmp_path_factory):
    """A throwaway certificate authority: (its PEM file, a function serving HTTPS as a name)."""
    import ssl

    from cryptography.hazmat.primitives import serialization

    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = _certificate("Test CA", None, None, ca=True)
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    servers = []

    def serve_as(name: str) -> str:
        key, cert = _certificate(name, ca_key, ca_cert.subject)
        cert_file, key_file = folder / f"{name}.pem", folder / f"{name}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        server = QuietServer(("127.0.0.1", 0), Upstream)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return str(server.server_address[1])

    yield ca_file, serve_as
    for server in servers:
        server.shutdown()
        server.server_close()


def test_tls_is_checked_against_the_name_while_the_connection_goes_to_the_vetted_address(
    tls_authority, settings
):
    ca_file, serve_as = tls_authority
    port = serve_as("localhost")
    settings.UPSTREAM_CA_BUNDLE = str(ca_file)
    response = outbound_request(
        "GET", f"https://localhost:{port}/host", policy=upstream_policy(), allow_private=True
    )
    assert response.status == 200 and response.text == f"localhost:{port}"
    # The certificate names localhost, not the address the name was pinned to.
    with pytest.raises(OutboundError) as by_address:
        outbound_request(
            "GET", f"https://127.0.0.1:{port}/ok", policy=upstream_policy(), allow_private=True
        )
    assert by_address.value.kind == "protocol"
    assert "certificate was not accepted" in by_address.value.message, by_address.value.message


def test_an_upstream_certificate_from_an_unknown_authority_is_refused(tls_authority, settings):
    _, serve_as = tls_authority
    port = serve_as("localhost")
    settings.UPSTREAM_CA_BUNDLE = ""  # Mozilla's roots: the test authority is not among them
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "GET", f"https://localhost:{port}/ok", policy=upstream_policy(), allow_private=True
        )
    assert caught.value.kind == "protocol"
    assert "certificate was not accepted (unable to get local issuer" in caught.value.message
    assert "UPSTREAM_CA_BUNDLE" in caught.value.message


def test_the_client_is_a_pure_core_that_imports_nothing_from_django():
    import os
    import subprocess
    import sys
    from pathlib import Path

    check = (
        "import sys\n"
        "assert not any(m.split('.')[0] == 'django' for m in sys.modules)\n"
        "import apps.services.outbound\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not loaded, loaded\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_the_policy_is_read_from_the_settings_on_every_call(settings):
    settings.UPSTREAM_ALLOW_PRIVATE_IPS = False
    settings.UPSTREAM_CONNECT_TIMEOUT = 3
    settings.UPSTREAM_READ_TIMEOUT = 7
    settings.UPSTREAM_MAX_RESPONSE_BYTES = 4096
    settings.UPSTREAM_DNS_CACHE_SECONDS = 0
    settings.UPSTREAM_CA_BUNDLE = "/etc/ssl/private-ca.pem"
    settings.UPSTREAM_TOTAL_TIMEOUT = 45
    settings.SYNC_RUN_THREADS = 5
    settings.HUEY = {**settings.HUEY, "consumer": {**settings.HUEY["consumer"], "workers": 9}}
    assert upstream_policy() == OutboundPolicy(
        allow_private=False,
        connect_timeout=3,
        read_timeout=7,
        max_response_bytes=4096,
        dns_cache_seconds=0,
        ca_bundle="/etc/ssl/private-ca.pem",
        pool_size=9,
        total_timeout=45,
    )
    settings.UPSTREAM_ALLOW_PRIVATE_IPS = True
    settings.SYNC_RUN_THREADS = 12
    changed = upstream_policy()
    assert changed.allow_private is True and changed.pool_size == 12


def test_the_policy_sets_the_limits_of_a_call(upstream):
    from apps.services import outbound

    small = OutboundPolicy(allow_private=True, max_response_bytes=10_000, pool_size=3)
    with pytest.raises(OutboundError) as caught:
        outbound_request("GET", f"{upstream}/big", policy=small)
    assert caught.value.kind == "too_large"
    assert outbound_request("GET", f"{upstream}/ok", policy=small).json() == {"ok": True}
    port = int(upstream.rsplit(":", 1)[1])
    kept = outbound._POOLS.pools.keys()  # noqa: SIM118 - the container cannot be iterated
    sizes = {key.key_maxsize for key in kept if key.key_port == port}
    assert 3 in sizes  # the policy's pool size, not one fixed when the module was imported
    with pytest.raises(OutboundError) as refused:
        outbound_request("GET", f"{upstream}/ok", policy=OutboundPolicy())
    assert refused.value.kind == "blocked"
    slow = OutboundPolicy(allow_private=True, read_timeout=0.3)
    with pytest.raises(OutboundError) as late:
        outbound_request("GET", f"{upstream}/slow", policy=slow)
    assert late.value.kind == "timeout" and "within 0.3 s" in late.value.message


# The total deadline: connect, headers and the whole body, whatever the drip ------------------


@pytest.mark.parametrize("path", ["/drip", "/drip-until-close", "/drip-headers"])
def test_an_upstream_that_drips_is_cut_at_the_total_deadline(upstream, path):
    policy = OutboundPolicy(allow_private=True, read_timeout=5, total_timeout=1)
    started = time.monotonic()
    with pytest.raises(OutboundError) as caught:
        outbound_request("GET", f"{upstream}{path}", policy=policy)
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 1.6, elapsed  # each byte came in time: only the total limit stops it
    assert caught.value.kind == "timeout"
    netloc = upstream.split("//")[1]
    assert caught.value.message.startswith(
        f"The upstream at {netloc} took longer than the 1 s total limit (UPSTREAM_TOTAL_TIMEOUT)"
    ), caught.value.message


def test_a_call_may_set_a_lower_total_deadline_and_name_it(upstream):
    policy = OutboundPolicy(allow_private=True, total_timeout=30)
    started = time.monotonic()
    with pytest.raises(OutboundError) as caught:
        outbound_request(
            "GET",
            f"{upstream}/drip",
            policy=policy,
            total_timeout=0.8,
            total_timeout_name="the route's total timeout",
        )
    assert time.monotonic() - started < 1.4
    assert "the 0.8 s total limit (the route's total timeout)" in caught.value.message
    # A call cannot raise the policy's: the lower one holds.
    with pytest.raises(OutboundError) as capped:
        outbound_request(
            "GET",
            f"{upstream}/drip",
            policy=OutboundPolicy(allow_private=True, total_timeout=0.8),
            total_timeout=30,
            total_timeout_name="the route's total timeout",
        )
    assert "the 0.8 s total limit (UPSTREAM_TOTAL_TIMEOUT)" in capped.value.message


def test_the_total_deadline_cuts_a_dripping_tls_upstream(tls_authority, upstream):
    ca_file, serve_as = tls_authority
    port = serve_as("localhost")
    policy = OutboundPolicy(allow_private=True, ca_bundle=str(ca_file), total_timeout=1)
    started = time.monotonic()
    with pytest.raises(OutboundError) as caught:
        outbound_request("GET", f"https://localhost:{port}/drip", policy=policy)
    assert time.monotonic() - started < 1.6
    assert "1 s total limit" in caught.value.message, caught.value.message
    # The connection cut at its deadline is not handed to the next call.
    assert outbound_request("GET", f"https://localhost:{port}/ok", policy=policy).json() == {
        "ok": True
    }


def test_a_call_that_ends_in_time_is_not_cut_later(keep_alive_upstream):
    policy = OutboundPolicy(allow_private=True, total_timeout=0.5)
    first = outbound_request("GET", f"{keep_alive_upstream}/who", policy=policy)
    time.sleep(0.7)  # past the first call's deadline: its kept connection must still serve
    second = outbound_request("GET", f"{keep_alive_upstream}/who", policy=policy)
    assert first.text.split()[0] == second.text.split()[0]


def test_a_short_deadline_is_kept_while_a_longer_call_is_in_flight(upstream):
    long_call = threading.Thread(
        target=lambda: pytest.raises(
            OutboundError,
            outbound_request,
            "GET",
            f"{upstream}/drip",
            policy=OutboundPolicy(allow_private=True, total_timeout=2.5),
        )
    )
    long_call.start()
    time.sleep(0.2)  # the watchdog now sleeps until the long call's deadline
    started = time.monotonic()
    with pytest.raises(OutboundError, match="0.8 s total limit"):
        outbound_request(
            "GET", f"{upstream}/drip", policy=OutboundPolicy(allow_private=True, total_timeout=0.8)
        )
    assert time.monotonic() - started < 1.3
    long_call.join(5)
