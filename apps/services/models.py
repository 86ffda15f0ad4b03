from django.db import models

from apps.assets.models import Asset, AssetType
from apps.services.credentials import decrypt_secret


class AuthMethod(models.TextChoices):
    NONE = "none", "None"
    API_KEY_HEADER = "api_key_header", "API key in a header"
    API_KEY_QUERY = "api_key_query", "API key in the query"
    BEARER = "bearer", "Bearer token"
    BASIC = "basic", "Basic (user:password)"
    OURO = "ouro", "Ouro (Authorization: Basic <secret>)"


def spec_version(document) -> str:
    """ "3.0.3", "3.1.0", "2.0" (Swagger), or "" without a spec."""
    if not isinstance(document, dict):
        return ""
    return str(document.get("openapi") or ("2.0" if document.get("swagger") else "3.1"))[:16]


class Service(Asset):
    """An upstream HTTP API. Its routes are Route assets whose parent is this service."""

    ASSET_TYPE = AssetType.SERVICE

    asset_ptr = models.OneToOneField(
        Asset,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="service_detail",
    )

    base_url = models.URLField(max_length=500)
    auth_method = models.CharField(max_length=20, choices=AuthMethod, default=AuthMethod.NONE)
    # Header or query parameter name for API-key authentication.
    auth_param_name = models.CharField(max_length=100, blank=True)
    credential_encrypted = models.TextField(blank=True)
    credential_fingerprint = models.CharField(max_length=32, blank=True)
    credential_id = models.UUIDField(null=True, blank=True)
    signing_secret_encrypted = models.TextField(blank=True)
    spec = models.JSONField(null=True, blank=True)
    # The spec's OpenAPI version ("2.0" for Swagger), kept beside it so a run need not read it.
    spec_version = models.CharField(max_length=16, blank=True, editable=False)
    spec_url = models.URLField(max_length=1000, blank=True)
    import_report = models.JSONField(default=dict, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    def save(self, *args, **kwargs) -> None:
        if "spec" not in self.get_deferred_fields():
            self.spec_version = spec_version(self.spec)
            fields = kwargs.get("update_fields")
            if fields is not None and "spec" in fields:
                kwargs["update_fields"] = [*fields, "spec_version"]
        super().save(*args, **kwargs)

    def credential(self) -> str:
        return decrypt_secret(self.credential_encrypted) if self.credential_encrypted else ""

    def signing_secret(self) -> str:
        return (
            decrypt_secret(self.signing_secret_encrypted) if self.signing_secret_encrypted else ""
        )
