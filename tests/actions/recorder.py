"""A loopback upstream that records every request it receives and answers by path.

/json -> 200 JSON echo of what it got, /text -> text/plain, /image -> a PNG,
/notjson -> a body that claims to be JSON but is not, /big -> 64 KiB of JSON,
/status/<code> -> that status, /accept -> 202, /sleep/<seconds> -> 200 after that long (the
request is recorded first). Used where a test must count or inspect
exactly what reached the upstream.
"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Recorder:
    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                seen = {
                    "method": self.command,
                    "path": url.path,
                    "query": {k: v[-1] for k, v in parse_qs(url.query).items()},
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": json.loads(raw) if raw else None,
                    "chunked": "chunked" in (self.headers.get("Transfer-Encoding") or ""),
                }
                with recorder.lock:
                    recorder.requests.append(seen)
                status, content_type, body = recorder.answer(url.path, seen)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, seen: dict) -> tuple[int, str, bytes]:
        if path == "/text":
            return 200, "text/plain; charset=utf-8", b"plain words"
        if path == "/image":
            return 200, "image/png", PNG
        if path == "/notjson":
            return 200, "application/json", b"{not json"
        if path == "/big":
            return 200, "application/json", json.dumps({"x": "a" * 65536}).encode()
        if path.startswith("/sleep/"):
            time.sleep(float(path.rsplit("/", 1)[1]))
            return 200, "application/json", b'{"slept": true}'
        if path == "/accept":
            return 202, "application/json", b'{"accepted": true}'
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return code, "application/json", json.dumps({"detail": f"status {code}"}).encode()
        return 200, "application/json", json.dumps(seen).encode()

    def for_action(self, action_id) -> list[dict]:
        with self.lock:
            return [
                r for r in self.requests if r["headers"].get("ouro-action-id") == str(action_id)
            ]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
