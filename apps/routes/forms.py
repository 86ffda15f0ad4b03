"""The run form of a route: schema-built fields bound to submitted values and errors."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile

from apps.accounts.services import personal_org
from apps.assets.filetypes import declared_extensions, declared_types
from apps.assets.models import Asset, File
from apps.assets.selectors import assets_compatible_with
from apps.assets.services import AssetError, Owner, file_create, file_size_check
from apps.routes.models import Route
from apps.routes.schema_form import FieldSpec, form_fields, form_initial, form_parse
from apps.routes.selectors import route_spec_context

PICKER_LIMIT = 200
# Candidates looked at per picker before the rules the database cannot apply.
PICKER_SCAN = 5 * PICKER_LIMIT
# Input filters a browser's file chooser understands as a media type.
ACCEPT_MEDIA = ("image", "audio", "video")


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


def expected_assets(declaration: dict) -> str:
    """What an input declaration accepts, in words: "image files ending in .png or .jpg"."""
    words = []
    for asset_type in declared_types(declaration):
        if asset_type != "file":
            words.append(f"{asset_type}s")
            continue
        input_filter = declaration.get("input_filter") or ""
        text = f"{input_filter} files" if input_filter else "files"
        extensions = declared_extensions(declaration)
        if extensions:
            text += " ending in " + " or ".join(f".{e}" for e in extensions)
        words.append(text)
    return " or ".join(words)


@dataclass
class AssetPicker:
    """A declared input asset: a choice among the caller's compatible assets, or an upload."""

    name: str  # the declared body key
    declaration: dict
    options: list[Asset]
    value: str = ""
    error: str = ""

    @property
    def field_name(self) -> str:
        return f"input_assets.{self.name}"

    @property
    def upload_name(self) -> str:
        return f"upload.{self.name}"

    @property
    def required(self) -> bool:
        return not self.declaration.get("optional")

    @property
    def asset_type(self) -> str:
        return " or ".join(declared_types(self.declaration))

    @property
    def expects(self) -> str:
        return expected_assets(self.declaration)

    @property
    def takes_files(self) -> bool:
        return "file" in declared_types(self.declaration)

    @property
    def accept(self) -> str:
        """The file chooser's `accept` hint: the declared extensions or media type."""
        extensions = declared_extensions(self.declaration)
        if extensions:
            return ",".join(f".{e}" for e in extensions)
        input_filter = self.declaration.get("input_filter") or ""
        return f"{input_filter}/*" if input_filter in ACCEPT_MEDIA else ""


def uploaded_file_create(*, user, upload: UploadedFile) -> File:
    """Keep a file uploaded with the run form as the user's private file, in the personal context.

    Raises AssetError when the file is refused (too large).
    """
    file_size_check(upload.size or 0)
    org = personal_org()
    return file_create(
        owner=Owner(user=user, org=org, team=org.default_team),
        name=upload.name or "file",
        file_name=upload.name or "file",
        content=upload.read(),
        source="web",
    )


class RunForm:
    def __init__(
        self,
        *,
        route: Route,
        user,
        data=None,
        files: Mapping[str, UploadedFile] | None = None,
        initial_inputs: dict | None = None,
    ):
        components, _ = route_spec_context(route)
        self.route = route
        self.user = user
        self.files = files or {}
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
            options = assets_compatible_with(
                user=user, declaration=declared, limit=PICKER_LIMIT, scan=PICKER_SCAN
            )
            pickers.append(
                AssetPicker(
                    name=name,
                    declaration=declared,
                    options=options,
                    value=str(self.values.get(f"input_assets.{name}") or ""),
                )
            )
        return pickers

    def _take_upload(self, picker: AssetPicker) -> None:
        """An uploaded file becomes the user's asset and the picker's choice."""
        upload = self.files.get(picker.upload_name) if picker.takes_files else None
        if upload is None:
            return
        try:
            file = uploaded_file_create(user=self.user, upload=upload)
        except AssetError as exc:
            self.errors[picker.field_name] = exc.message
            return
        picker.options.insert(0, file)
        picker.value = str(file.pk)

    def is_valid(self) -> bool:
        """Read the submitted text into typed inputs; the schemas are checked by `route_run`.

        Uploaded files are stored first and stand in for their pickers' choices.
        """
        self.inputs, self.errors = form_parse(self.specs, self.data or {})
        self.inputs["input_assets"] = {}
        for picker in self.pickers:
            self._take_upload(picker)
            if picker.field_name in self.errors:
                continue
            if picker.value:
                self.inputs["input_assets"][picker.name] = picker.value
            elif picker.required:
                self.errors[picker.field_name] = (
                    "Choose an asset or upload a file" if picker.takes_files else "Choose an asset"
                )
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
