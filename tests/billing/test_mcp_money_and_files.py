"""ouro-mcp over stdio for the money and file tools: an asset sold and bought, the wallet and
its ledger as the tools show them, signed uploads and download formats."""

import json

import httpx
import pytest

from apps.accounts.models import PERSONAL_ORG_ID
from apps.assets.models import File
from apps.billing.models import AssetPurchase
from apps.billing.selectors import wallet_of
from tests.test_mcp_server import call_tools

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL = {"OURO_ORG_ID": str(PERSONAL_ORG_ID)}


def test_a_post_sold_and_bought_through_the_tools(live_site, alice, bob, alice_key, bob_key, fund):
    (created,) = call_tools(
        live_site.url,
        alice_key,
        [
            (
                "create_post",
                {
                    "name": "Annealing recipe",
                    "content_markdown": "# Recipe\n\nHold at 650 K for an hour.",
                    "visibility": "monetized",
                    "price_usd": 1.5,
                },
            )
        ],
        **PERSONAL,
    )
    post_id = json.loads(created)["id"]
    fund(bob, 400)
    refused, bought, balance, history, post = call_tools(
        live_site.url,
        bob_key,
        [
            ("get_asset", {"id": post_id, "detail": "full"}),
            ("unlock_asset", {"id": post_id, "currency": "usd"}),
            ("get_balance", {"currency": "usd"}),
            ("list_transactions", {"currency": "usd"}),
            ("get_asset", {"id": post_id, "detail": "full"}),
        ],
        **PERSONAL,
    )
    assert "for sale for $1.50" in refused
    purchase = json.loads(bought)
    assert (purchase["success"], purchase["asset_type"], purchase["price_cents"]) == (
        True,
        "post",
        150,
    )
    assert (json.loads(balance)["available_cents"], json.loads(balance)["currency"]) == (250, "usd")
    entries = json.loads(history)["results"]
    assert [e["type"] for e in entries] == ["purchase", "top_up"]
    paid = entries[0]
    assert (paid["type"], paid["amount_cents"], paid["asset_id"]) == ("purchase", -150, post_id)
    assert paid["metadata"]["asset_name"] == "Annealing recipe"
    assert "Hold at 650 K" in post
    assert AssetPurchase.objects.get().buyer == bob
    assert wallet_of(alice).available_cents == 150

    (again,) = call_tools(
        live_site.url, bob_key, [("unlock_asset", {"id": post_id, "currency": "usd"})], **PERSONAL
    )
    assert "bought this asset already" in again
    assert wallet_of(bob).available_cents == 250


def test_files_through_signed_uploads_and_a_post_downloaded_as_html(
    live_site, alice, alice_key, tmp_path
):
    first, second = call_tools(
        live_site.url,
        alice_key,
        [
            ("create_upload_url", {"file_name": "fe.cif"}),
            ("create_upload_url", {"file_name": "fe.cif"}),
        ],
        **PERSONAL,
    )
    uploads = [json.loads(first), json.loads(second)]
    for upload, content in zip(
        uploads, (b"data_fe\n_cell 1\n", b"data_fe\n_cell 2\n"), strict=True
    ):
        assert upload["upload_id"].endswith("/fe.cif")
        assert "content-type" in upload["headers"]
        assert f"-H 'content-type: {upload['headers']['content-type']}'" in upload["command"]
        answer = httpx.put(upload["upload_url"], content=content, headers=upload["headers"])
        assert answer.status_code == 200
    (created,) = call_tools(
        live_site.url,
        alice_key,
        [("create_file", {"name": "Iron", "upload_id": uploads[0]["upload_id"]})],
        **PERSONAL,
    )
    file = File.objects.get(pk=json.loads(created)["id"])
    path = file.storage_path
    updated, post = call_tools(
        live_site.url,
        alice_key,
        [
            ("update_file", {"id": str(file.pk), "upload_id": uploads[1]["upload_id"]}),
            ("create_post", {"name": "Notes", "content_markdown": "# Iron\n\nBody-centred."}),
        ],
        **PERSONAL,
    )
    assert json.loads(updated)["id"] == str(file.pk)
    file.refresh_from_db()
    assert file.storage_path == path and file.size == 16

    post_id = json.loads(post)["id"]
    html, link = call_tools(
        live_site.url,
        alice_key,
        [
            ("download_asset", {"id": post_id, "format": "html", "output_path": str(tmp_path)}),
            ("download_asset", {"id": str(file.pk)}),
        ],
        **PERSONAL,
    )
    saved = json.loads(html)
    assert saved["filename"] == "notes.html"
    assert "<h1>Iron</h1>" in (tmp_path / "notes.html").read_text()
    url = json.loads(link)["download_url"]
    assert httpx.get(url).content == b"data_fe\n_cell 2\n"
