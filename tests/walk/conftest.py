"""A second small upstream for the newcomer's walk: it serves its own OpenAPI spec, whose one
operation takes an image file as an input asset, fetches the file from the signed URL it is
given (as a real service would) and describes what it got."""

import json
from http.server import BaseHTTPRequestHandler
from urllib.request import urlopen

import pytest

from tests.loopback import serving


def image_tools_spec(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Image tools", "version": "1.0.0"},
        "servers": [{"url": base_url}],
        "paths": {
            "/describe": {
                "post": {
                    "operationId": "describe_image",
                    "summary": "Describe an image",
                    "description": "Answers with the name, type and size of the image it is given.",
                    "requestBody": {
                        "required": False,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "responses": {"200": {"description": "What the image is"}},
                    "x-ouro-input-assets": {
                        "image": {"asset_type": "file", "input_filter": "image", "primary": True}
                    },
                }
            }
        },
    }


class ImageTools(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        if self.path == "/openapi.json":
            return self._send(200, image_tools_spec(f"http://{self.headers['Host']}"))
        return self._send(404, {"detail": "Not found"})

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/describe":
            return self._send(404, {"detail": "Not found"})
        image = body.get("image") or {}
        with urlopen(image["url"], timeout=10) as response:  # noqa: S310 (a signed loopback URL)
            content = response.read()
        return self._send(
            200,
            {
                "name": image.get("name"),
                "filename": image.get("filename"),
                "bytes": len(content),
                "is_png": content.startswith(b"\x89PNG"),
            },
        )


@pytest.fixture(scope="session")
def image_tools_upstream():
    """The image tools upstream on a free loopback port: its base URL."""
    with serving(ImageTools) as url:
        yield url
