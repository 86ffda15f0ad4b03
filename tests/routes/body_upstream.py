"""A loopback upstream that reads a request body in whatever media type it came and answers
with what it parsed: JSON, form fields, multipart parts (each part's name, file name, content
type, size and SHA-256, and the text of parts that are not files) or the raw bytes' size and
digest. Every request is also kept in `requests` for the test to inspect."""

import email.parser
import email.policy
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def parse_body(content_type: str, raw: bytes) -> dict:
    base = content_type.split(";")[0].strip().lower()
    seen: dict = {"content_type": base, "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    if base == "application/x-www-form-urlencoded":
        seen["form"] = parse_qs(raw.decode(), keep_blank_values=True)
    elif base == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw
        )
        parts = []
        for part in message.iter_parts():
            content = part.get_payload(decode=True) or b""
            entry = {
                "name": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "content_type": part.get_content_type() if part["Content-Type"] else None,
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
            if entry["filename"] is None:
                entry["text"] = content.decode()
            parts.append(entry)
        seen["parts"] = parts
    elif base.endswith("json") and raw:
        seen["json"] = json.loads(raw)
    elif base.startswith("text/") or base.endswith("xml"):
        seen["text"] = raw.decode()
    return seen


class BodyUpstream:
    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                seen = {
                    "method": self.command,
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "action": self.headers.get("ouro-action-id"),
                    **parse_body(self.headers.get("Content-Type") or "", raw),
                }
                with upstream.lock:
                    upstream.requests.append(seen)
                body = json.dumps(seen).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def for_action(self, action_id) -> dict:
        with self.lock:
            return next(r for r in self.requests if r["action"] == str(action_id))

    def close(self):
        self.server.shutdown()
        self.server.server_close()
