"""What a paid run costs: pure functions over a route's pricing, no database.

Amounts are whole US cents. A unit cost is kept exactly (a Decimal number of cents, so a price
of $0.001 a second is 0.1 cents) and every total is rounded up to the next cent, once.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

CHARGED_CURRENCY = "usd"
# The largest amount an operator may credit or debit at once: ten billion dollars.
MAX_CENTS = 10**12


class PricingError(Exception):
    """A paid route that cannot be charged as it is priced, or a currency it is not sold in."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Price:
    model: str  # "per_call" or "per_second"
    unit_cost_cents: Decimal
    currency: str
    max_billable_seconds: int | None = None

    @property
    def cost_unit(self) -> str:
        return "seconds" if self.model == "per_second" else "call"


def route_price(pricing: dict | None) -> Price | None:
    """The route's price, or None when running it is free."""
    pricing = pricing or {}
    model = pricing.get("model")
    if model not in ("per_call", "per_second"):
        return None
    try:
        unit = Decimal(str(pricing.get("unit_cost") or 0)) * 100
    except InvalidOperation:
        return None
    if not unit.is_finite() or unit <= 0:
        return None
    limit = pricing.get("max_billable_seconds")
    return Price(
        model=model,
        unit_cost_cents=unit,
        currency=str(pricing.get("currency") or CHARGED_CURRENCY).lower(),
        max_billable_seconds=int(limit) if limit and int(limit) > 0 else None,
    )


def price_check(price: Price, currency: str | None = None) -> None:
    """Refuse a run in a currency the route is not sold in, or one this platform cannot charge."""
    if currency and currency.lower() != price.currency:
        raise PricingError(
            f"This route is priced in {price.currency.upper()}; it cannot be paid in "
            f"{currency.upper()}"
        )
    if price.currency != CHARGED_CURRENCY:
        raise PricingError(
            f"This route is priced in {price.currency.upper()}, and wallets here hold US dollars "
            "only; ask the route's owner to price it in USD"
        )


def _cents_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def run_window_seconds(route) -> int:
    """The longest a run of the route can last: what per-second pricing holds at most."""
    return route.hard_timeout_seconds or route.sync_timeout_seconds or 60


def billable_seconds_cap(price: Price, window_seconds: int) -> int:
    """The most seconds a run can be charged for: the route's cap, else its longest run."""
    return max(1, price.max_billable_seconds or window_seconds)


def reservation(price: Price, *, window_seconds: int) -> tuple[int, int]:
    """(quantity, cents) held when a run starts: one call, or the most seconds it may bill."""
    quantity = 1 if price.model == "per_call" else billable_seconds_cap(price, window_seconds)
    cents = _cents_up(price.unit_cost_cents * quantity)
    if cents > MAX_CENTS:
        raise PricingError(
            f"This route's price would hold more than {dollars(MAX_CENTS)} for one run; "
            "ask its owner to correct the price"
        )
    return quantity, cents


def charge(price: Price, *, seconds: float, window_seconds: int) -> tuple[int, int]:
    """(quantity, cents) a successful run costs: a call, or its seconds rounded up (at least one,
    at most the cap)."""
    if price.model == "per_call":
        return 1, _cents_up(price.unit_cost_cents)
    quantity = min(max(1, math.ceil(max(seconds, 0))), billable_seconds_cap(price, window_seconds))
    return quantity, _cents_up(price.unit_cost_cents * quantity)


def whole_cents(unit_cost_cents: Decimal) -> int:
    """A unit cost as the contract's integer `unit_cost_cents` (nearest cent)."""
    return int(unit_cost_cents.to_integral_value(rounding=ROUND_HALF_UP))


def dollars(cents: int | Decimal) -> str:
    """Cents as a person reads them: $0.05, $12.00, or $0.001 for a fraction of a cent."""
    amount = Decimal(cents) / 100
    if amount == amount.quantize(Decimal("0.01")):
        return f"${amount:,.2f}"
    return f"${amount.normalize():,f}"


def price_text(price: Price) -> str:
    """ "$0.05 per run" or "$0.001 per second (at most 60 seconds)"."""
    unit = "run" if price.model == "per_call" else "second"
    text = f"{dollars(price.unit_cost_cents)} per {unit}"
    if price.model == "per_second" and price.max_billable_seconds:
        text += f" (at most {price.max_billable_seconds} seconds)"
    return text


def parse_dollars(text: str) -> int:
    """An amount typed in dollars ("5", "2.50", "$1,000") as whole cents; ValueError otherwise."""
    cleaned = str(text).strip().replace(",", "").removeprefix("$")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount in dollars") from None
    cents = amount * 100
    if not cents.is_finite() or cents != cents.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number of cents")
    if abs(cents) > MAX_CENTS:
        raise ValueError(f"{text!r} is more than {dollars(MAX_CENTS)}")
    return int(cents)


def charge_text(
    *, status: str, reserved_cents: int, total_cents: int, quantity: int, cost_unit: str
) -> str:
    """A paid run's charge as its caller reads it on the action page."""
    if status == "reserved":
        return f"{dollars(reserved_cents)} held until the run ends; charged only if it succeeds"
    if status == "released":
        return f"Nothing charged; the {dollars(reserved_cents)} held was released"
    if cost_unit == "seconds":
        return f"{dollars(total_cents)} charged for {quantity} second{'' if quantity == 1 else 's'}"
    return f"{dollars(total_cents)} charged"
