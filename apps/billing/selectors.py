"""What a user may read of money: their own wallet, ledger and the usage of their runs and
their routes. Nobody else's."""

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from apps.assets.models import Asset, AssetType, Dataset, File
from apps.assets.selectors import asset_can_view, asset_for_sale
from apps.billing.models import (
    AssetPurchase,
    AssetSale,
    LedgerEntry,
    UsageRecord,
    UsageStatus,
    Wallet,
)
from apps.billing.pricing import (
    CHARGED_CURRENCY,
    PricingError,
    charge_text,
    dollars,
    in_dollars,
    price_text,
    reservation,
    route_price,
    run_window_seconds,
)

USAGE_ROLES = ("consumer", "creator")


def wallet_of(user) -> Wallet:
    """The user's wallet, or an empty one (not saved) before their first credit."""
    return Wallet.objects.filter(user_id=user.pk).first() or Wallet(user_id=user.pk)


def ledger_of(user, *, kind: str | None = None) -> QuerySet:
    entries = LedgerEntry.objects.filter(wallet_id=user.pk)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.select_related("usage_record", "purchase")


def usage_of(user, *, role: str = "consumer", asset_id=None) -> QuerySet:
    """Charges of the user's runs ("consumer") or of runs of the user's routes ("creator")."""
    if role not in USAGE_ROLES:
        raise ValueError(f"role must be consumer or creator, not {role!r}")
    records = UsageRecord.objects.filter(
        **{"user_id" if role == "consumer" else "creator_id": user.pk}
    )
    if asset_id:
        records = records.filter(route_id=asset_id)
    return records


def usage_summary(records: QuerySet) -> dict:
    """How many records and how much was confirmed among them."""
    totals = records.aggregate(
        count=Count("id"), cents=Sum("total_cents", filter=Q(status=UsageStatus.CONFIRMED))
    )
    return {"record_count": totals["count"], "total_cents": totals["cents"] or 0}


def action_charge(*, action) -> str | None:
    """What a paid run was charged, in words. Shown only to those who may see the run itself
    (the caller decides, through `action_can_view`): a post's readers see a pinned run's
    status and outputs, never what its author paid."""
    if not action.paid:
        return None
    try:
        record = action.usage_record
    except UsageRecord.DoesNotExist:
        return None
    return charge_text(
        status=record.status,
        reserved_cents=record.reserved_cents,
        total_cents=record.total_cents,
        quantity=record.quantity,
        cost_unit=record.cost_unit,
    )


def route_price_view(*, route, user) -> dict | None:
    """What the route page says about its price, and the viewer's available funds."""
    price = route_price(route.pricing)
    if price is None:
        return None
    signed_in = user is not None and user.is_authenticated
    own = signed_in and route.user_id == user.pk
    try:
        _, held = reservation(price, window_seconds=run_window_seconds(route))
    except PricingError:
        held = None
    # What pressing Run holds: the price, or the most a per-second run can cost.
    hold = None
    if held is not None:
        hold = dollars(held) if price.model == "per_call" else f"up to {dollars(held)}"
    return {
        "text": price_text(price),
        "hold": hold,
        "own": own,
        "earned": dollars(asset_earned_cents(route)) if own else None,
        "chargeable": price.currency == CHARGED_CURRENCY,
        "currency": price.currency.upper(),
        "available": dollars(wallet_of(user).available_cents) if signed_in and not own else None,
    }


def earnings_of(user) -> dict:
    """What the user's routes earned (`PendingEarnings`): paid into their wallet as each run
    succeeds, so nothing is pending; what running paid runs hold is `in_progress_cents`."""
    rows = (
        UsageRecord.objects.filter(creator_id=user.pk)
        .order_by()
        .values("route_id", "route_name")
        .annotate(
            earned=Sum("total_cents", filter=Q(status=UsageStatus.CONFIRMED)),
            held=Sum("reserved_cents", filter=Q(status=UsageStatus.RESERVED)),
            runs=Count("id", filter=Q(status=UsageStatus.CONFIRMED)),
        )
    )
    assets = sorted(
        (
            {
                "asset_id": str(row["route_id"]) if row["route_id"] else None,
                "name": row["route_name"],
                "asset_type": "route",
                "earned_cents": row["earned"] or 0,
                "in_progress_cents": row["held"] or 0,
                "paid_runs": row["runs"],
            }
            for row in rows
        ),
        key=lambda item: (-item["earned_cents"], item["name"]),
    )
    earned = sum(item["earned_cents"] for item in assets)
    return {
        "total_pending_cents": 0,
        "in_progress_cents": sum(item["in_progress_cents"] for item in assets),
        "total_paid_out_cents": earned,
        "total_gross_earnings_cents": earned,
        "platform_fee_percent": 0,
        "assets": assets,
    }


def asset_earned_cents(asset) -> int:
    """What paid runs of a route, or of a service's routes, have earned (confirmed charges)."""
    records = UsageRecord.objects.filter(status=UsageStatus.CONFIRMED)
    if asset.asset_type == "route":
        records = records.filter(route_id=asset.pk)
    elif asset.asset_type == "service":
        records = records.filter(route__service_id=asset.pk)
    else:
        return 0
    return records.aggregate(cents=Sum("total_cents"))["cents"] or 0


def routes_earned_cents(*, route_ids, service_ids) -> int:
    """What paid runs of these routes and of these services' routes have earned, each run
    once (a route and its service both named count its runs once)."""
    records = UsageRecord.objects.filter(
        Q(route_id__in=route_ids) | Q(route__service_id__in=service_ids),
        status=UsageStatus.CONFIRMED,
    )
    return records.aggregate(cents=Sum("total_cents"))["cents"] or 0


def ledger_discrepancies() -> list[str]:
    """Every wallet whose balance is not the sum of its ledger, or whose held cents are not
    what its running charges hold; empty when the books balance."""
    entries = dict(
        LedgerEntry.objects.order_by()
        .values_list("wallet_id")
        .annotate(total=Sum("amount_cents"))
        .values_list("wallet_id", "total")
    )
    holds = dict(
        UsageRecord.objects.filter(status=UsageStatus.RESERVED, user_id__isnull=False)
        .order_by()
        .values_list("user_id")
        .annotate(total=Sum("reserved_cents"))
        .values_list("user_id", "total")
    )
    problems = []
    for wallet in Wallet.objects.select_related("user").order_by("user__username"):
        name = wallet.user.username
        if wallet.balance_cents != entries.get(wallet.pk, 0):
            problems.append(
                f"{name}: balance {dollars(wallet.balance_cents)}, ledger "
                f"{dollars(entries.get(wallet.pk, 0))}"
            )
        if wallet.escrowed_cents != holds.get(wallet.pk, 0):
            problems.append(
                f"{name}: holds {dollars(wallet.escrowed_cents)}, running charges "
                f"{dollars(holds.get(wallet.pk, 0))}"
            )
    return problems


# Assets sold once ----------------------------------------------------------------------------


def assets_bought_ids(user) -> QuerySet:
    """The ids of the assets the user bought (a subquery)."""
    return AssetPurchase.objects.filter(buyer_id=user.pk, asset__isnull=False).values("asset_id")


def asset_bought(user, asset_id) -> bool:
    return AssetPurchase.objects.filter(buyer_id=user.pk, asset_id=asset_id).exists()


def asset_sale_fields(asset) -> dict:
    """The price of an asset for sale in the contract's terms (dollars, exact)."""
    sale = AssetSale.objects.filter(asset_id=asset.pk).first()
    price = in_dollars(sale.price_cents) if sale else None
    return {
        "monetization": "pay-to-unlock",
        "price": price,
        "price_currency": CHARGED_CURRENCY,
        "price_usd": price,
        "price_sats": None,
    }


def purchases_of(user) -> QuerySet:
    return AssetPurchase.objects.filter(buyer_id=user.pk)


def asset_offer(*, user, asset_id) -> dict | None:
    """An asset for sale as its buy page shows it: the asset, its price, whether this user may
    read it already (theirs, shared with them, or bought) and what their wallet holds; None
    when no asset is for sale with this id."""
    asset = asset_for_sale(asset_id=asset_id)
    sale = AssetSale.objects.filter(asset_id=asset_id).first() if asset else None
    if asset is None or sale is None:
        return None
    signed_in = user is not None and user.is_authenticated
    return {
        "asset": asset,
        "price_cents": sale.price_cents,
        "price": dollars(sale.price_cents),
        "readable": asset_can_view(user=user, asset=asset),
        "own": signed_in and asset.user_id == user.pk,
        "available_cents": wallet_of(user).available_cents if signed_in else None,
    }


# The one plan of a self-hosted platform: nothing is sold, so nothing is capped by a plan.
SELF_HOSTED_PLAN = "self-hosted"
NO_LIMIT = -1


def plan_of(user) -> dict:
    """The caller's plan as the clients' PlanInfo reads it: this platform's one plan, its
    limits (`-1`: none; a single file is capped by FILE_UPLOAD_MAX_BYTES) and what the caller
    uses now (their live assets, datasets and the bytes of their files)."""
    owned = Asset.objects.filter(user=user, archived_at__isnull=True)
    files = File.objects.filter(user=user, archived_at__isnull=True)
    used = {
        "storage": files.aggregate(total=Sum("size"))["total"] or 0,
        "assets": owned.filter(asset_type__in=AssetType.values).count(),
        "datasets": Dataset.objects.filter(user=user, archived_at__isnull=True).count(),
    }
    return {
        "planType": SELF_HOSTED_PLAN,
        "name": "Self-hosted",
        "limits": {
            "maxStorageBytes": NO_LIMIT,
            "maxAssets": NO_LIMIT,
            "maxDatasets": NO_LIMIT,
            "maxFileBytes": settings.FILE_UPLOAD_MAX_BYTES,
            "canCreatePrivateAssets": True,
            "canMonetize": True,
        },
        "usage": {key: {"used": value, "limit": NO_LIMIT} for key, value in used.items()},
    }
