"""The import report's "unrepresentable" warnings: what a route needs that the platform
cannot send (cookie authentication, parameters serialized as a media type).
"""

from apps.services.openapi.results import ImportedRoute, ImportWarning


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


def report_unrepresentable(route: ImportedRoute, operation, document, cookie_auth, warnings):
    """Add a warning for what the platform cannot send for the route whatever its form: a
    cookie it would authenticate with, a parameter serialized as a media type. What the run
    form itself renders (fields, JSON text, what it does not offer) is reported from the form
    builder, by `apps.routes.import_report`."""
    label = f"{route.method} {route.path}"

    def flag(message: str) -> None:
        warnings.append(ImportWarning("unrepresentable", label, message))

    security = operation.get("security", document.get("security")) or []
    used = {str(name) for req in security if isinstance(req, dict) for name in req}
    if used & cookie_auth:
        flag("The operation authenticates with a cookie, which the platform does not send")
    for param in route.parameters:
        if "content_type" in param:
            flag(f"Parameter {param['name']!r} is serialized as {param['content_type']}")
