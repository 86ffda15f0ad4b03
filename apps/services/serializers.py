"""The service asset JSON of the Ouro contract (CONTRACT §3). Credentials never appear."""

from apps.accounts.serializers import iso
from apps.assets.serializers import asset_dict
from apps.services.models import Service
from apps.services.services import auth_label


def service_dict(service: Service) -> dict:
    data = asset_dict(service)
    data["metadata"] = {
        **(service.metadata or {}),
        "base_url": service.base_url,
        "authentication": auth_label(service.auth_method),
        "spec_url": service.spec_url or None,
        "auth_param_name": service.auth_param_name or None,
        "credential_fingerprint": service.credential_fingerprint or None,
        "has_signing_secret": bool(service.signing_secret_encrypted),
    }
    data["base_url"] = service.base_url
    data["last_synced_at"] = iso(service.last_synced_at)
    data["import_report"] = service.import_report or None
    return data
