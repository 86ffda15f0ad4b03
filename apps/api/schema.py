"""Our HTTP API described as OpenAPI 3.1, generated from the code by drf-spectacular.

The API's views are thin function views that answer through the Ouro envelope
(apps.api.envelope) instead of DRF serializers, so drf-spectacular cannot infer their shapes.
What it cannot infer is declared here once, for every view:

- a write (POST, PUT, PATCH) takes a JSON object, and every view answers the envelope
  `{data, pagination?}` (`Envelope`), unless the view declares more with `extend_schema`;
- every operation may answer the error envelope `{data: null, error: {message, code,
  status}}` (`Error`) with 400, 401, 403, 404, 413 and 429;
- the API key (or the access token exchanged for it) is the `ApiKey` security scheme.
"""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from apps.api.envelope import MAX_LIMIT

WRITE_METHODS = ("POST", "PUT", "PATCH")

ERROR_STATUSES = {
    "400": "The request is malformed: a bad id, a missing or wrong-typed field (named in the "
    "message).",
    "401": "No valid API key or access token.",
    "403": "The caller may not do this.",
    "404": "No such object, or one the caller may not see.",
    "413": "The request body is larger than MAX_REQUEST_BYTES.",
    "429": "Too many requests with this key (see Retry-After).",
}


class ErrorDetailSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField(help_text="A stable snake_case code, e.g. `not_found`.")
    status = serializers.IntegerField()


class ErrorSerializer(serializers.Serializer):
    data = serializers.JSONField(allow_null=True, help_text="Always null.")
    error = ErrorDetailSerializer()


class PaginationSerializer(serializers.Serializer):
    hasMore = serializers.BooleanField()
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()


class EnvelopeSerializer(serializers.Serializer):
    data = serializers.JSONField(allow_null=True, help_text="The answer.")
    pagination = PaginationSerializer(required=False, help_text="Lists only.")


def query(name: str, description: str, kind: type = str, **extra) -> OpenApiParameter:
    """A query parameter a view reads, for its `extend_schema(parameters=[...])`."""
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **extra)


# A list's window (apps.api.envelope.window).
PAGE = [
    query("limit", f"Items per page (1 to {MAX_LIMIT}, default 20)", int),
    query("offset", "Items to skip (default 0)", int),
]
# The options of deleting an asset (`DELETE /{posts|files|datasets|services|routes}/{id}`).
DELETE_OPTIONS = [
    query("delete_children", "Also delete the assets it holds (a service's routes)", bool),
    query("dry_run", "Only report what would be deleted", bool),
]


FIELD_TYPES = {
    str: lambda: serializers.CharField(required=False, allow_blank=True),
    bool: lambda: serializers.BooleanField(required=False),
    int: lambda: serializers.IntegerField(required=False),
    dict: lambda: serializers.DictField(required=False),
    list: lambda: serializers.ListField(required=False),
    object: lambda: serializers.JSONField(required=False),  # any JSON value
}


def json_object(name: str, fields: dict) -> serializers.Serializer:
    """A request body's shape for `extend_schema(request=...)`: `{"name": str, "post":
    json_object(...)}`. Plain keys are optional (the view checks them and names the one that
    is wrong); a nested object is required."""
    return inline_serializer(
        name,
        fields={
            key: kind if isinstance(kind, serializers.Field) else FIELD_TYPES[kind]()
            for key, kind in fields.items()
        },
    )


ASSET_FIELDS = {
    "name": str,
    "description": str,
    "visibility": str,
    "org_id": str,
    "team_id": str,
    "metadata": dict,
    "license_id": str,
    "attribution": dict,
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema of one operation, with the defaults of the module docstring."""

    def get_operation_id(self) -> str:
        # The method and the path: unique, also for a view routed at several paths.
        # `GET /actions/{action_id}` is `get_actions_action_id`.
        words = re.findall(r"[a-z0-9]+", self.path.removeprefix("/api").lower())
        return "_".join([self.method.lower(), *words])

    def get_request_serializer(self):
        if self.method in WRITE_METHODS:
            return OpenApiTypes.OBJECT
        return None

    def get_response_serializers(self):
        success = "2XX" if self.method in WRITE_METHODS else "200"
        return {success: EnvelopeSerializer, **dict.fromkeys(ERROR_STATUSES, ErrorSerializer)}


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.TokenAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (`ouro_…`) or the access token `POST /users/get-token` "
            "gives for it, as `Authorization: <token>` (with or without `Bearer `).",
        }


def add_error_responses(result: dict, generator, request, public) -> dict:
    """A drf-spectacular postprocessing hook: the error envelope, with what each status
    means, on every operation (also those whose view declares its own responses)."""
    components = result.setdefault("components", {})
    components.setdefault("responses", {})
    for status, description in ERROR_STATUSES.items():
        components["responses"][f"Error{status}"] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in ERROR_STATUSES:
                responses[status] = {"$ref": f"#/components/responses/Error{status}"}
    return result
