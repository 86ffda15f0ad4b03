"""Writes for files, datasets, shares and route links; signed URLs for file bytes."""

import hashlib
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
from apps.assets.models import (
    Asset,
    AssetShare,
    Dataset,
    DatasetRow,
    File,
    FileUpload,
    Visibility,
)
from apps.assets.tabular import column_type, convert_value, infer_columns, rows_from_csv

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
    if not value:
        return default
    if value not in Visibility.values:
        raise AssetError(
            f"visibility must be one of {', '.join(Visibility.values)}", code="invalid_visibility"
        )
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
    file_size_check(len(content))
    old_path = file.storage_path
    _apply_bytes(file, file_name=file_name or file.file_name, content=content)
    file.save()
    if old_path != file.storage_path:
        transaction.on_commit(lambda: _storage_delete(old_path))
    return file


@transaction.atomic
def file_replace_from_upload(*, file: File, upload: FileUpload) -> File:
    with default_storage.open(upload.storage_path, "rb") as handle:
        content = handle.read()
    file_replace_content(file=file, file_name=upload.file_name, content=content)
    file_upload_discard(upload=upload)
    return file


def asset_update(
    *,
    asset: Asset,
    name: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
) -> Asset:
    if name:
        asset.name = name[:200]
    if description is not None:
        asset.description = description
    if visibility:
        asset.visibility = visibility_checked(visibility)
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


def signed_download_url(*, asset: Asset) -> str:
    """An absolute URL that answers 200 with the bytes for a short while, without credentials."""
    token = signing.dumps({"a": str(asset.pk)}, salt=_SALT_DOWNLOAD, compress=True)
    return _absolute(f"/files/signed/{token}")


def signed_upload_read_url(*, upload: FileUpload) -> str:
    """Like `signed_download_url`, for bytes that are not a file asset (yet)."""
    token = signing.dumps({"u": str(upload.pk)}, salt=_SALT_DOWNLOAD, compress=True)
    return _absolute(f"/files/signed/{token}")


def signed_download_load(token: str) -> tuple[str, uuid.UUID] | None:
    """("asset" | "upload", id) of a signed download token still valid, else None."""
    try:
        data = signing.loads(token, salt=_SALT_DOWNLOAD, max_age=SIGNED_URL_TTL_SECONDS)
        if "a" in data:
            return "asset", uuid.UUID(data["a"])
        return "upload", uuid.UUID(data["u"])
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


@transaction.atomic
def dataset_write_rows(
    *, dataset: Dataset, rows: list[dict], mode: str = "append", key_columns=None
) -> dict:
    """Append, overwrite or upsert rows; answers the ingest counts."""
    if mode not in MODES:
        raise AssetError(f"mode must be one of {', '.join(MODES)}", code="invalid_mode")
    dataset = _locked(dataset)
    _check_enums(dataset, rows)
    inserted = updated = 0
    if mode == "overwrite":
        dataset.rows.all().delete()
        dataset.columns = []
        dataset.row_count = 0
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
    dataset.columns = infer_columns(
        (r.data for r in dataset.rows.all()) if updated else rows, dataset.columns
    )
    dataset.row_count = dataset.rows.count()
    dataset.save()
    return {"inserted": inserted, "updated": updated, "skipped": 0, "mode": mode}


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
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise AssetError(
            f"enum values for {column!r} must be a non-empty list of strings", code="invalid_enum"
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
        column["type"], column["enum"] = "string", _enum(enum_values, name)
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
        to = "string" if enum_values is not None else _type_of(type)
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
) -> tuple[Dataset, dict]:
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
    )
    ingest = dataset_write_rows(dataset=dataset, rows=rows, mode="append")
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
