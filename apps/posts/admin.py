from django.contrib import admin

from apps.posts.models import PinnedSnapshot, Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "visibility", "published_at", "created_at")
    search_fields = ("name",)
    readonly_fields = ("html", "embeds")


@admin.register(PinnedSnapshot)
class PinnedSnapshotAdmin(admin.ModelAdmin):
    list_display = ("post", "action", "digest", "created_at")
    readonly_fields = ("digest",)
