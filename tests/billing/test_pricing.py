"""The pure pricing core: what a run holds, what it costs, how amounts read."""

from decimal import Decimal

import pytest

from apps.billing.pricing import (
    PricingError,
    charge,
    charge_text,
    dollars,
    parse_dollars,
    price_check,
    price_text,
    reservation,
    route_price,
    whole_cents,
)


@pytest.mark.parametrize(
    "pricing",
    [
        {},
        None,
        {"model": "free", "unit_cost": 1},
        {"model": "per_call"},
        {"model": "per_call", "unit_cost": 0},
        {"model": "per_call", "unit_cost": -1},
        {"model": "per_call", "unit_cost": "a lot"},
        {"model": "per_call", "unit_cost": float("nan")},
        {"model": "per_call", "unit_cost": float("inf")},
    ],
)
def test_a_route_without_a_positive_price_is_free(pricing):
    assert route_price(pricing) is None


def test_a_per_call_price_holds_and_charges_one_call():
    price = route_price({"model": "per_call", "unit_cost": 0.05, "currency": "USD"})
    assert price.unit_cost_cents == Decimal("5.00")
    assert price.currency == "usd" and price.cost_unit == "call"
    assert reservation(price, window_seconds=3600) == (1, 5)
    assert charge(price, seconds=1234.5, window_seconds=3600) == (1, 5)


def test_a_fraction_of_a_cent_is_rounded_up_once_on_the_total():
    price = route_price({"model": "per_second", "unit_cost": 0.001, "max_billable_seconds": 60})
    # 0.1 cent a second: 60 seconds hold 6 cents; 12.2 seconds bill 13 seconds = 1.3 -> 2 cents.
    assert reservation(price, window_seconds=3600) == (60, 6)
    assert charge(price, seconds=12.2, window_seconds=60) == (13, 2)
    assert charge(price, seconds=0.01, window_seconds=60) == (1, 1)


def test_per_second_billing_is_capped_by_the_route_then_by_the_run_window():
    capped = route_price({"model": "per_second", "unit_cost": 0.02, "max_billable_seconds": 30})
    assert reservation(capped, window_seconds=3600) == (30, 60)
    assert charge(capped, seconds=500, window_seconds=3600) == (30, 60)
    uncapped = route_price({"model": "per_second", "unit_cost": 0.02})
    assert reservation(uncapped, window_seconds=90) == (90, 180)
    assert charge(uncapped, seconds=-3, window_seconds=90) == (1, 2)


def test_a_price_too_large_to_hold_is_refused():
    absurd = route_price({"model": "per_second", "unit_cost": 1e9})
    with pytest.raises(PricingError, match="more than"):
        reservation(absurd, window_seconds=86400)


def test_a_run_is_refused_in_a_currency_the_route_is_not_sold_in():
    usd = route_price({"model": "per_call", "unit_cost": 1})
    price_check(usd)
    price_check(usd, "USD")
    with pytest.raises(PricingError, match="priced in USD; it cannot be paid in BTC"):
        price_check(usd, "btc")
    sats = route_price({"model": "per_call", "unit_cost": 100, "currency": "btc"})
    with pytest.raises(PricingError, match="wallets here hold US dollars only"):
        price_check(sats)


def test_amounts_read_as_dollars():
    assert dollars(5) == "$0.05"
    assert dollars(123456) == "$1,234.56"
    assert dollars(0) == "$0.00"
    assert dollars(Decimal("0.1")) == "$0.001"
    assert whole_cents(Decimal("0.4")) == 0 and whole_cents(Decimal("2.5")) == 3
    per_second = route_price({"model": "per_second", "unit_cost": 0.001, "max_billable_seconds": 9})
    assert price_text(per_second) == "$0.001 per second (at most 9 seconds)"
    assert price_text(route_price({"model": "per_call", "unit_cost": 2})) == "$2.00 per run"


@pytest.mark.parametrize(
    ("text", "cents"),
    [("5", 500), ("2.50", 250), ("$1,000", 100000), (" -0.05 ", -5), ("0.1", 10)],
)
def test_typed_dollars_become_cents(text, cents):
    assert parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["", "five", "0.001", "1e400", "NaN", "inf"])
def test_amounts_that_are_not_whole_cents_are_refused(text):
    with pytest.raises(ValueError):
        parse_dollars(text)


def test_a_charge_reads_as_what_happened_to_the_money():
    held = dict(reserved_cents=30, total_cents=30, quantity=30, cost_unit="seconds")
    assert charge_text(status="reserved", **held) == (
        "$0.30 held until the run ends; charged only if it succeeds"
    )
    released = {**held, "total_cents": 0, "quantity": 0}
    assert charge_text(status="released", **released) == (
        "Nothing charged; the $0.30 held was released"
    )
    assert charge_text(status="confirmed", **{**held, "total_cents": 1, "quantity": 1}) == (
        "$0.01 charged for 1 second"
    )
    assert charge_text(
        status="confirmed", reserved_cents=5, total_cents=5, quantity=1, cost_unit="call"
    ) == ("$0.05 charged")
