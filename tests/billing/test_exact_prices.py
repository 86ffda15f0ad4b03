"""Prices are exact from the declaration to the ledger: 0.1 + 0.2 + 0.3 is 0.6 here, and
1e-7 is 1e-7, whether a price comes as a JSON number over the API, as text in the route
form, or as `x-ouro-pricing` in an imported spec."""

import json
from decimal import ROUND_CEILING, Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.accounts.services import personal_org
from apps.actions.models import Status
from apps.actions.services import route_run
from apps.billing.models import LedgerEntry, UsageRecord, Wallet
from apps.billing.pricing import PricingError, pricing_parse
from apps.routes.models import Route

pytestmark = pytest.mark.django_db

PRICES = ("0.1", "0.2", "0.3", "0.0000001")  # in dollars, per run
RUNS = 3
HELLO = {"name": "name", "in": "query", "schema": {"type": "string"}}


def cents_per_run(price: str) -> int:
    return int((Decimal(price) * 100).to_integral_value(rounding=ROUND_CEILING))


def exact(response) -> dict:
    """The JSON body with every number read as the exact decimal its text says."""
    return json.loads(response.content, parse_float=Decimal)["data"]


def priced_over_the_api(api, alice_key, make_service, price: str) -> Route:
    service = make_service(name=f"api {price}")
    answer = api(alice_key).post(
        f"/services/{service.pk}/routes/create",
        {
            "route": {
                "method": "GET",
                "path": "/hello",
                "name": f"hello {price}",  # route names are the owner's own, one each
                "parameters": [HELLO],
                "monetization": "pay-per-use",
                "unit_cost_usd": float(price),  # a JSON number: 1e-07 for the smallest
            }
        },
    )
    assert answer.status_code == 201, answer.json()
    assert exact(answer)["unit_cost_usd"] == Decimal(price)
    return Route.objects.get(pk=answer.json()["data"]["id"])


def priced_in_the_form(client, alice, make_service, price: str) -> Route:
    service = make_service(name=f"form {price}")
    client.force_login(alice)
    form = {
        "method": "GET",
        "path": "/hello",
        "name": f"hello in a form {price}",  # route names are the owner's own, one each
        "execution_mode": "sync",
        "visibility": "inherit",
        "parameters": json.dumps([HELLO]),
        "price": "1e-7" if price == "0.0000001" else price,  # as a person may type it
        "price_unit": "call",
    }
    answer = client.post(f"/services/{service.pk}/routes/new", form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return service.routes.get(path="/hello")


def priced_in_a_spec(api, alice_key, demo_upstream, price: str) -> Route:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": f"Spec {price}", "version": "1"},
        "paths": {
            "/hello": {
                "get": {
                    "operationId": "hello",
                    "parameters": [HELLO],
                    "x-ouro-pricing": {"model": "per_call", "unit_cost": float(price)},
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
    }
    answer = api(alice_key).post(
        "/services/create/from-file",
        {
            "service": {
                "name": f"spec {price}",
                "base_url": demo_upstream,
                "visibility": "public",
                "spec": spec,
            }
        },
    )
    assert answer.status_code == 201, answer.json()
    # The owner has other routes called hello: the import names this one after its service.
    return Route.objects.get(service_id=answer.json()["data"]["id"], operation_id="hello")


def test_prices_declared_three_ways_are_charged_to_the_exact_cent(
    api, client, alice, bob, alice_key, bob_key, make_service, demo_upstream, fund
):
    routes = []
    for price in PRICES:
        routes += [
            (price, priced_over_the_api(api, alice_key, make_service, price)),
            (price, priced_in_the_form(client, alice, make_service, price)),
            (price, priced_in_a_spec(api, alice_key, demo_upstream, price)),
        ]
    # Every way stores the same exact text.
    for price, route in routes:
        assert route.pricing == {"model": "per_call", "unit_cost": price, "currency": "usd"}
    assert sum(Decimal(r.pricing["unit_cost"]) for _, r in routes[:9]) == Decimal("1.8")

    fund(bob, 10_000)
    for price, route in routes:
        cost = api(bob_key).get(f"/services/{route.service_id}/routes/{route.pk}/cost")
        assert cost.status_code == 200, cost.json()
        assert exact(cost)["cost"]["unit_cost"] == Decimal(price)
        assert exact(cost)["cost"]["total_cost"] == Decimal(cents_per_run(price)) / 100
        assert exact(api(bob_key).get(f"/routes/{route.pk}"))["unit_cost"] == Decimal(price)
        for _ in range(RUNS):
            action = route_run(route=route, user=bob, inputs={"query": {"name": "Bob"}})
            assert action.status == Status.SUCCESS

    records = UsageRecord.objects.filter(status="confirmed")
    assert records.count() == len(routes) * RUNS
    for price, route in routes:
        for record in records.filter(route=route):
            # Read back from the database: the unit cost in cents, exactly.
            assert record.unit_cost_cents == Decimal(price) * 100
            assert record.total_cents == cents_per_run(price)
    # 3 ways x 3 runs x (10 + 20 + 30 + 1) cents: every run rounded up once, to its cent.
    total = 3 * RUNS * sum(cents_per_run(price) for price in PRICES)
    assert total == 549
    spent = LedgerEntry.objects.filter(wallet_id=bob.pk, kind="usage").aggregate(
        s=Sum("amount_cents")
    )
    earned = LedgerEntry.objects.filter(wallet_id=alice.pk, kind="earning").aggregate(
        s=Sum("amount_cents")
    )
    assert (spent["s"], earned["s"]) == (-total, total)
    assert Wallet.objects.get(user=bob).available_cents == 10_000 - total
    assert Wallet.objects.get(user=alice).available_cents == total
    out = StringIO()
    call_command("billing_audit", stdout=out)
    assert "The books balance." in out.getvalue()


@pytest.mark.parametrize(
    ("declared", "unit_cost"),
    [
        (0.1, "0.1"),
        (1e-7, "0.0000001"),
        (json.loads("1e-07"), "0.0000001"),
        ("1E-7", "0.0000001"),
        (" 0.30 ", "0.3"),
        (Decimal("0.10"), "0.1"),
        (2, "2"),
        ("100", "100"),
        (0, "0"),
    ],
)
def test_the_parser_keeps_the_declared_amount_exactly(declared, unit_cost):
    stored = pricing_parse({"model": "per_call", "unit_cost": declared, "currency": "USD"})
    assert stored == {"model": "per_call", "unit_cost": unit_cost, "currency": "usd"}


def test_the_parser_normalizes_models_and_limits():
    assert pricing_parse(None) == {} and pricing_parse({}) == {}
    assert pricing_parse({"model": "free", "unit_cost": 5}) == {"model": "free", "currency": "usd"}
    assert pricing_parse(
        {"model": "per_second", "unit_cost": "0.001", "max_billable_seconds": 60.0}
    ) == {
        "model": "per_second",
        "unit_cost": "0.001",
        "currency": "usd",
        "max_billable_seconds": 60,
    }
    # A cap means nothing on a per-call price.
    assert "max_billable_seconds" not in pricing_parse(
        {"model": "per_call", "unit_cost": 1, "max_billable_seconds": 60}
    )


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"model": "monthly", "unit_cost": 1}, "per_call, per_second or free"),
        ({"unit_cost": 1}, "per_call, per_second or free"),
        ({"model": "per_call", "unit_cost": "a lot"}, "must be a number"),
        ({"model": "per_call", "unit_cost": True}, "must be a number"),
        ({"model": "per_call", "unit_cost": [1]}, "must be a number"),
        ({"model": "per_call", "unit_cost": float("nan")}, "must be a number"),
        ({"model": "per_call", "unit_cost": "Infinity"}, "must be a number"),
        ({"model": "per_call", "unit_cost": -0.1}, "cannot be negative"),
        ({"model": "per_call", "unit_cost": "1e-9"}, "finer than a millionth of a cent"),
        ({"model": "per_call", "unit_cost": 0.1 + 0.2}, "finer than a millionth of a cent"),
        ({"model": "per_call", "unit_cost": 10**7}, "less than $10,000,000"),
        ({"model": "per_call", "unit_cost": 1, "currency": "US dollars"}, "currency code"),
        ({"model": "per_second", "unit_cost": 1, "max_billable_seconds": 1.5}, "whole number"),
        ({"model": "per_second", "unit_cost": 1, "max_billable_seconds": 0}, "whole number"),
        ({"model": "per_second", "unit_cost": 1, "max_billable_seconds": "ten"}, "whole number"),
        ("0.1", "A price is an object"),
    ],
)
def test_the_parser_refuses_what_is_not_a_price(declared, message):
    with pytest.raises(PricingError, match=message.replace("$", r"\$")):
        pricing_parse(declared)


def test_every_route_write_refuses_a_bad_price_and_says_why(
    api, client, alice, alice_key, make_service, demo_upstream
):
    service = make_service(name="bad prices")
    bad = api(alice_key).post(
        f"/services/{service.pk}/routes/create",
        {"route": {"method": "GET", "path": "/hello", "unit_cost_usd": -1}},
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["message"] == "The price cannot be negative"
    assert bad.json()["error"]["field"] == "pricing"

    client.force_login(alice)
    form = {"method": "GET", "path": "/hello", "name": "hello", "execution_mode": "sync"}
    page = client.post(f"/services/{service.pk}/routes/new", {**form, "price": "five"})
    assert page.status_code == 200 and "must be a number of dollars" in page.content.decode()

    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Bad", "version": "1"},
        "paths": {
            "/hello": {
                "get": {
                    "x-ouro-pricing": {"model": "per_call", "unit_cost": "a dollar"},
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
    }
    bad = api(alice_key).post(
        "/services/create/from-file",
        {"service": {"name": "bad spec", "base_url": demo_upstream, "spec": spec}},
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_price"
    assert "GET /hello: x-ouro-pricing" in bad.json()["error"]["message"]
    # Nothing half-imported, and the route added by hand was refused too.
    assert not Route.objects.exists()
    assert [s.name for s in type(service).objects.filter(org=personal_org())] == ["bad prices"]

    # A re-sync from the page says so too, on preview and on apply, and changes nothing.
    for action in ("preview", "apply"):
        page = client.post(
            f"/services/{service.pk}/resync", {"spec_text": json.dumps(spec), "action": action}
        )
        assert page.status_code == 200 and "x-ouro-pricing" in page.content.decode()
    assert not Route.objects.exists()


def test_prices_stored_as_floats_are_rewritten_as_exact_text(make_route):
    from importlib import import_module

    from django.apps import apps as registry

    migration = import_module("apps.billing.migrations.0002_route_prices_exact")
    old = make_route("GET", "/hello", pricing={"model": "per_call", "unit_cost": 0.1})
    tiny = make_route("GET", "/fail", pricing={"model": "per_second", "unit_cost": 1e-7})
    free = make_route("GET", "/slow", pricing={})
    migration.prices_as_text(registry, None)
    for route in (old, tiny, free):
        route.refresh_from_db()
    assert old.pricing == {"model": "per_call", "unit_cost": "0.1"}
    assert tiny.pricing == {"model": "per_second", "unit_cost": "0.0000001"}
    assert free.pricing == {}
