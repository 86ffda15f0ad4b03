"""Money in the admin: read-only lists, and one form through which superusers credit or debit
a wallet (the same service as `manage.py wallet_credit`, leaving a ledger entry)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from apps.billing.models import AssetPurchase, AssetSale, LedgerEntry, UsageRecord, Wallet
from apps.billing.pricing import dollars, parse_dollars
from apps.billing.services import WalletError, wallet_adjust


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CreditForm(forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.order_by("username"))
    amount = forms.CharField(help_text='In dollars, e.g. "5" or "2.50"; negative to take funds')
    note = forms.CharField(required=False, max_length=300, help_text="Kept in the ledger")

    def clean_amount(self) -> int:
        try:
            return parse_dollars(self.cleaned_data["amount"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(Wallet)
class WalletAdmin(ReadOnly):
    list_display = ("user", "available_cents", "escrowed_cents", "updated_at")
    search_fields = ("user__username",)
    change_list_template = "admin/billing/wallet_change_list.html"

    def get_urls(self):
        credit = path(
            "credit/", self.admin_site.admin_view(self.credit_view), name="billing_wallet_credit"
        )
        return [credit, *super().get_urls()]

    def credit_view(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers move money")
        form = CreditForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user, cents = form.cleaned_data["user"], form.cleaned_data["amount"]
            try:
                entry = wallet_adjust(
                    user=user,
                    cents=cents,
                    note=form.cleaned_data["note"] or f"by {request.user.username}",
                    by=request.user,
                )
            except WalletError as exc:
                form.add_error("amount", exc.message)
            else:
                messages.success(
                    request, f"{user.username}: balance {dollars(entry.balance_after_cents)}"
                )
                return redirect("admin:billing_wallet_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Credit a wallet",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/billing/credit.html", context)


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnly):
    list_display = ("created_at", "route_name", "user", "total_cents", "status")
    list_filter = ("status",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("created_at", "wallet", "kind", "amount_cents", "balance_after_cents")
    list_filter = ("kind",)


@admin.register(AssetSale)
class AssetSaleAdmin(ReadOnly):
    list_display = ("asset", "price_cents", "currency", "updated_at")


@admin.register(AssetPurchase)
class AssetPurchaseAdmin(ReadOnly):
    list_display = ("created_at", "asset_name", "buyer", "seller", "price_cents")
