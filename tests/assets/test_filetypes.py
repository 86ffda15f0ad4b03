"""The pure core: file kinds from content and extension, and input declarations."""

import io

from PIL import Image

from apps.assets.filetypes import declaration_mismatch, detect_kind, matches_filter


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (3, 2), "red").save(out, format="PNG")
    return out.getvalue()


def test_binary_formats_are_typed_by_their_content():
    assert detect_kind(png_bytes(), "photo.png") == ("image/png", "png")
    assert detect_kind(b"%PDF-1.7 ...", "paper.pdf") == ("application/pdf", "pdf")


def test_content_wins_over_a_misleading_extension():
    kind = detect_kind(b"%PDF-1.4 body", "not-really.png")
    assert kind.content_type == "application/pdf"
    assert kind.extension == "pdf"


def test_text_is_typed_by_its_extension():
    assert detect_kind(b"a,b\n1,2\n", "table.csv").content_type == "text/csv"
    assert detect_kind(b'{"a": 1}', "data.json").content_type == "application/json"
    assert detect_kind(b"hello", "notes").content_type == "text/plain"


def test_unknown_binary_is_octet_stream():
    assert detect_kind(b"\x00\x01\x02", "blob.dat").content_type == "application/octet-stream"


def test_zip_containers_keep_their_office_extension():
    kind = detect_kind(b"PK\x03\x04rest", "sheet.xlsx")
    assert kind.extension == "xlsx"
    assert "spreadsheet" in kind.content_type


def test_filters_match_by_family_and_structures_by_extension():
    assert matches_filter("image", "image/png", "png")
    assert not matches_filter("image", "application/pdf", "pdf")
    assert matches_filter("pdf", "application/pdf", "pdf")
    assert matches_filter("atomic structure", "chemical/x-cif", "cif")
    assert not matches_filter("atomic structure", "text/plain", "txt")


def test_declaration_mismatches_name_what_was_expected():
    image_png = {"asset_type": "file", "input_filter": "image", "file_extensions": ["png"]}
    assert (
        declaration_mismatch(
            image_png, asset_type="file", content_type="image/png", extension="png"
        )
        is None
    )
    assert "dataset" in declaration_mismatch(
        {"asset_type": "dataset"}, asset_type="file", content_type="image/png"
    )
    assert "image" in declaration_mismatch(
        image_png, asset_type="file", content_type="application/pdf", extension="pdf"
    )
    assert ".png" in declaration_mismatch(
        image_png, asset_type="file", content_type="image/jpeg", extension="jpg"
    )


def test_several_accepted_types_are_honoured():
    either = {"asset_type": "file", "asset_types": ["file", "dataset"]}
    assert declaration_mismatch(either, asset_type="dataset") is None
    assert declaration_mismatch(either, asset_type="post") is not None
