from django.contrib import admin

from apps.routes.models import Route, RouteAsset


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("name", "method", "path", "service", "execution_mode", "visibility")
    list_filter = ("method", "execution_mode")
    search_fields = ("name", "path", "operation_id")


@admin.register(RouteAsset)
class RouteAssetAdmin(admin.ModelAdmin):
    list_display = ("route", "asset", "added_by", "created_at")
