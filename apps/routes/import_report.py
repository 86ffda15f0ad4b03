"""The import report: what the run form of each imported operation will be.

It is computed by the form builder itself (`operation_form_report`, from the very fields the
route page renders): the inputs that render as fields, the values typed as JSON text and why,
what the form and the API cannot send and why. To those it adds the importer's own notices
(skipped operations, callbacks and webhooks that are not routes, cookie authentication) and
the routes renamed to keep their owner's names unique. Pure: an import in, data out.
"""

from apps.routes.schema_form import operation_form_report
from apps.services.importer import ImportedRoute, ImportResult

NOT_OFFERED = "not offered"
JSON_TEXT = "JSON text"
RENAMED = "renamed"


def _components(result: ImportResult) -> dict | None:
    components = result.document.get("components") if result.document else None
    return components if isinstance(components, dict) else None


def route_form_report(route: ImportedRoute, components: dict | None) -> dict:
    """What the run form does with one imported operation."""
    report = operation_form_report(route.parameters, route.request_body, components)
    return {
        "method": route.method,
        "path": route.path,
        "media_types": list(report.media_types),
        "fields": list(report.fields),
        "json_text": [list(item) for item in report.json_text],
        "not_offered": [list(item) for item in report.not_offered],
        "fully_representable": report.fully_representable,
    }


def _warning(kind: str, where: str, message: str) -> dict:
    return {"kind": kind, "where": where, "message": message}


def import_report(result: ImportResult, renamed: list[dict] | None = None) -> dict:
    """The report of an import: per route what its form does, then every warning in words.

    `renamed` is the sync's list of `{method, path, spec_name, name}`.
    """
    components = _components(result)
    routes = [route_form_report(route, components) for route in result.routes]
    warnings = [_warning(w.kind, w.where, w.message) for w in result.warnings]
    for route in routes:
        where = f"{route['method']} {route['path']}"
        for what, why in route["not_offered"]:
            warnings.append(_warning(NOT_OFFERED, where, f"{what} is not offered: {why}"))
        for path, why in route["json_text"]:
            warnings.append(_warning(JSON_TEXT, where, f"{path} is typed as JSON text: {why}"))
    for item in renamed or []:
        warnings.append(
            _warning(
                RENAMED,
                f"{item['method']} {item['path']}",
                f"{item['spec_name']!r} is named {item['name']!r}: another of the owner's "
                "routes has that name",
            )
        )
    return {
        "spec_version": result.spec_version,
        "title": result.title,
        "version": result.version,
        "route_count": len(result.routes),
        "fully_representable": sum(r["fully_representable"] for r in routes),
        "routes": routes,
        "renamed": list(renamed or []),
        "warnings": warnings,
    }
