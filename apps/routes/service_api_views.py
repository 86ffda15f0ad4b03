"""Services over the Ouro HTTP API (CONTRACT §3): thin views over services.py."""

import json

from django.core.files.storage import default_storage
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request

from apps.api.context import request_placement
from apps.api.envelope import body_object, ok, paged, parse_uuid, query_bool, window
from apps.api.errors import ApiError
from apps.api.schema import (
    ASSET_CHANGES,
    DELETE_OPTIONS,
    PAGE,
    PLACEMENT,
    field,
    json_object,
    query,
)
from apps.assets.models import FileUpload
from apps.assets.selectors import asset_can_edit, asset_is_admin
from apps.routes.selectors import service_routes
from apps.routes.serializers import route_dict
from apps.routes.services import (
    service_delete,
    service_import_openapi,
    service_resync_preview,
)
from apps.services.importer import ImportResult, SpecError
from apps.services.models import Service
from apps.services.selectors import service_for_user, services_visible
from apps.services.serializers import service_dict
from apps.services.services import (
    ServiceError,
    auth_label,
    service_create,
    service_set_authentication,
    service_update,
    spec_from_bytes,
    spec_from_url,
)

# A service's fields as the client sends them, under `service` (apps.services.services).
AUTHENTICATION = field(
    str,
    "How calls to the upstream authenticate: None, Ouro, Personal Access Token, OAuth 2.0, "
    "Basic, API key (header) or API key (query) (any case)",
)
SPEC = {
    "spec_url": field(str, "The URL of its OpenAPI document, fetched by the server"),
    "spec_upload_id": field(str, "An uploaded OpenAPI document (a direct upload's id)"),
    "spec": field(object, "The OpenAPI document itself, as JSON or as text"),
}
SERVICE_METADATA = json_object(
    "ServiceMetadata",
    {
        "base_url": field(str, "The upstream's absolute http(s) URL"),
        "authentication": AUTHENTICATION,
        "auth_param_name": field(str, "The header or query parameter of an API key"),
        **SPEC,
        "spec_path": field(str, "Not supported here: give spec_url or upload the spec"),
    },
    "Merged into the metadata it has; other keys are kept as they are.",
    required=False,
)
SERVICE_FIELDS = {
    "name": ASSET_CHANGES["name"],
    "description": ASSET_CHANGES["description"],
    "visibility": field(
        str, "Who may see it (default private)", enum=("public", "private", "organization")
    ),
    "license_id": ASSET_CHANGES["license_id"],
    "attribution": ASSET_CHANGES["attribution"],
    "base_url": field(str, "The upstream's URL, when `metadata.base_url` is not given"),
    "metadata": SERVICE_METADATA,
}


def _service(request: Request, service_id: str) -> Service:
    service = service_for_user(user=request.user, service_id=parse_uuid(service_id, "service id"))
    if service is None:
        raise ApiError("Service not found", status=404, code="not_found")
    return service


def _editable(request: Request, service_id: str) -> Service:
    service = _service(request, service_id)
    if not asset_can_edit(user=request.user, asset=service):
        raise ApiError("You may not change this service", status=403, code="permission_denied")
    return service


def _service_error(exc: ServiceError) -> ApiError:
    return ApiError(exc.message, code=exc.code, field=exc.field or None)


def _spec(request: Request, payload: dict) -> tuple[ImportResult, str]:
    """The spec named by a create/update payload: spec_url, an uploaded file, or inline."""
    metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
    spec_url = metadata.get("spec_url") or payload.get("spec_url") or ""
    upload_id = metadata.get("spec_upload_id") or payload.get("spec_upload_id")
    inline = payload.get("spec", metadata.get("spec"))
    try:
        if spec_url:
            return spec_from_url(str(spec_url)), str(spec_url)
        if upload_id:
            upload = FileUpload.objects.filter(
                pk=parse_uuid(upload_id, "spec_upload_id"), user=request.user, received=True
            ).first()
            if upload is None:
                raise ApiError("No such uploaded spec file", status=404, code="not_found")
            with default_storage.open(upload.storage_path, "rb") as handle:
                return spec_from_bytes(handle.read()), ""
        if isinstance(inline, dict):
            return spec_from_bytes(json.dumps(inline).encode()), ""
        if isinstance(inline, str) and inline.strip():
            return spec_from_bytes(inline.encode()), ""
    except SpecError as exc:
        raise ApiError(str(exc), code="invalid_spec") from None
    if metadata.get("spec_path"):
        raise ApiError(
            "spec_path is not supported here; give spec_url or upload the spec file",
            code="invalid_spec",
        )
    raise ApiError("Give the spec as metadata.spec_url (or spec_upload_id)", code="missing_spec")


def _create(request: Request, *, with_spec: bool):
    payload = body_object(request, "service")
    metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
    org, team = request_placement(request, payload)
    spec, spec_url = _spec(request, payload) if with_spec else (None, "")
    try:
        fields = dict(
            team=team,
            name=str(payload.get("name") or ""),
            description=payload.get("description") or "",
            base_url=str(metadata.get("base_url") or payload.get("base_url") or ""),
            visibility=payload.get("visibility"),
            authentication=metadata.get("authentication") or "None",
            auth_param_name=str(metadata.get("auth_param_name") or ""),
            license_id=payload.get("license_id") or "",
            attribution=payload.get("attribution"),
            metadata={
                k: v
                for k, v in metadata.items()
                if k not in ("spec_upload_id", "spec_path", "auth_param_name")
            },
        )
        if spec is None:
            service = service_create(user=request.user, org=org, source="api", **fields)
            diff = None
        else:
            service, diff = service_import_openapi(
                owner=request.user,
                org=org,
                source=spec,
                spec_url=spec_url,
                origin="api",
                **fields,
            )
    except ServiceError as exc:
        raise _service_error(exc) from None
    data = service_dict(service)
    if diff is not None:
        data["import"] = diff.summary()
    return ok(data, status=201)


@extend_schema(parameters=[*PAGE, query("query", "Words to find")])
@api_view(["GET"])
def service_list(request: Request):
    services = services_visible(user=request.user, query=request.query_params.get("query", ""))
    return paged(services, window(request, default_limit=100), service_dict)


@extend_schema(
    request=json_object(
        "ServiceCreateFromSpec",
        {
            "service": json_object(
                "ServiceSpecFields",
                {**SERVICE_FIELDS, **PLACEMENT, **SPEC},
                "A service and one route per operation of its OpenAPI document, given as "
                "`metadata.spec_url`, `metadata.spec_upload_id` or `spec` (also at the top).",
            )
        },
    )
)
@api_view(["POST"])
def service_create_from_file(request: Request):
    return _create(request, with_spec=True)


@extend_schema(
    request=json_object(
        "ServiceCreate",
        {
            "service": json_object(
                "ServiceFields",
                {**SERVICE_FIELDS, **PLACEMENT},
                "A service without a spec: its routes are added by hand.",
            )
        },
    )
)
@api_view(["POST"])
def service_create_from_form(request: Request):
    return _create(request, with_spec=False)


@extend_schema(methods=["DELETE"], parameters=DELETE_OPTIONS)
@extend_schema(
    methods=["PUT"],
    request=json_object(
        "ServiceUpdate",
        {
            "service": json_object(
                "ServiceChanges",
                {
                    **SERVICE_FIELDS,
                    "authentication": AUTHENTICATION,
                    "auth_param_name": field(str, "The header or query parameter of an API key"),
                },
                "The fields to change; those left out are kept (`metadata` merges).",
            )
        },
    ),
)
@api_view(["GET", "PUT", "DELETE"])
def service_detail(request: Request, service_id: str):
    if request.method == "GET":
        return ok(service_dict(_service(request, service_id)))
    if request.method == "DELETE":
        service = _service(request, service_id)
        if not asset_is_admin(user=request.user, asset=service):
            raise ApiError("You may not delete this service", status=403, code="permission_denied")
        try:
            summary = service_delete(
                service=service,
                delete_children=query_bool(request, "delete_children", True),
                dry_run=query_bool(request, "dry_run", False),
            )
        except ServiceError as exc:
            raise _service_error(exc) from None
        return ok(summary)
    service = _editable(request, service_id)
    try:
        service = service_update(service=service, data=body_object(request, "service"))
    except ServiceError as exc:
        raise _service_error(exc) from None
    return ok(service_dict(service))


@extend_schema(
    parameters=[query("dry_run", "Only report what the re-sync would change", bool)],
    request=json_object(
        "ServiceResync",
        {
            "service": json_object(
                "ServiceResyncFields",
                {
                    **SERVICE_FIELDS,
                    **SPEC,
                    "authentication": AUTHENTICATION,
                    "auth_param_name": field(str, "The header or query parameter of an API key"),
                },
                "Changes, and the spec to re-sync its routes from (without one, the spec URL "
                "the service has is fetched again).",
            )
        },
    ),
)
@api_view(["PUT"])
def service_update_from_file(request: Request, service_id: str):
    service = _editable(request, service_id)
    payload = body_object(request, "service")
    metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
    if not any(metadata.get(k) for k in ("spec_url", "spec_upload_id", "spec")) and not (
        payload.get("spec")
    ):
        # The client's refresh: re-fetch the spec URL the service already has.
        if not service.spec_url:
            raise ApiError("The service has no spec URL to re-fetch", code="missing_spec")
        payload = {**payload, "metadata": {**metadata, "spec_url": service.spec_url}}
    spec, spec_url = _spec(request, payload)
    if request.query_params.get("dry_run") in ("true", "1"):
        # What the re-sync would change, each change named and the breaking ones marked.
        try:
            diff = service_resync_preview(service=service, result=spec)
        except ServiceError as exc:
            raise _service_error(exc) from None
        return ok({**service_dict(service), "import": diff.summary(), "dry_run": True})
    try:
        with transaction.atomic():
            service = service_update(service=service, data=payload)
            _, diff = service_import_openapi(
                owner=service.user,
                org=service.org,
                source=spec,
                service=service,
                spec_url=spec_url,
            )
    except ServiceError as exc:
        raise _service_error(exc) from None
    data = service_dict(service)
    data["import"] = diff.summary()
    return ok(data)


@api_view(["GET"])
def service_spec(request: Request, service_id: str):
    service = _service(request, service_id)
    if not service.spec:
        raise ApiError("The service has no spec", status=404, code="not_found")
    return ok(service.spec)


@extend_schema(parameters=PAGE)
@api_view(["GET"])
def service_route_list(request: Request, service_id: str):
    service = _service(request, service_id)
    routes = service_routes(user=request.user, service=service)
    return paged(routes, window(request, default_limit=200), route_dict)


@extend_schema(
    request=json_object(
        "ServiceAuthentication",
        {
            "method": field(str, "How calls authenticate (default Ouro); as `authentication`"),
            "secret": field(str, "The credential, stored encrypted", required=True),
            "param_name": field(str, "The header or query parameter of an API key"),
        },
    )
)
@api_view(["PUT"])
def service_authentication(request: Request, service_id: str):
    service = _service(request, service_id)
    if not asset_is_admin(user=request.user, asset=service):
        raise ApiError(
            "Only the service's owner may set its authentication",
            status=403,
            code="permission_denied",
        )
    body = body_object(request)
    secret = body.get("secret")
    if not isinstance(secret, str):
        raise ApiError("secret must be a string", code="invalid_body")
    param_name = body.get("param_name")
    try:
        result = service_set_authentication(
            service=service,
            method=body.get("method") or "Ouro",
            secret=secret,
            param_name=str(param_name) if param_name is not None else None,
        )
    except ServiceError as exc:
        raise _service_error(exc) from None
    return ok(
        {
            "id": str(result.id),
            "secret_id": str(result.secret_id),
            "method": auth_label(result.method),
            "rotated": result.rotated,
        }
    )
