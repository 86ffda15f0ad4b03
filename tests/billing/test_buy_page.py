"""The page that sells a post, file or dataset: an asset's page sends one who may not read it
to its offer (the price, and buying it from the wallet), and after buying, to the asset."""

import pytest

from apps.billing.models import AssetPurchase, LedgerEntry
from apps.billing.selectors import wallet_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_anonymous_reader_sees_the_offer_and_is_asked_to_log_in(client, sold_post):
    page = client.get(f"/posts/{sold_post.id}")
    assert page.status_code == 302 and page["Location"] == f"/buy/{sold_post.id}"
    offer = client.get(f"/buy/{sold_post.id}")
    html = offer.content.decode()
    assert offer.status_code == 200
    assert "Phase diagram notes" in html and "$2.50" in html and "by alice" in html
    assert "anneal at 650 K" not in html  # the content stays unread
    assert f"/login?next=/buy/{sold_post.id}" in html.replace("%2F", "/")
    refused = client.post(f"/buy/{sold_post.id}")
    assert refused.status_code == 302 and refused["Location"].startswith("/login")
    assert not AssetPurchase.objects.exists()


def test_a_reader_buys_it_once_and_then_reads_it(client, sold_post, bob, alice, fund):
    fund(bob, 300)
    client.force_login(bob)
    offer = client.get(f"/buy/{sold_post.id}").content.decode()
    assert "Buy for $2.50" in offer and "$3.00 available" in offer
    bought = client.post(f"/buy/{sold_post.id}")
    assert bought.status_code == 302 and bought["Location"] == f"/posts/{sold_post.id}"
    post = client.get(f"/posts/{sold_post.id}")
    assert post.status_code == 200 and "anneal at 650 K" in post.content.decode()
    assert "Bought “Phase diagram notes” for $2.50." in post.content.decode()
    assert (wallet_of(bob).balance_cents, wallet_of(alice).balance_cents) == (50, 250)
    # Once bought, the offer sends the buyer to the asset; a second POST buys nothing more.
    assert client.get(f"/buy/{sold_post.id}")["Location"] == f"/posts/{sold_post.id}"
    client.post(f"/buy/{sold_post.id}")
    assert AssetPurchase.objects.filter(buyer=bob).count() == 1
    assert LedgerEntry.objects.filter(kind="purchase").count() == 1
    wallet = client.get("/wallet").content.decode()
    assert "Phase diagram notes" in wallet and "$2.50" in wallet


def test_a_wallet_short_of_the_price_buys_nothing(client, sold_post, bob, fund):
    fund(bob, 100)
    client.force_login(bob)
    offer = client.get(f"/buy/{sold_post.id}").content.decode()
    assert "Buy for" not in offer and "less than its price" in offer
    refused = client.post(f"/buy/{sold_post.id}")
    assert refused.status_code == 402
    assert "$2.50" in refused.content.decode()
    assert not AssetPurchase.objects.exists() and wallet_of(bob).balance_cents == 100


def test_the_owner_reads_it_and_files_and_datasets_lead_to_their_offer(
    client, sold_file_and_dataset, alice, bob
):
    file, dataset = sold_file_and_dataset
    client.force_login(bob)
    assert client.get(f"/files/{file.id}")["Location"] == f"/buy/{file.id}"
    assert client.get(f"/datasets/{dataset.id}")["Location"] == f"/buy/{dataset.id}"
    assert "$0.99" in client.get(f"/buy/{file.id}").content.decode()
    assert "$12.00" in client.get(f"/buy/{dataset.id}").content.decode()
    client.force_login(alice)
    assert client.get(f"/files/{file.id}").status_code == 200
    assert client.get(f"/buy/{file.id}")["Location"] == f"/files/{file.id}"


def test_what_is_not_for_sale_stays_a_404(client, alice_ouro, bob):
    private = alice_ouro.posts.create(name="Private", content="x", visibility="private")
    client.force_login(bob)
    assert client.get(f"/posts/{private.id}").status_code == 404
    assert client.get(f"/buy/{private.id}").status_code == 404
    assert client.get("/buy/00000000-0000-0000-0000-000000000001").status_code == 404
