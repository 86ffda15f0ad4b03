from django.contrib import admin

from apps.social.models import AssetView, Comment, Notification


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "target", "created_at")
    search_fields = ("content_text",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "type", "text", "viewed")
    list_filter = ("type", "viewed")


@admin.register(AssetView)
class AssetViewAdmin(admin.ModelAdmin):
    list_display = ("created_at", "asset", "user", "source")
