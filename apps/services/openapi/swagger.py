"""Swagger 2.0 operations in the OpenAPI 3 shape the rest of the importer uses.

A `body` parameter becomes the request body (one entry per `consumes` media type), `formData`
parameters become a multipart or urlencoded body, and a response's `schema` is offered under
each `produces` media type.
"""

from apps.services.openapi.results import FORM_MEDIA_TYPES

SWAGGER_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "multipleOf",
)


# How a Swagger 2.0 `formData` array is written (`collectionFormat`, csv by default), as the
# OpenAPI 3 `encoding` of its property.
COLLECTION_ENCODING = {
    "csv": {"style": "form", "explode": False},
    "ssv": {"style": "spaceDelimited", "explode": False},
    "pipes": {"style": "pipeDelimited", "explode": False},
    "multi": {"style": "form", "explode": True},
}


def swagger_schema(param: dict) -> dict:
    schema = {k: param[k] for k in SWAGGER_SCHEMA_KEYS if k in param}
    if schema.get("type") == "file":
        schema = {"type": "string", "format": "binary"}
    if isinstance(schema.get("items"), dict) and schema["items"].get("type") == "file":
        schema["items"] = {"type": "string", "format": "binary"}
    return schema


def swagger_parameters(document, operation, params, resolver, where):
    """(parameters, request body) of an operation from its merged `(param, uri)` pairs."""
    consumes = operation.get("consumes") or document.get("consumes") or []
    consumes = [str(c) for c in consumes] if isinstance(consumes, list) else []
    parameters, form_fields, body = [], [], None
    for param, uri in params:
        location = param["in"]
        if location == "body":
            media_types = [c for c in consumes if c not in FORM_MEDIA_TYPES] or ["application/json"]
            schema = resolver.schema(param.get("schema") or {}, uri, where)
            body = {
                "required": bool(param.get("required")),
                "description": str(param.get("description") or ""),
                "content": {media: {"schema": schema} for media in media_types},
            }
        elif location == "formData":
            form_fields.append(param)
        else:
            schema = resolver.schema(swagger_schema(param), uri, where)
            if param.get("collectionFormat") in ("csv", "ssv", "pipes", "multi"):
                schema = {**schema, "x-collection-format": param["collectionFormat"]}
            entry = {
                "name": str(param["name"]),
                "in": str(location),
                "required": bool(param.get("required")),
                "description": str(param.get("description") or ""),
                "schema": schema,
            }
            parameters.append(entry)
    if form_fields and body is None:
        body = _form_body(form_fields, consumes)
    return parameters, body


def _form_body(form_fields: list[dict], consumes: list[str]) -> dict:
    """The request body `formData` parameters make: multipart when a field is a file (or the
    operation consumes multipart), urlencoded otherwise."""
    has_file = any(
        swagger_schema(f).get("format") == "binary"
        or (swagger_schema(f).get("items") or {}).get("format") == "binary"
        for f in form_fields
    )
    media = (
        "multipart/form-data"
        if has_file or "multipart/form-data" in consumes
        else "application/x-www-form-urlencoded"
    )
    properties = {}
    for f in form_fields:
        prop = swagger_schema(f)
        if f.get("description"):
            prop["description"] = str(f["description"])
        properties[str(f["name"])] = prop
    required = [str(f["name"]) for f in form_fields if f.get("required")]
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    entry: dict = {"schema": schema}
    encoding = {
        str(f["name"]): COLLECTION_ENCODING[f.get("collectionFormat") or "csv"]
        for f in form_fields
        if f.get("type") == "array" and (f.get("collectionFormat") or "csv") in COLLECTION_ENCODING
    }
    if encoding:
        entry["encoding"] = encoding
    return {
        "required": bool(required),
        "description": "",
        "content": {media: entry},
    }


def swagger_responses(document, operation, resolver, uri, where) -> dict:
    produces = operation.get("produces") or document.get("produces") or ["application/json"]
    produces = [str(p) for p in produces] if isinstance(produces, list) else ["application/json"]
    out = {}
    raw = operation.get("responses")
    if not isinstance(raw, dict):
        return out
    for code, value in raw.items():
        if str(code).startswith("x-"):
            continue
        response, response_uri = resolver.deref(value, uri, f"{where}.responses[{code}]")
        if not isinstance(response, dict):
            continue
        entry = {"description": str(response.get("description") or "")}
        if "schema" in response:
            schema = resolver.schema(response["schema"], response_uri, where)
            entry["content"] = {media: {"schema": schema} for media in produces}
        out[str(code)] = entry
    return out
