"""Wallets and charges as the official client reads them (`ouro.models.money`)."""

from apps.accounts.serializers import iso
from apps.billing.models import AssetPurchase, LedgerEntry, LedgerKind, UsageRecord, Wallet
from apps.billing.pricing import whole_cents


def _id(value) -> str | None:
    return str(value) if value is not None else None


def balance_dict(wallet: Wallet) -> dict:
    """`UsdBalance`: one pool of funds; nothing here is pending or withdrawable."""
    return {
        "balance_cents": wallet.balance_cents,
        "available_cents": wallet.available_cents,
        "escrowed_cents": wallet.escrowed_cents,
        "pending_cents": 0,
        "currency": "usd",
        "last_updated": iso(wallet.updated_at) if wallet.pk and wallet._state.db else None,
    }


def usage_record_dict(record: UsageRecord) -> dict:
    """`UsageRecord`, and the `usage_record` of a paid action (CONTRACT §8)."""
    return {
        "id": str(record.pk),
        "user_id": _id(record.user_id),
        "creator_id": _id(record.creator_id),
        "asset_id": _id(record.route_id),
        "asset": {"id": _id(record.route_id), "name": record.route_name, "asset_type": "route"},
        "action_id": _id(record.action_id),
        "quantity": record.quantity if record.status != "reserved" else record.reserved_quantity,
        "cost_unit": record.cost_unit,
        "unit_cost_cents": whole_cents(record.unit_cost_cents),
        "total_cents": record.total_cents,
        "reserved_cents": record.reserved_cents,
        "currency": record.currency,
        "status": record.status,
        "ledger_transaction_id": None,
        "metadata": {"unit_cost_usd": f"{(record.unit_cost_cents / 100).normalize():f}"},
        "created_at": iso(record.created_at),
        "settled_at": iso(record.settled_at),
    }


def purchase_dict(purchase: AssetPurchase) -> dict:
    """`UsdPurchase`: what the buyer paid, and the ledger entry that took it."""
    entry = purchase.entries.filter(kind=LedgerKind.PURCHASE).first()
    return {
        "transaction_id": str(entry.pk) if entry else str(purchase.pk),
        "purchase_id": str(purchase.pk),
        "asset_id": _id(purchase.asset_id),
        "asset_type": purchase.asset_type,
        "price_cents": purchase.price_cents,
        "platform_fee_cents": 0,
        "total_cents": purchase.price_cents,
        "currency": purchase.currency,
        "created_at": iso(purchase.created_at),
    }


def tip_dict(entry: LedgerEntry) -> dict:
    """`UsdTip`: what left the sender's wallet (its ledger entry) and reached the recipient's,
    the same: the platform takes no fee."""
    cents = -entry.amount_cents
    return {
        "transaction_id": str(entry.pk),
        "amount_cents": cents,
        "recipient_amount_cents": cents,
        "platform_fee_cents": 0,
        "recipient_id": _id(entry.counterparty_id),
        "currency": "usd",
        "created_at": iso(entry.created_at),
    }


def transaction_dict(entry: LedgerEntry) -> dict:
    """`UsdTransaction`: one ledger entry, signed (+ credit, - debit)."""
    record = entry.usage_record
    purchase = entry.purchase
    if purchase is not None:
        asset_id, asset_name = _id(purchase.asset_id), purchase.asset_name
    else:
        asset_id, asset_name = (_id(record.route_id), record.route_name) if record else (None, None)
    return {
        "id": str(entry.pk),
        "type": entry.kind,
        "amount_cents": entry.amount_cents,
        "balance_after_cents": entry.balance_after_cents,
        "currency": "usd",
        "status": "completed",
        "user_id": _id(entry.wallet_id),
        "recipient_user_id": _id(
            entry.counterparty_id if entry.amount_cents < 0 else entry.wallet_id
        ),
        "asset_id": asset_id,
        "metadata": {
            "note": entry.note or None,
            "asset_name": asset_name,
            "usage_record_id": _id(entry.usage_record_id),
            "purchase_id": _id(entry.purchase_id),
            "action_id": _id(record.action_id) if record else None,
        },
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.created_at),
    }
