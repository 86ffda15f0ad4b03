"""Writes for files, datasets, shares and route links; signed URLs for file bytes."""

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename

from apps.accounts.models import Organization, Role, Team, User
from apps.assets.filetypes import detect_kind
from apps.assets.market import MONETIZED
from apps.assets.models import (
    Asset,
    AssetShare,
    AssetType,
    Dataset,
    DatasetRow,
    DatasetView,
    File,
    FileUpload,
    Visibility,
)
from apps.assets.provenance import (
    ProvenanceError,
    attribution_for_create,
    attribution_merged,
    license_id_checked,
)
from apps.assets.query import QueryError, QueryResult, run_query
from apps.assets.selectors import reference_ids_visible
from apps.assets.tabular import (
    SCHEMA_MAX_COLUMNS,
    TEXT,
    column_type,
    columns_from_create_table,
    convert_value,
    infer_columns,
    rows_from_csv,
    typed_row,
)

SIGNED_URL_TTL_SECONDS = 15 * 60
_SALT_DOWNLOAD = "assets.download"
_SALT_UPLOAD = "assets.upload"


class AssetError(Exception):
    """A request about an asset that cannot be honoured, with a status and a stable code."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_asset"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Owner:
    """Who a new asset belongs to and where it lives."""

    user: User
    org: Organization
    team: Team


def visibility_checked(value: str | None, default: str = Visibility.PRIVATE) -> str:
    """A visibility a client sent; "monetized" (for sale, priced through `market`) too."""
    if not value:
        return default
    if value not in (*Visibility.values, MONETIZED):
        choices = ", ".join((*Visibility.values, MONETIZED))
        raise AssetError(f"visibility must be one of {choices}", code="invalid_visibility")
    return value


# Files ----------------------------------------------------------------------------------------


def file_size_check(size: int) -> None:
    limit = settings.FILE_UPLOAD_MAX_BYTES
    if size > limit:
        raise AssetError(
            f"The file is {size} bytes; the limit is {limit} bytes",
            status=413,
            code="file_too_large",
        )


def _safe_name(file_name: str) -> str:
    base = os.path.basename(file_name or "") or "file"
    try:
        return get_valid_filename(base)[:150]
    except Exception:
        return "file"


def _store(prefix: str, file_name: str, content: bytes) -> str:
    path = f"{prefix}/{_safe_name(file_name)}"
    return default_storage.save(path, ContentFile(content))


def _storage_delete(path: str) -> None:
    if path and default_storage.exists(path):
        default_storage.delete(path)


def file_upload_store(
    *, user: User, file_name: str, content: bytes, visibility: str | None = None
) -> FileUpload:
    """Keep uploaded bytes until a file asset is created from them."""
    file_size_check(len(content))
    kind = detect_kind(content, file_name)
    upload_id = uuid.uuid4()
    path = _store(f"files/{upload_id}", file_name, content)
    return FileUpload.objects.create(
        id=upload_id,
        user=user,
        file_name=_safe_name(file_name),
        storage_path=path,
        content_type=kind.content_type,
        extension=kind.extension,
        size=len(content),
        visibility=visibility_checked(visibility),
        received=True,
    )


def file_upload_reserve(*, user: User, file_name: str, visibility: str | None) -> FileUpload:
    """A slot for a signed direct upload; the bytes arrive later through the signed URL."""
    upload_id = uuid.uuid4()
    return FileUpload.objects.create(
        id=upload_id,
        user=user,
        file_name=_safe_name(file_name),
        storage_path="",
        visibility=visibility_checked(visibility),
    )


def file_upload_receive(*, upload: FileUpload, content: bytes) -> FileUpload:
    file_size_check(len(content))
    kind = detect_kind(content, upload.file_name)
    old_path = upload.storage_path
    upload.storage_path = _store(f"files/{upload.pk}", upload.file_name, content)
    upload.content_type = kind.content_type
    upload.extension = kind.extension
    upload.size = len(content)
    upload.received = True
    upload.save()
    if old_path and old_path != upload.storage_path:
        _storage_delete(old_path)
    return upload


def file_upload_discard(*, upload: FileUpload) -> None:
    _storage_delete(upload.storage_path)
    upload.delete()


def _apply_bytes(file: File, *, file_name: str, content: bytes, path: str | None = None) -> None:
    kind = detect_kind(content, file_name)
    file.file_name = _safe_name(file_name)
    file.content_type = kind.content_type
    file.extension = kind.extension
    file.size = len(content)
    file.sha256 = hashlib.sha256(content).hexdigest()
    file.storage_path = path or _store(f"files/{file.pk}", file_name, content)


@transaction.atomic
def file_create(
    *,
    owner: Owner,
    name: str,
    file_name: str,
    content: bytes,
    visibility: str | None = None,
    description: str = "",
    source: str = "web",
    metadata: dict | None = None,
    asset_id: uuid.UUID | None = None,
    license_id: str | None = None,
    attribution: dict | None = None,
) -> File:
    """A new file; `asset_id` when its id was given out before (a post's partial embed)."""
    file_size_check(len(content))
    file = File(
        id=asset_id or uuid.uuid4(),
        user=owner.user,
        org=owner.org,
        team=owner.team,
        name=(name or file_name or "file")[:200],
        description=description or "",
        visibility=visibility_checked(visibility),
        source=source,
        metadata=metadata or {},
        **provenance_for_create(license_id, attribution),
    )
    _apply_bytes(file, file_name=file_name, content=content)
    file.save()
    return file


@transaction.atomic
def file_create_from_upload(
    *,
    owner: Owner,
    upload: FileUpload,
    name: str,
    visibility: str | None = None,
    description: str = "",
    source: str = "api",
    metadata: dict | None = None,
    license_id: str | None = None,
    attribution: dict | None = None,
) -> File:
    """Turn an upload into a file asset with the upload's id."""
    if not upload.received:
        raise AssetError("Nothing was uploaded for this upload id yet", code="upload_incomplete")
    if File.objects.filter(pk=upload.pk).exists():
        raise AssetError("A file already exists for this upload", status=409, code="conflict")
    with default_storage.open(upload.storage_path, "rb") as handle:
        content = handle.read()
    file = File(
        id=upload.pk,
        user=owner.user,
        org=owner.org,
        team=owner.team,
        name=(name or upload.file_name)[:200],
        description=description or "",
        visibility=visibility_checked(visibility, upload.visibility),
        source=source,
        metadata=metadata or {},
        **provenance_for_create(license_id, attribution),
    )
    _apply_bytes(file, file_name=upload.file_name, content=content, path=upload.storage_path)
    file.save()
    upload.delete()
    return file


def file_read(*, file: File) -> bytes:
    with default_storage.open(file.storage_path, "rb") as handle:
        return handle.read()


@transaction.atomic
def file_replace_content(*, file: File, file_name: str, content: bytes) -> File:
    """New bytes for a file, written in place: its storage path stays what it was (links to
    it and the client's record of it hold), its name and type follow the new bytes."""
    file_size_check(len(content))
    path = file.storage_path
    _apply_bytes(file, file_name=file_name or file.file_name, content=content, path=path or None)
    file.save()
    if path:
        # Last, once the row is written: the storage would pick another name for a taken one.
        _storage_delete(path)
        stored = default_storage.save(path, ContentFile(content))
        if stored != path:  # a concurrent writer took the name in between
            File.objects.filter(pk=file.pk).update(storage_path=stored)
            file.storage_path = stored
    return file


@transaction.atomic
def file_replace_from_upload(*, file: File, upload: FileUpload) -> File:
    with default_storage.open(upload.storage_path, "rb") as handle:
        content = handle.read()
    file_replace_content(file=file, file_name=upload.file_name, content=content)
    file_upload_discard(upload=upload)
    return file


def provenance_for_create(license_id=None, attribution=None) -> dict:
    """A new asset's `license_id` and `attribution` fields, checked (AssetError otherwise)."""
    try:
        return {
            "license_id": license_id_checked(license_id),
            "attribution": attribution_for_create(attribution),
        }
    except ProvenanceError as exc:
        raise AssetError(exc.message, code="invalid_attribution") from None


def provenance_update(asset: Asset, *, license_id=None, attribution=None) -> None:
    """Set what was sent of an asset's licence and attribution (not saved): a partial
    attribution merges into the stored one."""
    try:
        if license_id is not None:
            asset.license_id = license_id_checked(license_id)
        if attribution is not None:
            asset.attribution = attribution_merged(asset.attribution, attribution)
    except ProvenanceError as exc:
        raise AssetError(exc.message, code="invalid_attribution") from None


def asset_update(
    *,
    asset: Asset,
    name: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
    license_id: str | None = None,
    attribution: dict | None = None,
) -> Asset:
    if name:
        asset.name = name[:200]
    if description is not None:
        asset.description = description
    if visibility:
        asset.visibility = visibility_checked(visibility)
    provenance_update(asset, license_id=license_id, attribution=attribution)
    asset.save()
    return asset


def asset_delete(*, asset: Asset, delete_children: bool = False, dry_run: bool = False) -> dict:
    """Delete an asset (and, when asked, its children); report what went or would go."""
    children = list(asset.children.all()) if delete_children else []
    summary = {
        "id": str(asset.pk),
        "name": asset.name,
        "asset_type": asset.asset_type,
        "deleted_children": [
            {"id": str(c.pk), "name": c.name, "asset_type": c.asset_type} for c in children
        ],
        "dry_run": dry_run,
    }
    if dry_run:
        return summary
    paths = [f.storage_path for f in File.objects.filter(pk__in=[asset.pk, *children])]
    with transaction.atomic():
        if not delete_children:
            asset.children.update(parent=None)
        for child in children:
            child.delete()
        Asset.objects.filter(pk=asset.pk).delete()
        transaction.on_commit(lambda: [_storage_delete(p) for p in paths])
    return summary


# Signed URLs ----------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# The forms an asset downloads in, the first its default: a file as it is, a dataset as CSV, a
# post as its markdown or as an HTML page.
DOWNLOAD_FORMATS = {"file": ("original",), "dataset": ("csv",), "post": ("markdown", "html")}


def download_format(*, asset: Asset, requested: str | None) -> str:
    """The format an asset is downloaded in: the one asked for (`md` is markdown), else its
    default; AssetError for one it has no such form in."""
    formats = DOWNLOAD_FORMATS.get(asset.asset_type)
    if formats is None:
        raise AssetError(
            "Only files, datasets and posts can be downloaded", code="not_downloadable"
        )
    wanted = {"md": "markdown"}.get(requested or "", requested or formats[0])
    if wanted == "markdown" and asset.asset_type != "post":
        return formats[0]  # the post format clients send by default: a file or dataset as is
    if wanted not in formats:
        raise AssetError(
            f"A {asset.asset_type} downloads as {' or '.join(formats)}, not {requested!r}",
            code="invalid_format",
        )
    return wanted


def signed_download_url(*, asset: Asset, format: str = "") -> str:
    """An absolute URL that answers 200 with the bytes for a short while, without credentials
    (`format`: one of the asset's DOWNLOAD_FORMATS, else its default)."""
    data = {"a": str(asset.pk), "f": format} if format else {"a": str(asset.pk)}
    token = signing.dumps(data, salt=_SALT_DOWNLOAD, compress=True)
    return _absolute(f"/files/signed/{token}")


def signed_upload_read_url(*, upload: FileUpload) -> str:
    """Like `signed_download_url`, for bytes that are not a file asset (yet)."""
    token = signing.dumps({"u": str(upload.pk)}, salt=_SALT_DOWNLOAD, compress=True)
    return _absolute(f"/files/signed/{token}")


def signed_download_load(token: str) -> tuple[str, uuid.UUID, str] | None:
    """("asset" | "upload", id, format or "") of a signed download token still valid, else
    None."""
    try:
        data = signing.loads(token, salt=_SALT_DOWNLOAD, max_age=SIGNED_URL_TTL_SECONDS)
        if "a" in data:
            return "asset", uuid.UUID(data["a"]), str(data.get("f") or "")
        return "upload", uuid.UUID(data["u"]), ""
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return None


def signed_upload_url(*, upload: FileUpload) -> str:
    token = signing.dumps({"u": str(upload.pk)}, salt=_SALT_UPLOAD, compress=True)
    return _absolute(f"/files/upload/{token}")


def signed_upload_load(token: str) -> uuid.UUID | None:
    try:
        data = signing.loads(token, salt=_SALT_UPLOAD, max_age=SIGNED_URL_TTL_SECONDS)
        return uuid.UUID(data["u"])
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return None


# Datasets -------------------------------------------------------------------------------------

MODES = ("append", "overwrite", "upsert", "update")
REF_KINDS = ("asset", "action")
ENUM_VALUES_MAX = 1000
WARNED_ROWS = 10


def _row_key(row: dict, key_columns: list[str]) -> tuple:
    return tuple(repr(row.get(c)) for c in key_columns)


def _locked(dataset: Dataset) -> Dataset:
    """The dataset read again under a row lock: one change to its rows at a time."""
    return Dataset.objects.select_for_update().get(pk=dataset.pk)


def _check_enums(dataset: Dataset, rows: list[dict]) -> None:
    """Refuse rows with a value outside a categorical column's allowed values."""
    enums = {c["name"]: c["enum"] for c in dataset.columns if c.get("enum")}
    for index, row in enumerate(rows if enums else ()):
        for name, allowed in enums.items():
            if row.get(name) is not None and row[name] not in allowed:
                raise AssetError(
                    f"Row {index + 1}: {name!r} must be one of {', '.join(allowed)}, "
                    f"not {row[name]!r}",
                    code="invalid_column_value",
                )


def _check_column_names(columns: list[dict]) -> None:
    if len(columns) > SCHEMA_MAX_COLUMNS:
        raise AssetError(
            f"A dataset has at most {SCHEMA_MAX_COLUMNS} columns; these rows make {len(columns)}",
            code="invalid_column",
        )
    for column in columns:
        if not 0 < len(column["name"]) <= COLUMN_NAME_MAX:
            raise AssetError(
                f"A column name has 1 to {COLUMN_NAME_MAX} characters: {column['name'][:40]!r}...",
                code="invalid_column",
            )


def _typed_rows(columns: list[dict], rows: list[dict]) -> list[dict]:
    """Each row's values as values of their columns' types, or AssetError naming the row."""
    types = {c["name"]: c["type"] for c in columns}
    typed = []
    for index, row in enumerate(rows):
        try:
            typed.append(typed_row(row, types))
        except ValueError as exc:
            raise AssetError(f"Row {index + 1}, {exc}", code="invalid_column_value") from None
    return typed


def reference_id(value) -> uuid.UUID | None:
    """The id a reference cell holds, or None for a value that is not one."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _missing_refs(dataset: Dataset, rows: list[dict], user: User | None) -> dict[int, tuple]:
    """Rows whose reference value names nothing the writer can see: {row index: (column,
    value)}. A reference column holds ids of assets (of one type, when declared) or actions."""
    refs = {c["name"]: c["ref"] for c in dataset.columns if c.get("ref")}
    missing: dict[int, tuple] = {}
    for name, ref in refs.items():
        wanted = {reference_id(row[name]) for row in rows if row.get(name) is not None}
        found = reference_ids_visible(
            kind=ref["kind"], user=user, ids={i for i in wanted if i}, **_ref_filter(ref)
        )
        for index, row in enumerate(rows):
            value = row.get(name)
            if value is not None and reference_id(value) not in found and index not in missing:
                missing[index] = (name, value)
    return missing


def _ref_filter(ref: dict) -> dict:
    return {"asset_type": ref["asset_type"]} if ref.get("asset_type") else {}


def _refs_warning(missing: dict[int, tuple], offset: int = 0) -> dict:
    columns = sorted({name for name, _ in missing.values()})
    return {
        "message": f"{len(missing)} rows were skipped: a reference column names an id that "
        "does not exist or that you cannot see",
        "rows": [
            {"row": offset + index + 1, "column": name, "value": str(value)}
            for index, (name, value) in sorted(missing.items())[:WARNED_ROWS]
        ],
        "refs": {"skipped": len(missing), "columns": columns},
    }


@transaction.atomic
def dataset_write_rows(
    *,
    dataset: Dataset,
    rows: list[dict],
    mode: str = "append",
    key_columns=None,
    user: User | None = None,
) -> dict:
    """Append, overwrite, upsert or update rows; answers the ingest counts. Values are stored
    as their columns' types; a row whose reference names nothing `user` can see is skipped,
    and the counts then carry a `warning`."""
    if mode not in MODES:
        raise AssetError(f"mode must be one of {', '.join(MODES)}", code="invalid_mode")
    dataset = _locked(dataset)
    _check_enums(dataset, rows)
    inserted = updated = 0
    if mode == "overwrite":
        # The table keeps the declarations (types, allowed values, references) of the
        # columns the new rows still have.
        present = {name for row in rows for name in row}
        dataset.rows.all().delete()
        dataset.columns = [c for c in dataset.columns if c["name"] in present]
        dataset.row_count = 0
    columns = infer_columns(rows, dataset.columns)
    _check_column_names(columns)
    rows = _typed_rows(columns, rows)
    dataset.columns = columns
    missing = _missing_refs(dataset, rows, user)
    warning = _refs_warning(missing) if missing else None
    rows = [row for index, row in enumerate(rows) if index not in missing]
    if mode in ("upsert", "update"):
        keys = list(key_columns or dataset.key_columns or [])
        if not keys:
            keys = ["id"] if rows and all("id" in r for r in rows) else []
        if not keys:
            raise AssetError(
                "upsert needs key columns: pass `key_columns` or give every row an `id`",
                code="missing_key_columns",
            )
        existing = {_row_key(r.data, keys): r for r in dataset.rows.all()}
        fresh = []
        for row in rows:
            match = existing.get(_row_key(row, keys))
            if match is not None:
                match.data = {**match.data, **row}
                match.save(update_fields=["data"])
                updated += 1
            elif mode == "upsert":
                fresh.append(row)
        rows = fresh
        dataset.key_columns = keys
    last = dataset.rows.aggregate(last=Max("position"))["last"]
    start = 0 if last is None else last + 1
    DatasetRow.objects.bulk_create(
        DatasetRow(dataset=dataset, position=start + i, data=row) for i, row in enumerate(rows)
    )
    inserted = len(rows)
    dataset.row_count = dataset.rows.count()
    dataset.save()
    ingest = {"inserted": inserted, "updated": updated, "skipped": len(missing), "mode": mode}
    return {**ingest, "warning": warning} if warning else ingest


# Columns ------------------------------------------------------------------------------------

COLUMN_NAME_MAX = 200
ROW_BATCH = 1000


def _column(dataset: Dataset, name: str) -> dict:
    for column in dataset.columns:
        if column["name"] == name:
            return column
    raise AssetError(f"The dataset has no column {name!r}", status=404, code="unknown_column")


def _new_column_name(dataset: Dataset, name) -> str:
    name = str(name or "").strip()
    if not name or len(name) > COLUMN_NAME_MAX:
        raise AssetError(
            f"A column needs a name of 1 to {COLUMN_NAME_MAX} characters", code="invalid_column"
        )
    if any(c["name"] == name for c in dataset.columns):
        raise AssetError(f"The dataset already has a column {name!r}", code="duplicate_column")
    return name


def _type_of(name) -> str:
    try:
        return column_type(name)
    except ValueError as exc:
        raise AssetError(str(exc), code="invalid_column_type") from None


def _enum(values, column: str) -> list[str]:
    if (
        not isinstance(values, list)
        or not values
        or len(values) > ENUM_VALUES_MAX
        or not all(isinstance(v, str) and len(v) <= COLUMN_NAME_MAX for v in values)
    ):
        raise AssetError(
            f"enum values for {column!r} must be a list of 1 to {ENUM_VALUES_MAX} strings",
            code="invalid_enum",
        )
    return list(dict.fromkeys(values))


def _rewrite_rows(dataset: Dataset, change) -> None:
    """Apply `change(data) -> data | None` (None: unchanged) to every row, in batches."""
    batch = []
    for row in dataset.rows.order_by("position").iterator(chunk_size=ROW_BATCH):
        data = change(row.data)
        if data is not None:
            row.data = data
            batch.append(row)
        if len(batch) >= ROW_BATCH:
            DatasetRow.objects.bulk_update(batch, ["data"])
            batch = []
    if batch:
        DatasetRow.objects.bulk_update(batch, ["data"])


def _check_values(dataset: Dataset, column: str, check) -> None:
    """Raise AssetError at the first row whose value `check` refuses (ValueError)."""
    for row in dataset.rows.order_by("position").iterator(chunk_size=ROW_BATCH):
        try:
            check(row.data.get(column))
        except ValueError as exc:
            raise AssetError(
                f"Row {row.position + 1}, column {column!r}: {exc}", code="invalid_column_value"
            ) from None


def dataset_key_columns_set(*, dataset: Dataset, key_columns) -> Dataset:
    """Declare the columns that name a row (what upsert and update match rows on): a list of
    the dataset's columns whose values no two rows share; [] clears it."""
    if not isinstance(key_columns, list) or not all(isinstance(k, str) for k in key_columns):
        raise AssetError("key_columns must be a list of column names", code="invalid_key_columns")
    keys = list(dict.fromkeys(key_columns))
    with transaction.atomic():
        dataset = _locked(dataset)
        known = {c["name"] for c in dataset.columns}
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise AssetError(
                f"key_columns names no column of this dataset: {', '.join(unknown)}",
                code="unknown_column",
            )
        if keys:
            seen = set()
            for row in dataset.rows.values_list("data", flat=True).iterator():
                key = _row_key(row, keys)
                if key in seen:
                    shown = ", ".join(f"{k}={row.get(k)!r}" for k in keys)
                    raise AssetError(
                        f"key_columns must name each row once, but two rows have {shown}",
                        code="duplicate_key",
                    )
                seen.add(key)
        dataset.key_columns = keys
        dataset.save(update_fields=["key_columns", "last_updated"])
    return dataset


@transaction.atomic
def dataset_column_add(
    *, dataset: Dataset, name, type="text", nullable=True, label=None, enum_values=None
) -> Dataset:
    """Add a column; existing rows hold no value for it, so it must be nullable if any exist."""
    dataset = _locked(dataset)
    name = _new_column_name(dataset, name)
    column = {"name": name, "type": _type_of(type), "is_nullable": bool(nullable)}
    if not nullable and dataset.row_count:
        raise AssetError(
            f"{dataset.row_count} rows have no value for {name!r}: add it nullable, fill it, "
            "then make it required",
            code="invalid_column",
        )
    if label:
        column["label"] = str(label)[:COLUMN_NAME_MAX]
    if enum_values is not None:
        column["type"], column["enum"] = TEXT, _enum(enum_values, name)
    dataset.columns = [*dataset.columns, column]
    dataset.save(update_fields=["columns", "last_updated"])
    return dataset


@transaction.atomic
def dataset_column_update(
    *, dataset: Dataset, column: str, new_name=None, type=None, label=None, enum_values=None
) -> Dataset:
    """Rename a column, convert its values to another type, set its label or allowed values.
    A value that does not fit refuses the whole change, naming its row."""
    dataset = _locked(dataset)
    current = dict(_column(dataset, column))
    if type is not None or enum_values is not None:
        to = TEXT if enum_values is not None else _type_of(type)
        allowed = _enum(enum_values, column) if enum_values is not None else None

        def fits(value):
            converted = convert_value(value, to)
            if allowed is not None and converted is not None and converted not in allowed:
                raise ValueError(f"{converted!r} is not one of {', '.join(allowed)}")

        _check_values(dataset, column, fits)
        if to != current["type"]:

            def convert(data: dict) -> dict | None:
                if data.get(column) is None:
                    return None
                return {**data, column: convert_value(data[column], to)}

            _rewrite_rows(dataset, convert)
        current["type"] = to
        if allowed is not None:
            current["enum"] = allowed
        else:
            current.pop("enum", None)
    if label is not None:
        current["label"] = str(label)[:COLUMN_NAME_MAX]
    if new_name is not None and str(new_name).strip() != column:
        renamed = _new_column_name(dataset, new_name)

        def rename(data: dict) -> dict | None:
            if column not in data:
                return None
            return {(renamed if key == column else key): value for key, value in data.items()}

        _rewrite_rows(dataset, rename)
        current["name"] = renamed
        dataset.key_columns = [renamed if k == column else k for k in dataset.key_columns]
    dataset.columns = [current if c["name"] == column else c for c in dataset.columns]
    dataset.save(update_fields=["columns", "key_columns", "last_updated"])
    return dataset


@transaction.atomic
def dataset_column_drop(*, dataset: Dataset, column: str) -> Dataset:
    """Remove a column and its values from every row."""
    dataset = _locked(dataset)
    _column(dataset, column)
    if column in dataset.key_columns:
        raise AssetError(
            f"{column!r} identifies rows for upserts; it cannot be dropped", code="key_column"
        )
    _rewrite_rows(
        dataset,
        lambda data: {k: v for k, v in data.items() if k != column} if column in data else None,
    )
    dataset.columns = [c for c in dataset.columns if c["name"] != column]
    dataset.save(update_fields=["columns", "last_updated"])
    return dataset


def dataset_refs_checked(refs) -> dict[str, dict]:
    """Reference declarations {column: {"kind": "asset"|"action", "asset_type"?}}, checked."""
    if refs is None:
        return {}
    if not isinstance(refs, dict):
        raise AssetError("refs must be an object of column: reference", code="invalid_refs")
    checked = {}
    for column, ref in refs.items():
        ref = ref if isinstance(ref, dict) else {}
        kind = ref.get("kind", "asset")
        if kind not in REF_KINDS:
            raise AssetError(
                f"refs.{column}.kind must be one of {', '.join(REF_KINDS)}", code="invalid_refs"
            )
        entry = {"kind": kind}
        asset_type = ref.get("asset_type")
        if kind == "asset" and asset_type is not None:
            if asset_type not in AssetType.values:
                raise AssetError(
                    f"refs.{column}.asset_type must be one of {', '.join(AssetType.values)}",
                    code="invalid_refs",
                )
            entry["asset_type"] = asset_type
        checked[str(column)] = entry
    return checked


def dataset_enums_checked(enum_columns) -> dict[str, list[str]]:
    """Allowed values per column from {column: {"values": [...]}} (or a bare list)."""
    if enum_columns is None:
        return {}
    if not isinstance(enum_columns, dict):
        raise AssetError("enum_columns must be an object of column: {values}", code="invalid_enum")
    return {
        str(column): _enum(
            declaration.get("values") if isinstance(declaration, dict) else declaration, column
        )
        for column, declaration in enum_columns.items()
    }


@transaction.atomic
def dataset_columns_promote(
    *, dataset: Dataset, user: User | None, refs=None, enum_columns=None
) -> Dataset:
    """Make existing columns categorical (allowed values) or references to assets or actions.
    Every value already stored must fit, or nothing changes."""
    dataset = _locked(dataset)
    columns = {c["name"]: dict(c) for c in dataset.columns}
    for name, values in dataset_enums_checked(enum_columns).items():
        column = columns.get(name) or _column(dataset, name)

        def fits(value, values=values):
            if value is not None and convert_value(value, TEXT) not in values:
                raise ValueError(f"{value!r} is not one of {', '.join(values)}")

        _check_values(dataset, name, fits)
        column.update(type=TEXT, enum=values)
    for name, ref in dataset_refs_checked(refs).items():
        column = columns.get(name) or _column(dataset, name)
        column["ref"] = ref
    dataset.columns = list(columns.values())
    if refs:
        stored = list(dataset.rows.order_by("position").values_list("data", flat=True))
        missing = _missing_refs(dataset, stored, user)
        if missing:
            index, (name, value) = min(missing.items())
            raise AssetError(
                f"Row {index + 1}, column {name!r}: {value!r} names nothing you can see; "
                "every value of a reference column must be an id or null",
                code="invalid_reference",
            )
    dataset.save(update_fields=["columns", "last_updated"])
    return dataset


def _declared_columns(schema, enums: dict[str, list[str]], refs: dict[str, dict]) -> list[dict]:
    """The columns a create declares: from its CREATE TABLE schema, with the allowed values
    and references it names."""
    columns = []
    if isinstance(schema, str) and schema.strip():
        try:
            columns = columns_from_create_table(schema)
        except ValueError as exc:
            raise AssetError(str(exc), code="invalid_schema") from None
    elif schema is not None and not isinstance(schema, str):
        raise AssetError("schema must be a CREATE TABLE statement", code="invalid_schema")
    by_name = {c["name"]: c for c in columns}
    for name in [*enums, *refs]:
        if name not in by_name:
            by_name[name] = {"name": name, "type": TEXT, "is_nullable": True}
            columns.append(by_name[name])
    for name, values in enums.items():
        by_name[name].update(type=TEXT, enum=values)
    for name, ref in refs.items():
        by_name[name]["ref"] = ref
    return columns


@transaction.atomic
def dataset_create(
    *,
    owner: Owner,
    name: str,
    rows: list[dict],
    visibility: str | None = None,
    description: str = "",
    source: str = "web",
    key_columns: list[str] | None = None,
    metadata: dict | None = None,
    asset_id: uuid.UUID | None = None,
    schema: str | None = None,
    enum_columns=None,
    refs=None,
    license_id=None,
    attribution=None,
) -> tuple[Dataset, dict]:
    """A new dataset and its first rows. `schema` (a CREATE TABLE statement, as the official
    client sends) declares column types; columns it does not declare take their values' type."""
    columns = _declared_columns(
        schema, dataset_enums_checked(enum_columns), dataset_refs_checked(refs)
    )
    dataset = Dataset.objects.create(
        id=asset_id or uuid.uuid4(),
        user=owner.user,
        org=owner.org,
        team=owner.team,
        name=(name or "dataset")[:200],
        description=description or "",
        visibility=visibility_checked(visibility),
        source=source,
        metadata=metadata or {},
        key_columns=list(key_columns or []),
        columns=columns,
        **provenance_for_create(license_id, attribution),
    )
    ingest = dataset_write_rows(dataset=dataset, rows=rows, mode="append", user=owner.user)
    dataset.refresh_from_db()
    return dataset, ingest


def dataset_create_from_csv(
    *, owner: Owner, name: str, content: bytes, visibility: str | None = None, description=""
) -> tuple[Dataset, dict]:
    file_size_check(len(content))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AssetError("The CSV must be UTF-8 text", code="invalid_csv") from None
    rows = rows_from_csv(text)
    if not rows:
        raise AssetError("The CSV has no rows", code="invalid_csv")
    return dataset_create(
        owner=owner, name=name, rows=rows, visibility=visibility, description=description
    )


def dataset_create_from_file(
    *, owner: Owner, file: File, name: str = "", visibility: str | None = None
) -> tuple[Dataset, dict]:
    """A dataset from the rows of a CSV file asset."""
    if file.extension != "csv" and file.content_type != "text/csv":
        raise AssetError("Only a CSV file can become a dataset", code="invalid_csv")
    return dataset_create_from_csv(
        owner=owner,
        name=name or file.name.removesuffix(".csv"),
        content=file_read(file=file),
        visibility=visibility,
    )


# Views (saved charts) -------------------------------------------------------------------------

VIEW_CONFIG_MAX_BYTES = 50_000


def _view_fields(data: dict, *, creating: bool) -> dict:
    fields = {}
    if data.get("prompt") is not None and not data.get("sql_query"):
        raise AssetError(
            "Views are not written from a prompt here: give sql_query and config",
            code="not_offered",
        )
    name = data.get("name")
    if name is not None or creating:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise AssetError("A view needs a name of 1 to 200 characters", code="invalid_view")
        fields["name"] = name.strip()
    if data.get("description") is not None:
        if not isinstance(data["description"], str):
            raise AssetError("description must be a string", code="invalid_view")
        fields["description"] = data["description"][:2000]
    sql = data.get("sql_query")
    if sql is not None or creating:
        if not isinstance(sql, str) or not sql.strip():
            raise AssetError("A view needs sql_query, a SELECT over {{table}}", code="invalid_view")
        fields["sql_query"] = sql
    config = data.get("config")
    if config is not None or creating:
        if not isinstance(config, dict):
            raise AssetError("A view needs config, an object", code="invalid_view")
        if len(json.dumps(config)) > VIEW_CONFIG_MAX_BYTES:
            raise AssetError(f"config is over {VIEW_CONFIG_MAX_BYTES} bytes", code="invalid_view")
        fields["config"] = config
    return fields


def _config_keys(config: dict) -> list[str]:
    """The result columns a chart config names (its category and series data keys)."""
    keys = []
    category = config.get("category")
    if isinstance(category, dict) and isinstance(category.get("dataKey"), str):
        keys.append(category["dataKey"])
    for series in config.get("series") or []:
        if isinstance(series, dict) and isinstance(series.get("dataKey"), str):
            keys.append(series["dataKey"])
    return keys


def _view_checked(dataset: Dataset, view: DatasetView) -> dict:
    """Run the view's SQL; refuse a config naming columns the result lacks. Answers
    {warnings, sample_rows}."""
    result = dataset_query(dataset=dataset, sql=view.sql_query, limit=5)
    names = list(result.rows[0]) if result.rows else []
    unknown = [k for k in _config_keys(view.config) if names and k not in names]
    if unknown:
        raise AssetError(
            f"config names {', '.join(map(repr, unknown))}, which the query's result does not "
            f"have (it has {', '.join(map(repr, names))})",
            code="invalid_view",
        )
    warnings = [] if result.rows else ["The query returns no rows: the chart will be empty"]
    return {"warnings": warnings, "sample_rows": result.rows}


def dataset_view_create(*, dataset: Dataset, user: User, data: dict) -> tuple[DatasetView, dict]:
    view = DatasetView(dataset=dataset, created_by=user, **_view_fields(data, creating=True))
    checked = _view_checked(dataset, view)
    view.save()
    return view, checked


def dataset_view_update(*, view: DatasetView, data: dict) -> tuple[DatasetView, dict]:
    for field, value in _view_fields(data, creating=False).items():
        setattr(view, field, value)
    checked = _view_checked(view.dataset, view)
    view.save()
    return view, checked


def dataset_view_delete(*, view: DatasetView) -> None:
    view.delete()


# Read-only SQL --------------------------------------------------------------------------------


def dataset_table_name(dataset: Dataset) -> str:
    return f"dataset_{dataset.pk.hex}"


def dataset_query(*, dataset: Dataset, sql: str, limit: int, offset: int = 0) -> QueryResult:
    """The caller's read-only SQL over this dataset's rows alone (apps.assets.query)."""
    largest = settings.DATASET_QUERY_MAX_ROWS
    if dataset.row_count > largest:
        raise AssetError(
            f"The dataset has {dataset.row_count} rows; SQL runs over datasets of up to "
            f"{largest} rows. Read it page by page from /datasets/{dataset.pk}/data",
            code="dataset_too_large",
        )
    rows = dataset.rows.order_by("position").values_list("data", flat=True)
    try:
        return run_query(
            sql=sql,
            table=dataset_table_name(dataset),
            columns=dataset.columns,
            rows=rows.iterator(chunk_size=ROW_BATCH),
            limit=limit,
            offset=offset,
            timeout_seconds=settings.DATASET_QUERY_TIMEOUT_SECONDS,
        )
    except QueryError as exc:
        raise AssetError(str(exc), code="invalid_query") from None


# Sharing and route links ------------------------------------------------------------------------


def asset_share_set(*, asset: Asset, user: User, role: str) -> AssetShare:
    if role not in Role.values:
        raise AssetError(f"role must be one of {', '.join(Role.values)}", code="invalid_role")
    share, _ = AssetShare.objects.update_or_create(asset=asset, user=user, defaults={"role": role})
    return share


UPLOAD_RETENTION = timedelta(days=1)


def file_uploads_prune(*, older_than: timedelta = UPLOAD_RETENTION) -> int:
    """Forget uploads that never became files; answers how many went."""
    stale = list(FileUpload.objects.filter(created_at__lt=timezone.now() - older_than))
    for upload in stale:
        file_upload_discard(upload=upload)
    return len(stale)
