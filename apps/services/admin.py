from django.contrib import admin

from apps.services.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "base_url", "auth_method", "user", "visibility")
    search_fields = ("name", "base_url")
    exclude = ("credential_encrypted", "signing_secret_encrypted")
    readonly_fields = ("credential_fingerprint",)
