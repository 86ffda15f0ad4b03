"""What a paid run costs: the one price parser, and pure functions over a route's pricing.

A price is declared in dollars (`x-ouro-pricing` in a spec, the route form, the API) and
`pricing_parse` turns every declaration into the one form stored on `Route.pricing`, its unit
cost an exact decimal text ("0.1", "0.0000001"): a float never carries money here. Amounts are
whole US cents; a unit cost is kept exactly (a Decimal number of cents, so a price of $0.001 a
second is 0.1 cents) and every total is rounded up to the next cent, once.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

CHARGED_CURRENCY = "usd"
# The largest amount an operator may credit or debit at once: ten billion dollars.
MAX_CENTS = 10**12
PRICING_MODELS = ("per_call", "per_second", "free")
PAID_MODELS = ("per_call", "per_second")
# A unit cost is stored to the millionth of a cent (UsageRecord.unit_cost_cents) and is below
# ten million dollars: at most 15 significant digits, so a JSON number carries it exactly.
UNIT_COST_PLACES = 8
MAX_UNIT_COST = Decimal(10**7)
# A per-second price holds at most a year of seconds for one run.
MAX_BILLABLE_SECONDS = 365 * 24 * 3600
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CURRENCY = re.compile(r"[a-z]{3,8}")


class PricingError(ValueError):
    """A price that cannot be stored as declared, a paid route that cannot be charged as it is
    priced, or a currency it is not sold in."""

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


def decimal_of(value) -> Decimal:
    """A number as read from a spec, a form or JSON, exactly: text, an int, a Decimal, or a
    float by its shortest text (0.1 is 0.1).

    Raises PricingError for anything else, NaN and infinities included.
    """
    if isinstance(value, bool):
        raise PricingError(f"{value!r} is not a number")
    if isinstance(value, float):
        value = str(value)  # its shortest text: Decimal(0.1) would be 0.1000000000000000055...
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise PricingError(f"{value!r} is not a number")
        value = text
    if not isinstance(value, int | str | Decimal):
        raise PricingError(f"{value!r} is not a number")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise PricingError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise PricingError(f"{value!r} is not a number")
    return number


def decimal_text(number: Decimal) -> str:
    """The canonical text of an exact amount: positional, no exponent, no trailing zeros
    ("0.1", "0.0000001", "5", "100")."""
    return f"{number.normalize():f}" if number else "0"


def _unit_cost(value) -> Decimal:
    try:
        cost = decimal_of(value)
    except PricingError as exc:
        raise PricingError(f"The price must be a number of dollars: {exc.message}") from None
    if cost < 0:
        raise PricingError("The price cannot be negative")
    if cost >= MAX_UNIT_COST:
        raise PricingError("The price must be less than $10,000,000")
    if cost.normalize().as_tuple().exponent < -UNIT_COST_PLACES:
        raise PricingError(
            f"The price {value} is finer than a millionth of a cent ($0.00000001); round it"
        )
    return cost


def _billable_seconds(value) -> int:
    try:
        seconds = decimal_of(value)
    except PricingError:
        seconds = None
    if (
        seconds is None
        or seconds != seconds.to_integral_value()
        or not (1 <= seconds <= MAX_BILLABLE_SECONDS)
    ):
        raise PricingError(
            f"max_billable_seconds must be a whole number of seconds from 1 to "
            f"{MAX_BILLABLE_SECONDS:,} (a year), not {value!r}"
        )
    return int(seconds)


def pricing_parse(declared: Mapping | None) -> dict:
    """A declared price as stored on `Route.pricing`; PricingError says what is wrong with it.

    `declared` is `{model: per_call|per_second|free, unit_cost, currency,
    max_billable_seconds}` (an empty one or None: no price) with the unit cost in dollars as
    text, an int, a Decimal or a float read from YAML or JSON. The result is `{"model",
    "currency"}` plus, for a paid model, `unit_cost` as exact decimal text (`decimal_text`)
    when given, and for a per-second price `max_billable_seconds` when given.
    """
    if not declared:
        return {}
    if not isinstance(declared, Mapping):
        raise PricingError("A price is an object: {model, unit_cost, currency, ...}")
    model = declared.get("model")
    if model not in PRICING_MODELS:
        raise PricingError(f"The pricing model must be per_call, per_second or free, not {model!r}")
    currency = declared.get("currency")
    currency = CHARGED_CURRENCY if currency in (None, "") else str(currency).strip().lower()
    if not _CURRENCY.fullmatch(currency):
        raise PricingError(f"The currency must be a currency code such as usd, not {currency!r}")
    pricing = {"model": model, "currency": currency}
    if model == "free":
        return pricing
    if declared.get("unit_cost") not in (None, ""):
        pricing["unit_cost"] = decimal_text(_unit_cost(declared["unit_cost"]))
    if model == "per_second" and declared.get("max_billable_seconds") not in (None, ""):
        pricing["max_billable_seconds"] = _billable_seconds(declared["max_billable_seconds"])
    return pricing


def route_price(pricing: dict | None) -> Price | None:
    """The route's price as stored (`pricing_parse`), or None when running it is free.

    Reads prices stored before they were exact decimal text too (floats, by their text).
    """
    pricing = pricing or {}
    model = pricing.get("model")
    if model not in PAID_MODELS:
        return None
    try:
        unit = decimal_of(pricing.get("unit_cost") or 0) * 100
    except PricingError:
        return None
    if unit <= 0:
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


def in_dollars(cents: int | Decimal) -> Decimal:
    """Cents as an exact number of dollars (5 -> 0.05, Decimal("0.00001") -> 0.0000001)."""
    return Decimal(cents).scaleb(-2).normalize()


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


# Assets sold once (posts, files, datasets) ------------------------------------------------------

ASSET_PRICE_FIELDS = ("monetization", "price", "price_currency", "price_usd", "price_sats")
MONETIZED = "monetized"
PAY_TO_UNLOCK = "pay-to-unlock"


@dataclass(frozen=True)
class SaleChange:
    """What a client's fields do to an asset's sale: put it (or keep it) on sale at a price in
    cents (None: the price it has), or take it off sale."""

    on_sale: bool
    price_cents: int | None = None


def asset_price_cents(value) -> int:
    """A one-time price in dollars as whole cents, more than nothing; PricingError otherwise."""
    dollars_given = _unit_cost(value)
    cents = dollars_given * 100
    if cents != cents.to_integral_value():
        raise PricingError(f"An asset's price is a whole number of cents, not ${value}")
    if cents <= 0:
        raise PricingError("An asset for sale needs a price of at least $0.01")
    return int(cents)


def sale_change(fields: Mapping) -> SaleChange | None:
    """The sale a client's fields of a post, file or dataset ask for, as the official client
    sends them (`visibility` "monetized", `monetization` "pay-to-unlock", `price` with
    `price_currency`, or `price_usd`); None when they ask for none (the sale stays as it is).

    Wallets hold dollars, so a price only in sats is refused. PricingError says what is wrong.
    """
    visibility = fields.get("visibility")
    if visibility not in (None, MONETIZED) or fields.get("monetization") == "none":
        return SaleChange(on_sale=False)
    priced = {key: fields.get(key) for key in ("price", "price_usd", "price_sats")}
    if all(value is None for value in priced.values()):
        return SaleChange(on_sale=True) if visibility == MONETIZED else None
    if priced["price_usd"] is not None:
        return SaleChange(on_sale=True, price_cents=asset_price_cents(priced["price_usd"]))
    currency = str(fields.get("price_currency") or CHARGED_CURRENCY).lower()
    if priced["price"] is not None and currency == CHARGED_CURRENCY:
        return SaleChange(on_sale=True, price_cents=asset_price_cents(priced["price"]))
    raise PricingError(
        "Wallets here hold US dollars only: price the asset in dollars (price_usd, or price "
        'with price_currency "usd")'
    )
