"""The OpenAPI importer: bytes in, normalized routes and warnings out. No database, no network.

It reads Swagger 2.0, OpenAPI 3.0 and 3.1 documents in JSON or YAML. This module is the entry
point; the parts live in `apps.services.openapi`:

- `loading`: bytes to a plain document (size cap, safe YAML, alias bombs refused) and its
  version;
- `refs`: `$ref` resolution (cycles cut, other documents only through the caller's `fetch`);
- `routes`: operations to routes, with `swagger` (2.0 bodies and forms), `servers` (base
  URLs), `ouro_extensions` (`x-ouro-*`) and `report` (what the platform cannot send; the
  run form's own report is built on the form builder, in `apps.routes.import_report`);
- `results`: the route, warning and result types.

Nothing here reads settings: the caller passes the size limit (`SPEC_MAX_BYTES`) and, for
specs split over several files, the `fetch` that may read them.
"""

from apps.services.openapi.loading import load_document, spec_version
from apps.services.openapi.ouro_extensions import (
    ASSET_TYPES,
    INPUT_FILTERS,
    OUTPUT_ASSET_TYPES,
    PROJECTION_FIELDS,
    asset_declarations,
    asset_projection,
)
from apps.services.openapi.refs import Fetch, Resolver
from apps.services.openapi.results import (
    FORM_MEDIA_TYPES,
    HTTP_METHODS,
    ImportedRoute,
    ImportResult,
    ImportWarning,
    SpecError,
)
from apps.services.openapi.routes import build_routes
from apps.services.openapi.servers import base_url

__all__ = [
    "ASSET_TYPES",
    "FORM_MEDIA_TYPES",
    "HTTP_METHODS",
    "INPUT_FILTERS",
    "OUTPUT_ASSET_TYPES",
    "PROJECTION_FIELDS",
    "Fetch",
    "ImportResult",
    "ImportWarning",
    "ImportedRoute",
    "SpecError",
    "asset_declarations",
    "asset_projection",
    "import_bytes",
    "load_document",
    "parse_spec",
]


def import_bytes(
    data: bytes, *, spec_url: str = "", fetch: Fetch | None = None, max_bytes: int
) -> ImportResult:
    """Load and parse in one step; `max_bytes` caps the spec and every document it refers to."""
    document = load_document(data, max_bytes=max_bytes)
    return parse_spec(document, spec_url=spec_url, fetch=fetch, max_bytes=max_bytes)


def parse_spec(
    document: dict,
    *,
    spec_url: str = "",
    fetch: Fetch | None = None,
    max_bytes: int = 16 * 1024 * 1024,
) -> ImportResult:
    """Normalize a loaded OpenAPI/Swagger document into routes and an import report.

    `spec_url` is where the document came from (a URL or a local path); it resolves relative
    servers and relative `$ref`s. `fetch(uri) -> bytes` reads another document of the spec;
    without it such references are refused. `max_bytes` caps each document `fetch` returns.
    """
    version = spec_version(document)
    swagger = version.startswith("2")
    resolver = Resolver(document, spec_url or "#root", fetch, max_bytes)
    warnings: list[ImportWarning] = []
    try:
        routes = build_routes(document, resolver, swagger, warnings)
    except RecursionError:
        raise SpecError("The spec's schemas are nested too deeply to import") from None
    _report_webhooks(document, warnings)
    info = document.get("info") if isinstance(document.get("info"), dict) else {}
    return ImportResult(
        spec_version=version,
        title=str(info.get("title") or ""),
        version=str(info.get("version") or ""),
        description=str(info.get("description") or ""),
        base_url=base_url(document, spec_url, swagger, warnings),
        routes=routes,
        warnings=warnings,
        document=document,
        resolver=resolver,
    )


def _report_webhooks(document: dict, warnings: list[ImportWarning]) -> None:
    webhooks = document.get("webhooks")
    if isinstance(webhooks, dict) and webhooks:
        warnings.append(
            ImportWarning(
                "notice",
                "webhooks",
                f"{len(webhooks)} webhook(s) describe calls the API makes, not routes: "
                f"{', '.join(sorted(map(str, webhooks))[:10])}",
            )
        )
