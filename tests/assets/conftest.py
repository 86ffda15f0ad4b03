"""An upstream that takes and returns assets, and routes declaring them.

The upstream runs on a free loopback port. It fetches each injected file from its signed `url`
(as a real service would), records what it received, and answers with declared outputs.
"""

import base64
import csv
import io
import json
import urllib.request
from http.server import BaseHTTPRequestHandler

import pytest
from PIL import Image

from apps.accounts.services import personal_org
from apps.assets.services import Owner, dataset_create, file_create
from apps.routes.models import Route
from apps.services.models import Service
from tests.loopback import serving


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, format="PNG")
    return out.getvalue()


def _fetch(url: str) -> tuple[int, bytes]:
    # No redirects are followed: the signed URL must answer with the bytes itself.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(url, timeout=10) as response:
        return response.status, response.read()


class AssetUpstream(BaseHTTPRequestHandler):
    received: list = []

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _send(self, status: int, payload) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        record = {"path": self.path, "body": body, "fetched": {}}
        AssetUpstream.received.append(record)
        if self.path == "/csv-stats":
            status, content = _fetch(body["table"]["url"])
            record["fetched"]["table"] = status
            rows = list(csv.DictReader(io.StringIO(content.decode())))
            numeric = [c for c in rows[0] if all(_number(r[c]) is not None for r in rows)]
            stats = [
                {
                    "column": c,
                    "count": len(rows),
                    "mean": sum(_number(r[c]) for r in rows) / len(rows),
                }
                for c in numeric
            ]
            return self._send(
                200,
                {"rows": len(rows), "summary": {"name": "Column stats", "data": stats}},
            )
        if self.path == "/image-info":
            status, content = _fetch(body["image"]["url"])
            record["fetched"]["image"] = status
            image = Image.open(io.BytesIO(content))
            text = f"# {body['image']['name']}\n\n{image.width}×{image.height} {image.format}"
            return self._send(
                200,
                {
                    "width": image.width,
                    "height": image.height,
                    "report": {"name": "Image report", "content": {"text": text}},
                },
            )
        if self.path == "/dataset-total":
            rows = body["stats"]["data"]
            total = sum(r.get("count", 0) for r in rows)
            note = f"{len(rows)} rows, total count {total}".encode()
            return self._send(
                200,
                {
                    "total": total,
                    "note": {
                        "name": "Total",
                        "filename": "total.txt",
                        "type": "text/plain",
                        "base64": base64.b64encode(note).decode(),
                    },
                },
            )
        if self.path == "/post-words":
            text = body["note"]["content"]["text"]
            return self._send(200, {"words": len(text.split())})
        if self.path == "/inspect":
            return self._send(200, {"seen": body})
        return self._send(404, {"detail": "no such path"})


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


@pytest.fixture(scope="session")
def asset_upstream_server():
    with serving(AssetUpstream) as url:
        yield url


@pytest.fixture
def asset_upstream(asset_upstream_server):
    """The upstream's base URL; `asset_upstream.received` is what it got in this test."""
    AssetUpstream.received = []
    return asset_upstream_server


@pytest.fixture
def received():
    return lambda: AssetUpstream.received


def owner_of(user) -> Owner:
    org = personal_org()
    return Owner(user=user, org=org, team=org.default_team)


@pytest.fixture
def upstream_service(alice, asset_upstream):
    org = personal_org()
    return Service.objects.create(
        user=alice,
        org=org,
        team=org.default_team,
        name="Asset tools",
        visibility="public",
        base_url=asset_upstream,
    )


@pytest.fixture
def make_route(upstream_service):
    def build(path: str, *, inputs=None, outputs=None, name=None, **fields) -> Route:
        service = fields.pop("service", upstream_service)
        return Route.objects.create(
            user=service.user,
            org=service.org,
            team=service.team,
            parent=service,
            service=service,
            name=name or path.strip("/"),
            visibility=fields.pop("visibility", "inherit"),
            method="POST",
            path=path,
            input_assets=inputs or {},
            output_assets=outputs or {},
            **fields,
        )

    return build


@pytest.fixture
def csv_stats(make_route):
    return make_route(
        "/csv-stats",
        name="CSV stats",
        summary="Column statistics of a CSV table",
        inputs={"table": {"asset_type": "file", "file_extensions": ["csv"], "primary": True}},
        outputs={"summary": {"asset_type": "dataset", "primary": True}},
    )


@pytest.fixture
def image_info(make_route):
    return make_route(
        "/image-info",
        name="Image info",
        summary="Size and format of an image",
        inputs={"image": {"asset_type": "file", "input_filter": "image"}},
        outputs={"report": {"asset_type": "post"}},
    )


@pytest.fixture
def dataset_total(make_route):
    return make_route(
        "/dataset-total",
        name="Dataset total",
        summary="Sum a stats dataset",
        inputs={"stats": {"asset_type": "dataset"}},
        outputs={"note": {"asset_type": "file", "file_extensions": ["txt"]}},
    )


@pytest.fixture
def post_words(make_route):
    return make_route(
        "/post-words",
        name="Post words",
        inputs={"note": {"asset_type": "post"}},
    )


@pytest.fixture
def make_file():
    def build(user, content: bytes, file_name: str, visibility="private", name=None):
        return file_create(
            owner=owner_of(user),
            name=name or file_name,
            file_name=file_name,
            content=content,
            visibility=visibility,
        )

    return build


@pytest.fixture
def make_dataset():
    def build(user, rows, visibility="private", name="rows"):
        return dataset_create(owner=owner_of(user), name=name, rows=rows, visibility=visibility)[0]

    return build


CSV = b"name,height,weight\nA,1.5,60\nB,1.7,70\nC,1.9,80\n"
