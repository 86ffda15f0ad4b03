from django.contrib import admin

from apps.actions.models import Action, ActionAsset, ActionLog, CallbackDelivery


class ActionLogInline(admin.TabularInline):
    model = ActionLog
    extra = 0


class ActionAssetInline(admin.TabularInline):
    model = ActionAsset
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("id", "route", "user", "status", "created_at", "finished_at")
    list_filter = ("status",)
    inlines = [ActionAssetInline, ActionLogInline]
    exclude = ("webhook_token_hash",)


@admin.register(ActionLog)
class ActionLogAdmin(admin.ModelAdmin):
    list_display = ("action", "level", "origin", "created_at")
    list_filter = ("level", "origin")


@admin.register(ActionAsset)
class ActionAssetAdmin(admin.ModelAdmin):
    list_display = ("action", "asset", "role", "name", "is_primary")


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(admin.ModelAdmin):
    list_display = ("action", "kind", "verdict", "http_status", "size", "received_at")
