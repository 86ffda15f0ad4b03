"""The import report says what the run form does: built on the form builder, it is held here
against the rendered route page of every operation of every public spec (each body media
type the page offers), and on small specs against what the old report got wrong."""

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from apps.accounts.services import personal_org
from apps.routes.import_report import import_report
from apps.routes.models import Route
from apps.routes.services import service_import_openapi
from apps.services.importer import import_bytes, parse_spec
from apps.services.services import spec_from_path
from tests.spec_files import FIXTURE_SPECS, spec_corpus_dir

SPECS = spec_corpus_dir()
LIMIT = 16 * 1024 * 1024
# Controls of the run form that are not inputs of the operation.
CONTROL = re.compile(r"^(csrfmiddlewaretoken|body__media|input_assets\..*|upload\..*)$|__count$")


def report_of(document: dict) -> dict:
    return import_report(parse_spec(document))


def spec(paths: dict, **extra) -> dict:
    return {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.org"}],
        "paths": paths,
        **extra,
    }


def test_cookies_are_not_offered_and_files_and_choices_are_fields():
    report = report_of(
        spec(
            {
                "/upload": {
                    "post": {
                        "parameters": [{"name": "session", "in": "cookie", "schema": {}}],
                        "requestBody": {
                            "content": {
                                "multipart/form-data": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "files": {
                                                "type": "array",
                                                "items": {"type": "string", "format": "binary"},
                                            },
                                            "mode": {
                                                "oneOf": [{"type": "string"}, {"type": "integer"}]
                                            },
                                        },
                                    }
                                }
                            }
                        },
                        "responses": {},
                    }
                },
                "/raw": {
                    "put": {
                        "requestBody": {"content": {"application/octet-stream": {"schema": {}}}},
                        "responses": {},
                    }
                },
            }
        )
    )
    upload, raw = report["routes"]
    assert upload["fields"] == ["body.files", "body.mode"]
    assert upload["not_offered"] == [
        ["cookie.session", "cookie parameters are not sent by the platform"]
    ]
    assert raw["media_types"] == ["application/octet-stream"] and raw["fields"] == ["body"]
    assert raw["fully_representable"] and report["fully_representable"] == 1
    messages = [(w["kind"], w["where"], w["message"]) for w in report["warnings"]]
    assert messages == [
        (
            "not offered",
            "POST /upload",
            "cookie.session is not offered: cookie parameters are not sent by the platform",
        )
    ]


def test_a_nested_object_of_a_multipart_body_is_reported_as_the_fieldset_it_is():
    result = import_bytes((FIXTURE_SPECS / "openapi-3.0-store.yaml").read_bytes(), max_bytes=LIMIT)
    routes = {(r["method"], r["path"]): r for r in import_report(result)["routes"]}
    upload = routes[("POST", "/files/content")]
    assert upload["fields"] == ["body.attributes.name", "body.file"]
    assert upload["json_text"] == []


def test_json_text_is_reported_with_its_reason():
    report = report_of(
        spec(
            {
                "/x": {
                    "post": {
                        "requestBody": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "meta": {"type": "object"},
                                            "name": {"type": "string"},
                                        },
                                    }
                                }
                            }
                        },
                        "responses": {},
                    }
                }
            }
        )
    )
    assert report["routes"][0]["json_text"] == [
        ["body.meta", "it is a map with no declared properties"]
    ]
    assert report["warnings"][0]["message"] == (
        "body.meta is typed as JSON text: it is a map with no declared properties"
    )
    assert report["fully_representable"] == 0


def test_callbacks_and_webhooks_are_listed_as_not_routes():
    document = spec(
        {
            "/subscribe": {
                "post": {
                    "callbacks": {"onEvent": {"{$request.body#/url}": {"post": {}}}},
                    "responses": {},
                }
            }
        },
        webhooks={"newPet": {"post": {"responses": {}}}},
    )
    document["openapi"] = "3.1.0"
    messages = " ".join(w["message"] for w in report_of(document)["warnings"])
    assert "Callbacks (onEvent)" in messages and "1 webhook(s)" in messages and "newPet" in messages


# The report held against the rendered route pages ------------------------------------------


class FormControls(HTMLParser):
    """The names of the run form's inputs, which of them are textareas, and the media picker."""

    def __init__(self):
        super().__init__()
        self.in_form = False
        self.names: set[str] = set()
        self.textareas: set[str] = set()
        self.media: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "run-form" in (attrs.get("class") or ""):
            self.in_form = True
        if not self.in_form:
            return
        if tag in ("input", "select", "textarea") and attrs.get("name"):
            self.names.add(attrs["name"])
            if tag == "textarea":
                self.textareas.add(attrs["name"])
        if tag == "a" and (attrs.get("href") or "").startswith("?media="):
            self.media.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def shown(name: str) -> str:
    """A control's name as a report path: no variant marks, list items as `*`."""
    name = re.sub(r"__upload$", "", re.sub(r"__v\d+", "", name))
    return re.sub(r"\.(\d+|\$)(?=\.|$)", ".*", name)


def rendered(client, route: Route, media_types: list[str]) -> tuple[set, set, set, list]:
    """(input paths, JSON-text paths, lists shown, media links) over the page's media types."""
    names, textareas, lists, media = set(), set(), set(), []
    for media_type in media_types or [None]:
        url = route.get_absolute_url()
        if media_type:
            url += "?" + urlencode({"media": media_type})
        response = client.get(url)
        assert response.status_code == 200, url
        parser = FormControls()
        parser.feed(response.content.decode())
        assert parser.names, f"{url}: no run form"
        for name in parser.names:
            if name.endswith("__count"):
                lists.add(shown(name[: -len("__count")]))
            elif not CONTROL.search(name) and not name.endswith("__variant"):
                names.add(shown(name))
        textareas |= {shown(n) for n in parser.textareas}
        media = parser.media
    return names, textareas, lists, media


def under_a_list(path: str, lists: set[str]) -> bool:
    return any(path.startswith(prefix + ".*") for prefix in lists)


CORPUS = sorted(p.name for p in SPECS.glob("*.*") if p.suffix in (".json", ".yaml")) + [
    "oai-v2.0-petstore-separate"
]


@pytest.mark.skipif(not SPECS.is_dir(), reason="no public spec corpus")
@pytest.mark.parametrize("name", CORPUS)
def test_the_report_matches_the_rendered_form_of_every_operation(name, alice, client):
    source = SPECS / name
    if source.is_dir():
        source = source / "spec" / "swagger.json"
    result = spec_from_path(source)
    service, _ = service_import_openapi(
        owner=alice,
        org=personal_org(),
        source=result,
        name=name,
        base_url="" if result.base_url.startswith("http") else "https://api.example.org",
    )
    client.force_login(alice)
    by_key = {(r.method, r.path): r for r in Route.objects.live().filter(service=service)}
    report = service.import_report
    assert len(report["routes"]) == len(by_key)
    for entry in report["routes"]:
        route = by_key[(entry["method"], entry["path"])]
        where = f"{name} {route.method} {route.path}"
        names, textareas, lists, media = rendered(client, route, entry["media_types"])
        fields, json_text = set(entry["fields"]), {path for path, _ in entry["json_text"]}
        # Every input on the page is in the report, as a field or as JSON text...
        assert names <= fields | json_text, (where, names - fields - json_text)
        # ...and every one the report names is on the page (a list's items once added).
        missing = {p for p in fields | json_text if p not in names and not under_a_list(p, lists)}
        assert not missing, (where, missing)
        assert {p for p in json_text if p in names} <= textareas, where
        # What is not offered is not on the page; the page offers the report's media types.
        assert not any(n.startswith("cookie.") for n in names), where
        if len(entry["media_types"]) > 1:
            assert len(media) == len(entry["media_types"]), where


@pytest.mark.skipif(not SPECS.is_dir(), reason="no public spec corpus")
def test_the_swagger_petstores_file_upload_is_a_file_field_in_report_and_page(alice, client):
    result = spec_from_path(SPECS / "swagger-petstore-v2.yaml")
    service, _ = service_import_openapi(owner=alice, org=personal_org(), source=result, name="")
    upload = next(r for r in service.import_report["routes"] if r["path"].endswith("uploadImage"))
    assert upload["media_types"] == ["multipart/form-data"]
    assert "body.file" in upload["fields"]
    client.force_login(alice)
    page = client.get(service.routes.get(path=upload["path"]).get_absolute_url())
    assert 'type="file"' in page.content.decode() and 'name="body.file__upload"' in (
        page.content.decode()
    )


def test_the_preview_lists_renames_and_what_is_json_text(client, alice):
    client.force_login(alice)
    document = spec(
        {
            "/x": {
                "post": {
                    "operationId": "make",
                    "requestBody": {
                        "content": {"application/json": {"schema": {"type": "object"}}}
                    },
                    "responses": {},
                }
            }
        }
    )
    service_import_openapi(
        owner=alice,
        org=personal_org(),
        source=parse_spec(document),
        name="First",
    )
    page = client.post(
        "/services/new/preview", {"name": "Second", "spec_text": json.dumps(document)}
    ).content.decode()
    assert "&#x27;make&#x27; is named &#x27;second-make&#x27;" in page
    assert "body is typed as JSON text" in page
    assert "0 of 1 route run from form fields alone" in page
