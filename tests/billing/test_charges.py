"""Paid runs against the real demo upstream: held when they start, charged only on success,
given back on error, time-out or cancel, never twice, never below zero."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from apps.actions.callbacks import action_cancel
from apps.actions.models import ACTIVE_STATUSES, Action, Status
from apps.actions.reaper import action_time_out
from apps.actions.serializers import action_dict
from apps.actions.services import route_run
from apps.actions.transitions import action_transition
from apps.billing.models import LedgerEntry, UsageRecord, Wallet
from apps.billing.pricing import PricingError
from apps.billing.services import PaymentRequired, WalletError, usage_settle, wallet_adjust

pytestmark = pytest.mark.django_db


def wallet(user) -> tuple[int, int]:
    row = Wallet.objects.get(user=user)
    return row.available_cents, row.escrowed_cents


def ledger(user) -> list[tuple[str, int, int]]:
    return list(
        LedgerEntry.objects.filter(wallet_id=user.pk)
        .order_by("created_at", "id")
        .values_list("kind", "amount_cents", "balance_after_cents")
    )


def test_a_successful_run_charges_the_caller_and_pays_the_owner(paid_hello, alice, bob, fund):
    fund(bob, 100)
    action = route_run(route=paid_hello, user=bob, inputs={"query": {"name": "Bob"}})
    assert action.status == Status.SUCCESS and action.paid
    assert wallet(bob) == (95, 0)
    assert wallet(alice) == (5, 0)
    record = UsageRecord.objects.get(action=action)
    assert (record.status, record.quantity, record.total_cents) == ("confirmed", 1, 5)
    assert (record.user, record.creator, record.route_id) == (bob, alice, paid_hello.pk)
    assert ledger(bob) == [("top_up", 100, 100), ("usage", -5, 95)]
    assert ledger(alice) == [("earning", 5, 5)]
    # The run's answer carries the settled charge (CONTRACT §8).
    usage = action_dict(action)["usage_record"]
    assert usage["status"] == "confirmed" and usage["total_cents"] == 5
    assert usage["unit_cost_cents"] == 5 and usage["cost_unit"] == "call"


def test_a_failed_run_releases_what_it_held(paid_fail, bob, fund):
    fund(bob, 100)
    action = route_run(route=paid_fail, user=bob, inputs={})
    assert action.status == Status.ERROR
    assert wallet(bob) == (100, 0)
    record = UsageRecord.objects.get(action=action)
    assert (record.status, record.total_cents, record.reserved_cents) == ("released", 0, 5)
    assert ledger(bob) == [("top_up", 100, 100)]
    assert action_dict(action)["usage_record"]["status"] == "released"


def test_a_run_is_held_while_it_runs_and_released_when_canceled(paid_jobs, bob, fund):
    fund(bob, 100)
    action = route_run(route=paid_jobs, user=bob, inputs={"body": {"steps": 1, "delay": 5}})
    assert action.status in ACTIVE_STATUSES
    assert wallet(bob) == (95, 5)
    assert UsageRecord.objects.get(action=action).status == "reserved"
    assert action_cancel(action=action, user=bob)
    assert wallet(bob) == (100, 0)
    assert UsageRecord.objects.get(action=action).status == "released"


def test_a_timed_out_run_releases_what_it_held(paid_jobs, bob, fund):
    fund(bob, 100)
    action = route_run(route=paid_jobs, user=bob, inputs={"body": {"steps": 1, "delay": 5}})
    later = timezone.now() + timedelta(days=2)
    assert action_time_out(action=action, reason="silent too long", now=later)
    assert Action.objects.get(pk=action.pk).status == Status.TIMED_OUT
    assert wallet(bob) == (100, 0)
    assert UsageRecord.objects.get(action=action).status == "released"


def test_not_enough_funds_refuses_the_run_and_records_nothing(paid_hello, bob, fund):
    fund(bob, 4)
    with pytest.raises(PaymentRequired) as refused:
        route_run(route=paid_hello, user=bob, inputs={})
    assert "this run costs $0.05 and your wallet has $0.04 available" in refused.value.message
    assert (refused.value.needed_cents, refused.value.available_cents) == (5, 4)
    assert not Action.objects.exists() and not UsageRecord.objects.exists()
    assert wallet(bob) == (4, 0)


def test_a_caller_without_a_wallet_is_refused(paid_hello, charlie):
    with pytest.raises(PaymentRequired, match=r"\$0.00 available"):
        route_run(route=paid_hello, user=charlie, inputs={})
    assert not Action.objects.exists()


def test_bad_inputs_hold_nothing(paid_hello, bob, fund):
    from apps.routes.schema_form import FormInputError

    fund(bob, 100)
    with pytest.raises(FormInputError):
        route_run(route=paid_hello, user=bob, inputs={"query": {"name": "x" * 500}})
    assert wallet(bob) == (100, 0) and not UsageRecord.objects.exists()


def test_the_owner_runs_their_own_route_for_free(paid_hello, alice):
    action = route_run(route=paid_hello, user=alice, inputs={})
    assert action.status == Status.SUCCESS and not action.paid
    assert action_dict(action)["usage_record"] is None
    assert not UsageRecord.objects.exists() and not Wallet.objects.exists()


def test_per_second_runs_hold_the_cap_and_charge_the_seconds_used(paid_hello, bob, fund):
    paid_hello.pricing = {"model": "per_second", "unit_cost": 0.01, "max_billable_seconds": 30}
    paid_hello.save()
    fund(bob, 100)
    action = route_run(route=paid_hello, user=bob, inputs={})
    assert action.status == Status.SUCCESS
    record = UsageRecord.objects.get(action=action)
    assert (record.reserved_quantity, record.reserved_cents) == (30, 30)
    assert (record.quantity, record.total_cents, record.status) == (1, 1, "confirmed")
    assert wallet(bob) == (99, 0)


def test_a_currency_the_route_is_not_sold_in_is_refused(paid_hello, bob, fund):
    fund(bob, 100)
    with pytest.raises(PricingError, match="cannot be paid in BTC"):
        route_run(route=paid_hello, user=bob, inputs={}, currency="btc")
    paid_hello.pricing = {"model": "per_call", "unit_cost": 10, "currency": "btc"}
    paid_hello.save()
    with pytest.raises(PricingError, match="US dollars only"):
        route_run(route=paid_hello, user=bob, inputs={})
    assert not Action.objects.exists() and wallet(bob) == (100, 0)


def test_an_ended_run_is_settled_once(paid_hello, alice, bob, fund):
    fund(bob, 100)
    action = route_run(route=paid_hello, user=bob, inputs={})
    # The status never changes again, and settling again moves no money.
    assert not action_transition(action=action, to=Status.ERROR, expected=ACTIVE_STATUSES)
    with transaction.atomic():
        assert usage_settle(action=action, status="error", finished_at=timezone.now()) is None
    assert wallet(bob) == (95, 0) and wallet(alice) == (5, 0)
    assert LedgerEntry.objects.filter(kind="usage").count() == 1


def test_an_operator_credits_and_debits_but_never_below_zero(bob):
    entry = wallet_adjust(user=bob, cents=250, note="welcome")
    assert (entry.kind, entry.amount_cents, entry.balance_after_cents) == ("top_up", 250, 250)
    assert wallet_adjust(user=bob, cents=-50).kind == "adjustment"
    with pytest.raises(WalletError, match=r"bob has \$2.00 available"):
        wallet_adjust(user=bob, cents=-201)
    for bad in (0, 1.5, True):
        with pytest.raises(WalletError, match="whole, non-zero"):
            wallet_adjust(user=bob, cents=bad)
    assert wallet(bob) == (200, 0)


def test_the_database_itself_refuses_a_negative_balance(bob, fund):
    fund(bob, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(user=bob).update(available_cents=-1)
    assert wallet(bob) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_cannot_spend_the_same_cents(paid_hello, bob, fund, settings):
    fund(bob, 10)  # two runs' worth, for six callers at once
    settings.UPSTREAM_MAX_CONCURRENCY_PER_SERVICE = 6  # all six reach the wallet at once
    outcomes, start = [], threading.Barrier(6)

    def run():
        try:
            start.wait()
            action = route_run(route=paid_hello, user=bob, inputs={})
            outcomes.append(action.status)
        except PaymentRequired:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["refused"] * 4 + [Status.SUCCESS] * 2
    assert wallet(bob) == (0, 0)
    assert UsageRecord.objects.filter(status="confirmed").count() == 2


def test_deleting_a_payer_keeps_the_charge_and_the_owners_earning(paid_hello, alice, bob, fund):
    fund(bob, 100)
    route_run(route=paid_hello, user=bob, inputs={})
    bob.delete()
    record = UsageRecord.objects.get()
    assert (record.user_id, record.action_id, record.status) == (None, None, "confirmed")
    assert ledger(alice) == [("earning", 5, 5)]
    assert wallet(alice) == (5, 0)


@pytest.fixture
def queue_down():
    """The task queue on a Redis nobody listens on: every hand-over is refused for real."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    saved = HUEY.storage
    HUEY.immediate = False
    HUEY.storage = RedisStorage(HUEY.name, url="redis://127.0.0.1:1/0")
    yield
    HUEY.storage = saved
    HUEY.immediate = True


def test_a_run_the_queue_refuses_ends_at_once_and_releases_its_hold(
    paid_jobs, bob, fund, queue_down, django_capture_on_commit_callbacks
):
    from apps.actions.services import QUEUE_REFUSED

    fund(bob, 100)
    with django_capture_on_commit_callbacks(execute=True):
        action = route_run(route=paid_jobs, user=bob, inputs={"body": {"steps": 1}})
    action = Action.objects.get(pk=action.pk)
    assert (action.status, action.error_message) == (Status.ERROR, QUEUE_REFUSED)
    assert UsageRecord.objects.get(action=action).status == "released"
    assert wallet(bob) == (100, 0)


@pytest.mark.django_db(transaction=True)
def test_runs_that_pay_each_others_owners_at_once_all_settle(
    paid_hello, paid_route, make_service, alice, bob, fund
):
    """alice pays bob's route while bob pays alice's: both settlements lock both wallets."""
    bobs = paid_route("GET", "/hello", name="bobs-hello", service=make_service(owner=bob))
    fund(alice, 1000)
    fund(bob, 1000)
    outcomes, start = [], threading.Barrier(8)

    def run(route, user):
        try:
            start.wait()
            for _ in range(5):
                outcomes.append(route_run(route=route, user=user, inputs={}).status)
        finally:
            close_old_connections()

    pairs = [(paid_hello, bob), (bobs, alice)] * 4
    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert outcomes == [Status.SUCCESS] * 40
    # Each paid the other 20 runs at $0.05: both end where they started.
    assert wallet(alice) == (1000, 0) and wallet(bob) == (1000, 0)
    assert LedgerEntry.objects.filter(kind="earning").count() == 40


@pytest.mark.books_unbalanced
def test_a_settlement_that_fails_leaves_the_status_and_the_money_as_they_were(paid_jobs, bob, fund):
    fund(bob, 100)
    action = route_run(route=paid_jobs, user=bob, inputs={})
    before = action.status
    # Corrupt the hold so giving it back would leave the held cents negative.
    Wallet.objects.filter(user=bob).update(escrowed_cents=0)
    with pytest.raises(IntegrityError):
        action_transition(action=action, to=Status.SUCCESS, expected=ACTIVE_STATUSES)
    assert action.status == before and action.finished_at is None
    assert Action.objects.get(pk=action.pk).status == before
    assert UsageRecord.objects.get(action=action).status == "reserved"
    assert LedgerEntry.objects.filter(kind="usage").count() == 0


@pytest.mark.books_unbalanced
def test_the_audit_finds_a_wallet_that_does_not_match_its_books(paid_jobs, bob, fund):
    from io import StringIO

    from django.core.management import CommandError, call_command

    fund(bob, 100)
    route_run(route=paid_jobs, user=bob, inputs={})
    call_command("billing_audit", stdout=StringIO())  # balanced: says so, exits 0
    Wallet.objects.filter(user=bob).update(available_cents=150, escrowed_cents=0)
    with pytest.raises(CommandError) as unbalanced:
        call_command("billing_audit", stdout=StringIO())
    assert "bob: balance $1.50, ledger $1.00" in str(unbalanced.value)
    assert "bob: holds $0.00, running charges $0.05" in str(unbalanced.value)
