"""Writing services: read a spec, create, update, authentication and credentials.

A service's routes are made, re-synced and archived with it by `apps.routes.services`.

A spec is read (from bytes, a URL through the SSRF-safe client, or a local folder) and parsed
by the pure importer before anything is written; the writes then happen in one transaction,
so a bad spec never leaves a half-imported service behind.
"""

import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Organization, Team
from apps.assets.models import Visibility
from apps.assets.provenance import ProvenanceError, attribution_merged, license_id_checked
from apps.services.credentials import encrypt_secret, fingerprint, rotate_secret
from apps.services.importer import ImportResult, SpecError, import_bytes
from apps.services.models import AuthMethod, Service
from apps.services.outbound import OutboundError, outbound_request
from apps.services.upstream import upstream_policy

# The official client's vocabulary for `metadata.authentication`, and ours.
AUTH_LABELS = {
    AuthMethod.NONE: "None",
    AuthMethod.OURO: "Ouro",
    AuthMethod.BEARER: "Personal Access Token",
    AuthMethod.API_KEY_HEADER: "API key (header)",
    AuthMethod.API_KEY_QUERY: "API key (query)",
    AuthMethod.BASIC: "Basic",
}
AUTH_ALIASES = {
    "": AuthMethod.NONE,
    "none": AuthMethod.NONE,
    "ouro": AuthMethod.OURO,
    "personal access token": AuthMethod.BEARER,
    "oauth 2.0": AuthMethod.BEARER,
    "bearer": AuthMethod.BEARER,
    "basic": AuthMethod.BASIC,
    "api key (header)": AuthMethod.API_KEY_HEADER,
    "api key (query)": AuthMethod.API_KEY_QUERY,
    "api_key_header": AuthMethod.API_KEY_HEADER,
    "api_key_query": AuthMethod.API_KEY_QUERY,
}
SPEC_ROOT_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("openapi", "swagger") for ext in ("json", "yaml", "yml")
)


class ServiceError(Exception):
    """A service cannot be written as asked; the message says why (and `field` where)."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid_service"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def auth_method_from(value) -> str:
    method = AUTH_ALIASES.get(str(value or "").strip().lower())
    if method is None:
        choices = ", ".join(sorted({*AUTH_LABELS.values(), "OAuth 2.0"}))
        raise ServiceError(
            f"Unknown authentication {value!r}; use one of {choices}", field="authentication"
        )
    return method


def auth_label(method: str) -> str:
    return AUTH_LABELS.get(method, "None")


# Reading specs -------------------------------------------------------------------------------


def _spec_timeout() -> int:
    return getattr(settings, "SPEC_FETCH_TIMEOUT", 20)


def _fetch_url(url: str, max_bytes: int) -> bytes:
    try:
        response = outbound_request(
            "GET",
            url,
            policy=upstream_policy(),
            headers={"Accept": "application/json, application/yaml;q=0.9, */*;q=0.5"},
            connect_timeout=_spec_timeout(),
            read_timeout=_spec_timeout(),
            max_bytes=max_bytes,
        )
    except OutboundError as exc:
        raise SpecError(f"The spec at {url} could not be fetched: {exc.message}") from None
    if response.status != 200:
        raise SpecError(f"The spec at {url} answered HTTP {response.status}, not 200")
    return response.content


def spec_from_url(url: str) -> ImportResult:
    """Fetch a spec through the SSRF-safe client; its relative `$ref`s only from the same origin."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpecError(f"The spec URL {url!r} must be an absolute http(s) URL")
    # SPEC_MAX_BYTES caps the spec as a whole, however many files it spans.
    remaining = [settings.SPEC_MAX_BYTES]

    def fetch(uri: str) -> bytes:
        if remaining[0] <= 0:
            raise SpecError("the spec's files together exceed SPEC_MAX_BYTES")
        data = _fetch_url(uri, remaining[0])
        remaining[0] -= len(data)
        return data

    data = fetch(url)
    return import_bytes(data, spec_url=url, fetch=fetch, max_bytes=settings.SPEC_MAX_BYTES)


def spec_from_bytes(data: bytes) -> ImportResult:
    """A pasted or uploaded spec: references to other documents are refused."""
    return import_bytes(data, max_bytes=settings.SPEC_MAX_BYTES)


def spec_root_file(folder: Path) -> Path:
    """The root document of a spec folder: openapi.* or swagger.*, at the top or one level down."""
    for pattern in ("{}", "*/{}"):
        found = sorted(p for name in SPEC_ROOT_NAMES for p in folder.glob(pattern.format(name)))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(str(p.relative_to(folder)) for p in found)
            raise SpecError(f"{folder} holds several root documents ({names}); name one")
    raise SpecError(f"{folder} holds no openapi.* or swagger.* document")


def spec_from_path(path: Path, *, base_dir: Path | None = None) -> ImportResult:
    """A spec on disk, for the operator's command line: its relative `$ref`s are read from
    any file they name (`../common/Error.json` included), or, given `base_dir`, only from
    files inside it. Pages and API uploads never read files (`spec_from_bytes`)."""
    path = Path(path)
    if path.is_dir():
        path = spec_root_file(path)
    if not path.is_file():
        raise SpecError(f"No spec file at {path}")
    root = Path(base_dir).resolve() if base_dir else None
    path = path.resolve()

    remaining = [settings.SPEC_MAX_BYTES]

    def fetch(uri: str) -> bytes:
        target = Path(uri).resolve()
        if root is not None and not target.is_relative_to(root):
            raise SpecError(f"{uri} is outside the spec folder {root} (--base-dir)")
        if not target.is_file():
            raise SpecError(f"there is no file {target}")
        size = target.stat().st_size
        if size > remaining[0]:
            raise SpecError(
                f"{target} would take the spec past {settings.SPEC_MAX_BYTES:,} bytes "
                "(SPEC_MAX_BYTES)"
            )
        remaining[0] -= size
        try:
            return target.read_bytes()
        except OSError as exc:
            raise SpecError(f"{target} cannot be read: {exc.strerror}") from None

    return import_bytes(
        fetch(str(path)), spec_url=str(path), fetch=fetch, max_bytes=settings.SPEC_MAX_BYTES
    )


def import_report(result: ImportResult) -> dict:
    """What the service page shows about the last import."""
    return {
        "spec_version": result.spec_version,
        "title": result.title,
        "version": result.version,
        "route_count": len(result.routes),
        "warnings": [
            {"kind": w.kind, "where": w.where, "message": w.message} for w in result.warnings
        ],
        "imported_at": timezone.now().isoformat(),
    }


# Writing services ----------------------------------------------------------------------------


def _base_url(explicit: str, result: ImportResult | None) -> str:
    url = (explicit or (result.base_url if result else "") or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        if not url:
            raise ServiceError(
                "Give the service a base URL (the spec names no absolute server)",
                field="base_url",
            )
        raise ServiceError(
            f"The base URL {url!r} must be an absolute http(s) URL", field="base_url"
        )
    if len(url) > 500:
        raise ServiceError("The base URL is longer than 500 characters", field="base_url")
    return url


def _visibility(value, default: str = Visibility.PRIVATE) -> str:
    value = value or default
    if value not in (Visibility.PUBLIC, Visibility.PRIVATE, Visibility.ORGANIZATION):
        raise ServiceError("visibility must be public, private or organization", field="visibility")
    return value


def _description(value) -> str:
    if isinstance(value, dict):
        return str(value.get("text") or "")
    return str(value or "")


def _metadata(service: Service, extra: dict | None) -> dict:
    """Stored metadata: what the client sent, minus anything that is a secret or a spec."""
    metadata = {**(service.metadata or {}), **(extra or {})}
    for key in ("secret", "credential", "spec", "signing_secret", "spec_upload_id", "spec_path"):
        metadata.pop(key, None)
    metadata["base_url"] = service.base_url
    metadata["authentication"] = auth_label(service.auth_method)
    if service.spec_url:
        metadata["spec_url"] = service.spec_url
    return metadata


def _unique_name_check(*, user, org, name: str, exclude=None) -> None:
    clash = Service.objects.live().filter(org=org, name=name)
    if org.is_personal:
        clash = clash.filter(user=user)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ServiceError(f"You already have a service named {name!r}", field="name")


def service_create(
    *,
    user,
    org: Organization,
    team: Team | None = None,
    name: str,
    description="",
    base_url: str = "",
    visibility: str | None = None,
    authentication: str = "none",
    auth_param_name: str = "",
    secret: str = "",
    signing_secret: str = "",
    spec: ImportResult | None = None,
    spec_url: str = "",
    metadata: dict | None = None,
    license_id: str = "",
    attribution: dict | None = None,
    source: str = "web",
) -> Service:
    """Create a service, keeping the spec it was read from when one is given; its routes are
    made from that spec by `apps.routes.services.service_import_openapi`."""
    name = (name or (spec.title if spec else "") or "").strip()
    if not name or len(name) > 200:
        raise ServiceError("A service needs a name of 1 to 200 characters", field="name")
    method = auth_method_from(authentication)
    if method in (AuthMethod.API_KEY_HEADER, AuthMethod.API_KEY_QUERY) and not auth_param_name:
        raise ServiceError(
            "API-key authentication needs the header or query parameter name",
            field="auth_param_name",
        )
    service = Service(
        user=user,
        org=org,
        team=team or org.default_team,
        name=name,
        description=_description(description) or (spec.description if spec else ""),
        base_url=_base_url(base_url, spec),
        visibility=_visibility(visibility),
        auth_method=method,
        auth_param_name=auth_param_name[:100],
        spec_url=spec_url[:1000],
        **_provenance(license_id, attribution),
        source=source[:8],
    )
    if spec is not None:
        service.spec = spec.document
        service.import_report = import_report(spec)
        service.last_synced_at = timezone.now()
    service.metadata = _metadata(service, metadata)
    if spec is not None and spec.version:
        service.metadata.setdefault("version", spec.version)
    with transaction.atomic():
        _unique_name_check(user=user, org=org, name=name)
        service.save()
        if secret:
            service_set_authentication(service=service, method=method, secret=secret)
        if signing_secret:
            service_set_signing_secret(service=service, secret=signing_secret)
    return service


def _provenance(license_id, attribution, *, current: dict | None = None) -> dict:
    """A service's licence and attribution, checked; `attribution` merges into `current`."""
    try:
        return {
            "license_id": license_id_checked(license_id),
            "attribution": attribution_merged(current, attribution or {}),
        }
    except ProvenanceError as exc:
        raise ServiceError(exc.message, field=exc.field, code="invalid_attribution") from None


def service_update(*, service: Service, data: dict) -> Service:
    """Change a service's metadata. `metadata` merges into what is stored; the spec is untouched."""
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    if data.get("name") is not None:
        name = str(data["name"]).strip()
        if not name or len(name) > 200:
            raise ServiceError("A service needs a name of 1 to 200 characters", field="name")
        _unique_name_check(user=service.user, org=service.org, name=name, exclude=service)
        service.name = name
        service.slug = slugify(name)[:200] or str(service.pk)[:8]
    if data.get("description") is not None:
        service.description = _description(data["description"])
    if data.get("visibility") is not None:
        service.visibility = _visibility(data["visibility"])
    if data.get("license_id") is not None or data.get("attribution") is not None:
        license_id = data.get("license_id")
        fields = _provenance(
            service.license_id if license_id is None else license_id,
            data.get("attribution"),
            current=service.attribution,
        )
        service.license_id, service.attribution = fields["license_id"], fields["attribution"]
    base_url = data.get("base_url") or metadata.get("base_url")
    if base_url:
        service.base_url = _base_url(base_url, None)
    authentication = data.get("authentication") or metadata.get("authentication")
    if authentication:
        service.auth_method = auth_method_from(authentication)
    if data.get("auth_param_name") is not None:
        service.auth_param_name = str(data["auth_param_name"])[:100]
    if service.auth_method in (AuthMethod.API_KEY_HEADER, AuthMethod.API_KEY_QUERY) and not (
        service.auth_param_name
    ):
        raise ServiceError(
            "API-key authentication needs the header or query parameter name",
            field="auth_param_name",
        )
    spec_url = metadata.get("spec_url")
    if spec_url:
        service.spec_url = str(spec_url)[:1000]
    service.metadata = _metadata(service, metadata)
    service.save()
    return service


def service_spec_store(*, service: Service, result: ImportResult, spec_url: str | None = None):
    """Keep the spec a service was re-imported from, with its report and version (`spec_url`
    None keeps the stored one)."""
    service.spec = result.document
    service.import_report = import_report(result)
    service.last_synced_at = timezone.now()
    if spec_url is not None:
        service.spec_url = spec_url[:1000]
    if result.version:
        service.metadata = {**(service.metadata or {}), "version": result.version}
    service.metadata = _metadata(service, None)
    service.save()


@dataclass(frozen=True)
class AuthenticationResult:
    id: uuid.UUID
    secret_id: uuid.UUID
    method: str
    rotated: bool


def service_set_authentication(
    *, service: Service, method: str, secret: str, param_name: str | None = None
) -> AuthenticationResult:
    """Store the upstream credential, encrypted. Idempotent: the same secret again changes
    nothing and reports `rotated=False`; the `secret_id` stays the same for the service."""
    method = auth_method_from(method)
    if method == AuthMethod.NONE:
        secret = ""
    current = service.credential() if service.credential_encrypted else ""
    changed = (
        current != secret
        or service.auth_method != method
        or (param_name is not None and param_name[:100] != service.auth_param_name)
        or service.credential_id is None
    )
    if method in (AuthMethod.API_KEY_HEADER, AuthMethod.API_KEY_QUERY) and not (
        param_name or service.auth_param_name
    ):
        raise ServiceError(
            "API-key authentication needs the header or query parameter name",
            field="auth_param_name",
        )
    if changed:
        service.auth_method = method
        if param_name is not None:
            service.auth_param_name = param_name[:100]
        service.credential_encrypted = encrypt_secret(secret) if secret else ""
        service.credential_fingerprint = fingerprint(secret) if secret else ""
        service.credential_id = service.credential_id or uuid.uuid4()
        service.metadata = _metadata(service, None)
        service.save()
    return AuthenticationResult(
        id=service.pk, secret_id=service.credential_id, method=method, rotated=changed
    )


def service_set_signing_secret(*, service: Service, secret: str) -> None:
    """The secret used to sign callbacks to this service (Standard Webhooks); empty removes it."""
    service.signing_secret_encrypted = encrypt_secret(secret) if secret else ""
    service.save(update_fields=["signing_secret_encrypted", "last_updated"])


def credentials_rotate() -> int:
    """Re-encrypt every stored secret with the newest CREDENTIAL_KEYS key; returns how many."""
    count = 0
    for service in Service.objects.exclude(credential_encrypted="", signing_secret_encrypted=""):
        fields = []
        if service.credential_encrypted:
            service.credential_encrypted = rotate_secret(service.credential_encrypted)
            fields.append("credential_encrypted")
        if service.signing_secret_encrypted:
            service.signing_secret_encrypted = rotate_secret(service.signing_secret_encrypted)
            fields.append("signing_secret_encrypted")
        if fields:
            service.save(update_fields=fields)
            count += 1
    return count
