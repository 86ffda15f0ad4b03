"""Endpoints about any asset: its type, children, download, sharing, and search."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Role, User
from apps.api.context import request_org
from apps.api.envelope import body_object, ok, parse_uuid, text_field, window
from apps.api.errors import ApiError
from apps.api.schema import PAGE, field, json_object, query
from apps.assets import selectors, services
from apps.assets.api_views.common import (
    asset_administered,
    asset_errors,
    asset_for_request,
    json_param,
)
from apps.assets.kinds import asset_kind
from apps.assets.models import Asset, Dataset, File
from apps.assets.serializers import asset_dict
from apps.assets.signals import asset_downloaded

CHILDREN_LIMIT = 500


@api_view(["GET"])
def asset_type(request: Request, asset_id: str):
    """The asset's type, for one who may see it, or buy it."""
    for_sale = selectors.asset_for_sale(asset_id=parse_uuid(asset_id))
    asset = for_sale or asset_for_request(request, asset_id)
    return ok({"asset_type": asset.asset_type})


@api_view(["GET"])
def asset_children(request: Request, asset_id: str):
    """The assets under this one that the caller may see (a service's routes)."""
    asset = asset_for_request(request, asset_id)
    children = selectors.assets_visible_to(
        user=request.user, queryset=Asset.objects.filter(parent_id=asset.pk)
    )
    rows = list(children.select_related("user").order_by("name")[:CHILDREN_LIMIT])
    return ok(typed_asset_dicts(rows))


def _download_format(request: Request, asset) -> str:
    """The `format` the body asks for (posts: markdown or html), checked for the asset."""
    body = request.data if isinstance(request.data, dict) else {}
    with asset_errors():
        return services.download_format(asset=asset, requested=text_field(body, "format"))


DOWNLOAD = json_object(
    "AssetDownload",
    {
        "format": field(
            str,
            "The form to download (default the asset's own: a file as it is, a dataset as csv, "
            "a post as markdown; `html` for a post's page)",
            enum=("original", "csv", "markdown", "md", "html"),
        )
    },
)
DOWNLOAD_TYPES = {"markdown": "text/markdown", "html": "text/html", "csv": "text/csv"}
DOWNLOAD_EXTENSIONS = {"markdown": "md", "html": "html", "csv": "csv"}


@extend_schema(request=DOWNLOAD)
@api_view(["POST"])
def asset_download_url(request: Request, asset_id: str):
    asset = selectors.asset_concrete(asset_for_request(request, asset_id))
    format = _download_format(request, asset)
    if isinstance(asset, File):
        file_name, content_type = asset.file_name, asset.content_type
    else:
        default = "dataset" if isinstance(asset, Dataset) else "post"
        file_name = f"{asset.slug or default}.{DOWNLOAD_EXTENSIONS[format]}"
        content_type = DOWNLOAD_TYPES[format]
    return ok(
        {
            "download_url": services.signed_download_url(asset=asset, format=format),
            "file_name": file_name,
            "content_type": content_type,
            "format": format,
            "expires_in": services.SIGNED_URL_TTL_SECONDS,
            "asset_type": asset.asset_type,
        }
    )


@extend_schema(request=DOWNLOAD)
@api_view(["POST"])
def asset_download(request: Request, asset_id: str):
    """The asset's bytes in the response: a file as it is, a dataset as CSV, a post as
    markdown or, with `format` "html", as an HTML page."""
    from apps.assets.views import asset_download_response

    asset = selectors.asset_concrete(asset_for_request(request, asset_id))
    response = asset_download_response(asset, format=_download_format(request, asset))
    asset_downloaded.send(sender=Asset, asset=asset, user=request.user)
    return response


@extend_schema(
    request=json_object(
        "AssetShare",
        {
            "permission": json_object(
                "AssetPermission",
                {
                    "user": json_object(
                        "AssetPermissionUser",
                        {"user_id": field(str, "The user to share with", required=True)},
                    ),
                    "role": field(str, "The role they get (default read)", enum=Role.values),
                },
            )
        },
    )
)
@api_view(["PUT"])
def asset_share(request: Request, asset_id: str):
    asset = asset_administered(request, asset_id)
    permission = body_object(request, "permission")
    target = permission.get("user") if isinstance(permission.get("user"), dict) else {}
    user = User.objects.filter(pk=parse_uuid(target.get("user_id"), "user_id")).first()
    if user is None:
        raise ApiError("No such user", status=404, code="not_found")
    with asset_errors():
        share = services.asset_share_set(
            asset=asset, user=user, role=str(permission.get("role") or "read")
        )
    return ok({"asset_id": str(asset.pk), "user_id": str(user.pk), "role": share.role})


ID_FILTERS = ("org_id", "team_id", "user_id")
TEXT_FILTERS = ("visibility", "source")


def _search_filters(request: Request) -> dict:
    """`filters` (JSON) with the same keys given as query parameters, each checked: ids are
    UUIDs, the others text (`asset_type` one or a list)."""
    filters = json_param(request, "filters")
    for key in ("asset_type", *ID_FILTERS, *TEXT_FILTERS):
        if key in request.query_params and key not in filters:
            filters[key] = request.query_params[key]
    for key in ID_FILTERS:
        if filters.get(key):
            filters[key] = parse_uuid(filters[key], key)
    for key in TEXT_FILTERS:
        if filters.get(key) is not None and not isinstance(filters[key], str):
            raise ApiError(f"filters.{key} must be a string", code="invalid_parameter")
    kinds = filters.get("asset_type")
    if kinds and not (
        isinstance(kinds, str)
        or (isinstance(kinds, list) and all(isinstance(k, str) for k in kinds))
    ):
        raise ApiError(
            "filters.asset_type must be a string or a list of strings", code="invalid_parameter"
        )
    return filters


@extend_schema(
    parameters=[
        *PAGE,
        query("query", "Words to find"),
        query("scope", "Where to look"),
        query("sort", "Order"),
        query("filters", "A JSON object: asset_type, org_id, team_id, user_id, visibility, source"),
        query("metadata_filters", "A JSON object matched against metadata"),
        query("asset_type", "One asset type"),
        query("org_id", "One organization"),
        query("team_id", "One team"),
        query("user_id", "One owner"),
        query("visibility", "One visibility"),
        query("source", "web or api"),
    ]
)
@api_view(["GET"])
def search_assets(request: Request):
    filters = _search_filters(request)
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
        metadata_filters=json_param(request, "metadata_filters"),
        scope=scope,
        org_id=None if org is None or org.is_personal else org.pk,
        sort=request.query_params.get("sort"),
    ).select_related("user")
    win = window(request)
    rows = list(assets[win.offset : win.offset + win.limit + 1])
    pagination = {"hasMore": len(rows) > win.limit, "offset": win.offset, "limit": win.limit}
    return Response({"data": typed_asset_dicts(rows[: win.limit]), "pagination": pagination})


def typed_asset_dicts(assets: list) -> list[dict]:
    """Each asset in the JSON of its kind (a file with its metadata, a route with `route`)."""
    concrete = {}
    for asset_type in {a.asset_type for a in assets}:
        kind = asset_kind(asset_type)
        if kind is not None and kind.serialize is not None:
            ids = [a.pk for a in assets if a.asset_type == asset_type]
            concrete.update(kind.model.objects.select_related("user", "org").in_bulk(ids))
    result = []
    for asset in assets:
        found = concrete.get(asset.pk)
        result.append(asset_kind(asset.asset_type).serialize(found) if found else asset_dict(asset))
    return result
