"""The money tools of the official MCP server, ouro-mcp, over stdio against the live server:
money sent to another user (exact, never on credit, never a negative amount), a route owner's
earnings, and the deposit address and top-up this platform does not offer."""

import json
import threading

import httpx
import pytest

from apps.billing.models import LedgerEntry, LedgerKind
from apps.billing.selectors import wallet_of
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)

NOBODY = "00000000-0000-4000-8000-00000000abcd"


def balance(user) -> int:
    return wallet_of(user).available_cents


# send_money -----------------------------------------------------------------------------------


def test_send_money_moves_the_exact_amount_with_an_entry_on_each_side(
    live_site, alice, bob, bob_key, fund
):
    fund(bob, 400)
    sent, balance_after, history = call_tools(
        live_site.url,
        bob_key,
        [
            (
                "send_money",
                {
                    "recipient_id": str(alice.pk),
                    "amount": 137,
                    "currency": "usd",
                    "message": "For the annealing notes",
                },
            ),
            ("get_balance", {"currency": "usd"}),
            ("list_transactions", {"currency": "usd"}),
        ],
    )
    answer = json.loads(sent)
    assert (answer["success"], answer["recipient_id"], answer["amount"]) == (
        True,
        str(alice.pk),
        137,
    )
    assert (answer["amount_cents"], answer["recipient_amount_cents"]) == (137, 137)
    assert answer["platform_fee_cents"] == 0
    assert (balance(bob), balance(alice)) == (263, 137)
    assert json.loads(balance_after)["available_cents"] == 263

    paid = LedgerEntry.objects.get(wallet_id=bob.pk, kind=LedgerKind.TIP_SENT)
    got = LedgerEntry.objects.get(wallet_id=alice.pk, kind=LedgerKind.TIP_RECEIVED)
    assert str(paid.pk) == answer["transaction_id"]
    assert (paid.amount_cents, paid.balance_after_cents, paid.counterparty) == (-137, 263, alice)
    assert (got.amount_cents, got.balance_after_cents, got.counterparty) == (137, 137, bob)
    assert paid.note == got.note == "For the annealing notes"
    latest = json.loads(history)["results"][0]
    assert (latest["type"], latest["amount_cents"], latest["recipient_user_id"]) == (
        "tip_sent",
        -137,
        str(alice.pk),
    )


def test_send_money_beyond_the_available_funds_is_refused_and_moves_nothing(
    live_site, alice, bob, bob_key, fund
):
    fund(bob, 100)
    refused, everything = call_tools(
        live_site.url,
        bob_key,
        [
            ("send_money", {"recipient_id": str(alice.pk), "amount": 101, "currency": "usd"}),
            ("send_money", {"recipient_id": str(alice.pk), "amount": 100, "currency": "usd"}),
        ],
    )
    error = json.loads(refused)
    assert (
        "Not enough funds: you are sending $1.01 and your wallet has $1.00 available"
        in (error["message"])
    )
    assert "Nothing was sent" in error["message"]
    # All of it may go, to the cent
    assert json.loads(everything)["amount_cents"] == 100
    assert (balance(bob), balance(alice)) == (0, 100)
    assert LedgerEntry.objects.filter(kind=LedgerKind.TIP_SENT).count() == 1


def test_sends_at_once_never_spend_a_cent_twice(live_site, alice, bob, bob_key, fund):
    """Four sends of 60 cents race for 150: two go through, whatever the timing."""
    fund(bob, 150)
    token = httpx.post(f"{live_site.url}/api/users/get-token", json={"pat": bob_key}).json()
    answers: list[int] = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        answer = httpx.post(
            f"{live_site.url}/api/stripe/wallet/tip",
            json={"recipientId": str(alice.pk), "amountCents": 60},
            headers={"Authorization": token["access_token"]},
            timeout=30,
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 201, 402, 402]
    assert (balance(bob), balance(alice)) == (30, 120)
    assert LedgerEntry.objects.filter(kind=LedgerKind.TIP_RECEIVED).count() == 2


def test_send_money_refuses_a_negative_or_zero_amount(live_site, alice, bob, bob_key, fund):
    fund(bob, 100)
    negative, zero = call_tools(
        live_site.url,
        bob_key,
        [
            ("send_money", {"recipient_id": str(alice.pk), "amount": -50, "currency": "usd"}),
            ("send_money", {"recipient_id": str(alice.pk), "amount": 0, "currency": "usd"}),
        ],
    )
    for text in (negative, zero):
        assert "amount" in text and "greater than 0" in text
    assert (balance(bob), balance(alice)) == (100, 0)
    assert not LedgerEntry.objects.filter(kind=LedgerKind.TIP_SENT).exists()


def test_the_api_refuses_amounts_that_are_not_whole_positive_cents(api, alice, bob, bob_key, fund):
    """What the tool checks before sending, the server checks again: other clients send too."""
    fund(bob, 100)
    for amount in (-50, 0, 1.5, "10", True, None):
        answer = api(bob_key).post(
            "/stripe/wallet/tip", {"recipientId": str(alice.pk), "amountCents": amount}
        )
        assert answer.status_code == 400, amount
        assert answer.json()["error"] == {
            "message": "The amount must be a whole, positive number of cents",
            "code": "invalid_amount",
            "status": 400,
        }
    assert (balance(bob), balance(alice)) == (100, 0)


def test_send_money_to_nobody_to_oneself_or_in_bitcoin_is_refused(
    live_site, bob, bob_key, alice, fund
):
    fund(bob, 100)
    nobody, oneself, bitcoin = call_tools(
        live_site.url,
        bob_key,
        [
            ("send_money", {"recipient_id": NOBODY, "amount": 10, "currency": "usd"}),
            ("send_money", {"recipient_id": str(bob.pk), "amount": 10, "currency": "usd"}),
            ("send_money", {"recipient_id": str(alice.pk), "amount": 10, "currency": "btc"}),
        ],
    )
    assert json.loads(nobody)["error"] == "not_found"
    assert "No user with this id" in json.loads(nobody)["message"]
    assert "You cannot send money to yourself" in json.loads(oneself)["message"]
    assert "US dollars only" in json.loads(bitcoin)["message"]
    assert (balance(bob), balance(alice)) == (100, 0)
    assert not LedgerEntry.objects.filter(kind=LedgerKind.TIP_SENT).exists()


# get_pending_earnings -------------------------------------------------------------------------


def test_get_pending_earnings_sums_what_each_route_earned(
    live_site, alice_key, bob_key, bob, fund, paid_hello, paid_fail
):
    fund(bob, 100)
    call_tools(
        live_site.url,
        bob_key,
        [
            ("execute_route", {"route_id": str(paid_hello.pk), "query": {"name": "Bob"}}),
            ("execute_route", {"route_id": str(paid_hello.pk), "query": {"name": "Bo"}}),
            ("execute_route", {"route_id": str(paid_fail.pk)}),
        ],
    )
    assert balance(bob) == 90  # two runs paid, the failed one released
    (earnings,) = call_tools(live_site.url, alice_key, [("get_pending_earnings", {})])
    (bobs,) = call_tools(live_site.url, bob_key, [("get_pending_earnings", {})])
    answer = json.loads(earnings)
    assert (answer["total_paid_out_cents"], answer["total_pending_cents"]) == (10, 0)
    assert answer["in_progress_cents"] == 0
    by_route = {row["asset_id"]: row for row in answer["assets"]}
    assert by_route[str(paid_hello.pk)]["earned_cents"] == 10
    assert by_route[str(paid_hello.pk)]["paid_runs"] == 2
    assert by_route[str(paid_fail.pk)]["earned_cents"] == 0
    # bob earns nothing from what he ran
    assert json.loads(bobs)["total_paid_out_cents"] == 0
    assert json.loads(bobs)["assets"] == []


# get_deposit_address and add_funds ------------------------------------------------------------


def test_get_deposit_address_says_on_chain_deposits_are_not_offered(live_site, bob_key):
    (text,) = call_tools(live_site.url, bob_key, [("get_deposit_address", {})])
    error = json.loads(text)
    assert error["error"] == "not_found"
    assert error["message"].startswith("Deposits are not offered here")
    assert "Wallets hold US dollars only" in error["message"]
    assert "deposit_address" not in error


def test_add_funds_answers_instructions_and_moves_no_money(live_site, bob, bob_key):
    (text,) = call_tools(live_site.url, bob_key, [("add_funds", {})])
    message = json.loads(text)["message"]
    # The client's own words: top-ups happen on a web page, never through the tool
    assert "add USD funds" in message
    assert balance(bob) == 0
    assert not LedgerEntry.objects.exists()
