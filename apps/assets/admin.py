from django.contrib import admin

from apps.assets.models import (
    Asset,
    AssetShare,
    Dataset,
    DatasetRow,
    DatasetView,
    File,
    FileUpload,
)


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("name", "asset_type", "user", "org", "visibility", "created_at")
    list_filter = ("asset_type", "visibility")
    search_fields = ("name", "slug")


@admin.register(AssetShare)
class AssetShareAdmin(admin.ModelAdmin):
    list_display = ("asset", "user", "role")


@admin.register(File)
class FileAdmin(admin.ModelAdmin):
    list_display = ("name", "file_name", "content_type", "size", "user", "visibility")
    search_fields = ("name", "file_name")


@admin.register(FileUpload)
class FileUploadAdmin(admin.ModelAdmin):
    list_display = ("file_name", "content_type", "size", "user")


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ("name", "row_count", "user", "visibility")
    search_fields = ("name",)


@admin.register(DatasetRow)
class DatasetRowAdmin(admin.ModelAdmin):
    list_display = ("dataset", "position")
    list_select_related = ("dataset",)


@admin.register(DatasetView)
class DatasetViewAdmin(admin.ModelAdmin):
    list_display = ("name", "dataset", "created_by", "created_at")
    search_fields = ("name",)
