import base64
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def fetch(url, data=None, headers=None):
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_it_serves_an_openapi_31_spec_with_ouro_extensions(demo_upstream):
    status, spec = fetch(f"{demo_upstream}/openapi.json")
    assert status == 200 and spec["openapi"] == "3.1.0"
    assert spec["servers"][0]["url"] == demo_upstream
    assert spec["paths"]["/jobs"]["post"]["x-ouro-execution-mode"] == "async"
    assert spec["paths"]["/chart"]["post"]["x-ouro-output-assets"]["chart"]["asset_type"] == "file"


def test_fast_parameterised_failing_and_chart_routes(demo_upstream):
    assert fetch(f"{demo_upstream}/hello?name=Ada") == (200, {"message": "Hello, Ada!"})
    status, item = fetch(f"{demo_upstream}/items/2?currency=EUR&verbose=true")
    assert status == 200 and item["price"] == 21.6 and item["tags"]
    assert fetch(f"{demo_upstream}/fail")[0] == 500
    status, chart = fetch(f"{demo_upstream}/chart", {"values": [1, 2, 3]})
    assert status == 200
    assert base64.b64decode(chart["chart"]["base64"]).startswith(b"\x89PNG")


def test_the_async_job_reports_logs_then_the_result(demo_upstream):
    received = []
    done = threading.Event()

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, self.headers["ouro-webhook-token"], body))
            self.send_response(200)
            self.end_headers()
            if self.path.endswith("/webhook"):
                done.set()

        def log_message(self, *args):
            pass

    sink = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{sink.server_address[1]}/api/actions/abc/webhook"
    status, body = fetch(
        f"{demo_upstream}/jobs",
        {"steps": 2, "delay": 0.05},
        {"ouro-webhook-url": hook, "ouro-webhook-token": "tok"},
    )
    assert status == 202 and body["status"] == "accepted"
    assert done.wait(10)
    sink.shutdown()
    paths = [path for path, _, _ in received]
    assert paths == ["/api/actions/abc/log", "/api/actions/abc/log", "/api/actions/abc/webhook"]
    assert all(token == "tok" for _, token, _ in received)
    assert received[0][2]["progress"] == 33
    assert received[-1][2] == {"status": "success", "response": {"steps": 2, "result": 3}}


def test_it_keeps_a_connection_alive_and_answers_without_delay(demo_upstream):
    import http.client
    import statistics
    import time
    from urllib.parse import urlsplit

    address = urlsplit(demo_upstream)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", "/hello", body=b'{"ignored": true}')  # a GET with a body
        first = connection.getresponse()
        assert first.status == 200 and first.version == 11
        first.read()
        sock = connection.sock
        took = []
        for n in range(9):
            started = time.perf_counter()
            connection.request("GET", f"/hello?name=n{n}")
            answer = connection.getresponse()
            assert json.loads(answer.read()) == {"message": f"Hello, n{n}!"}
            took.append(time.perf_counter() - started)
        assert connection.sock is sock  # the same connection throughout
        # Nagle's algorithm would hold each body back for the delayed ACK, about 40 ms a call.
        assert statistics.median(took) < 0.02, f"kept-alive calls took {sorted(took)}"
    finally:
        connection.close()
