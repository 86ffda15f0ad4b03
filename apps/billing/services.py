"""Money moves here, and only inside a transaction.

A paid run's price is held (`usage_reserve`) in the transaction that records the action, and
settled (`usage_settle`) in the transaction that ends it: confirmed on success, released on
error, time-out or cancel. Balances change through conditional UPDATEs (never read, add and
write back), so concurrent runs cannot spend the same cent twice, and the database refuses a
negative balance outright.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.billing.models import LedgerEntry, LedgerKind, UsageRecord, UsageStatus, Wallet
from apps.billing.pricing import (
    Price,
    charge,
    dollars,
    price_check,
    reservation,
    route_price,
)


class PaymentRequired(Exception):
    """The caller's wallet cannot cover what a run would hold."""

    def __init__(self, message: str, *, needed_cents: int, available_cents: int):
        super().__init__(message)
        self.message = message
        self.needed_cents = needed_cents
        self.available_cents = available_cents


class WalletError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def run_price(*, route, user, currency: str | None = None) -> Price | None:
    """What `user` pays to run `route`: None when it is free, or the route is their own.

    Raises PricingError for a currency the route is not sold in, or one wallets do not hold.
    """
    price = route_price(route.pricing)
    if price is None or route.user_id == user.pk:
        return None
    price_check(price, currency)
    return price


def run_window_seconds(route) -> int:
    """The longest a run of the route can last: what per-second pricing holds at most."""
    return route.hard_timeout_seconds or route.sync_timeout_seconds or 60


def _wallet_ensure(user_id) -> None:
    # Insert-or-nothing: safe against a concurrent first use, and it keeps the transaction.
    Wallet.objects.bulk_create([Wallet(user_id=user_id)], ignore_conflicts=True)


def _entry(*, user_id, kind: str, amount: int, **fields) -> LedgerEntry:
    wallet = Wallet.objects.get(user_id=user_id)
    return LedgerEntry.objects.create(
        wallet=wallet,
        kind=kind,
        amount_cents=amount,
        balance_after_cents=wallet.balance_cents,
        **fields,
    )


def usage_reserve(*, action, route, price: Price) -> UsageRecord:
    """Hold the run's price in the caller's wallet; PaymentRequired when it cannot.

    Call it in the transaction that records the action, so a refused hold records nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a hold is made in the transaction that records the action")
    quantity, cents = reservation(price, window_seconds=run_window_seconds(route))
    held = Wallet.objects.filter(user_id=action.user_id, available_cents__gte=cents).update(
        available_cents=F("available_cents") - cents,
        escrowed_cents=F("escrowed_cents") + cents,
        updated_at=timezone.now(),
    )
    if not held:
        row = Wallet.objects.filter(user_id=action.user_id).values("available_cents").first()
        available = row["available_cents"] if row else 0
        what = (
            "this run costs"
            if price.model == "per_call"
            else f"this run holds up to {quantity} seconds' worth,"
        )
        raise PaymentRequired(
            f"Not enough funds: {what} {dollars(cents)} and your wallet has {dollars(available)} "
            "available. Nothing was run or charged; ask an administrator to add funds.",
            needed_cents=cents,
            available_cents=available,
        )
    return UsageRecord.objects.create(
        action=action,
        user_id=action.user_id,
        creator_id=route.user_id,
        route=route,
        route_name=route.name,
        currency=price.currency,
        cost_unit=price.cost_unit,
        unit_cost_cents=price.unit_cost_cents,
        reserved_quantity=quantity,
        reserved_cents=cents,
        total_cents=cents,
    )


def usage_settle(*, action) -> UsageRecord | None:
    """Confirm the held charge of an action that just succeeded, or release it otherwise.

    Runs in the transaction of the action's terminal transition (Action.transition), so the
    status and the money change together or not at all. A record already settled is left be.
    """
    record = UsageRecord.objects.filter(action_id=action.pk, status=UsageStatus.RESERVED).first()
    if record is None:
        return None
    now = timezone.now()
    quantity, total, status = 0, 0, UsageStatus.RELEASED
    if action.status == "success":
        price = Price(
            model="per_call" if record.cost_unit == "call" else "per_second",
            unit_cost_cents=record.unit_cost_cents,
            currency=record.currency,
        )
        started, finished = action.started_at, action.finished_at
        seconds = (finished - started).total_seconds() if started and finished else 0
        # Never more than was held: the held quantity is the cap.
        quantity, total = charge(price, seconds=seconds, window_seconds=record.reserved_quantity)
        total = min(total, record.reserved_cents)
        status = UsageStatus.CONFIRMED
    settled = UsageRecord.objects.filter(pk=record.pk, status=UsageStatus.RESERVED).update(
        status=status, quantity=quantity, total_cents=total, settled_at=now
    )
    if not settled:
        return None
    record.status, record.quantity, record.total_cents, record.settled_at = (
        status,
        quantity,
        total,
        now,
    )
    # Whoever holds this action object (a sync run's caller) reads the settled charge.
    type(action).usage_record.related.set_cached_value(action, record)
    if record.user_id is not None:
        Wallet.objects.filter(user_id=record.user_id).update(
            escrowed_cents=F("escrowed_cents") - record.reserved_cents,
            available_cents=F("available_cents") + (record.reserved_cents - total),
            updated_at=now,
        )
    if total and record.user_id is not None:
        _entry(
            user_id=record.user_id,
            kind=LedgerKind.USAGE,
            amount=-total,
            usage_record=record,
            counterparty_id=record.creator_id,
            note=record.route_name,
        )
    if total and record.creator_id is not None:
        _wallet_ensure(record.creator_id)
        Wallet.objects.filter(user_id=record.creator_id).update(
            available_cents=F("available_cents") + total, updated_at=now
        )
        _entry(
            user_id=record.creator_id,
            kind=LedgerKind.EARNING,
            amount=total,
            usage_record=record,
            counterparty_id=record.user_id,
            note=record.route_name,
        )
    return record


@transaction.atomic
def wallet_adjust(*, user, cents: int, note: str = "", by=None) -> LedgerEntry:
    """Credit (cents > 0) or debit (cents < 0) a wallet, as an operator; WalletError when a
    debit would take more than is available."""
    if not isinstance(cents, int) or isinstance(cents, bool) or cents == 0:
        raise WalletError("The amount must be a whole, non-zero number of cents")
    _wallet_ensure(user.pk)
    changed = Wallet.objects.filter(user_id=user.pk, available_cents__gte=max(0, -cents)).update(
        available_cents=F("available_cents") + cents, updated_at=timezone.now()
    )
    if not changed:
        available = Wallet.objects.get(user_id=user.pk).available_cents
        raise WalletError(
            f"{user.username} has {dollars(available)} available; {dollars(-cents)} cannot be "
            "taken (money held for running actions is not available)"
        )
    return _entry(
        user_id=user.pk,
        kind=LedgerKind.TOP_UP if cents > 0 else LedgerKind.ADJUSTMENT,
        amount=cents,
        note=note[:300],
        created_by=by,
    )
