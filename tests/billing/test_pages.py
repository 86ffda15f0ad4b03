"""What the pages say about money: the route's price and the caller's funds, a refused run,
a run's charge (to its caller and the route's owner only), the wallet page."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.actions.models import Action
from apps.actions.services import route_run
from apps.actions.views import panel_context
from apps.billing.models import Wallet

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def page_of(route) -> str:
    return f"/routes/{route.entity_name}/{route.slug}"


def test_the_route_page_states_the_price_and_the_viewers_funds(client, paid_hello, bob, fund):
    fund(bob, 250)
    client.force_login(bob)
    html = client.get(page_of(paid_hello)).content.decode()
    assert "$0.05 per run, charged only when a run succeeds" in html
    assert "$0.05 per run; you have $2.50 available." in html
    assert "Run · $0.05</button>" in html
    paid_hello.pricing = {"model": "per_second", "unit_cost": 0.01, "max_billable_seconds": 30}
    paid_hello.save()
    assert "Run · up to $0.30</button>" in client.get(page_of(paid_hello)).content.decode()


def test_the_owner_is_told_their_route_is_free_for_them_and_what_it_earned(
    client, paid_hello, alice, bob, fund
):
    fund(bob, 100)
    route_run(route=paid_hello, user=bob, inputs={})
    client.force_login(alice)
    html = client.get(page_of(paid_hello)).content.decode()
    assert "free for you: it is your route; it has earned $0.05" in html
    assert "available." not in html
    client.force_login(bob)
    assert "has earned" not in client.get(page_of(paid_hello)).content.decode()


def test_a_route_priced_in_another_currency_says_it_cannot_be_run(client, paid_route, bob):
    route = paid_route(
        "GET", "/hello", pricing={"model": "per_call", "unit_cost": 1, "currency": "btc"}
    )
    client.force_login(bob)
    assert (
        "priced in BTC, which wallets here do not hold"
        in client.get(page_of(route)).content.decode()
    )


def test_a_run_without_funds_is_refused_on_the_form(client, paid_hello, bob, fund):
    fund(bob, 1)
    client.force_login(bob)
    answer = client.post(f"{page_of(paid_hello)}/run", {"query.name": "Bob"}, headers=HTMX)
    html = answer.content.decode()
    assert "Not enough funds: this run costs $0.05 and your wallet has $0.01 available" in html
    assert 'value="Bob"' in html  # the form is still there, filled in
    assert not Action.objects.exists()
    answer = client.post(f"{page_of(paid_hello)}/run", {"query.name": "Bob"})
    assert answer.status_code == 402


def test_a_run_from_the_form_is_charged_and_its_panel_says_so(
    client, paid_hello, bob, fund, django_capture_on_commit_callbacks
):
    fund(bob, 100)
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):  # the queue picks the run up
        client.post(f"{page_of(paid_hello)}/run", {"query.name": "Bob"}, headers=HTMX)
    action = Action.objects.get()
    html = client.get(f"/actions/{action.pk}").content.decode()
    assert "$0.05 charged" in html
    assert Wallet.objects.get(user=bob).available_cents == 95


def test_only_the_caller_and_the_owner_see_a_runs_charge(paid_hello, alice, bob, charlie, fund):
    fund(bob, 100)
    action = route_run(route=paid_hello, user=bob, inputs={})
    assert panel_context(action, user=bob)["charge"] == "$0.05 charged"
    assert panel_context(action, user=alice)["charge"] == "$0.05 charged"
    # A post's reader sees the pinned run, never what its author paid.
    assert panel_context(action, user=charlie)["charge"] is None


def test_the_wallet_page_shows_balance_charges_earnings_and_ledger(
    client, paid_hello, paid_fail, alice, bob, fund
):
    fund(bob, 100)
    route_run(route=paid_hello, user=bob, inputs={})
    route_run(route=paid_fail, user=bob, inputs={})
    client.force_login(bob)
    html = client.get("/wallet").content.decode()
    assert 'data-balance-cents="95"' in html and "$0.95" in html
    assert "2 charges, $0.05 confirmed" in html
    assert 'data-status="confirmed"' in html and 'data-status="released"' in html
    assert "-$0.05" in html and "test funds" in html
    client.force_login(alice)
    html = client.get("/wallet?role=creator").content.decode()
    assert "2 charges, $0.05 confirmed" in html and 'data-balance-cents="5"' in html
    assert client.get("/wallet").status_code == 200
    client.logout()
    assert client.get("/wallet").status_code == 302


def test_an_operator_credits_a_wallet_from_the_command_line(bob):
    out = StringIO()
    call_command("wallet_credit", "bob", "2.50", "--note", "welcome", stdout=out)
    assert out.getvalue().strip() == "bob: +$2.50, balance $2.50"
    call_command("wallet_credit", "bob", "-1", stdout=out)
    assert Wallet.objects.get(user=bob).available_cents == 150
    with pytest.raises(CommandError, match=r"bob has \$1.50 available"):
        call_command("wallet_credit", "bob", "-2", stdout=out)
    with pytest.raises(CommandError, match="not a whole number of cents"):
        call_command("wallet_credit", "bob", "0.001", stdout=out)
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("wallet_credit", "nobody", "1", stdout=out)


def test_a_superuser_credits_a_wallet_in_the_admin(client, alice, bob):
    url = "/admin/billing/wallet/credit/"
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get(url).status_code == 403  # staff, not superuser
    alice.is_superuser = True
    alice.save()
    assert "Credit a wallet" in client.get("/admin/billing/wallet/").content.decode()
    answer = client.post(url, {"user": bob.pk, "amount": "2.50", "note": "welcome"})
    assert answer.status_code == 302
    wallet = Wallet.objects.get(user=bob)
    assert wallet.available_cents == 250
    entry = wallet.entries.get()
    assert (entry.kind, entry.note, entry.created_by) == ("top_up", "welcome", alice)
    refused = client.post(url, {"user": bob.pk, "amount": "-3"})
    assert "bob has $2.50 available" in refused.content.decode()
    refused = client.post(url, {"user": bob.pk, "amount": "0.001"})
    assert "not a whole number of cents" in refused.content.decode()
    assert Wallet.objects.get(user=bob).available_cents == 250


def test_the_wallet_pages_through_the_ledger(client, bob, fund):
    from apps.billing.views import PAGE_ROWS

    for _ in range(PAGE_ROWS + 2):
        fund(bob, 1)
    client.force_login(bob)
    first = client.get("/wallet").content.decode()
    assert first.count("test funds") == PAGE_ROWS and "ledger_page=2" in first
    older = client.get("/wallet?ledger_page=2").content.decode()
    assert older.count("test funds") == 2 and "Newer" in older
