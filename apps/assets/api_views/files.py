"""File endpoints of the Ouro contract: uploads (direct and signed), metadata and bytes."""

import uuid

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request

from apps.api.envelope import body_object, ok, parse_uuid, text_field
from apps.api.errors import ApiError
from apps.api.schema import (
    ASSET_CHANGES,
    DELETE_OPTIONS,
    PLACEMENT,
    VISIBILITIES,
    field,
    json_object,
)
from apps.assets import selectors, services
from apps.assets.api_views.common import (
    asset_delete_response,
    asset_editable,
    asset_errors,
    asset_for_request,
    decode_base64,
    description_text,
    metadata_fields,
    metadata_update,
    request_owner,
    sale_requested,
    sale_store,
)
from apps.assets.models import File, FileUpload
from apps.assets.serializers import file_dict, file_metadata_dict


def _upload_key(upload_id) -> uuid.UUID:
    """The upload an `upload_id` names: `<bucket>/<path>` as handed out (its path holds the
    upload's id), or the bare id."""
    text = text_field({"upload_id": upload_id}, "upload_id") or ""
    for part in text.split("/"):
        try:
            return uuid.UUID(part)
        except ValueError:
            continue
    return parse_uuid(text, "upload_id")


def _own_upload(request: Request, upload_id, *, received: bool = False) -> FileUpload:
    """The caller's upload; 404 as for a missing one when it is someone else's or, with
    `received`, when nothing was uploaded to it yet."""
    upload = FileUpload.objects.filter(pk=_upload_key(upload_id)).first()
    if upload is None or upload.user_id != request.user.pk:
        raise ApiError("Upload not found", status=404, code="not_found")
    if received and not upload.received:
        raise ApiError(
            "Nothing was uploaded for this upload id: PUT the bytes to its upload_url first",
            status=404,
            code="not_found",
        )
    return upload


def _bucket(upload: FileUpload) -> str:
    return "public-files" if upload.visibility == "public" else "files"


def _upload_id(upload: FileUpload, path: str) -> str:
    """The id the client keeps for an upload: `<bucket>/<path>`, its file name at the end."""
    return f"{_bucket(upload)}/{path}"


def _upload_reference(upload: FileUpload) -> dict:
    return {"id": str(upload.pk), "bucket": _bucket(upload), "path": upload.storage_path}


UPLOAD_VISIBILITY = field(
    str, "Who may read the file it becomes (default private)", enum=VISIBILITIES
)
UPLOAD_ID = field(
    str, "The upload's id as handed out (`<bucket>/<path>`) or the bare id", required=True
)


@extend_schema(
    methods=["POST"],
    request=json_object(
        "FileUpload",
        {
            "file_base64": field(str, "The file's bytes, base64-encoded", required=True),
            "file_name": field(str, "The file's name (default `file`)"),
            "visibility": UPLOAD_VISIBILITY,
        },
        "Bytes kept until `POST /files/create` makes a file of them.",
    ),
)
@api_view(["POST", "DELETE"])
def file_upload(request: Request):
    """POST: base64 bytes kept until `files/create`. DELETE: discard a direct upload."""
    body = body_object(request)
    if request.method == "DELETE":
        services.file_upload_discard(upload=_own_upload(request, body.get("upload_id")))
        return ok({"deleted": True})
    content = decode_base64(body.get("file_base64"))
    with asset_errors():
        upload = services.file_upload_store(
            user=request.user,
            file_name=str(body.get("file_name") or "file"),
            content=content,
            visibility=body.get("visibility"),
        )
    return ok(_upload_reference(upload), status=201)


@extend_schema(
    request=json_object(
        "FileUploadUrl",
        {
            "file_name": field(str, "The file's name (default `file`)"),
            "content_type": field(str, "Its MIME type (default application/octet-stream)"),
            "visibility": UPLOAD_VISIBILITY,
        },
        "A signed URL to PUT the bytes to, then `POST /files/upload/complete`.",
    )
)
@api_view(["POST"])
def file_upload_url(request: Request):
    body = body_object(request)
    content_type = text_field(body, "content_type") or "application/octet-stream"
    with asset_errors():
        upload = services.file_upload_reserve(
            user=request.user,
            file_name=str(body.get("file_name") or "file"),
            visibility=body.get("visibility"),
        )
    path = f"files/{upload.pk}/{upload.file_name}"
    return ok(
        {
            "upload_id": _upload_id(upload, path),
            "upload_url": services.signed_upload_url(upload=upload),
            "method": "PUT",
            # Header names in lower case: the official client reads `content-type` as written.
            "headers": {"content-type": content_type},
            "expires_in": services.SIGNED_URL_TTL_SECONDS,
            "bucket": _bucket(upload),
            "path": path,
            "mime_type": content_type,
        },
        status=201,
    )


@extend_schema(
    request=json_object(
        "FileUploadComplete",
        {
            "upload_id": UPLOAD_ID,
            "file_name": field(str, "The name to answer with (default the upload's)"),
            "download": field(bool, "Answer a signed URL to read the uploaded bytes instead"),
        },
    )
)
@api_view(["POST"])
def file_upload_complete(request: Request):
    body = body_object(request)
    upload = _own_upload(request, body.get("upload_id"), received=True)
    if body.get("download"):
        url = services.signed_upload_read_url(upload=upload)
        return ok({"download_url": url, "expires_in": services.SIGNED_URL_TTL_SECONDS})
    return ok(
        {
            **_upload_reference(upload),
            "upload_id": _upload_id(upload, upload.storage_path),
            "file_name": body.get("file_name") or upload.file_name,
            "mime_type": upload.content_type,
            "size": upload.size,
        }
    )


@api_view(["GET"])
def file_metadata(request: Request, file_id: str):
    """What the server learned about uploaded bytes (an upload id or a file id)."""
    oid = parse_uuid(file_id)
    upload = FileUpload.objects.filter(pk=oid, user=request.user).first()
    if upload is not None:
        metadata = {
            "name": upload.file_name,
            "type": upload.content_type,
            "mimeType": upload.content_type,
            "extension": upload.extension,
            "size": upload.size,
        }
        return ok({"metadata": metadata, "preview": None})
    file = asset_for_request(request, file_id, File)
    return ok(
        {"metadata": file_metadata_dict(file), "preview": selectors.file_preview_rows(file=file)}
    )


@extend_schema(
    request=json_object(
        "FileCreate",
        {
            "file": json_object(
                "FileFields",
                {
                    "id": field(
                        str,
                        "The upload that holds the bytes (`upload_id` or its bare id)",
                        required=True,
                    ),
                    **ASSET_CHANGES,
                    **PLACEMENT,
                    "source": field(str, "Where it comes from (default `api`)"),
                },
                "The new file's fields.",
            )
        },
    )
)
@api_view(["POST"])
def file_create(request: Request):
    data = body_object(request, "file")
    upload = _own_upload(request, data.get("id"), received=True)
    sale = sale_requested(data, "file")
    with asset_errors(), transaction.atomic():
        file = services.file_create_from_upload(
            owner=request_owner(request, data),
            upload=upload,
            name=str(data.get("name") or ""),
            visibility=data.get("visibility"),
            description=description_text(data.get("description")) or "",
            source=str(data.get("source") or "api")[:8],
            license_id=text_field(data, "license_id", "file"),
            attribution=data.get("attribution"),
        )
        sale_store(file, sale)
    return ok(file_dict(file, preview=selectors.file_preview_rows(file=file)), status=201)


@extend_schema(methods=["DELETE"], parameters=DELETE_OPTIONS)
@extend_schema(
    methods=["PUT"],
    request=json_object(
        "FileUpdate",
        {
            "file": json_object(
                "FileChanges",
                {
                    **ASSET_CHANGES,
                    "metadata": json_object(
                        "FileMetadata",
                        {"path": field(str, "A direct upload's path: its bytes replace the file")},
                        required=False,
                    ),
                },
                "The fields to change; those left out are kept.",
            )
        },
    ),
)
@api_view(["GET", "PUT", "DELETE"])
def file_detail(request: Request, file_id: str):
    if request.method == "DELETE":
        return asset_delete_response(request, file_id, File)
    if request.method == "GET":
        file = asset_for_request(request, file_id, File)
        return ok(file_dict(file, preview=selectors.file_preview_rows(file=file)))
    file = asset_editable(request, file_id, File)
    data = body_object(request, "file")
    # A direct upload's bytes replace the file's (the client sends the upload's path).
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    path = text_field(metadata, "path", "file.metadata")
    with asset_errors():
        metadata_update(file, data, "file")
        upload = (
            FileUpload.objects.filter(user=request.user, storage_path=path, received=True).first()
            if path
            else None
        )
        if upload is not None:
            services.file_replace_from_upload(file=file, upload=upload)
        elif path and path != file.storage_path:
            raise ApiError(
                f"Nothing was uploaded at {path}: upload the bytes to a signed upload URL first",
                status=404,
                code="not_found",
            )
    file.refresh_from_db()
    return ok(file_dict(file))


@api_view(["GET"])
def file_data(request: Request, file_id: str):
    file = asset_for_request(request, file_id, File)
    return ok({"url": services.signed_download_url(asset=file)})


@extend_schema(
    request=json_object(
        "FileContent",
        {
            "file_base64": field(str, "The new bytes, base64-encoded", required=True),
            "file_name": field(str, "The new file name (default the file's)"),
            "file": json_object(
                "FileContentChanges",
                ASSET_CHANGES,
                "Fields to change with the bytes; those left out are kept.",
                required=False,
            ),
        },
    )
)
@api_view(["PUT"])
def file_content(request: Request, file_id: str):
    file = asset_editable(request, file_id, File)
    body = body_object(request)
    content = decode_base64(body.get("file_base64"))
    file_name = text_field(body, "file_name") or file.file_name
    extra = body.get("file") if isinstance(body.get("file"), dict) else None
    if extra is not None:  # checked before the bytes are replaced
        metadata_fields(extra, "file")
        sale_requested(extra, "file")
    with asset_errors(), transaction.atomic():
        services.file_replace_content(file=file, file_name=file_name, content=content)
        if extra is not None:
            metadata_update(file, extra, "file")
    file.refresh_from_db()
    return ok(file_dict(file))


# Datasets -------------------------------------------------------------------------------------
