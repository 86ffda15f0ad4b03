"""Dataset endpoints of the Ouro contract: create, rows, schema, columns and stats."""

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.envelope import body_object, ok, window
from apps.api.errors import ApiError
from apps.assets import selectors, services
from apps.assets.api_views.common import (
    asset_delete_response,
    asset_editable,
    asset_errors,
    asset_for_request,
    description_text,
    metadata_update,
    request_owner,
)
from apps.assets.models import Dataset, File
from apps.assets.serializers import dataset_column_dicts, dataset_dict
from apps.assets.tabular import coerce_rows

PREVIEW_ROWS = 12


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
        file = asset_for_request(request, data["file_id"], File)
        with asset_errors():
            dataset, ingest = services.dataset_create_from_file(
                owner=request_owner(request, data),
                file=file,
                name=str(data.get("name") or ""),
                visibility=data.get("visibility"),
            )
        preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
        return ok(dataset_dict(dataset, preview=preview), status=201, row_ingest=ingest)
    rows = _rows(data.get("rows") if data.get("rows") is not None else data.get("data"))
    key_columns = data.get("key_columns") or data.get("primary_key") or []
    with asset_errors():
        dataset, ingest = services.dataset_create(
            owner=request_owner(request, data),
            name=str(data.get("name") or "dataset"),
            rows=rows,
            visibility=data.get("visibility"),
            description=description_text(data.get("description")) or "",
            source="api",
            key_columns=key_columns if isinstance(key_columns, list) else [key_columns],
        )
    preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
    return ok(dataset_dict(dataset, preview=preview), status=201, row_ingest=ingest)


@api_view(["GET", "PUT", "DELETE"])
def dataset_detail(request: Request, dataset_id: str):
    if request.method == "DELETE":
        return asset_delete_response(request, dataset_id, Dataset)
    if request.method == "PUT":
        dataset = asset_editable(request, dataset_id, Dataset)
        data = body_object(request, "dataset") if "dataset" in request.data else request.data
        with asset_errors():
            metadata_update(dataset, data, "dataset" if "dataset" in request.data else "")
        dataset.refresh_from_db()
    else:
        dataset = asset_for_request(request, dataset_id, Dataset)
    preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
    return ok(dataset_dict(dataset, preview=preview))


@api_view(["GET", "POST"])
def dataset_data(request: Request, dataset_id: str):
    if request.method == "GET":
        dataset = asset_for_request(request, dataset_id, Dataset)
        win = window(request, default_limit=100)
        rows, has_more = selectors.dataset_rows_page(
            dataset=dataset, limit=win.limit, offset=win.offset
        )
        pagination = {"hasMore": has_more, "offset": win.offset, "limit": win.limit}
        return Response({"data": rows, "pagination": pagination, "resolved_refs": {}})
    dataset = asset_editable(request, dataset_id, Dataset)
    body = body_object(request)
    with asset_errors():
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
    dataset = asset_editable(request, dataset_id, Dataset)
    body = body_object(request)
    with asset_errors():
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
    dataset = asset_editable(request, dataset_id, Dataset)
    with asset_errors():
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
    asset_for_request(request, dataset_id, Dataset)
    raise ApiError(
        "SQL queries over datasets are not offered here; read the rows page by page with "
        f"GET /api/datasets/{dataset_id}/data?limit=&offset=",
        code="not_offered",
    )


@api_view(["GET", "POST"])
def dataset_indexes(request: Request, dataset_id: str):
    """Datasets here are stored as rows of JSON, so there are no indexes to list or make."""
    asset_for_request(request, dataset_id, Dataset)
    if request.method == "POST":
        raise ApiError(
            "Datasets here keep no indexes: their rows are stored as JSON and read in order",
            code="not_offered",
        )
    return ok([])


@api_view(["GET"])
def dataset_schema(request: Request, dataset_id: str):
    return ok(dataset_column_dicts(asset_for_request(request, dataset_id, Dataset)))


@api_view(["GET"])
def dataset_stats(request: Request, dataset_id: str):
    dataset = asset_for_request(request, dataset_id, Dataset)
    columns = [c["name"] for c in dataset.columns]
    return ok(
        {
            "count": dataset.row_count,
            "is_estimate": False,
            "columnCount": len(columns),
            "columns": columns,
        }
    )
