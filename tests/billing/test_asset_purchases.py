"""Posts, files and datasets sold once, through the official client against the live server:
alice sells, bob buys, charlie stays an outsider. Money moves as for paid runs: one
transaction, exact cents, no double purchase, no credit; the books balance after each test."""

import threading
from decimal import Decimal

import httpx
import pytest
from django.core.management import call_command
from ouro import BadRequestError, ConflictError, NotFoundError
from ouro._exceptions import APIStatusError

from apps.assets.models import Asset, Dataset, File
from apps.billing.models import AssetPurchase, AssetSale, LedgerEntry
from apps.billing.selectors import wallet_of
from apps.posts.models import Post
from tests.assets.conftest import CSV

pytestmark = pytest.mark.django_db(transaction=True)


def status_of(error: APIStatusError) -> int:
    return error.status_code


def test_a_post_sold_by_its_author_lists_its_price(sold_post):
    assert (sold_post.visibility, sold_post.monetization) == ("monetized", "pay-to-unlock")
    assert (sold_post.price, sold_post.price_usd, sold_post.price_currency) == (2.5, 2.5, "usd")
    assert AssetSale.objects.get(asset_id=sold_post.id).price_cents == 250
    assert Post.objects.get(pk=sold_post.id).visibility == "monetized"


def test_an_outsider_finds_it_and_its_price_but_cannot_read_it(sold_post, bob_ouro):
    found = bob_ouro.assets.search(scope="all", visibility="monetized")
    assert [(a.id, a.price_usd) for a in found] == [(sold_post.id, 2.5)]
    assert bob_ouro.assets.search(scope="purchased").data == []
    with pytest.raises(APIStatusError) as refused:
        bob_ouro.posts.retrieve(str(sold_post.id))
    assert status_of(refused.value) == 402
    assert "$2.50" in str(refused.value) and "purchase-asset" in str(refused.value)
    with pytest.raises(APIStatusError) as refused:
        bob_ouro.assets.create_download_url(str(sold_post.id))
    assert status_of(refused.value) == 402


def test_buying_moves_the_exact_price_and_lets_the_buyer_read(
    sold_post, alice, bob, bob_ouro, charlie_ouro, fund
):
    fund(bob, 1000)
    purchase = bob_ouro.money.unlock_asset("post", str(sold_post.id), currency="usd")
    assert (purchase.price_cents, purchase.total_cents, purchase.platform_fee_cents) == (
        250,
        250,
        0,
    )
    assert bob_ouro.money.get_balance("usd").available_cents == 750
    assert wallet_of(alice).available_cents == 250

    post = bob_ouro.posts.retrieve(str(sold_post.id))
    assert "anneal at 650 K" in post.content.text
    assert [a.id for a in bob_ouro.assets.search(scope="purchased")] == [sold_post.id]

    paid, earned = (
        LedgerEntry.objects.get(wallet_id=bob.pk, kind="purchase"),
        LedgerEntry.objects.get(wallet_id=alice.pk, kind="sale"),
    )
    assert (paid.amount_cents, paid.balance_after_cents) == (-250, 750)
    assert (earned.amount_cents, earned.balance_after_cents) == (250, 250)
    assert str(purchase.transaction_id) == str(paid.pk)
    history = bob_ouro.money.get_transactions("usd")
    bought = next(tx for tx in history if tx.type == "purchase")
    assert (bought.amount_cents, str(bought.asset_id)) == (-250, str(sold_post.id))
    assert bought.metadata["asset_name"] == "Phase diagram notes"

    with pytest.raises(APIStatusError) as refused:  # a purchase is the buyer's alone
        charlie_ouro.posts.retrieve(str(sold_post.id))
    assert status_of(refused.value) == 402


def test_a_second_purchase_is_refused_and_charges_nothing(sold_post, bob, bob_ouro, fund):
    fund(bob, 1000)
    bob_ouro.money.unlock_asset("post", str(sold_post.id), currency="usd")
    with pytest.raises(ConflictError, match="bought this asset already"):
        bob_ouro.money.unlock_asset("post", str(sold_post.id), currency="usd")
    assert wallet_of(bob).available_cents == 750
    assert AssetPurchase.objects.count() == 1


def test_two_purchases_at_once_charge_once(sold_post, live_site, bob, bob_key, fund):
    fund(bob, 1000)
    token = httpx.post(f"{live_site.url}/api/users/get-token", json={"pat": bob_key}).json()
    answers: list[int] = []
    barrier = threading.Barrier(4)

    def buy() -> None:
        barrier.wait()
        answer = httpx.post(
            f"{live_site.url}/api/stripe/wallet/purchase-asset",
            json={"assetType": "post", "assetId": str(sold_post.id)},
            headers={"Authorization": token["access_token"]},
            timeout=30,
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=buy) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409, 409, 409]
    assert wallet_of(bob).available_cents == 750
    assert LedgerEntry.objects.filter(kind="purchase").count() == 1


def test_without_funds_nothing_is_bought_or_charged(sold_post, bob, bob_ouro, fund):
    fund(bob, 249)
    with pytest.raises(APIStatusError) as refused:
        bob_ouro.money.unlock_asset("post", str(sold_post.id), currency="usd")
    assert status_of(refused.value) == 402
    assert "costs $2.50" in str(refused.value) and "$2.49 available" in str(refused.value)
    assert AssetPurchase.objects.count() == 0
    assert wallet_of(bob).available_cents == 249
    with pytest.raises(APIStatusError):
        bob_ouro.posts.retrieve(str(sold_post.id))


def test_what_cannot_be_bought(sold_post, alice_ouro, bob_ouro, alice):
    with pytest.raises(ConflictError, match="yours already"):
        alice_ouro.money.unlock_asset("post", str(sold_post.id), currency="usd")
    with pytest.raises(APIStatusError) as refused:  # wallets hold dollars
        bob_ouro.money.unlock_asset("post", str(sold_post.id), currency="btc")
    assert "US dollars only" in str(refused.value)
    public = alice_ouro.posts.create(name="Free", content="free", visibility="public")
    with pytest.raises(NotFoundError):
        bob_ouro.money.unlock_asset("post", str(public.id), currency="usd")
    with pytest.raises(NotFoundError):
        bob_ouro.money.unlock_asset("post", "8a0e4b9e-40a4-4d43-9c89-4d7a8a0e0a01", currency="usd")


def test_files_and_datasets_are_sold_and_read_alike(
    sold_file_and_dataset, bob_ouro, bob, alice, fund
):
    file, dataset = sold_file_and_dataset
    assert (file.visibility, file.price_usd, dataset.price_usd) == ("monetized", 0.99, 12)
    with pytest.raises(APIStatusError):
        bob_ouro.files.read_data(str(file.id))
    with pytest.raises(APIStatusError):
        bob_ouro.datasets.list_rows(str(dataset.id))

    fund(bob, 1299)
    bob_ouro.money.unlock_asset("file", str(file.id), currency="usd")
    bob_ouro.money.unlock_asset("dataset", str(dataset.id), currency="usd")
    answer = httpx.get(bob_ouro.files.retrieve(str(file.id)).data.url)
    assert (answer.status_code, answer.content) == (200, CSV)
    assert bob_ouro.datasets.list_rows(str(dataset.id)).data == [{"name": "a", "score": 1.5}]
    assert wallet_of(bob).available_cents == 0
    assert wallet_of(alice).available_cents == 1299
    purchased = {a.id for a in bob_ouro.assets.search(scope="purchased")}
    assert purchased == {file.id, dataset.id}


@pytest.mark.parametrize(
    ("prices", "message"),
    [
        ({}, "needs a price"),
        ({"price_sats": 1000}, "US dollars only"),
        ({"price": 1000, "price_currency": "btc"}, "US dollars only"),
        ({"price_usd": 0.005}, "whole number of cents"),
        ({"price_usd": -1}, "cannot be negative"),
        ({"price_usd": 0}, r"at least \$0\.01"),
        ({"price_usd": "lots"}, "must be a number"),
    ],
)
def test_a_price_that_cannot_be_kept_is_refused_before_anything_is_made(
    alice_ouro, prices, message
):
    with pytest.raises(BadRequestError, match=message):
        alice_ouro.posts.create(name="Refused", content="x", visibility="monetized", **prices)
    with pytest.raises(BadRequestError, match=message):
        alice_ouro.files.create(
            name="Refused",
            visibility="monetized",
            file_content=b"x",
            file_name="x.txt",
            **prices,
        )
    with pytest.raises(BadRequestError, match=message):
        alice_ouro.datasets.create(
            name="Refused", visibility="monetized", data=[{"a": 1}], **prices
        )
    assert not Asset.objects.filter(name="Refused").exists()


def test_repricing_and_taking_off_sale_keeps_buyers_reading(
    sold_post, alice_ouro, bob_ouro, charlie_ouro, bob, fund
):
    fund(bob, 250)
    bob_ouro.money.unlock_asset("post", str(sold_post.id), currency="usd")
    repriced = alice_ouro.posts.update(str(sold_post.id), price_usd=4)
    assert (repriced.visibility, repriced.price_usd) == ("monetized", 4)
    private = alice_ouro.posts.update(str(sold_post.id), visibility="private")
    assert (private.visibility, private.monetization, private.price) == ("private", None, None)
    assert not AssetSale.objects.filter(asset_id=sold_post.id).exists()
    assert "anneal" in bob_ouro.posts.retrieve(str(sold_post.id)).content.text
    with pytest.raises(NotFoundError):  # no longer for sale: an outsider's plain 404
        charlie_ouro.posts.retrieve(str(sold_post.id))


def test_a_file_put_on_sale_later_and_the_audit(alice_ouro, bob_ouro, bob, fund, capsys):
    file = alice_ouro.files.create(
        name="Dot", visibility="private", file_content=b"dot", file_name="dot.txt"
    )
    with pytest.raises(NotFoundError):
        bob_ouro.money.unlock_asset("file", str(file.id), currency="usd")
    sold = alice_ouro.files.update(str(file.id), visibility="monetized", price_usd=1.25)
    assert (sold.visibility, sold.price_usd) == ("monetized", 1.25)
    assert File.objects.get(pk=file.id).visibility == "monetized"
    fund(bob, 500)
    bob_ouro.money.unlock_asset("file", str(file.id), currency="usd")
    assert AssetPurchase.objects.get().price_cents == 125
    call_command("billing_audit")
    assert "The books balance." in capsys.readouterr().out
    assert Dataset.objects.count() == 0
    assert wallet_of(bob).available_cents == 375
    assert Decimal(str(sold.price)) == Decimal("1.25")
