"""Read-only views of money: balances change only through the billing services."""

from django.contrib import admin

from apps.billing.models import LedgerEntry, UsageRecord, Wallet


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Wallet)
class WalletAdmin(ReadOnly):
    list_display = ("user", "available_cents", "escrowed_cents", "updated_at")
    search_fields = ("user__username",)


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnly):
    list_display = ("created_at", "route_name", "user", "total_cents", "status")
    list_filter = ("status",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ("created_at", "wallet", "kind", "amount_cents", "balance_after_cents")
    list_filter = ("kind",)
