"""What the importer produces: the routes, the warnings of its report, the result, the error.

Plain dataclasses, JSON-serializable through `as_dict()`; nothing here reads a document.
"""

from dataclasses import asdict, dataclass, field, fields
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FORM_MEDIA_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class SpecError(Exception):
    """The document cannot be imported; the message names the problem and where it is."""


@dataclass
class ImportWarning:
    kind: str  # "skipped" | "unrepresentable" | "notice"
    where: str
    message: str


@dataclass
class ImportedRoute:
    method: str
    path: str
    name: str
    operation_id: str
    summary: str
    description: str
    parameters: list
    request_body: dict | None
    responses: dict
    tags: list
    deprecated: bool
    servers: list
    execution_mode: str
    input_assets: dict
    output_assets: dict
    pricing: dict
    input_type: str = ""
    input_filter: str = ""
    input_file_extension: str = ""
    output_type: str = ""
    output_filter: str = ""
    output_file_extension: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportResult:
    spec_version: str
    title: str
    version: str
    description: str
    base_url: str
    routes: list[ImportedRoute]
    warnings: list[ImportWarning] = field(default_factory=list)
    document: dict = field(default_factory=dict)
    # The Resolver that read the document: it knows which schemas came from which `$ref`.
    resolver: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        """The shape the CLI prints: routes and warnings, always JSON-serializable.

        Schemas that came from a `$ref` are written as that `$ref`, and what they point to
        once under `components` (keyed by the reference), so the output stays about the size
        of the spec instead of repeating every shared schema wherever it is used.
        """
        routes: object = [route.as_dict() for route in self.routes]
        components: dict = {}
        if self.resolver is not None:
            # The route's own objects (asdict would copy them, losing which schema is which).
            plain = [{f.name: getattr(r, f.name) for f in fields(r)} for r in self.routes]
            routes, components = self.resolver.compact(plain)
        return {
            "spec_version": self.spec_version,
            "title": self.title,
            "base_url": self.base_url,
            "routes": routes,
            "components": components,
            "warnings": [asdict(w) for w in self.warnings],
        }
