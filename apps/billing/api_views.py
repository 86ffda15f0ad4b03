"""Money over the Ouro HTTP API: a route's price, the caller's wallet, ledger and usage,
money sent to another user and assets bought."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.envelope import body_object, ok, paged, parse_uuid, window
from apps.api.errors import ApiError
from apps.api.schema import PAGE, field, json_object, query
from apps.billing.models import LedgerKind
from apps.billing.pricing import (
    PricingError,
    in_dollars,
    reservation,
    route_price,
    run_window_seconds,
)
from apps.billing.selectors import (
    earnings_of,
    ledger_of,
    plan_of,
    usage_of,
    usage_summary,
    wallet_of,
)
from apps.billing.serializers import (
    balance_dict,
    purchase_dict,
    tip_dict,
    transaction_dict,
    usage_record_dict,
)
from apps.billing.services import (
    TIP_MESSAGE_MAX,
    PaymentRequired,
    PurchaseError,
    TransferError,
    asset_purchase,
    run_price,
    wallet_send,
)
from apps.routes.selectors import route_for_user


@extend_schema(parameters=[query("currency", "The currency to price in")])
@api_view(["GET"])
def route_cost(request: Request, service_id: str, route_id: str):
    """`{cost: {total_cost, currency, cost_unit, unit_cost, cost_accounting}}`: what a run
    costs this caller (per-second routes: the most a run can cost), in dollars.

    Amounts are exact Decimals up to the JSON renderer, which writes them as numbers.
    """
    route = route_for_user(user=request.user, route_id=parse_uuid(route_id, "route id"))
    if route is None or route.service_id != parse_uuid(service_id, "service id"):
        raise ApiError("Route not found", status=404, code="not_found")
    listed = route_price(route.pricing)
    try:
        price = run_price(
            route=route, user=request.user, currency=request.query_params.get("currency")
        )
    except PricingError as exc:
        raise ApiError(exc.message, code="unsupported_currency") from None
    if price is None:
        cost = {"total_cost": 0, "currency": listed.currency if listed else "usd"}
        return ok({"cost": {**cost, "cost_accounting": "free", "cost_unit": None, "unit_cost": 0}})
    try:
        _, cents = reservation(price, window_seconds=run_window_seconds(route))
    except PricingError as exc:
        raise ApiError(exc.message, code="invalid_price") from None
    return ok(
        {
            "cost": {
                "total_cost": in_dollars(cents),
                "currency": price.currency,
                "cost_unit": price.cost_unit,
                "unit_cost": in_dollars(price.unit_cost_cents),
                "cost_accounting": "runtime" if price.model == "per_second" else "fixed",
            }
        }
    )


@api_view(["GET"])
def balance(request: Request):
    return ok(balance_dict(wallet_of(request.user)))


@extend_schema(parameters=[*PAGE, query("type", "Only entries of this kind")])
@api_view(["GET"])
def transactions(request: Request):
    kind = request.query_params.get("type") or None
    if kind and kind not in LedgerKind.values:
        raise ApiError(f"type must be one of {', '.join(LedgerKind.values)}", code="invalid_type")
    return paged(ledger_of(request.user, kind=kind), window(request), transaction_dict)


@extend_schema(
    parameters=[*PAGE, query("role", "consumer or provider"), query("assetId", "One route")]
)
@api_view(["GET"])
def usage_history(request: Request):
    role = request.query_params.get("role") or "consumer"
    asset_id = request.query_params.get("assetId")
    try:
        records = usage_of(
            request.user, role=role, asset_id=parse_uuid(asset_id, "assetId") if asset_id else None
        )
    except ValueError as exc:
        raise ApiError(str(exc), code="invalid_role") from None
    win = window(request)
    rows = list(records[win.offset : win.offset + win.limit + 1])
    return Response(
        {
            "data": {
                "records": [usage_record_dict(r) for r in rows[: win.limit]],
                "summary": usage_summary(records),
            },
            "pagination": {
                "hasMore": len(rows) > win.limit,
                "offset": win.offset,
                "limit": win.limit,
            },
        }
    )


@api_view(["GET"])
def plan_info(request: Request):
    """`PlanInfo` of the caller: `{planType, name, limits: {maxStorageBytes, maxAssets,
    maxDatasets, maxFileBytes, canCreatePrivateAssets, canMonetize}, usage: {storage, assets,
    datasets: {used, limit}}}`. A self-hosted platform sells no plans: everyone has the one
    plan, `self-hosted`, whose limits are `-1` (none) but for the size of one file
    (FILE_UPLOAD_MAX_BYTES); private assets and priced routes are open to all."""
    return ok(plan_of(request.user))


@api_view(["GET"])
def pending_earnings(request: Request):
    return ok(earnings_of(request.user))


@extend_schema(methods=["POST"], request=None)  # refused whatever the body
@api_view(["GET", "POST"])
def bitcoin_wallet(request: Request):
    raise ApiError(
        "Wallets here hold US dollars only; use the USD wallet (/stripe/wallet/…) instead",
        status=404,
        code="unsupported_currency",
    )


@extend_schema(methods=["POST"], request=None)  # refused whatever the body
@api_view(["GET", "POST"])
def deposit_address(request: Request):
    """Bitcoin deposits: no chain is watched here, so there is no address to pay into."""
    raise ApiError(
        "Deposits are not offered here: there is no Bitcoin deposit address. Wallets hold US "
        "dollars only, and an administrator adds funds",
        status=404,
        code="not_offered",
    )


@extend_schema(
    request=json_object(
        "Tip",
        {
            "recipientId": field(str, "The user to send to", required=True),
            "amountCents": field(int, "Whole cents, more than zero", required=True),
            "message": field(str, f"A note both sides see, up to {TIP_MESSAGE_MAX} characters"),
        },
    )
)
@api_view(["POST"])
def tip(request: Request):
    """`UsdTip`: send money from the USD wallet to another user, exactly, never on credit."""
    body = body_object(request)
    recipient_id = parse_uuid(body.get("recipientId"), "recipientId")
    message = body.get("message") or ""
    if not isinstance(message, str):
        raise ApiError("message must be text", code="invalid_message")
    try:
        entry = wallet_send(
            sender=request.user,
            recipient_id=recipient_id,
            cents=body.get("amountCents"),
            message=message,
        )
    except TransferError as exc:
        raise ApiError(exc.message, status=exc.status, code=exc.code) from None
    except PaymentRequired as exc:
        raise ApiError(exc.message, status=402, code="insufficient_funds") from None
    return ok(tip_dict(entry), status=201)


@extend_schema(
    request=json_object(
        "AssetPurchase",
        {
            "assetId": field(str, "The post, file or dataset to buy (this or `asset_id`)"),
            "asset_id": field(str, "`assetId`, when that is not given"),
        },
        "The client also sends `assetType`; the asset's own type is used.",
    )
)
@api_view(["POST"])
def purchase_asset(request: Request):
    """`UsdPurchase`: buy a post, file or dataset for sale, from the USD wallet."""
    body = body_object(request)
    asset_id = parse_uuid(body.get("assetId") or body.get("asset_id"), "assetId")
    try:
        purchase = asset_purchase(buyer=request.user, asset_id=asset_id)
    except PurchaseError as exc:
        raise ApiError(exc.message, status=exc.status, code=exc.code) from None
    except PaymentRequired as exc:
        raise ApiError(exc.message, status=402, code="insufficient_funds") from None
    return ok(purchase_dict(purchase), status=201)
