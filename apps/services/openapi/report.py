"""The import report's "unrepresentable" warnings: what a route needs that the run form
cannot send (cookies, cookie authentication, raw bodies, choices and nested form fields).
"""

from apps.services.openapi.results import FORM_MEDIA_TYPES, ImportedRoute, ImportWarning


def cookie_security(document: dict, swagger: bool) -> set[str]:
    if swagger:
        schemes = document.get("securityDefinitions") or {}
    else:
        schemes = (document.get("components") or {}).get("securitySchemes") or {}
    if not isinstance(schemes, dict):
        return set()
    return {
        str(name)
        for name, scheme in schemes.items()
        if isinstance(scheme, dict)
        and scheme.get("type") == "apiKey"
        and scheme.get("in") == "cookie"
    }


def _is_file_schema(schema) -> bool:
    return isinstance(schema, dict) and schema.get("format") in ("binary", "base64")


def report_unrepresentable(route: ImportedRoute, operation, document, cookie_auth, warnings):
    """Add a warning for each thing of the route the run form cannot represent."""
    label = f"{route.method} {route.path}"

    def flag(message: str) -> None:
        warnings.append(ImportWarning("unrepresentable", label, message))

    cookies = [p["name"] for p in route.parameters if p["in"] == "cookie"]
    if cookies:
        flag(f"Cookie parameters ({', '.join(cookies)}) cannot be sent from the run form")
    security = operation.get("security", document.get("security")) or []
    used = {str(name) for req in security if isinstance(req, dict) for name in req}
    if used & cookie_auth:
        flag("The operation authenticates with a cookie, which the platform does not send")
    for param in route.parameters:
        if "content_type" in param:
            flag(f"Parameter {param['name']!r} is serialized as {param['content_type']}")
    if route.request_body:
        _report_body(route.request_body, flag)


def _report_body(body: dict, flag) -> None:
    content = body.get("content") or {}
    supported = [
        m for m in content if m.split(";")[0] in FORM_MEDIA_TYPES or "json" in m.split(";")[0]
    ]
    if content and not supported:
        flag(f"The request body is {', '.join(content)}; the run form sends JSON or form fields")
    for media, entry in content.items():
        schema = entry.get("schema") or {}
        if not isinstance(schema, dict):
            continue
        if media.split(";")[0] in FORM_MEDIA_TYPES:
            _report_form_fields(schema, flag)
            if any(k in schema for k in ("oneOf", "anyOf")):
                flag(f"The {media} body is a oneOf/anyOf choice the form cannot offer")
        elif any(k in schema for k in ("oneOf", "anyOf")):
            flag("The JSON body is a oneOf/anyOf choice; the form offers a JSON editor for it")


def _report_form_fields(schema: dict, flag) -> None:
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    for name, prop in props.items():
        if not isinstance(prop, dict):
            continue
        if any(k in prop for k in ("oneOf", "anyOf")):
            flag(f"Form field {name!r} is a oneOf/anyOf choice, shown as free text")
        items = prop.get("items")
        if prop.get("type") == "array" and _is_file_schema(items):
            flag(f"Form field {name!r} is an array of files; the form sends one file")
        if prop.get("type") == "object" or "properties" in prop:
            flag(f"Form field {name!r} is a nested object, sent as JSON text")
