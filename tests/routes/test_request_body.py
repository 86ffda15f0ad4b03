"""The pure body encoder: each media type on the wire, read back as an upstream reads it."""

import hashlib
from urllib.parse import parse_qs

import pytest

from apps.services.request_body import (
    BodyEncodeError,
    WireFile,
    body_encode,
    file_refs,
    form_urlencode,
    media_kind,
)
from tests.routes.body_upstream import parse_body

PNG = WireFile(name="dot.png", content_type="image/png", content=b"\x89PNG\r\n\x1a\n" + bytes(300))
CSV = WireFile(name="people.csv", content_type="text/csv", content=b"name\nAda\n")
FILES = {"f1": PNG, "f2": CSV}


@pytest.mark.parametrize(
    ("media", "kind"),
    [
        ("application/json", "json"),
        ("application/json; charset=utf-8", "json"),
        ("application/json-patch+json", "json"),
        ("application/merge-patch+json", "json"),
        ("application/x-www-form-urlencoded", "form"),
        ("multipart/form-data", "multipart"),
        ("text/plain", "text"),
        ("application/xml", "text"),
        ("application/octet-stream", "file"),
        ("image/png", "file"),
        ("*/*", "file"),
    ],
)
def test_media_types_are_sorted_into_what_can_be_sent(media, kind):
    assert media_kind(media) == kind


def test_form_fields_follow_the_openapi_encoding_rules():
    body = {
        "name": "party parrot",
        "tags": ["a", "b c"],
        "ids": [1, 2],
        "flag": True,
        "card": {"number": "4242", "exp": {"month": 1}},
        "meta": {"k": "v"},
        "point": {"x": 1, "y": 2},
        "skip": None,
        "piped": ["x", "y"],
    }
    encoding = {
        "ids": {"explode": False},
        "card": {"style": "deepObject", "explode": True},
        "meta": {"contentType": "application/json"},
        "point": {"style": "form", "explode": False},
        "piped": {"style": "pipeDelimited", "explode": False},
    }
    parsed = parse_qs(form_urlencode(body, encoding), keep_blank_values=True)
    assert parsed == {
        "name": ["party parrot"],
        "tags": ["a", "b c"],
        "ids": ["1,2"],
        "flag": ["true"],
        "card[number]": ["4242"],
        "card[exp][month]": ["1"],
        "meta": ['{"k":"v"}'],
        "point": ["x,1,y,2"],
        "piped": ["x|y"],
    }


def test_an_object_in_a_form_without_encoding_spreads_its_properties():
    assert parse_qs(form_urlencode({"where": {"city": "Oslo"}})) == {"city": ["Oslo"]}


def test_multipart_carries_text_json_and_file_parts_with_their_types():
    body = {
        "prompt": "a cat",
        "n": 2,
        "image": {"assetId": "f1"},
        "mask": {"assetId": "f2"},
        "extra": {"size": "256x256"},
        "files": [{"assetId": "f1"}, {"assetId": "f2"}],
        "tags": ["x", "y"],
    }
    encoding = {"mask": {"contentType": "image/png"}, "n": {"contentType": "text/plain"}}
    encoded = body_encode(
        media_type="multipart/form-data", body=body, encoding=encoding, files=FILES
    )
    assert encoded.content_type.startswith("multipart/form-data; boundary=")
    parts = parse_body(encoded.content_type, encoded.content)["parts"]
    by_name = [(p["name"], p["filename"], p["content_type"], p.get("text")) for p in parts]
    assert by_name == [
        ("prompt", None, None, "a cat"),
        ("n", None, "text/plain", "2"),
        ("image", "dot.png", "image/png", None),
        ("mask", "people.csv", "image/png", None),
        ("extra", None, "application/json", '{"size":"256x256"}'),
        ("files", "dot.png", "image/png", None),
        ("files", "people.csv", "text/csv", None),
        ("tags", None, None, "x"),
        ("tags", None, None, "y"),
    ]
    assert parts[2]["sha256"] == hashlib.sha256(PNG.content).hexdigest()
    assert parts[2]["size"] == len(PNG.content)


def test_a_single_file_body_is_the_files_bytes():
    encoded = body_encode(
        media_type="application/octet-stream", body={"assetId": "f2"}, files=FILES
    )
    assert (encoded.content, encoded.content_type) == (CSV.content, "application/octet-stream")
    wildcard = body_encode(media_type="image/*", body={"assetId": "f1"}, files=FILES)
    assert wildcard.content_type == "image/png"
    with pytest.raises(BodyEncodeError, match="file"):
        body_encode(media_type="application/octet-stream", body="text", files=FILES)


def test_text_and_json_bodies_keep_the_declared_type():
    text = body_encode(media_type="text/plain", body="héllo")
    assert (text.content, text.content_type) == ("héllo".encode(), "text/plain")
    patch = body_encode(media_type="application/json-patch+json", body=[{"op": "remove"}])
    assert patch.content == b'[{"op": "remove"}]'
    assert patch.content_type == "application/json-patch+json"


def test_bodies_of_the_wrong_shape_are_refused_with_a_reason():
    with pytest.raises(BodyEncodeError, match="object of fields"):
        form_urlencode(["a"])
    with pytest.raises(BodyEncodeError, match="could not be read"):
        body_encode(media_type="multipart/form-data", body={"f": {"assetId": "gone"}})


def test_file_references_are_found_with_their_paths():
    body = {"a": {"assetId": "1"}, "b": [{"assetId": "2"}], "c": {"d": {"assetId": "3"}}}
    assert file_refs(body) == [("body.a", "1"), ("body.b.0", "2"), ("body.c.d", "3")]
