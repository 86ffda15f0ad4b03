"""What kind of file some bytes are, and whether a route's input declaration accepts an asset.

Pure functions: no database, no storage.
"""

import mimetypes
import os
from typing import NamedTuple

# Leading bytes of the formats we recognise by content, most specific first.
_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"PK\x03\x04", 0, "application/zip", "zip"),
    (b"\x1f\x8b", 0, "application/gzip", "gz"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"OggS", 0, "audio/ogg", "ogg"),
    (b"fLaC", 0, "audio/flac", "flac"),
    (b"\x1aE\xdf\xa3", 0, "video/webm", "webm"),
    (b"ftyp", 4, "video/mp4", "mp4"),
)
_RIFF = {
    b"WAVE": ("audio/wav", "wav"),
    b"WEBP": ("image/webp", "webp"),
    b"AVI ": ("video/x-msvideo", "avi"),
}
# ZIP containers whose extension says more than the content does.
_ZIP_FAMILY = {"docx", "xlsx", "pptx", "odt", "ods", "jar", "epub", "zip"}
_TEXT_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/json",
    "md": "text/markdown",
    "txt": "text/plain",
    "html": "text/html",
    "xml": "application/xml",
    "svg": "image/svg+xml",
    "yaml": "application/yaml",
    "yml": "application/yaml",
    "cif": "chemical/x-cif",
    "xyz": "chemical/x-xyz",
}

# Declared input filters and the types they accept.
FILTERS = ("image", "audio", "video", "pdf", "text", "csv", "json")
# Filters recognised by extension: their formats share no content signature.
FILTER_EXTENSIONS = {
    "3d model": {"glb", "gltf", "obj", "stl", "ply", "fbx", "usdz", "3mf"},
    "atomic structure": {"cif", "xyz", "extxyz", "pdb", "poscar", "vasp", "mol", "mol2", "sdf"},
}


class FileKind(NamedTuple):
    content_type: str
    extension: str


def extension_of(file_name: str) -> str:
    return os.path.splitext(file_name or "")[1].lstrip(".").lower()


def _sniff(content: bytes) -> tuple[str, str] | None:
    for magic, offset, mime, ext in _SIGNATURES:
        if content[offset : offset + len(magic)] == magic:
            return mime, ext
    if content[:4] == b"RIFF" and content[8:12] in _RIFF:
        return _RIFF[content[8:12]]
    return None


def _is_text(content: bytes) -> bool:
    sample = content[:8192]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start >= len(sample) - 3
    return True


def detect_kind(content: bytes, file_name: str) -> FileKind:
    """The type of `content`: recognised formats by their bytes, text by the extension.

    The content wins over the extension for binary formats (a PDF named .png is a PDF);
    text is typed by its extension, or plain text.
    """
    ext = extension_of(file_name)
    sniffed = _sniff(content)
    if sniffed:
        mime, sniffed_ext = sniffed
        if mime == "application/zip" and ext in _ZIP_FAMILY:
            return FileKind(mimetypes.guess_type(f"x.{ext}")[0] or mime, ext)
        same_family = ext and (mimetypes.guess_type(f"x.{ext}")[0] or "") == mime
        return FileKind(mime, ext if same_family or ext == sniffed_ext else sniffed_ext)
    if _is_text(content):
        mime = (_TEXT_TYPES.get(ext) or mimetypes.guess_type(f"x.{ext}")[0]) if ext else None
        if not mime or not (mime.startswith("text/") or ext in _TEXT_TYPES):
            return FileKind("text/plain", ext or "txt")
        return FileKind(mime, ext)
    return FileKind("application/octet-stream", ext or "bin")


def category_of(content_type: str, extension: str = "") -> str:
    """The filter family of a type: image, audio, video, pdf, csv, json, text or other."""
    major = content_type.split("/", 1)[0]
    if content_type == "application/pdf":
        return "pdf"
    if content_type == "text/csv" or extension == "csv":
        return "csv"
    if content_type == "application/json" or extension == "json":
        return "json"
    if major in ("image", "audio", "video", "text"):
        return major
    return "other"


def matches_filter(input_filter: str, content_type: str, extension: str) -> bool:
    if not input_filter:
        return True
    if input_filter in FILTER_EXTENSIONS:
        return extension.lower() in FILTER_EXTENSIONS[input_filter]
    category = category_of(content_type, extension)
    # CSV and JSON are text too.
    return category == input_filter or (input_filter == "text" and category in ("csv", "json"))


def declared_types(declaration: dict) -> list[str]:
    types = declaration.get("asset_types") or [declaration.get("asset_type") or "file"]
    return [str(t) for t in types]


def declared_extensions(declaration: dict) -> list[str]:
    raw = (
        declaration.get("file_extensions")
        or declaration.get("input_file_extensions")
        or declaration.get("input_file_extension")
        or []
    )
    if isinstance(raw, str):
        raw = [raw]
    return [str(e).lstrip(".").lower() for e in raw if e]


def declaration_mismatch(
    declaration: dict, *, asset_type: str, content_type: str = "", extension: str = ""
) -> str | None:
    """Why an asset does not fit an input declaration, or None when it does."""
    types = declared_types(declaration)
    if asset_type not in types:
        return f"expects a {' or '.join(types)}, not a {asset_type}"
    if asset_type != "file":
        return None
    input_filter = declaration.get("input_filter") or ""
    if not matches_filter(input_filter, content_type, extension):
        return f"expects a {input_filter} file, not {content_type or 'an unknown type'}"
    extensions = declared_extensions(declaration)
    if extensions and extension.lower() not in extensions:
        shown = ", ".join(f".{e}" for e in extensions)
        return f"expects a file ending in {shown}, not .{extension or '(none)'}"
    return None
