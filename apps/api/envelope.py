"""The `{data, pagination}` envelope, request helpers and the base API view."""

import uuid
from dataclasses import dataclass

from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.errors import ApiError

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000  # larger offsets overflow the databases' integers


def ok(data, status: int = 200, **extra) -> Response:
    return Response({"data": data, **extra}, status=status)


@dataclass(frozen=True)
class Window:
    limit: int
    offset: int


def window(request: Request, *, default_limit: int = 20) -> Window:
    """The `limit`/`offset` of a list request; limit capped at 200."""
    try:
        limit = int(request.query_params.get("limit", default_limit))
        offset = int(request.query_params.get("offset", 0))
    except ValueError:
        raise ApiError(
            "limit and offset must be whole numbers", code="invalid_pagination"
        ) from None
    if limit < 1 or offset < 0:
        raise ApiError("limit must be at least 1 and offset at least 0", code="invalid_pagination")
    if offset > MAX_OFFSET:
        raise ApiError(f"offset must be at most {MAX_OFFSET}", code="invalid_pagination")
    return Window(limit=min(limit, MAX_LIMIT), offset=offset)


def paged(items, win: Window, serialize, **extra) -> Response:
    """Slice a queryset or list by the window (fetching one extra row to learn hasMore)."""
    rows = list(items[win.offset : win.offset + win.limit + 1])
    has_more = len(rows) > win.limit
    data = [serialize(row) for row in rows[: win.limit]]
    pagination = {"hasMore": has_more, "offset": win.offset, "limit": win.limit}
    return Response({"data": data, "pagination": pagination, **extra})


def parse_uuid(value, name: str = "id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise ApiError(f"{name} must be a UUID, not {value!r}", code="invalid_uuid") from None


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes"):
        return True
    if raw.lower() in ("0", "false", "no", ""):
        return False
    raise ApiError(f"{name} must be true or false", code="invalid_parameter")


def text_field(data: dict, key: str, where: str = "") -> str | None:
    """`data[key]` when it is text (None when absent or null), or a 400 naming the field by
    its path in the body (`where`, e.g. "post")."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    path = f"{where}.{key}" if where else key
    raise ApiError(f"{path} must be a string, not {type(value).__name__}", code="invalid_body")


def body_object(request: Request, key: str | None = None) -> dict:
    """The JSON body (or one of its keys) as a dict, or a 400 naming what is wrong."""
    data = request.data
    if not isinstance(data, dict):
        raise ApiError("The request body must be a JSON object", code="invalid_body")
    if key is None:
        return data
    value = data.get(key)
    if not isinstance(value, dict):
        raise ApiError(f"The request body must have an object under {key!r}", code="invalid_body")
    return value
