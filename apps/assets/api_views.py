"""Files, datasets and the generic asset endpoints of the Ouro contract (CONTRACT §2, §7)."""

import base64
import binascii
import json
import uuid
from contextlib import contextmanager

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Organization, Team, User
from apps.accounts.selectors import user_can_use_org
from apps.api.context import request_org
from apps.api.envelope import body_object, ok, paged, parse_uuid, query_bool, window
from apps.api.errors import ApiError
from apps.assets import selectors, services
from apps.assets.models import Asset, Dataset, File, FileUpload
from apps.assets.serializers import (
    asset_dict,
    dataset_column_dicts,
    dataset_dict,
    file_dict,
    file_metadata_dict,
    route_brief_dict,
)
from apps.assets.tabular import coerce_rows

PREVIEW_ROWS = 12


@contextmanager
def _asset_errors():
    try:
        yield
    except services.AssetError as exc:
        raise ApiError(exc.message, status=exc.status, code=exc.code) from None


def _owner(request: Request, fields: dict) -> services.Owner:
    """Who owns a new asset and where it lives: the organization asked for, or the context's."""
    if not fields.get("org_id"):
        context = request_org(request)
        return services.Owner(user=request.user, org=context.org, team=context.default_team)
    org_id = parse_uuid(fields["org_id"], "org_id")
    org = Organization.objects.filter(pk=org_id).first()
    if org is None or not user_can_use_org(user=request.user, org_id=org_id):
        raise ApiError(
            "You may not create assets in this organization", status=403, code="org_forbidden"
        )
    team = org.default_team
    if fields.get("team_id"):
        team = Team.objects.filter(pk=parse_uuid(fields["team_id"], "team_id"), org=org).first()
        if team is None:
            raise ApiError("No such team in this organization", code="invalid_team")
    return services.Owner(user=request.user, org=org, team=team)


def _load(request: Request, asset_id: str, model=Asset):
    asset = selectors.asset_for_viewer(
        user=request.user, asset_id=parse_uuid(asset_id), model=model
    )
    if asset is None:
        kind = {File: "File", Dataset: "Dataset"}.get(model, "Asset")
        raise ApiError(f"{kind} not found", status=404, code="not_found")
    return asset


def _editable(request: Request, asset_id: str, model=Asset):
    asset = _load(request, asset_id, model)
    if not selectors.asset_can_edit(user=request.user, asset=asset):
        raise ApiError("You may not change this asset", status=403, code="permission_denied")
    return asset


def _administered(request: Request, asset_id: str, model=Asset):
    asset = _load(request, asset_id, model)
    if not selectors.asset_is_admin(user=request.user, asset=asset):
        raise ApiError(
            "Only the owner or an admin may do this", status=403, code="permission_denied"
        )
    return asset


def _decode_base64(value) -> bytes:
    if not isinstance(value, str) or not value:
        raise ApiError("file_base64 must be a base64 string", code="invalid_body")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("file_base64 is not valid base64", code="invalid_body") from None


def _description(value) -> str | None:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return value if isinstance(value, str) else None


def _metadata_update(asset: Asset, data: dict) -> None:
    """The name, description and visibility a client sent for an asset (absent ones kept)."""
    services.asset_update(
        asset=asset,
        name=data.get("name"),
        description=_description(data.get("description")),
        visibility=data.get("visibility"),
    )


def _own_upload(request: Request, upload_id) -> FileUpload:
    upload = FileUpload.objects.filter(pk=parse_uuid(upload_id, "upload_id")).first()
    if upload is None or upload.user_id != request.user.pk:
        raise ApiError("Upload not found", status=404, code="not_found")
    return upload


def _delete(request: Request, asset_id: str, model) -> Response:
    asset = _administered(request, asset_id, model)
    return ok(
        services.asset_delete(
            asset=asset,
            delete_children=query_bool(request, "delete_children"),
            dry_run=query_bool(request, "dry_run"),
        )
    )


# Files ----------------------------------------------------------------------------------------


def _upload_reference(upload: FileUpload) -> dict:
    return {
        "id": str(upload.pk),
        "bucket": "public-files" if upload.visibility == "public" else "files",
        "path": upload.storage_path,
    }


@api_view(["POST", "DELETE"])
def file_upload(request: Request):
    """POST: base64 bytes kept until `files/create`. DELETE: discard a direct upload."""
    body = body_object(request)
    if request.method == "DELETE":
        services.file_upload_discard(upload=_own_upload(request, body.get("upload_id")))
        return ok({"deleted": True})
    content = _decode_base64(body.get("file_base64"))
    with _asset_errors():
        upload = services.file_upload_store(
            user=request.user,
            file_name=str(body.get("file_name") or "file"),
            content=content,
            visibility=body.get("visibility"),
        )
    return ok(_upload_reference(upload), status=201)


@api_view(["POST"])
def file_upload_url(request: Request):
    body = body_object(request)
    with _asset_errors():
        upload = services.file_upload_reserve(
            user=request.user,
            file_name=str(body.get("file_name") or "file"),
            visibility=body.get("visibility"),
        )
    return ok(
        {
            "upload_id": str(upload.pk),
            "upload_url": services.signed_upload_url(upload=upload),
            "method": "PUT",
            "headers": {"Content-Type": body.get("content_type") or "application/octet-stream"},
            "expires_in": services.SIGNED_URL_TTL_SECONDS,
            "bucket": "public-files" if upload.visibility == "public" else "files",
            "path": f"files/{upload.pk}/{upload.file_name}",
            "mime_type": body.get("content_type") or "application/octet-stream",
        },
        status=201,
    )


@api_view(["POST"])
def file_upload_complete(request: Request):
    body = body_object(request)
    upload = _own_upload(request, body.get("upload_id"))
    if not upload.received:
        raise ApiError("Nothing was uploaded to this URL yet", code="upload_incomplete")
    if body.get("download"):
        url = services.signed_upload_read_url(upload=upload)
        return ok({"download_url": url, "expires_in": services.SIGNED_URL_TTL_SECONDS})
    return ok(
        {
            **_upload_reference(upload),
            "upload_id": str(upload.pk),
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
    file = _load(request, file_id, File)
    return ok(
        {"metadata": file_metadata_dict(file), "preview": selectors.file_preview_rows(file=file)}
    )


@api_view(["POST"])
def file_create(request: Request):
    data = body_object(request, "file")
    upload = _own_upload(request, data.get("id"))
    with _asset_errors():
        file = services.file_create_from_upload(
            owner=_owner(request, data),
            upload=upload,
            name=str(data.get("name") or ""),
            visibility=data.get("visibility"),
            description=_description(data.get("description")) or "",
            source=str(data.get("source") or "api")[:8],
        )
    return ok(file_dict(file, preview=selectors.file_preview_rows(file=file)), status=201)


@api_view(["GET", "PUT", "DELETE"])
def file_detail(request: Request, file_id: str):
    if request.method == "DELETE":
        return _delete(request, file_id, File)
    if request.method == "GET":
        file = _load(request, file_id, File)
        return ok(file_dict(file, preview=selectors.file_preview_rows(file=file)))
    file = _editable(request, file_id, File)
    data = body_object(request, "file")
    with _asset_errors():
        _metadata_update(file, data)
        # A direct upload's bytes replace the file's (the client sends the upload's path).
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        upload = (
            FileUpload.objects.filter(
                user=request.user, storage_path=metadata["path"], received=True
            ).first()
            if metadata.get("path")
            else None
        )
        if upload is not None:
            services.file_replace_from_upload(file=file, upload=upload)
    file.refresh_from_db()
    return ok(file_dict(file))


@api_view(["GET"])
def file_data(request: Request, file_id: str):
    file = _load(request, file_id, File)
    return ok({"url": services.signed_download_url(asset=file)})


@api_view(["PUT"])
def file_content(request: Request, file_id: str):
    file = _editable(request, file_id, File)
    body = body_object(request)
    content = _decode_base64(body.get("file_base64"))
    with _asset_errors():
        services.file_replace_content(
            file=file, file_name=str(body.get("file_name") or file.file_name), content=content
        )
        extra = body.get("file")
        if isinstance(extra, dict):
            _metadata_update(file, extra)
    file.refresh_from_db()
    return ok(file_dict(file))


# Datasets -------------------------------------------------------------------------------------


def _rows(value) -> list[dict]:
    try:
        return coerce_rows(value if value is not None else [])
    except ValueError as exc:
        raise ApiError(str(exc), code="invalid_rows") from None


@api_view(["POST"])
def dataset_create(request: Request):
    data = body_object(request, "dataset")
    if data.get("file_id"):
        # From an uploaded CSV file the caller may read.
        file = _load(request, data["file_id"], File)
        with _asset_errors():
            dataset, ingest = services.dataset_create_from_file(
                owner=_owner(request, data),
                file=file,
                name=str(data.get("name") or ""),
                visibility=data.get("visibility"),
            )
        preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
        return ok(dataset_dict(dataset, preview=preview), status=201, row_ingest=ingest)
    rows = _rows(data.get("rows") if data.get("rows") is not None else data.get("data"))
    key_columns = data.get("key_columns") or data.get("primary_key") or []
    with _asset_errors():
        dataset, ingest = services.dataset_create(
            owner=_owner(request, data),
            name=str(data.get("name") or "dataset"),
            rows=rows,
            visibility=data.get("visibility"),
            description=_description(data.get("description")) or "",
            source="api",
            key_columns=key_columns if isinstance(key_columns, list) else [key_columns],
        )
    preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
    return ok(dataset_dict(dataset, preview=preview), status=201, row_ingest=ingest)


@api_view(["GET", "PUT", "DELETE"])
def dataset_detail(request: Request, dataset_id: str):
    if request.method == "DELETE":
        return _delete(request, dataset_id, Dataset)
    if request.method == "PUT":
        dataset = _editable(request, dataset_id, Dataset)
        data = body_object(request, "dataset") if "dataset" in request.data else request.data
        with _asset_errors():
            _metadata_update(dataset, data)
        dataset.refresh_from_db()
    else:
        dataset = _load(request, dataset_id, Dataset)
    preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
    return ok(dataset_dict(dataset, preview=preview))


@api_view(["GET", "POST"])
def dataset_data(request: Request, dataset_id: str):
    if request.method == "GET":
        dataset = _load(request, dataset_id, Dataset)
        win = window(request, default_limit=100)
        rows, has_more = selectors.dataset_rows_page(
            dataset=dataset, limit=win.limit, offset=win.offset
        )
        pagination = {"hasMore": has_more, "offset": win.offset, "limit": win.limit}
        return Response({"data": rows, "pagination": pagination, "resolved_refs": {}})
    dataset = _editable(request, dataset_id, Dataset)
    body = body_object(request)
    with _asset_errors():
        ingest = services.dataset_write_rows(
            dataset=dataset,
            rows=_rows(body.get("rows")),
            mode=str(body.get("mode") or "append"),
            key_columns=body.get("key_columns") or body.get("on_conflict"),
        )
    return ok(ingest, row_ingest=ingest)


@api_view(["POST"])
def dataset_columns(request: Request, dataset_id: str):
    """Add a column: {name, type, nullable, label, enumValues}."""
    dataset = _editable(request, dataset_id, Dataset)
    body = body_object(request)
    with _asset_errors():
        dataset = services.dataset_column_add(
            dataset=dataset,
            name=body.get("name"),
            type=body.get("type") or "text",
            nullable=body.get("nullable", True) is not False,
            label=body.get("label"),
            enum_values=body.get("enumValues", body.get("enum_values")),
        )
    return ok(dataset_column_dicts(dataset), status=201)


@api_view(["PATCH", "DELETE"])
def dataset_column(request: Request, dataset_id: str, column: str):
    """Change a column ({newName, type, label, enumValues}) or drop it."""
    dataset = _editable(request, dataset_id, Dataset)
    with _asset_errors():
        if request.method == "DELETE":
            dataset = services.dataset_column_drop(dataset=dataset, column=column)
        else:
            body = body_object(request)
            if not any(k in body for k in ("newName", "type", "label", "enumValues")):
                raise ApiError("Give newName, type, label and/or enumValues", code="invalid_column")
            dataset = services.dataset_column_update(
                dataset=dataset,
                column=column,
                new_name=body.get("newName"),
                type=body.get("type"),
                label=body.get("label"),
                enum_values=body.get("enumValues"),
            )
    return ok(dataset_column_dicts(dataset))


@api_view(["POST"])
def dataset_query(request: Request, dataset_id: str):
    """SQL over a dataset is not offered: its rows are read page by page."""
    _load(request, dataset_id, Dataset)
    raise ApiError(
        "SQL queries over datasets are not offered here; read the rows page by page with "
        f"GET /api/datasets/{dataset_id}/data?limit=&offset=",
        code="not_offered",
    )


@api_view(["GET", "POST"])
def dataset_indexes(request: Request, dataset_id: str):
    """Datasets here are stored as rows of JSON, so there are no indexes to list or make."""
    _load(request, dataset_id, Dataset)
    if request.method == "POST":
        raise ApiError(
            "Datasets here keep no indexes: their rows are stored as JSON and read in order",
            code="not_offered",
        )
    return ok([])


@api_view(["GET"])
def dataset_schema(request: Request, dataset_id: str):
    return ok(dataset_column_dicts(_load(request, dataset_id, Dataset)))


@api_view(["GET"])
def dataset_stats(request: Request, dataset_id: str):
    dataset = _load(request, dataset_id, Dataset)
    columns = [c["name"] for c in dataset.columns]
    return ok(
        {
            "count": dataset.row_count,
            "is_estimate": False,
            "columnCount": len(columns),
            "columns": columns,
            "table_name": f"dataset_{dataset.pk.hex}",
            "schema": "datasets",
        }
    )


# Any asset ------------------------------------------------------------------------------------


def _action_dict(action) -> dict:
    from apps.actions.serializers import action_dict

    return action_dict(action)


@api_view(["GET"])
def asset_compatible_routes(request: Request, asset_id: str):
    asset = selectors.asset_concrete(_load(request, asset_id))
    sort = request.query_params.get("sort") or "popular"
    if sort not in ("popular", "recent", "updated", "relevant"):
        raise ApiError("sort must be popular, recent or updated", code="invalid_parameter")
    routes = selectors.routes_compatible_with(
        asset=asset,
        user=request.user,
        query=request.query_params.get("query") or "",
        sort=sort,
    )
    if "limit" not in request.query_params:
        data = [{**route_brief_dict(r), "compatible_inputs": r.compatible_inputs} for r in routes]
        pagination = {"hasMore": False, "offset": 0, "limit": len(data)}
        return Response({"data": data, "pagination": pagination})
    return paged(
        routes,
        window(request),
        lambda r: {**route_brief_dict(r), "compatible_inputs": r.compatible_inputs},
    )


@api_view(["GET"])
def asset_actions(request: Request, asset_id: str):
    asset = _load(request, asset_id)
    role = request.query_params.get("role") or "both"
    if role not in ("input", "output", "both"):
        raise ApiError("role must be input, output or both", code="invalid_parameter")
    created_by, as_input = selectors.asset_actions(asset=asset, user=request.user, role=role)
    status = request.query_params.get("status")
    if status:
        as_input = [a for a in as_input if a.status == status]
    if role == "output":
        return ok(_action_dict(created_by) if created_by else None)
    win = window(request, default_limit=200)
    page = as_input[win.offset : win.offset + win.limit]
    pagination = {
        "hasMore": len(as_input) > win.offset + win.limit,
        "offset": win.offset,
        "limit": win.limit,
    }
    inputs = [_action_dict(a) for a in page]
    if role == "input":
        return Response({"data": inputs, "pagination": pagination})
    data = {"created_by": _action_dict(created_by) if created_by else None, "as_input": inputs}
    return Response({"data": data, "pagination": pagination})


def _ref(asset) -> dict:
    return {"id": str(asset.pk), "asset_type": asset.asset_type, "name": asset.name}


@api_view(["GET"])
def asset_connections(request: Request, asset_id: str):
    asset = _load(request, asset_id)
    links = selectors.asset_connections(asset=asset, user=request.user)
    direction = request.query_params.get("direction")
    if direction == "source":
        links = [link for link in links if link.route_id == asset.pk]
    elif direction == "target":
        links = [link for link in links if link.asset_id == asset.pk]
    wanted = request.query_params.get("type")
    if wanted and "link" not in wanted.split(","):
        links = []

    def connection(link) -> dict:
        return {
            "id": _link_uuid(link),
            "type": "link",
            "source_id": str(link.route_id),
            "target_id": str(link.asset_id),
            "source_asset_type": "route",
            "target_asset_type": link.asset.asset_type,
            "source": _ref(link.route),
            "target": _ref(link.asset),
            "user_id": str(link.added_by_id) if link.added_by_id else None,
            "created_at": link.created_at.isoformat(),
            "last_updated": link.created_at.isoformat(),
        }

    return paged(links, window(request, default_limit=50), connection)


CHILDREN_LIMIT = 500
TAG_NAMESPACE = uuid.UUID("6f1c3a52-9d1e-4f0e-8a57-3c1d2b0e7a90")


@api_view(["GET"])
def asset_children(request: Request, asset_id: str):
    """The assets under this one that the caller may see (a service's routes)."""
    asset = _load(request, asset_id)
    children = selectors.assets_visible_to(
        user=request.user, queryset=Asset.objects.filter(parent_id=asset.pk)
    )
    return ok(_typed_dicts(list(children.select_related("user").order_by("name")[:CHILDREN_LIMIT])))


@api_view(["GET"])
def asset_counts(request: Request, asset_id: str):
    """What is counted here: the earnings of a route or service, for those who may edit it.
    Views, comments, reactions and downloads are not tracked, so they are left out."""
    from apps.billing.selectors import asset_earned_cents

    asset = _load(request, asset_id)
    mine = selectors.asset_can_edit(user=request.user, asset=asset)
    return ok({"earnings_usd": asset_earned_cents(asset) if mine else 0})


@api_view(["GET"])
def asset_tags(request: Request, asset_id: str):
    """A route's tags from its OpenAPI operation (the only tags kept here)."""
    from apps.routes.models import Route

    asset = _load(request, asset_id)
    names = []
    if asset.asset_type == "route":
        names = Route.objects.filter(pk=asset.pk).values_list("tags", flat=True).first() or []
    rows = []
    for name in dict.fromkeys(str(n) for n in names if n):
        tag_id = uuid.uuid5(TAG_NAMESPACE, name.lower())
        rows.append(
            {
                "id": str(uuid.uuid5(tag_id, str(asset.pk))),
                "asset_id": str(asset.pk),
                "tag_id": str(tag_id),
                "tag": {"id": str(tag_id), "name": name, "type": "openapi"},
                "source": "spec",
            }
        )
    return ok(rows)


def _link_uuid(link) -> str:
    """A stable UUID for a route link (the contract's connection ids are UUIDs)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"route-asset:{link.route_id}:{link.asset_id}"))


@api_view(["GET"])
def asset_lineage(request: Request, asset_id: str):
    asset = _load(request, asset_id)
    lineage = selectors.asset_lineage(asset=asset, user=request.user)
    producer = next((s for s in lineage["sources"] if s["action"] or s["route"]), None)
    sources = [a for s in lineage["sources"] for a in s["inputs"]]
    derived = [{**asset_dict(a), "run": _run(s)} for s in lineage["uses"] for a in s["outputs"]]
    return ok(
        {
            "asset": {
                "id": str(asset.pk),
                "asset_type": asset.asset_type,
                "lineage_role": "result" if producer else "new",
                "source_id": str(sources[0].pk) if sources else None,
                "run": _run(producer) if producer else None,
            },
            "sources": [asset_dict(a) for a in sources],
            "derived": derived,
            "truncated": False,
        }
    )


def _run(step: dict) -> dict | None:
    action = step["action"]
    if action is None:
        return None
    route = step["route"]
    return {
        "action_id": str(action.pk),
        "created_at": action.created_at.isoformat(),
        "route": {"id": str(route.pk), "name": route.name, "slug": route.slug} if route else None,
    }


@api_view(["POST"])
def asset_download_url(request: Request, asset_id: str):
    asset = selectors.asset_concrete(_load(request, asset_id))
    if isinstance(asset, File):
        file_name, content_type = asset.file_name, asset.content_type
    elif isinstance(asset, Dataset):
        file_name, content_type = f"{asset.slug or 'dataset'}.csv", "text/csv"
    elif asset.asset_type == "post":
        file_name, content_type = f"{asset.slug or 'post'}.md", "text/markdown"
    else:
        raise ApiError("Only files, datasets and posts can be downloaded", code="not_downloadable")
    return ok(
        {
            "download_url": services.signed_download_url(asset=asset),
            "file_name": file_name,
            "content_type": content_type,
            "expires_in": services.SIGNED_URL_TTL_SECONDS,
            "asset_type": asset.asset_type,
        }
    )


@api_view(["POST"])
def asset_download(request: Request, asset_id: str):
    """The asset's bytes in the response: a file as it is, a dataset as CSV, a post as
    markdown (the only form a post is downloaded in here)."""
    from apps.assets.views import asset_download_response

    asset = selectors.asset_concrete(_load(request, asset_id))
    if not isinstance(asset, File | Dataset) and asset.asset_type != "post":
        raise ApiError("Only files, datasets and posts can be downloaded", code="not_downloadable")
    return asset_download_response(asset)


@api_view(["PUT"])
def asset_share(request: Request, asset_id: str):
    asset = _administered(request, asset_id)
    permission = body_object(request, "permission")
    target = permission.get("user") if isinstance(permission.get("user"), dict) else {}
    user = User.objects.filter(pk=parse_uuid(target.get("user_id"), "user_id")).first()
    if user is None:
        raise ApiError("No such user", status=404, code="not_found")
    with _asset_errors():
        share = services.asset_share_set(
            asset=asset, user=user, role=str(permission.get("role") or "read")
        )
    return ok({"asset_id": str(asset.pk), "user_id": str(user.pk), "role": share.role})


def _json_param(request: Request, name: str) -> dict:
    raw = request.query_params.get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ApiError(f"{name} must be a JSON object", code="invalid_parameter") from None
    if not isinstance(value, dict):
        raise ApiError(f"{name} must be a JSON object", code="invalid_parameter")
    return value


@api_view(["GET"])
def search_assets(request: Request):
    filters = _json_param(request, "filters")
    for key in ("asset_type", "org_id", "team_id", "user_id", "visibility", "source"):
        if key in request.query_params and key not in filters:
            filters[key] = request.query_params[key]
    scope = request.query_params.get("scope") or None
    if scope is not None and scope not in selectors.SEARCH_SCOPES:
        choices = ", ".join(selectors.SEARCH_SCOPES)
        raise ApiError(f"scope must be one of {choices}, not {scope!r}", code="invalid_parameter")
    in_org = scope == "org" and request.user.is_authenticated
    org = request_org(request).org if in_org else None
    assets = selectors.assets_search(
        user=request.user,
        query=request.query_params.get("query") or "",
        filters=filters,
        metadata_filters=_json_param(request, "metadata_filters"),
        scope=scope,
        org_id=None if org is None or org.is_personal else org.pk,
        sort=request.query_params.get("sort"),
    ).select_related("user")
    win = window(request)
    rows = list(assets[win.offset : win.offset + win.limit + 1])
    pagination = {"hasMore": len(rows) > win.limit, "offset": win.offset, "limit": win.limit}
    return Response({"data": _typed_dicts(rows[: win.limit]), "pagination": pagination})


def _typed_dicts(assets: list) -> list[dict]:
    """Each asset in the JSON of its type (a file with its metadata, a route with `route`)."""
    from apps.routes.models import Route

    by_type = {
        "file": (File, file_dict),
        "dataset": (Dataset, dataset_dict),
        "route": (Route, route_brief_dict),
    }
    concrete = {}
    for asset_type, (model, _) in by_type.items():
        ids = [a.pk for a in assets if a.asset_type == asset_type]
        if ids:
            concrete.update(model.objects.select_related("user").in_bulk(ids))
    result = []
    for asset in assets:
        model_and_serializer = by_type.get(asset.asset_type)
        if model_and_serializer and asset.pk in concrete:
            result.append(model_and_serializer[1](concrete[asset.pk]))
        else:
            result.append(asset_dict(asset))
    return result
