"""The run form of a route: schema-built fields bound to submitted values and errors."""

from dataclasses import dataclass, field

from apps.actions.services import route_spec_context
from apps.assets.models import Asset
from apps.assets.selectors import assets_visible_to
from apps.routes.models import Route
from apps.routes.schema_form import FieldSpec, form_fields, form_initial, form_parse

PICKER_LIMIT = 200


@dataclass
class BoundField:
    """A field with what the template needs: its current text, its error, its sub-fields."""

    spec: FieldSpec
    value: str = ""
    error: str = ""
    children: list["BoundField"] = field(default_factory=list)
    variants: list[dict] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return "f-" + self.spec.name.replace(".", "-")


@dataclass
class AssetPicker:
    name: str  # the declared body key
    asset_type: str
    required: bool
    options: list[Asset]
    value: str = ""
    error: str = ""

    @property
    def field_name(self) -> str:
        return f"input_assets.{self.name}"


class RunForm:
    def __init__(self, *, route: Route, user, data=None, initial_inputs: dict | None = None):
        components, _ = route_spec_context(route)
        self.route = route
        self.specs = form_fields(route.parameters, route.request_body, components)
        self.data = data
        self.errors: dict[str, str] = {}
        self.inputs: dict = {}
        if data is not None:
            values = data
        elif initial_inputs is not None:
            values = form_initial(self.specs, initial_inputs)
            chosen = initial_inputs.get("input_assets") or {}
            values.update({f"input_assets.{k}": v for k, v in chosen.items()})
        else:
            values = {}
        self.values = values
        self.pickers = self._pickers(user)

    def _pickers(self, user) -> list[AssetPicker]:
        pickers = []
        for name, declared in (self.route.input_assets or {}).items():
            declared = declared or {}
            asset_type = declared.get("asset_type") or "file"
            options = list(
                assets_visible_to(user=user)
                .filter(asset_type=asset_type)
                .order_by("-created_at")
                .only("id", "name", "asset_type")[:PICKER_LIMIT]
            )
            pickers.append(
                AssetPicker(
                    name=name,
                    asset_type=asset_type,
                    required=not declared.get("optional"),
                    options=options,
                    value=str(self.values.get(f"input_assets.{name}") or ""),
                )
            )
        return pickers

    def is_valid(self) -> bool:
        """Read the submitted text into typed inputs; the schemas are checked by `route_run`."""
        self.inputs, self.errors = form_parse(self.specs, self.data or {})
        self.inputs["input_assets"] = {}
        for picker in self.pickers:
            chosen = (self.data or {}).get(picker.field_name) or ""
            if chosen:
                self.inputs["input_assets"][picker.name] = chosen
            elif picker.required:
                self.errors[picker.field_name] = "Choose an asset"
        return not self.errors

    def add_errors(self, errors: dict[str, str]) -> None:
        self.errors.update(errors)

    def _bind(self, spec: FieldSpec) -> BoundField:
        bound = BoundField(
            spec=spec,
            value=str(self.values.get(spec.name, spec.initial) or ""),
            error=self.errors.get(spec.name, ""),
        )
        if spec.kind == "object":
            bound.children = [self._bind(child) for child in spec.children]
        elif spec.kind == "variant":
            selected = str(self.values.get(f"{spec.name}__variant", "0"))
            bound.variants = [
                {
                    "index": str(i),
                    "label": variant.label,
                    "selected": str(i) == selected,
                    "fields": [self._bind(f) for f in variant.fields],
                }
                for i, variant in enumerate(spec.variants)
            ]
        return bound

    @property
    def fields(self) -> list[BoundField]:
        return [self._bind(spec) for spec in self.specs]

    @property
    def sections(self) -> list[tuple[str, list[BoundField]]]:
        titles = {"path": "Path", "query": "Query", "header": "Headers", "body": "Body"}
        groups: dict[str, list[BoundField]] = {}
        for bound in self.fields:
            groups.setdefault(bound.spec.location, []).append(bound)
        for picker in self.pickers:
            picker.error = self.errors.get(picker.field_name, "")
        return [(titles[where], groups[where]) for where in titles if where in groups]

    @property
    def non_field_errors(self) -> list[str]:
        known = {f"input_assets.{p.name}" for p in self.pickers}
        names = set()

        def walk(spec: FieldSpec) -> None:
            names.add(spec.name)
            for child in spec.children:
                walk(child)
            for variant in spec.variants:
                for inner in variant.fields:
                    walk(inner)

        for spec in self.specs:
            walk(spec)
        return [
            f"{name}: {message}"
            for name, message in self.errors.items()
            if name not in names and name not in known
        ]
