"""Money moves here, and only inside a transaction.

A paid run's price is held (`usage_reserve`) in the transaction that records the action, and
settled (`usage_settle`) in the transaction that ends it (`action_transition`): confirmed on
success, released on error, time-out or cancel. Each balance changes in one UPDATE that adds
to it in the database (`F()`, never read, add and write back), conditional where money leaves,
so concurrent runs cannot spend the same cent twice; the wallet's check constraints refuse a
negative balance outright.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.assets.market import MONETIZED, SELLABLE_TYPES, SaleError
from apps.billing.models import (
    AssetPurchase,
    AssetSale,
    LedgerEntry,
    LedgerKind,
    UsageRecord,
    UsageStatus,
    Wallet,
)
from apps.billing.pricing import (
    CHARGED_CURRENCY,
    Price,
    SaleChange,
    charge,
    dollars,
    price_check,
    reservation,
    route_price,
    run_window_seconds,
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


def _wallet_change(user_id, *, available: int = 0, escrowed: int = 0) -> bool:
    """Add to a wallet's available and held cents in one UPDATE that adds in the database;
    whether the wallet was there to change.

    Money taken from `available` is taken only if it is there (else False, nothing changed);
    the wallet's check constraints refuse any other change that would leave it negative.
    """
    wallet = Wallet.objects.filter(user_id=user_id)
    if available < 0:
        wallet = wallet.filter(available_cents__gte=-available)
    changed = wallet.update(
        available_cents=F("available_cents") + available,
        escrowed_cents=F("escrowed_cents") + escrowed,
        updated_at=timezone.now(),
    )
    return changed == 1


def _wallet_credit(user_id, cents: int) -> None:
    """Add to a wallet's available cents, opening the wallet with them if it has none yet."""
    if _wallet_change(user_id, available=cents):
        return
    try:
        with transaction.atomic():  # a savepoint: a concurrent first credit may insert first
            Wallet.objects.create(user_id=user_id, available_cents=cents)
    except IntegrityError:
        if not _wallet_change(user_id, available=cents):
            raise


def _balances(user_ids) -> dict:
    """The balance of each wallet, read after this transaction changed (and so locked) it."""
    rows = Wallet.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "available_cents", "escrowed_cents"
    )
    return {user_id: available + held for user_id, available, held in rows}


def _available(user_id) -> int:
    row = Wallet.objects.filter(user_id=user_id).values("available_cents").first()
    return row["available_cents"] if row else 0


def _move(*, payer_id, payee_id, cents: int, short: Callable[[int], str]) -> dict:
    """Move `cents` from the payer's available funds to the payee's wallet, in the caller's
    transaction, the wallets locked in one order (by user id) as settlements lock them;
    PaymentRequired, with `short(available cents)` as its message, when the payer cannot pay.
    Answers both balances after."""
    for user_id in sorted((payer_id, payee_id), key=str):
        if user_id == payee_id:
            _wallet_credit(user_id, cents)
        elif not _wallet_change(user_id, available=-cents):
            available = _available(user_id)
            raise PaymentRequired(short(available), needed_cents=cents, available_cents=available)
    return _balances([payer_id, payee_id])


def usage_reserve(*, action, route, price: Price) -> UsageRecord:
    """Hold the run's price in the caller's wallet; PaymentRequired when it cannot.

    Call it in the transaction that records the action, so a refused hold records nothing.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("a hold is made in the transaction that records the action")
    quantity, cents = reservation(price, window_seconds=run_window_seconds(route))
    if not _wallet_change(action.user_id, available=-cents, escrowed=cents):
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
    return UsageRecord.objects.create(
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


def _held_record(action) -> UsageRecord | None:
    """The action's charge: the one `usage_reserve` left on it, else read now."""
    try:
        return action.usage_record
    except UsageRecord.DoesNotExist:
        return None


def usage_settle(*, action, status: str, finished_at) -> UsageRecord | None:
    """Confirm the held charge of an action that has just ended `status` (success), or release
    it (any other end).

    Runs in the transaction of the action's terminal transition (`action_transition`), so the
    status and the money change together or not at all. A record already settled is left be.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("a charge is settled in the transaction that ends the action")
    record = _held_record(action)
    if record is None or record.status != UsageStatus.RESERVED:
        return None
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
    values = {
        "status": outcome,
        "quantity": quantity,
        "total_cents": total,
        "settled_at": timezone.now(),
    }
    held = UsageRecord.objects.filter(pk=record.pk, status=UsageStatus.RESERVED)
    if held.update(**values) != 1:
        return None  # settled by someone else in the meantime
    # (wallet, available, held, ledger kind or None, counterparty)
    changes = []
    if record.user_id is not None:  # the payer: the hold goes, what was not spent comes back
        kind = LedgerKind.USAGE if total else None
        returned, held_cents = record.reserved_cents - total, -record.reserved_cents
        changes.append((record.user_id, returned, held_cents, kind, record.creator_id))
    if total and record.creator_id is not None:  # the owner, whose first earning opens a wallet
        changes.append((record.creator_id, total, 0, LedgerKind.EARNING, record.user_id))
    # Wallets are locked in one order (by user id) by every settlement: two runs that pay each
    # other's owners at the same moment cannot deadlock.
    changes.sort(key=lambda change: str(change[0]))
    for wallet_id, available, held_cents, kind, _ in changes:
        if kind == LedgerKind.EARNING:
            _wallet_credit(wallet_id, available)
        elif not _wallet_change(wallet_id, available=available, escrowed=held_cents):
            raise RuntimeError(f"the wallet holding {record.pk}'s charge is gone")
    entries = [change for change in changes if change[3] is not None]
    if entries:
        balances = _balances([change[0] for change in entries])
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                wallet_id=wallet_id,
                kind=kind,
                amount_cents=-total if kind == LedgerKind.USAGE else total,
                balance_after_cents=balances[wallet_id],
                usage_record=record,
                counterparty_id=counterparty,
                note=record.route_name,
            )
            for wallet_id, _, _, kind, counterparty in entries
        )
    for name, value in values.items():
        setattr(record, name, value)  # the action's own record: it reads as settled now
    return record


@transaction.atomic
def wallet_adjust(*, user, cents: int, note: str = "", by=None) -> LedgerEntry:
    """Credit (cents > 0) or debit (cents < 0) a wallet, as an operator; WalletError when a
    debit would take more than is available."""
    if not isinstance(cents, int) or isinstance(cents, bool) or cents == 0:
        raise WalletError("The amount must be a whole, non-zero number of cents")
    if cents > 0:
        _wallet_credit(user.pk, cents)
    elif not _wallet_change(user.pk, available=cents):
        raise WalletError(
            f"{user.username} has {dollars(_available(user.pk))} available; {dollars(-cents)} "
            "cannot be taken (money held for running actions is not available)"
        )
    return LedgerEntry.objects.create(
        wallet_id=user.pk,
        kind=LedgerKind.TOP_UP if cents > 0 else LedgerKind.ADJUSTMENT,
        amount_cents=cents,
        balance_after_cents=_balances([user.pk])[user.pk],
        note=note[:300],
        created_by=by,
    )


# Assets sold once ----------------------------------------------------------------------------


class PurchaseError(Exception):
    """A purchase that cannot be made, with a status and a stable code."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_purchase"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def asset_sale_apply(asset, change: SaleChange) -> None:
    """Store what a client's fields did to the sale of an asset just written: a price while it
    is monetized, none once it is not. In the transaction that writes the asset."""
    if asset.visibility != MONETIZED or not change.on_sale:
        AssetSale.objects.filter(asset_id=asset.pk).delete()
        return
    if asset.asset_type not in SELLABLE_TYPES:
        raise SaleError(f"A {asset.asset_type} is not sold this way")
    if change.price_cents is None:
        if not AssetSale.objects.filter(asset_id=asset.pk).exists():
            raise SaleError('visibility "monetized" needs a price in dollars (price or price_usd)')
        return
    AssetSale.objects.update_or_create(
        asset_id=asset.pk,
        defaults={"price_cents": change.price_cents, "updated_at": timezone.now()},
    )


def asset_purchase(*, buyer, asset_id, currency: str = CHARGED_CURRENCY) -> AssetPurchase:
    """Buy an asset for sale: its price leaves the buyer's wallet for its owner's, in one
    transaction with the purchase that lets the buyer read it.

    Once per buyer (a second purchase answers 409, whatever the timing: the database refuses
    a second row), never on credit (402 with what is missing, and nothing changes), never one's
    own asset; PurchaseError otherwise.
    """
    if currency != CHARGED_CURRENCY:
        raise PurchaseError(
            "Wallets here hold US dollars only: buy with the USD wallet",
            code="unsupported_currency",
        )
    with transaction.atomic():
        sale = (
            AssetSale.objects.filter(
                asset_id=asset_id,
                asset__visibility=MONETIZED,
                asset__archived_at__isnull=True,
            )
            .select_related("asset")
            .first()
        )
        if sale is None:
            raise PurchaseError("No asset for sale with this id", status=404, code="not_found")
        asset = sale.asset
        if asset.user_id == buyer.pk:
            raise PurchaseError("This asset is yours already", status=409, code="own_asset")
        try:
            with transaction.atomic():  # a savepoint: the second purchase is refused here
                purchase = AssetPurchase.objects.create(
                    asset=asset,
                    asset_name=asset.name[:200],
                    asset_type=asset.asset_type,
                    buyer=buyer,
                    seller_id=asset.user_id,
                    price_cents=sale.price_cents,
                    currency=sale.currency,
                )
        except IntegrityError:
            raise PurchaseError(
                "You bought this asset already", status=409, code="already_purchased"
            ) from None
        cents = sale.price_cents
        balances = _move(
            payer_id=buyer.pk,
            payee_id=asset.user_id,
            cents=cents,
            short=lambda available: (
                f"Not enough funds: this {asset.asset_type} costs {dollars(cents)} and your "
                f"wallet has {dollars(available)} available. Nothing was bought or charged."
            ),
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    wallet_id=buyer.pk,
                    kind=LedgerKind.PURCHASE,
                    amount_cents=-cents,
                    balance_after_cents=balances[buyer.pk],
                    purchase=purchase,
                    counterparty_id=asset.user_id,
                    note=asset.name[:300],
                ),
                LedgerEntry(
                    wallet_id=asset.user_id,
                    kind=LedgerKind.SALE,
                    amount_cents=cents,
                    balance_after_cents=balances[asset.user_id],
                    purchase=purchase,
                    counterparty_id=buyer.pk,
                    note=asset.name[:300],
                ),
            ]
        )
    return purchase


# Money sent to another user -------------------------------------------------------------------

TIP_MESSAGE_MAX = 300


class TransferError(Exception):
    """Money that cannot be sent, with a status and a stable code."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_transfer"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def wallet_send(*, sender, recipient_id, cents, message: str = "") -> LedgerEntry:
    """Send exactly `cents` of the sender's available funds to another user's wallet, with a
    ledger entry on each side, in one transaction; the sender's entry.

    Only a whole, positive number of cents, only to another active user (TransferError), and
    never on credit: money held for running actions is not available (PaymentRequired, and
    nothing changes).
    """
    if not isinstance(cents, int) or isinstance(cents, bool) or cents <= 0:
        raise TransferError(
            "The amount must be a whole, positive number of cents", code="invalid_amount"
        )
    if len(message) > TIP_MESSAGE_MAX:
        raise TransferError(
            f"The message is at most {TIP_MESSAGE_MAX} characters", code="invalid_message"
        )
    recipient = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        raise TransferError("No user with this id", status=404, code="not_found")
    if recipient.pk == sender.pk:
        raise TransferError("You cannot send money to yourself", code="own_wallet")
    with transaction.atomic():
        balances = _move(
            payer_id=sender.pk,
            payee_id=recipient.pk,
            cents=cents,
            short=lambda available: (
                f"Not enough funds: you are sending {dollars(cents)} and your wallet has "
                f"{dollars(available)} available. Nothing was sent."
            ),
        )
        sent, _ = LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    wallet_id=sender.pk,
                    kind=LedgerKind.TIP_SENT,
                    amount_cents=-cents,
                    balance_after_cents=balances[sender.pk],
                    counterparty_id=recipient.pk,
                    note=message,
                    created_by=sender,
                ),
                LedgerEntry(
                    wallet_id=recipient.pk,
                    kind=LedgerKind.TIP_RECEIVED,
                    amount_cents=cents,
                    balance_after_cents=balances[recipient.pk],
                    counterparty_id=sender.pk,
                    note=message,
                    created_by=sender,
                ),
            ]
        )
    return sent
