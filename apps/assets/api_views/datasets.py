"""Dataset endpoints of the Ouro contract: create, rows, schema, columns, stats, read-only SQL,
saved views and permissions."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.envelope import body_object, ok, parse_uuid, query_bool, window
from apps.api.errors import ApiError
from apps.api.schema import (
    ASSET_CHANGES,
    ASSET_FIELDS,
    DELETE_OPTIONS,
    PAGE,
    field,
    json_object,
    query,
)
from apps.assets import selectors, services
from apps.assets.api_views.common import (
    asset_delete_response,
    asset_editable,
    asset_errors,
    asset_for_request,
    description_text,
    metadata_update,
    request_owner,
    sale_requested,
    sale_store,
)
from apps.assets.models import Dataset, DatasetView, File
from apps.assets.serializers import (
    dataset_column_dicts,
    dataset_dict,
    dataset_view_dict,
    permission_dict,
)
from apps.assets.tabular import coerce_rows

PREVIEW_ROWS = 12


def _created(dataset: Dataset, ingest: dict, status: int = 200):
    """The dataset with its first rows, the ingest counts and any warning about skipped rows."""
    preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
    warning = ingest.pop("warning", None)
    extra = {"warning": warning} if warning else {}
    return ok(dataset_dict(dataset, preview=preview), status=status, row_ingest=ingest, **extra)


def _declared(data: dict, name: str):
    """`refs` / `enum_columns` as sent at the top level or inside `metadata`."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return data.get(name) if data.get(name) is not None else metadata.get(name)


def _rows(value) -> list[dict]:
    try:
        return coerce_rows(value if value is not None else [])
    except ValueError as exc:
        raise ApiError(str(exc), code="invalid_rows") from None


ROWS = field(list, "The rows, as objects of column: value", items=dict)
KEY_COLUMNS = field(list, "The columns that identify a row", items=str)
REFS = field(
    dict,
    'Columns that hold ids: `{column: {"kind": "asset"|"action", "asset_type"?}}`',
)
ENUM_COLUMNS = field(dict, "Allowed values per column: `{column: {values: [...]}}` or a list")
DECLARED = {"refs": REFS, "enum_columns": ENUM_COLUMNS}
DATASET_METADATA = {
    "metadata": json_object(
        "DatasetMetadata",
        DECLARED,
        "`refs` and `enum_columns` may also be sent here.",
        required=False,
    )
}


@extend_schema(
    request=json_object(
        "DatasetCreate",
        {
            "dataset": json_object(
                "DatasetFields",
                {
                    **ASSET_FIELDS,
                    **DATASET_METADATA,
                    "rows": ROWS,
                    "data": field(list, "The rows, when `rows` is not given", items=dict),
                    "file_id": field(str, "An uploaded CSV file to read the rows from instead"),
                    "schema": field(str, "A CREATE TABLE statement declaring the columns"),
                    "key_columns": KEY_COLUMNS,
                    "primary_key": field(object, "`key_columns`, when that is not given"),
                    **DECLARED,
                },
                "The new dataset: its rows, or an uploaded CSV file (`file_id`).",
            )
        },
    )
)
@api_view(["POST"])
def dataset_create(request: Request):
    data = body_object(request, "dataset")
    sale = sale_requested(data, "dataset")
    if data.get("file_id"):
        # From an uploaded CSV file the caller may read.
        file = asset_for_request(request, data["file_id"], File)
        with asset_errors(), transaction.atomic():
            dataset, ingest = services.dataset_create_from_file(
                owner=request_owner(request, data),
                file=file,
                name=str(data.get("name") or ""),
                visibility=data.get("visibility"),
            )
            sale_store(dataset, sale)
        preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
        return ok(dataset_dict(dataset, preview=preview), status=201, row_ingest=ingest)
    rows = _rows(data.get("rows") if data.get("rows") is not None else data.get("data"))
    key_columns = data.get("key_columns") or data.get("primary_key") or []
    with asset_errors(), transaction.atomic():
        dataset, ingest = services.dataset_create(
            owner=request_owner(request, data),
            name=str(data.get("name") or "dataset"),
            rows=rows,
            visibility=data.get("visibility"),
            description=description_text(data.get("description")) or "",
            source="api",
            key_columns=key_columns if isinstance(key_columns, list) else [key_columns],
            schema=data.get("schema"),
            enum_columns=_declared(data, "enum_columns"),
            refs=_declared(data, "refs"),
            license_id=data.get("license_id"),
            attribution=data.get("attribution"),
        )
        sale_store(dataset, sale)
    return _created(dataset, ingest, status=201)


@extend_schema(methods=["DELETE"], parameters=DELETE_OPTIONS)
@extend_schema(
    methods=["PUT"],
    request=json_object(
        "DatasetUpdate",
        {
            "dataset": json_object(
                "DatasetChanges",
                {**ASSET_CHANGES, **DATASET_METADATA, "key_columns": KEY_COLUMNS, **DECLARED},
                "The fields to change; those left out are kept.",
            )
        },
        "The changes under `dataset`, as the client sends them (the same fields bare, at the "
        "top level, are also accepted).",
    ),
)
@api_view(["GET", "PUT", "DELETE"])
def dataset_detail(request: Request, dataset_id: str):
    if request.method == "DELETE":
        return asset_delete_response(request, dataset_id, Dataset)
    if request.method == "PUT":
        dataset = asset_editable(request, dataset_id, Dataset)
        where = "dataset" if "dataset" in body_object(request) else ""
        data = body_object(request, where or None)
        with asset_errors():
            metadata_update(dataset, data, where)
            if data.get("key_columns") is not None:
                services.dataset_key_columns_set(dataset=dataset, key_columns=data["key_columns"])
            refs, enums = _declared(data, "refs"), _declared(data, "enum_columns")
            if refs or enums:
                services.dataset_columns_promote(
                    dataset=dataset, user=request.user, refs=refs, enum_columns=enums
                )
        dataset.refresh_from_db()
    else:
        dataset = asset_for_request(request, dataset_id, Dataset)
    preview, _ = selectors.dataset_rows_page(dataset=dataset, limit=PREVIEW_ROWS, offset=0)
    return ok(dataset_dict(dataset, preview=preview))


@extend_schema(
    methods=["GET"],
    parameters=[*PAGE, query("resolve_refs", "Also resolve reference columns", bool)],
)
@extend_schema(
    methods=["POST"],
    request=json_object(
        "DatasetRows",
        {
            "rows": ROWS,
            "mode": field(
                str,
                "How the rows are written (default append)",
                enum=services.MODES,
            ),
            "key_columns": KEY_COLUMNS,
            "on_conflict": field(object, "`key_columns`, when that is not given"),
        },
    ),
)
@api_view(["GET", "POST"])
def dataset_data(request: Request, dataset_id: str):
    if request.method == "GET":
        dataset = asset_for_request(request, dataset_id, Dataset)
        win = window(request, default_limit=100)
        rows, has_more = selectors.dataset_rows_page(
            dataset=dataset, limit=win.limit, offset=win.offset
        )
        pagination = {"hasMore": has_more, "offset": win.offset, "limit": win.limit}
        return Response({"data": rows, "pagination": pagination, **_refs(request, dataset, rows)})
    dataset = asset_editable(request, dataset_id, Dataset)
    body = body_object(request)
    with asset_errors():
        ingest = services.dataset_write_rows(
            dataset=dataset,
            rows=_rows(body.get("rows")),
            mode=str(body.get("mode") or "append"),
            key_columns=body.get("key_columns") or body.get("on_conflict"),
            user=request.user,
        )
    warning = ingest.pop("warning", None)
    return ok(ingest, row_ingest=ingest, **({"warning": warning} if warning else {}))


def _refs(request: Request, dataset: Dataset, rows: list[dict], wanted: bool = False) -> dict:
    """`resolved_refs` (column -> id -> what the caller may see of it) when asked for."""
    if not (wanted or query_bool(request, "resolve_refs")):
        return {"resolved_refs": {}}
    resolved = {}
    for column in dataset.columns:
        ref = column.get("ref")
        if not ref:
            continue
        ids = {services.reference_id(row.get(column["name"])) for row in rows}
        found = selectors.references_resolved(
            kind=ref["kind"],
            user=request.user,
            ids={i for i in ids if i},
            asset_type=ref.get("asset_type"),
        )
        resolved[column["name"]] = {str(pk): value for pk, value in found.items()}
    return {"resolved_refs": resolved}


@extend_schema(
    request=json_object(
        "DatasetColumnAdd",
        {
            "name": field(str, "The new column's name", required=True),
            "type": field(str, "Its type, e.g. text, integer, float, boolean (default text)"),
            "nullable": field(bool, "Whether it may be empty (default true)"),
            "label": field(str, "A label to show"),
            "enumValues": field(list, "The values it may hold", items=str),
            "enum_values": field(list, "`enumValues`, when that is not given", items=str),
        },
    )
)
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


@extend_schema(
    methods=["PATCH"],
    request=json_object(
        "DatasetColumnChange",
        {
            "newName": field(str, "A new name"),
            "type": field(str, "A new type (the values are converted)"),
            "label": field(str, "A new label"),
            "enumValues": field(list, "The values it may hold", items=str),
        },
        "At least one of the fields.",
    ),
)
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


QUERY_LIMIT_MAX = 10_000


def _page_number(body: dict, name: str, default: int, largest: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= largest:
        raise ApiError(f"{name} must be an integer from 0 to {largest}", code="invalid_parameter")
    return value


@extend_schema(
    request=json_object(
        "DatasetQuery",
        {
            "query": field(str, "Read-only SQL over `{{table}}`", required=True),
            "limit": field(int, f"Rows per page (0 to {QUERY_LIMIT_MAX}, default the most)"),
            "offset": field(int, "Rows to skip (default 0)"),
            "resolve_refs": field(bool, "Also resolve reference columns"),
            "prompt": field(str, "Not offered here: queries are written as SQL"),
        },
    )
)
@api_view(["POST"])
def dataset_query(request: Request, dataset_id: str):
    """Read-only SQL over this dataset alone (`{{table}}`), one page of its result."""
    dataset = asset_for_request(request, dataset_id, Dataset)
    body = body_object(request)
    if body.get("prompt") is not None and body.get("query") is None:
        raise ApiError(
            "Queries are not written from a prompt here: send `query`, read-only SQL over "
            "{{table}}",
            code="not_offered",
        )
    sql = body.get("query")
    if not isinstance(sql, str) or not sql.strip():
        raise ApiError("query must be SQL text, a SELECT over {{table}}", code="invalid_query")
    limit = _page_number(body, "limit", QUERY_LIMIT_MAX, QUERY_LIMIT_MAX) or QUERY_LIMIT_MAX
    offset = _page_number(body, "offset", 0, 10_000_000)
    with asset_errors():
        result = services.dataset_query(dataset=dataset, sql=sql, limit=limit, offset=offset)
    pagination = {
        "hasMore": result.has_more,
        "offset": offset,
        "limit": limit,
        "total": result.total,
    }
    refs = _refs(request, dataset, result.rows, wanted=body.get("resolve_refs") is True)
    return Response({"data": result.rows, "pagination": pagination, "query": sql, **refs})


@extend_schema(methods=["POST"], request=None)  # refused whatever the body
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


@api_view(["DELETE"])
def dataset_index(request: Request, dataset_id: str, name: str):
    asset_editable(request, dataset_id, Dataset)
    raise ApiError(
        f"The dataset has no index {name!r}: datasets here keep no indexes",
        status=404,
        code="not_found",
    )


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
            "column_types": {c["name"]: c["type"] for c in dataset.columns},
            "table_name": services.dataset_table_name(dataset),
            "schema": "datasets",
            "table_size": dataset.row_count,
        }
    )


@api_view(["GET"])
def dataset_permissions(request: Request, dataset_id: str):
    """Who holds which role on the dataset. Its editors see every grant; a reader sees the
    owner's and their own."""
    dataset = asset_for_request(request, dataset_id, Dataset)
    shares = dataset.shares.select_related("user").order_by("created_at")
    if not selectors.asset_can_edit(user=request.user, asset=dataset):
        shares = shares.filter(user=request.user)
    grants = [permission_dict(dataset, user=dataset.user, role="admin")]
    grants += [
        permission_dict(dataset, user=s.user, role=s.role, created_at=s.created_at)
        for s in shares
        if s.user_id != dataset.user_id
    ]
    return ok(grants)


VIEW_FIELDS = {
    "name": field(str, "The view's name (1 to 200 characters)"),
    "description": field(str, "What it shows"),
    "sql_query": field(str, "Read-only SQL over `{{table}}` whose result it charts"),
    "config": field(dict, "The chart's config (`category.dataKey`, `series[].dataKey`)"),
    "prompt": field(str, "Not offered here: give `sql_query` and `config`"),
}


@extend_schema(
    methods=["POST"],
    request=json_object(
        "DatasetViewCreate",
        {
            **VIEW_FIELDS,
            "name": field(str, "The view's name (1 to 200 characters)", required=True),
            "sql_query": field(
                str, "Read-only SQL over `{{table}}` whose result it charts", required=True
            ),
            "config": field(
                dict, "The chart's config (`category.dataKey`, `series[].dataKey`)", required=True
            ),
        },
    ),
)
@api_view(["GET", "POST"])
def dataset_views(request: Request, dataset_id: str):
    """The dataset's saved views (charts); POST saves one after running its SQL."""
    if request.method == "GET":
        dataset = asset_for_request(request, dataset_id, Dataset)
        return ok([dataset_view_dict(v) for v in dataset.views.all()])
    dataset = asset_editable(request, dataset_id, Dataset)
    with asset_errors():
        view, checked = services.dataset_view_create(
            dataset=dataset, user=request.user, data=body_object(request)
        )
    return ok({**dataset_view_dict(view), **checked}, status=201)


@extend_schema(
    methods=["PUT"],
    request=json_object(
        "DatasetViewUpdate", VIEW_FIELDS, "The fields to change; those left out are kept."
    ),
)
@api_view(["PUT", "DELETE"])
def dataset_view(request: Request, dataset_id: str, view_id: str):
    dataset = asset_editable(request, dataset_id, Dataset)
    view = DatasetView.objects.filter(pk=parse_uuid(view_id, "view_id"), dataset=dataset).first()
    if view is None:
        raise ApiError("View not found", status=404, code="not_found")
    if request.method == "DELETE":
        services.dataset_view_delete(view=view)
        return ok({"id": str(view_id), "deleted": True})
    with asset_errors():
        view, checked = services.dataset_view_update(view=view, data=body_object(request))
    return ok({**dataset_view_dict(view), **checked})
