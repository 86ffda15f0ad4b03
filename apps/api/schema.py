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
from drf_spectacular.utils import OpenApiParameter
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
    float: lambda: serializers.FloatField(required=False),
    dict: lambda: serializers.DictField(required=False),
    list: lambda: serializers.ListField(required=False),
    object: lambda: serializers.JSONField(required=False),  # any JSON value
}


def field(
    kind,
    description: str = "",
    *,
    required: bool = False,
    enum=None,
    items=None,
    null: bool = False,
) -> serializers.Field:
    """One field of a request body a view reads: its type (str, bool, int, float, dict, list,
    or object for any JSON value), what it is, whether the view refuses a body without it,
    the fixed set of values the code checks (`enum`) and a list's item type (`items`)."""
    options = {"required": required, "help_text": description or None, "allow_null": null}
    if enum is not None:
        return serializers.ChoiceField(choices=list(enum), **options)
    if kind is str:
        return serializers.CharField(allow_blank=not required, **options)
    if kind is list:
        child = items if isinstance(items, serializers.Field) else None
        if child is None and items is not None:
            child = FIELD_TYPES[items]()
            child.required = True
        return serializers.ListField(**({"child": child} if child else {}), **options)
    types = {
        bool: serializers.BooleanField,
        int: serializers.IntegerField,
        float: serializers.FloatField,
        dict: serializers.DictField,
        object: serializers.JSONField,
    }
    return types[kind](**options)


def json_object(
    name: str,
    fields: dict,
    description: str = "",
    *,
    required: bool = True,
    help_text: str | None = None,
    many: bool = False,
) -> serializers.Serializer:
    """A request body's shape for `extend_schema(request=...)`: `{"name": str, "post":
    json_object(...)}`, or `field(...)` for a described one. Plain keys are optional (the view
    checks them and names the one that is wrong); a nested object is required unless told.
    `description` describes the object itself (its component in the document)."""
    serializer_class = type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": description or None,
            **{
                key: kind if isinstance(kind, serializers.Field) else FIELD_TYPES[kind]()
                for key, kind in fields.items()
            },
        },
    )
    return serializer_class(required=required, help_text=help_text, many=many)


class ContentSerializer(serializers.Serializer):
    """Text, as markdown or a TipTap document (a bare markdown string also works)."""

    text = field(str, "The text as markdown")
    json = field(dict, "The text as a TipTap document (wins over `text`)")


def content(description: str = "", *, required: bool = False) -> ContentSerializer:
    """A post's or a comment's `content` (apps.posts.services.content_prepare reads it)."""
    return ContentSerializer(required=required, help_text=description or None)


# The fields of an asset a client sends when creating or changing one (apps.assets
# .api_views.common.metadata_fields, apps.api.context.request_placement). `visibility` is
# checked against the asset's visibilities (`monetized` with a price puts it on sale).
VISIBILITIES = ("public", "private", "organization", "inherit", "monetized")
DESCRIPTION_TEXT = "Text, or `{text, json}` (the text is kept)"
ASSET_CHANGES = {
    "name": field(str, "The asset's name"),
    "description": field(object, DESCRIPTION_TEXT),
    "visibility": field(str, "Who may see it (default private)", enum=VISIBILITIES),
    "license_id": field(str, "A licence id, e.g. `CC-BY-4.0`"),
    "attribution": field(dict, "Who made it, merged into the attribution it has"),
}
PRICE_FIELDS = {
    "price": field(float, "The price, in `price_currency`, with visibility `monetized`"),
    "price_currency": field(str, "The currency of `price` (default usd)"),
    "price_usd": field(float, "The price in US dollars, with visibility `monetized`"),
    "price_sats": field(int, "The price in satoshis, with visibility `monetized`"),
    "monetization": field(str, "`none` takes the asset off sale"),
}
ASSET_CHANGES.update(PRICE_FIELDS)
PLACEMENT = {
    "org_id": field(str, "The organization it goes in (default: the key's or the caller's)"),
    "team_id": field(str, "The team it goes in (default: the organization's default team)"),
}
ASSET_FIELDS = {
    **ASSET_CHANGES,
    **PLACEMENT,
    "metadata": field(dict, "Free-form metadata kept with it"),
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
