from django.contrib import admin

from apps.assets.models import Asset, AssetShare


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("name", "asset_type", "user", "org", "visibility", "created_at")
    list_filter = ("asset_type", "visibility")
    search_fields = ("name", "slug")


@admin.register(AssetShare)
class AssetShareAdmin(admin.ModelAdmin):
    list_display = ("asset", "user", "role")
