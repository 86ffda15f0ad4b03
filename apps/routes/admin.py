from django.contrib import admin

from apps.routes.models import Route


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("name", "method", "path", "service", "execution_mode", "visibility")
    list_filter = ("method", "execution_mode")
    search_fields = ("name", "path", "operation_id")
