"""Money through the official ouro-py client against the live server: a paid run's
usage_record, the USD balance, transactions, usage history and a route's cost."""

import pytest
from ouro import APIStatusError, BadRequestError, NotFoundError

from apps.billing.selectors import wallet_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def funded_bob(bob, fund):
    fund(bob, 100)
    return bob


def test_a_paid_run_carries_its_charge_and_moves_the_balances(
    ouro_client, bob_key, alice_key, funded_bob, paid_hello
):
    ouro = ouro_client(bob_key)
    before = ouro.money.get_balance("usd")
    assert (before.balance_cents, before.available_cents, before.escrowed_cents) == (100, 100, 0)
    action = ouro.routes.execute(str(paid_hello.pk), query={"name": "Bob"})
    assert action.status == "success"
    assert action.usage_record["status"] == "confirmed"
    assert action.usage_record["total_cents"] == 5
    assert action.usage_record["cost_unit"] == "call"
    after = ouro.money.get_balance("usd")
    assert (after.balance_cents, after.available_cents, after.escrowed_cents) == (95, 95, 0)
    # Reading the action again shows the same settled charge.
    again = ouro.routes.retrieve_action(str(action.id))
    assert again.usage_record["status"] == "confirmed"

    page = ouro.money.get_transactions("usd")
    assert [(t.type, t.amount_cents) for t in page] == [("usage", -5), ("top_up", 100)]
    usage = ouro.money.get_usage_history()
    assert [(r.status, r.total_cents, str(r.action_id)) for r in usage] == [
        ("confirmed", 5, str(action.id))
    ]
    assert (usage.summary.record_count, usage.summary.total_cents) == (1, 5)

    owner = ouro_client(alice_key)
    assert owner.money.get_balance("usd").available_cents == 5
    earned = owner.money.get_usage_history(role="creator")
    assert [r.total_cents for r in earned] == [5]
    assert len(owner.money.get_usage_history()) == 0  # alice paid for nothing
    earnings = owner.money.get_pending_earnings()
    assert (earnings.total_paid_out_cents, earnings.in_progress_cents) == (5, 0)
    assert [(a["name"], a["earned_cents"], a["paid_runs"]) for a in earnings.assets] == [
        ("hello", 5, 1)
    ]


def test_a_failed_paid_run_is_released(ouro_client, bob_key, funded_bob, paid_fail):
    ouro = ouro_client(bob_key)
    action = ouro.routes.execute(str(paid_fail.pk))
    assert action.status == "error"
    assert action.usage_record["status"] == "released"
    assert action.usage_record["total_cents"] == 0
    assert ouro.money.get_balance("usd").available_cents == 100
    usage = ouro.money.get_usage_history()
    assert [r.status for r in usage] == ["released"] and usage.summary.total_cents == 0


def test_not_enough_funds_is_a_402_that_says_what_is_missing(
    ouro_client, bob_key, bob, fund, paid_hello
):
    fund(bob, 3)
    ouro = ouro_client(bob_key)
    with pytest.raises(APIStatusError) as refused:
        ouro.routes.execute(str(paid_hello.pk))
    assert refused.value.status_code == 402
    assert "costs $0.05 and your wallet has $0.03 available" in str(refused.value)
    assert ouro.money.get_balance("usd").available_cents == 3
    assert len(ouro.money.get_usage_history()) == 0


def test_paying_in_another_currency_is_refused(ouro_client, bob_key, funded_bob, paid_hello):
    ouro = ouro_client(bob_key)
    with pytest.raises(BadRequestError, match="cannot be paid in BTC"):
        ouro.routes.execute(str(paid_hello.pk), currency="btc")
    with pytest.raises(NotFoundError, match="US dollars only"):
        ouro.money.get_balance("btc")
    with pytest.raises(NotFoundError, match="US dollars only"):
        ouro.money.get_deposit_address()
    with pytest.raises(NotFoundError, match="US dollars only"):
        ouro.money.send("00000000-0000-4000-8000-00000000abcd", 100, currency="btc")


def test_sending_dollars_moves_the_exact_cents_and_never_overdraws(
    ouro_client, bob_key, funded_bob, alice
):
    ouro = ouro_client(bob_key)
    before = wallet_of(funded_bob).balance_cents
    tip = ouro.money.send(str(alice.pk), 60, currency="usd", message="Thanks")
    assert (tip.amount_cents, tip.recipient_amount_cents, tip.platform_fee_cents) == (60, 60, 0)
    assert wallet_of(funded_bob).balance_cents == before - 60
    assert wallet_of(alice).balance_cents == 60
    with pytest.raises(APIStatusError, match="Not enough funds") as refused:
        ouro.money.send(str(alice.pk), before, currency="usd")
    assert refused.value.status_code == 402
    assert wallet_of(alice).balance_cents == 60


def test_a_route_says_what_a_run_costs(ouro_client, bob_key, alice_key, paid_hello, paid_route):
    ouro = ouro_client(bob_key)
    cost = ouro.routes.cost(str(paid_hello.pk), "00000000-0000-0000-0000-000000000000")
    assert (cost.total_cost, cost.currency, cost.cost_unit) == (0.05, "usd", "call")
    timed = paid_route(
        "GET",
        "/slow",
        name="slow",
        pricing={"model": "per_second", "unit_cost": 0.01, "max_billable_seconds": 20},
    )
    cost = ouro.routes.cost(str(timed.pk), "00000000-0000-0000-0000-000000000000")
    assert (cost.total_cost, cost.cost_unit, cost.cost_accounting) == (0.2, "seconds", "runtime")
    # Its owner runs it for nothing.
    mine = ouro_client(alice_key).routes.cost(
        str(paid_hello.pk), "00000000-0000-0000-0000-000000000000"
    )
    assert mine.total_cost == 0


def test_the_api_refuses_bad_money_queries(api, bob_key, funded_bob):
    client = api(bob_key)
    answer = client.get("/stripe/usage/history?role=boss")
    assert answer.status_code == 400 and "consumer or creator" in answer.json()["error"]["message"]
    answer = client.get("/stripe/wallet/transactions?type=gift")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_type"
    assert api(None).get("/stripe/wallet/balance").status_code == 401


def test_a_route_monetized_with_the_client_charges_its_callers(
    ouro_client, alice_key, bob_key, funded_bob, make_service
):
    service = make_service()
    owner = ouro_client(alice_key)
    route = owner.routes.create(
        str(service.pk),
        method="GET",
        path="/hello",
        name="paid-hello",
        visibility="monetized",
        monetization="pay-per-use",
        cost_accounting="fixed",
        unit_cost_usd=0.25,
    )
    assert route.visibility == "public" and route.monetization == "pay-per-use"
    action = ouro_client(bob_key).routes.execute(str(route.id), query={"name": "Bob"})
    assert action.status == "success" and action.usage_record["total_cents"] == 25
    # Priced in sats only, it stays priced: it is refused here, never run for free.
    sats = owner.routes.create(
        str(service.pk),
        method="GET",
        path="/fail",
        name="sats-only",
        visibility="monetized",
        monetization="pay-per-use",
        unit_cost_sats=100,
    )
    with pytest.raises(BadRequestError, match="priced in BTC"):
        ouro_client(bob_key).routes.execute(str(sats.id))
    assert ouro_client(bob_key).money.get_balance("usd").available_cents == 75


def test_a_services_children_counts_and_tags_through_the_client(
    ouro_client, alice_key, bob_key, funded_bob, paid_hello, paid_route
):
    paid_hello.tags = ["greetings", "demo", "greetings"]
    paid_hello.save()
    service = paid_hello.service
    paid_route("GET", "/fail", name="hidden", service=service, visibility="private")
    owner, caller = ouro_client(alice_key), ouro_client(bob_key)
    assert sorted(a.name for a in owner.assets.children(str(service.pk))) == ["hello", "hidden"]
    assert [a.name for a in caller.assets.children(str(service.pk))] == ["hello"]
    caller.routes.execute(str(paid_hello.pk))
    assert owner.assets.counts(str(paid_hello.pk)).earnings_usd == 5
    assert owner.assets.counts(str(service.pk)).earnings_usd == 5
    assert caller.assets.counts(str(paid_hello.pk)).earnings_usd == 0  # not theirs to see
    tags = owner.assets.tags(str(paid_hello.pk))
    assert [t.tag.name for t in tags] == ["greetings", "demo"]
    assert owner.assets.tags(str(service.pk)) == []
