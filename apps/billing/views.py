"""The wallet page: balance, what the user's runs cost, what their routes earned."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.billing.pricing import dollars
from apps.billing.selectors import ledger_of, usage_of, usage_summary, wallet_of

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
        "entries": Paginator(ledger_of(request.user), PAGE_ROWS).get_page(
            request.GET.get("ledger_page")
        ),
    }
    return render(request, "billing/wallet.html", context)
