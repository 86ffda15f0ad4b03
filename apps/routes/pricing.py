"""A route's price as it is stored, through the parser billing registers at start-up.

Every route write (the API, the route form, a spec's `x-ouro-pricing` in the sync) stores the
price the way billing reads it when it charges a run, so billing's parser is the one to use;
but routes sit below billing in the app layers and may not import it. Billing registers its
parser here instead (`BillingConfig.ready`), and route writes call `pricing_normalized`.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal

PriceParser = Callable[[Mapping | None], dict]
_parser: PriceParser | None = None  # billing's `pricing_parse`, once the apps are ready


def price_parser_register(parser: PriceParser) -> None:
    global _parser
    _parser = parser


def pricing_normalized(declared: Mapping | None) -> dict:
    """`declared` as stored on `Route.pricing`.

    Raises ValueError (billing's PricingError) with a message a person can act on.
    """
    if _parser is None:
        raise RuntimeError("No price parser is registered: apps.billing must be installed")
    return _parser(declared)


def stored_unit_cost(pricing: Mapping | None) -> Decimal | None:
    """The unit cost of stored pricing as an exact Decimal (a price stored as a float before
    prices were exact text is read by its text), or None when there is none."""
    value = (pricing or {}).get("unit_cost")
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None
