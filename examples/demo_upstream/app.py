"""A small standalone upstream API for demos, tests and benchmarks.

Run it with `python -m examples.demo_upstream --port 8001`. It serves its OpenAPI 3.1 spec
(with x-ouro extensions) at /openapi.json and a handful of routes: a fast JSON answer, path
and query parameters, a PNG chart output, an async job that answers 202 and reports back
through `ouro-webhook-url`, a 500 failure, a slow answer and an echo. Outside the spec,
/drip?bytes=100000&interval=0.5 is a faulty upstream for the tests: it promises that many
bytes and sends one every `interval` seconds.
"""

import base64
import io
import json
import logging
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

log = logging.getLogger("demo_upstream")

ITEMS = {
    "1": {"id": "1", "name": "Widget", "price": 9.5, "tags": ["tools"]},
    "2": {"id": "2", "name": "Gadget", "price": 24.0, "tags": ["tools", "electronics"]},
    "3": {"id": "3", "name": "Doohickey", "price": 3.25, "tags": []},
}


def spec(base_url: str) -> dict:
    json_body = lambda schema, required=True: {  # noqa: E731
        "required": required,
        "content": {"application/json": {"schema": schema}},
    }
    ok = lambda schema, description="OK": {  # noqa: E731
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Demo upstream",
            "version": "1.0.0",
            "description": "A small API that shows every kind of route: fast, parameterised, "
            "file output, long-running with a callback, failing and slow.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/hello": {
                "get": {
                    "operationId": "hello",
                    "summary": "Say hello",
                    "description": "A fast JSON answer. Try it with your **name**.",
                    "parameters": [
                        {
                            "name": "name",
                            "in": "query",
                            "schema": {"type": "string", "default": "world", "maxLength": 100},
                            "description": "Who to greet",
                        }
                    ],
                    "responses": {
                        "200": ok(
                            {
                                "type": "object",
                                "properties": {"message": {"type": "string"}},
                                "example": {"message": "Hello, world!"},
                            }
                        )
                    },
                }
            },
            "/items/{item_id}": {
                "get": {
                    "operationId": "get_item",
                    "summary": "Look up an item",
                    "description": "Path and query parameters together.",
                    "parameters": [
                        {
                            "name": "item_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": sorted(ITEMS)},
                        },
                        {
                            "name": "currency",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["USD", "EUR"], "default": "USD"},
                        },
                        {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                    ],
                    "responses": {"200": ok({"type": "object"}), "404": {"description": "No item"}},
                }
            },
            "/chart": {
                "post": {
                    "operationId": "make_chart",
                    "summary": "Draw a bar chart",
                    "description": "Returns a PNG bar chart of the values as a file output.",
                    "requestBody": json_body(
                        {
                            "type": "object",
                            "required": ["values"],
                            "properties": {
                                "title": {"type": "string", "default": "My chart"},
                                "values": {
                                    "type": "array",
                                    "items": {"type": "number", "minimum": 0},
                                    "minItems": 1,
                                    "maxItems": 50,
                                    "example": [3, 1, 4, 1, 5],
                                },
                                "color": {
                                    "type": "string",
                                    "enum": ["indigo", "teal", "orange"],
                                    "default": "indigo",
                                },
                            },
                        }
                    ),
                    "responses": {"200": ok({"type": "object"})},
                    "x-ouro-output-assets": {
                        "chart": {"asset_type": "file", "primary": True, "file_extensions": ["png"]}
                    },
                }
            },
            "/jobs": {
                "post": {
                    "operationId": "start_job",
                    "summary": "Run a long job",
                    "description": "Answers 202 at once, then reports progress and log lines and "
                    "posts the result to the callback URL.",
                    "requestBody": json_body(
                        {
                            "type": "object",
                            "properties": {
                                "steps": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "maximum": 20,
                                    "default": 3,
                                },
                                "delay": {
                                    "type": "number",
                                    "minimum": 0,
                                    "maximum": 10,
                                    "default": 0.5,
                                },
                                "fail": {"type": "boolean", "default": False},
                            },
                        },
                        required=False,
                    ),
                    "responses": {"202": {"description": "Accepted"}},
                    "x-ouro-execution-mode": "async",
                }
            },
            "/fail": {
                "get": {
                    "operationId": "fail",
                    "summary": "Always fails",
                    "description": "Answers 500, to show how failures are recorded.",
                    "responses": {"500": {"description": "Failure"}},
                }
            },
            "/slow": {
                "get": {
                    "operationId": "slow",
                    "summary": "A slow answer",
                    "parameters": [
                        {
                            "name": "seconds",
                            "in": "query",
                            "schema": {
                                "type": "number",
                                "minimum": 0,
                                "maximum": 120,
                                "default": 2,
                            },
                        }
                    ],
                    "responses": {"200": ok({"type": "object"})},
                }
            },
            "/echo": {
                "post": {
                    "operationId": "echo",
                    "summary": "Echo the request",
                    "description": "Answers with the body, query and `ouro-*` headers it received.",
                    "requestBody": json_body({"type": "object"}, required=False),
                    "responses": {"200": ok({"type": "object"})},
                }
            },
        },
    }


def chart_png(values: list[float], color: str) -> bytes:
    from PIL import Image, ImageDraw

    colors = {"indigo": (79, 70, 229), "teal": (13, 148, 136), "orange": (234, 88, 12)}
    width, height, pad = 400, 240, 20
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    top = max(values) or 1
    bar = (width - 2 * pad) / len(values)
    for i, value in enumerate(values):
        x0 = pad + i * bar + 2
        y0 = height - pad - (height - 2 * pad) * (value / top)
        draw.rectangle(
            [x0, y0, x0 + bar - 4, height - pad], fill=colors.get(color, colors["indigo"])
        )
    draw.line([pad, height - pad, width - pad, height - pad], fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def post_json(url: str, token: str, payload: dict, attempts: int = 3) -> int:
    """Report back; a server error or an unreachable server is retried, as a dependable upstream
    does (a result that did land the first time is answered 409 and changes nothing)."""
    status = 0
    for attempt in range(attempts):
        if attempt:
            time.sleep(0.2 * attempt)
        status = _post_once(url, token, payload)
        if 0 < status < 500:
            break
    return status


def _post_once(url: str, token: str, payload: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "ouro-webhook-token": token},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        log.warning("could not reach %s: %s", url, exc)
        return 0


def run_job(webhook_url: str, token: str, steps: int, delay: float, fail: bool) -> None:
    """Report progress and log lines, then the result, like a real long-running upstream."""
    log_url = webhook_url.rsplit("/webhook", 1)[0] + "/log"
    for step in range(1, steps + 1):
        time.sleep(delay)
        post_json(
            log_url,
            token,
            {
                "message": f"step {step} of {steps} done",
                "level": "info",
                "progress": round(100 * step / (steps + 1)),
            },
        )
    time.sleep(delay)
    if fail:
        post_json(
            webhook_url, token, {"status": "error", "response": {"message": "the job failed"}}
        )
    else:
        post_json(
            webhook_url,
            token,
            {"status": "success", "response": {"steps": steps, "result": sum(range(1, steps + 1))}},
        )


class Handler(BaseHTTPRequestHandler):
    server_version = "DemoUpstream/1.0"
    # Keep-alive, as real APIs do: every answer carries its Content-Length and every request
    # body is read, so the next request on the connection starts where it should.
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle kept-alive connection is closed after a minute
    # Headers and body go out as two writes: without this, Nagle's algorithm holds the body
    # back until the client's delayed ACK (about 40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)

    def _send(self, status: int, payload, content_type: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return {}
        raw = self.rfile.read(length)
        try:
            data = json.loads(raw)
        except ValueError:
            return {"_raw": raw.decode(errors="replace")}
        return data if isinstance(data, dict) else {"_body": data}

    def do_GET(self):  # noqa: N802
        self._body()  # a GET may carry one: it must not be read as the next request
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/openapi.json":
            host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
            return self._send(200, spec(f"http://{host}"))
        if url.path == "/hello":
            return self._send(200, {"message": f"Hello, {query.get('name') or 'world'}!"})
        if url.path.startswith("/items/"):
            item = ITEMS.get(url.path.removeprefix("/items/"))
            if item is None:
                return self._send(404, {"detail": "No such item"})
            rate = 0.9 if query.get("currency") == "EUR" else 1.0
            answer = {
                **item,
                "price": round(item["price"] * rate, 2),
                "currency": query.get("currency", "USD"),
            }
            if query.get("verbose") != "true":
                answer.pop("tags")
            return self._send(200, answer)
        if url.path == "/fail":
            return self._send(500, {"detail": "The demo upstream failed on purpose"})
        if url.path == "/slow":
            seconds = min(float(query.get("seconds", 2)), 120.0)
            time.sleep(seconds)
            return self._send(200, {"slept": seconds})
        if url.path == "/drip":
            return self._drip(query)
        return self._send(404, {"detail": "Not found"})

    def _drip(self, query: dict) -> None:
        """Promise `bytes` of JSON-ish text and send one every `interval` seconds, until done
        or the caller hangs up (every byte arrives well within any read timeout)."""
        size = max(1, min(int(query.get("bytes", 100_000)), 10_000_000))
        interval = max(0.0, min(float(query.get("interval", 0.5)), 10.0))
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        try:
            for _ in range(size):
                time.sleep(interval)
                self.wfile.write(b"x")
        except OSError:
            pass  # the caller gave up: its deadline did its work

    def do_POST(self):  # noqa: N802
        url = urlparse(self.path)
        body = self._body()
        if url.path == "/chart":
            values = body.get("values") or []
            if not values or not all(isinstance(v, int | float) for v in values):
                return self._send(422, {"detail": "values must be a non-empty list of numbers"})
            png = chart_png([float(v) for v in values], body.get("color", "indigo"))
            title = str(body.get("title") or "chart")
            return self._send(
                200,
                {
                    "title": title,
                    "count": len(values),
                    "chart": {
                        "name": title,
                        "filename": "chart.png",
                        "type": "image/png",
                        "base64": base64.b64encode(png).decode(),
                    },
                },
            )
        if url.path == "/jobs":
            webhook_url = self.headers.get("ouro-webhook-url")
            token = self.headers.get("ouro-webhook-token")
            if not webhook_url or not token:
                return self._send(
                    400, {"detail": "ouro-webhook-url and ouro-webhook-token are required"}
                )
            steps = max(1, min(int(body.get("steps", 3)), 20))
            delay = max(0.0, min(float(body.get("delay", 0.5)), 10.0))
            job = threading.Thread(
                target=run_job,
                args=(webhook_url, token, steps, delay, bool(body.get("fail"))),
                daemon=True,
            )
            job.start()
            return self._send(202, {"job_id": str(uuid.uuid4()), "status": "accepted"})
        if url.path == "/echo":
            headers = {
                k.lower(): v for k, v in self.headers.items() if k.lower().startswith("ouro-")
            }
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            auth = self.headers.get("Authorization")
            return self._send(
                200, {"body": body, "query": query, "headers": headers, "authorization": auth}
            )
        return self._send(404, {"detail": "Not found"})


def make_server(host: str = "127.0.0.1", port: int = 8001) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
