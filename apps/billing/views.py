"""The wallet page (balance, what the user's runs cost, what their routes earned, what they
bought) and the page that sells an asset."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.assets.views import asset_page_url
from apps.billing.pricing import dollars
from apps.billing.selectors import (
    asset_offer,
    ledger_of,
    purchases_of,
    usage_of,
    usage_summary,
    wallet_of,
)
from apps.billing.services import PaymentRequired, PurchaseError, asset_purchase

PAGE_ROWS = 25


@login_required
def wallet_page(request: HttpRequest) -> HttpResponse:
    role = "creator" if request.GET.get("role") == "creator" else "consumer"
    wallet = wallet_of(request.user)
    records = usage_of(request.user, role=role).select_related("action")
    usage = Paginator(records, PAGE_ROWS).get_page(request.GET.get("page"))
    summary = usage_summary(usage_of(request.user, role=role))
    context = {
        "wallet": wallet,
        "balance": dollars(wallet.balance_cents),
        "available": dollars(wallet.available_cents),
        "held": dollars(wallet.escrowed_cents),
        "role": role,
        "usage": usage,
        "summary": {**summary, "total": dollars(summary["total_cents"])},
        "purchases": purchases_of(request.user).order_by("-created_at")[:PAGE_ROWS],
        "entries": Paginator(ledger_of(request.user), PAGE_ROWS).get_page(
            request.GET.get("ledger_page")
        ),
    }
    return render(request, "billing/wallet.html", context)


def asset_buy_page(request: HttpRequest, asset_id) -> HttpResponse:
    """An asset for sale: what it is and its price, and (POST) buying it from the wallet, after
    which its page opens. Anyone may see the offer; buying needs an account and the funds."""
    offer = asset_offer(user=request.user, asset_id=asset_id)
    if offer is None:
        raise Http404("Nothing for sale here")
    if offer["readable"]:
        return redirect(asset_page_url(offer["asset"]))
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            asset_purchase(buyer=request.user, asset_id=offer["asset"].pk)
        except (PurchaseError, PaymentRequired) as exc:
            error = str(exc)
        else:
            messages.success(request, f"Bought “{offer['asset'].name}” for {offer['price']}.")
            return redirect(asset_page_url(offer["asset"]))
    context = {
        **offer,
        "available": None
        if offer["available_cents"] is None
        else dollars(offer["available_cents"]),
        "short": offer["available_cents"] is not None
        and offer["available_cents"] < offer["price_cents"],
        "error": error,
    }
    return render(request, "billing/buy.html", context, status=402 if error else 200)
