"""Money moves here, and only inside a transaction.

A paid run's price is held (`usage_reserve`) in the transaction that records the action, and
settled (`usage_settle`) in the transaction that ends it: confirmed on success, released on
error, time-out or cancel. Each balance changes in one statement that adds to it in the
database (never read, add and write back), conditional where money leaves, so concurrent runs
cannot spend the same cent twice; the database refuses a negative balance outright.
"""

from django.db import connection, transaction
from django.utils import timezone

from apps.billing.models import LedgerEntry, LedgerKind, UsageRecord, UsageStatus, Wallet
from apps.billing.pricing import (
    Price,
    charge,
    dollars,
    price_check,
    reservation,
    route_price,
    run_window_seconds,
)
from apps.core.statements import insert, update_if


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


def _wallet_sql(*, conditional: bool, create: bool) -> str:
    quote = connection.ops.quote_name
    table = quote(Wallet._meta.db_table)
    user, available, escrowed, updated = (
        quote(Wallet._meta.get_field(name).column)
        for name in ("user", "available_cents", "escrowed_cents", "updated_at")
    )
    balance = f"RETURNING {available} + {escrowed}"
    # Only the model's own quoted names are formatted in; every value is a parameter.
    if create:
        return (
            f"INSERT INTO {table} ({user}, {available}, {escrowed}, {updated}) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s) ON CONFLICT ({user}) DO UPDATE SET "
            f"{available} = {table}.{available} + excluded.{available}, "
            f"{escrowed} = {table}.{escrowed} + excluded.{escrowed}, "
            f"{updated} = excluded.{updated} {balance}"
        )
    sql = (
        f"UPDATE {table} SET {available} = {available} + %s, "  # noqa: S608
        f"{escrowed} = {escrowed} + %s, {updated} = %s WHERE {user} = %s"
    )
    return f"{sql} AND {available} >= %s {balance}" if conditional else f"{sql} {balance}"


def _wallet_change(
    user_id, *, available: int = 0, escrowed: int = 0, create: bool = False
) -> int | None:
    """Add to a wallet's available and held cents in one statement; the balance after.

    Money taken from `available` is taken only if it is there (else None, nothing changed);
    `create` makes the wallet if it does not exist yet (for credits).
    """
    now = Wallet._meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection)
    user_id = Wallet._meta.pk.get_db_prep_value(user_id, connection)
    if create:
        sql, params = _wallet_sql(conditional=False, create=True), [user_id, available, escrowed]
        params.append(now)
    elif available < 0:
        sql = _wallet_sql(conditional=True, create=False)
        params = [available, escrowed, now, user_id, -available]
    else:
        sql = _wallet_sql(conditional=False, create=False)
        params = [available, escrowed, now, user_id]
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _available(user_id) -> int:
    row = Wallet.objects.filter(user_id=user_id).values("available_cents").first()
    return row["available_cents"] if row else 0


def usage_reserve(*, action, route, price: Price) -> UsageRecord:
    """Hold the run's price in the caller's wallet; PaymentRequired when it cannot.

    Call it in the transaction that records the action, so a refused hold records nothing.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("a hold is made in the transaction that records the action")
    quantity, cents = reservation(price, window_seconds=run_window_seconds(route))
    if _wallet_change(action.user_id, available=-cents, escrowed=cents) is None:
        available = _available(action.user_id)
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
    record = UsageRecord(
        action=action,  # the action now holds its record too: settling needs no read
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
    insert(record)
    return record


def _held_record(action) -> UsageRecord | None:
    related = type(action).usage_record.related
    if related.is_cached(action):
        return related.get_cached_value(action)
    return UsageRecord.objects.filter(action_id=action.pk).first()


def usage_settle(*, action, status: str, finished_at) -> UsageRecord | None:
    """Confirm the held charge of an action that has just ended `status` (success), or release
    it (any other end).

    Runs in the transaction of the action's terminal transition (Action.transition), so the
    status and the money change together or not at all. A record already settled is left be.
    """
    record = _held_record(action)
    if record is None or record.status != UsageStatus.RESERVED:
        return None
    now = timezone.now()
    quantity, total, outcome = 0, 0, UsageStatus.RELEASED
    if status == "success":
        price = Price(
            model="per_call" if record.cost_unit == "call" else "per_second",
            unit_cost_cents=record.unit_cost_cents,
            currency=record.currency,
        )
        started = action.started_at
        seconds = (finished_at - started).total_seconds() if started and finished_at else 0
        # Never more than was held: the held quantity is the cap.
        quantity, total = charge(price, seconds=seconds, window_seconds=record.reserved_quantity)
        total = min(total, record.reserved_cents)
        outcome = UsageStatus.CONFIRMED
    values = {"status": outcome, "quantity": quantity, "total_cents": total, "settled_at": now}
    settled = update_if(
        UsageRecord, record.pk, field="status", allowed=(UsageStatus.RESERVED,), values=values
    )
    if settled != 1:
        return None
    for name, value in values.items():
        setattr(record, name, value)
    type(action).usage_record.related.set_cached_value(action, record)
    # (wallet, available, held, create it, ledger kind or None, counterparty)
    changes = []
    if record.user_id is not None:  # the payer: the hold goes, what was not spent comes back
        kind = LedgerKind.USAGE if total else None
        returned, held = record.reserved_cents - total, -record.reserved_cents
        changes.append((record.user_id, returned, held, False, kind, record.creator_id))
    if total and record.creator_id is not None:  # the owner, whose first earning opens a wallet
        changes.append((record.creator_id, total, 0, True, LedgerKind.EARNING, record.user_id))
    entries = []
    # Wallets are locked in one order (by user id) by every settlement: two runs that pay each
    # other's owners at the same moment cannot deadlock.
    for wallet_id, available, held, create, kind, counterparty in sorted(
        changes, key=lambda change: str(change[0])
    ):
        balance = _wallet_change(wallet_id, available=available, escrowed=held, create=create)
        if kind is not None:
            amount = -total if kind == LedgerKind.USAGE else total
            entries.append(
                LedgerEntry(
                    wallet_id=wallet_id,
                    kind=kind,
                    amount_cents=amount,
                    balance_after_cents=balance,
                    usage_record=record,
                    counterparty_id=counterparty,
                    note=record.route_name,
                )
            )
    if entries:
        LedgerEntry.objects.bulk_create(entries)
    return record


@transaction.atomic
def wallet_adjust(*, user, cents: int, note: str = "", by=None) -> LedgerEntry:
    """Credit (cents > 0) or debit (cents < 0) a wallet, as an operator; WalletError when a
    debit would take more than is available."""
    if not isinstance(cents, int) or isinstance(cents, bool) or cents == 0:
        raise WalletError("The amount must be a whole, non-zero number of cents")
    balance = _wallet_change(user.pk, available=cents, create=cents > 0)
    if balance is None:
        raise WalletError(
            f"{user.username} has {dollars(_available(user.pk))} available; {dollars(-cents)} "
            "cannot be taken (money held for running actions is not available)"
        )
    return LedgerEntry.objects.create(
        wallet_id=user.pk,
        kind=LedgerKind.TOP_UP if cents > 0 else LedgerKind.ADJUSTMENT,
        amount_cents=cents,
        balance_after_cents=balance,
        note=note[:300],
        created_by=by,
    )
