"""Duplicate success callbacks for a paid run, sent at the same moment over real HTTP: one
charge, however many arrive."""

import pytest

from apps.actions.models import Status
from apps.actions.services import route_run
from apps.actions.webhooks import webhook_issue
from apps.billing.models import LedgerEntry, UsageRecord, Wallet
from tests.actions.test_callbacks_concurrency import SENDERS, send_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_duplicate_callbacks_charge_a_paid_run_once(live_site, paid_jobs, alice, bob, fund):
    fund(bob, 100)
    # The demo job would call back only after 10 s; the token it holds is replaced below.
    action = route_run(route=paid_jobs, user=bob, inputs={"body": {"steps": 1, "delay": 10}})
    assert action.status == Status.IN_PROGRESS
    assert Wallet.objects.get(user=bob).escrowed_cents == 5
    token = webhook_issue(action)[1]
    codes = send_concurrently(f"{live_site.url}/api/actions/{action.pk}/webhook", token)
    assert codes == [200] + [409] * (SENDERS - 1)
    record = UsageRecord.objects.get(action=action)
    assert (record.status, record.total_cents) == ("confirmed", 5)
    bobs, alices = Wallet.objects.get(user=bob), Wallet.objects.get(user=alice)
    assert (bobs.available_cents, bobs.escrowed_cents, alices.available_cents) == (95, 0, 5)
    assert LedgerEntry.objects.filter(kind="usage").count() == 1
    assert LedgerEntry.objects.filter(kind="earning").count() == 1
