"""What the asset API views share: loading an asset for the caller, placing a new one, errors."""

import base64
import binascii
from contextlib import contextmanager

from django.db import transaction
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.context import request_placement
from apps.api.envelope import ok, parse_uuid, query_bool, text_field
from apps.api.errors import ApiError
from apps.assets import market, selectors, services
from apps.assets.models import Asset, Dataset, File
from apps.core.safe_text import InputError, json_loads


@contextmanager
def asset_errors():
    try:
        yield
    except services.AssetError as exc:
        raise ApiError(exc.message, status=exc.status, code=exc.code) from None


def request_owner(request: Request, fields: dict) -> services.Owner:
    """Who owns a new asset and where it lives: the organization asked for, or the context's."""
    org, team = request_placement(request, fields)
    return services.Owner(user=request.user, org=org, team=team)


def asset_for_request(request: Request, asset_id: str, model=Asset):
    """The asset when the caller may see it; a 404 otherwise, as for a missing id."""
    asset = selectors.asset_for_viewer(
        user=request.user, asset_id=parse_uuid(asset_id), model=model
    )
    if asset is None:
        kind = {File: "File", Dataset: "Dataset"}.get(model, "Asset")
        for_sale = selectors.asset_for_sale(asset_id=parse_uuid(asset_id), model=model)
        if for_sale is not None:
            raise for_sale_error(for_sale)
        raise ApiError(f"{kind} not found", status=404, code="not_found")
    return asset


def for_sale_error(asset) -> ApiError:
    """402 for an asset that is for sale, to one who has not bought it: its price, and how."""
    price = market.sale_fields(asset).get("price_usd")
    cost = f" for ${price:.2f}" if price is not None else ""
    return ApiError(
        f"This {asset.asset_type} is for sale{cost}: buy it (POST /stripe/wallet/purchase-asset "
        f'{{"assetType": "{asset.asset_type}", "assetId": "{asset.pk}"}}) to read it',
        status=402,
        code="payment_required",
    )


def sale_store(asset: Asset, change) -> None:
    """Store the checked sale of an asset just written, in its transaction."""
    try:
        market.sale_apply(asset, change)
    except market.SaleError as exc:
        raise ApiError(str(exc), code="invalid_price") from None


def sale_requested(data: dict, where: str = ""):
    """The sale a client asked for with an asset's fields (visibility "monetized" with a
    price), checked before anything is written; None when none was asked for."""
    try:
        return market.sale_check(data)
    except market.SaleError as exc:
        field = f"{where}.price" if where else "price"
        raise ApiError(f"{field}: {exc}", code="invalid_price") from None


def asset_editable(request: Request, asset_id: str, model=Asset):
    asset = asset_for_request(request, asset_id, model)
    if not selectors.asset_can_edit(user=request.user, asset=asset):
        raise ApiError("You may not change this asset", status=403, code="permission_denied")
    return asset


def asset_administered(request: Request, asset_id: str, model=Asset):
    asset = asset_for_request(request, asset_id, model)
    if not selectors.asset_is_admin(user=request.user, asset=asset):
        raise ApiError(
            "Only the owner or an admin may do this", status=403, code="permission_denied"
        )
    return asset


def decode_base64(value) -> bytes:
    if not isinstance(value, str) or not value:
        raise ApiError("file_base64 must be a base64 string", code="invalid_body")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError("file_base64 is not valid base64", code="invalid_body") from None


def description_text(value) -> str | None:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return value if isinstance(value, str) else None


def metadata_fields(data: dict, where: str = "") -> dict:
    """The name, description, visibility, licence and attribution a client sent for an asset,
    checked; `where` is the fields' path in the body, for errors."""
    return {
        "name": text_field(data, "name", where),
        "description": description_text(data.get("description")),
        "visibility": text_field(data, "visibility", where),
        "license_id": text_field(data, "license_id", where),
        "attribution": data.get("attribution"),
    }


def metadata_update(asset: Asset, data: dict, where: str = "") -> None:
    """The name, description, visibility, licence and attribution a client sent for an asset
    (absent ones kept; a partial attribution merges), and its price when it is for sale."""
    change = sale_requested(data, where)
    with transaction.atomic():
        services.asset_update(asset=asset, **metadata_fields(data, where))
        sale_store(asset, change)


def asset_delete_response(request: Request, asset_id: str, model) -> Response:
    asset = asset_administered(request, asset_id, model)
    return ok(
        services.asset_delete(
            asset=asset,
            delete_children=query_bool(request, "delete_children"),
            dry_run=query_bool(request, "dry_run"),
        )
    )


def json_param(request: Request, name: str) -> dict:
    raw = request.query_params.get(name)
    if not raw:
        return {}
    try:
        value = json_loads(raw, whole=name)
    except InputError as exc:
        if exc.code == "invalid_json":
            raise ApiError(f"{name} must be a JSON object", code="invalid_parameter") from None
        raise ApiError(exc.message, code=exc.code) from None
    if not isinstance(value, dict):
        raise ApiError(f"{name} must be a JSON object", code="invalid_parameter")
    return value
