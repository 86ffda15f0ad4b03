"""The run form of a route: schema-built fields bound to submitted values and errors."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile

from apps.accounts.services import personal_org
from apps.assets.filetypes import declared_extensions, declared_types
from apps.assets.models import Asset, File
from apps.assets.selectors import assets_compatible_with
from apps.assets.services import AssetError, Owner, file_create, file_size_check
from apps.routes.models import Route
from apps.routes.schema_form import (
    FieldSpec,
    FormInputError,
    body_media,
    body_media_types,
    form_defaults,
    form_fields,
    form_initial,
    form_parse,
    inputs_validate,
    list_count,
    list_items,
    media_label,
)
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
    items: list["BoundField"] = field(default_factory=list)  # a list's item fieldsets
    chosen: list[str] = field(default_factory=list)  # a file field's chosen asset ids
    options: list = field(default_factory=list)  # a file field's assets to choose from
    none_selected: bool = False  # an optional choice left at "none"
    index: int = 0  # a list item's position

    @property
    def dom_id(self) -> str:
        return dom_id(self.spec.name)

    @property
    def described_by(self) -> str:
        """The ids of what describes the input, for `aria-describedby`: its error, then its help."""
        ids = [f"{self.dom_id}-error"] if self.error else []
        if self.spec.help:
            ids.append(f"{self.dom_id}-help")
        return " ".join(ids)

    @property
    def path(self) -> str:
        """The field's path as errors and the API name it (variant markers left out)."""
        return shown_path(self.spec.name)

    @property
    def nested(self) -> bool:
        return self.path.count(".") > 1

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def can_add(self) -> bool:
        return len(self.items) < self.spec.max_items


def dom_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def shown_path(name: str) -> str:
    return re.sub(r"__v\d+", "", name)


class _Values:
    """Submitted form data with some names replaced (uploads, list edits): `.get`/`.getlist`."""

    def __init__(self, data, overrides: dict | None = None):
        self.data = data if data is not None else {}
        self.overrides = overrides or {}

    def get(self, name, default=None):
        if name in self.overrides:
            value = self.overrides[name]
            return value[-1] if isinstance(value, list) and value else value
        return self.data.get(name, default)

    def getlist(self, name) -> list:
        if name in self.overrides:
            value = self.overrides[name]
            return list(value) if isinstance(value, list) else [value]
        if hasattr(self.data, "getlist"):
            return self.data.getlist(name)
        value = self.data.get(name)
        return [] if value is None else (list(value) if isinstance(value, list) else [value])

    def __contains__(self, name) -> bool:
        return name in self.overrides or name in self.data

    def keys(self) -> list[str]:
        return list({*self.data.keys(), *self.overrides.keys()})


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
    """The run form of a route, in one of its body media types.

    Submitted with `_edit` = "add:<list>" or "remove:<list>.<index>", it only changes the
    items of a repeatable fieldset and is shown again (`editing`): nothing runs.
    """

    def __init__(
        self,
        *,
        route: Route,
        user,
        data=None,
        files: Mapping[str, UploadedFile] | None = None,
        initial_inputs: dict | None = None,
        media_type: str | None = None,
    ):
        components, version = route_spec_context(route)
        self.route = route
        self.user = user
        self.components, self.openapi_version = components, version
        self.files = files or {}
        self.media_types = body_media_types(route.request_body)
        wanted = media_type
        if data is not None:
            wanted = data.get("body__media") or wanted
        elif initial_inputs:
            wanted = initial_inputs.get("content_type") or wanted
        self.media = body_media(route.request_body, wanted)
        self.specs = form_fields(route.parameters, route.request_body, components, self.media)
        self.data = data
        self.errors: dict[str, str] = {}
        self.inputs: dict = {}
        self.editing = False
        overrides: dict = {}
        if data is not None:
            source = data
            overrides = self._edit(data)
        elif initial_inputs is not None:
            source = form_defaults(self.specs)
            source.update(form_initial(self.specs, initial_inputs))
            chosen = initial_inputs.get("input_assets") or {}
            source.update({f"input_assets.{k}": v for k, v in chosen.items()})
        else:
            source = form_defaults(self.specs)
        self.values = _Values(source, overrides)
        self.pickers = self._pickers(user)
        self._file_options: list | None = None

    # Repeatable fieldsets ----------------------------------------------------------------

    def _edit(self, data) -> dict:
        """The values an add or remove button changes (the list's count, the items after a
        removed one moved up)."""
        edit = str(data.get("_edit") or "")
        verb, _, target = edit.partition(":")
        if verb not in ("add", "remove") or not target:
            return {}
        self.editing = True
        if verb == "add":
            spec = self._list_spec(target, data)
            if spec is None:
                return {}
            count = list_count(spec, data)
            return {f"{target}__count": str(min(count + 1, spec.max_items))}
        name, _, index = target.rpartition(".")
        spec = self._list_spec(name, data)
        if spec is None or not index.isdigit():
            return {}
        count, removed = list_count(spec, data), int(index)
        overrides: dict = {f"{name}__count": str(max(count - 1, 0))}
        keys = list(data.keys())
        for later in range(removed, count):
            old, new = f"{name}.{later + 1}", f"{name}.{later}"
            for key in keys:
                if key.startswith(f"{name}.{later}.") or key.startswith(f"{name}.{later}__"):
                    overrides.setdefault(key, "")
            for key in keys:
                if key == old or key.startswith((old + ".", old + "__")):
                    values = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
                    overrides[new + key[len(old) :]] = values
        return overrides

    def _list_spec(self, name: str, data) -> FieldSpec | None:
        def walk(spec: FieldSpec) -> FieldSpec | None:
            if spec.name == name and spec.kind == "list":
                return spec
            for child in self._subfields(spec, data):
                found = walk(child)
                if found is not None:
                    return found
            return None

        for spec in self.specs:
            found = walk(spec)
            if found is not None:
                return found
        return None

    @staticmethod
    def _subfields(spec: FieldSpec, data) -> list[FieldSpec]:
        if spec.kind == "object":
            return list(spec.children)
        if spec.kind == "variant":
            return [v.fields[0] for v in spec.variants]
        if spec.kind == "list":
            return list_items(spec, list_count(spec, data))
        return []

    # Files -------------------------------------------------------------------------------

    def _file_specs(self, values) -> list[FieldSpec]:
        found = []

        def walk(spec: FieldSpec) -> None:
            if spec.kind == "file":
                found.append(spec)
            for child in self._subfields(spec, values):
                walk(child)

        for spec in self.specs:
            walk(spec)
        return found

    @property
    def file_options(self) -> list:
        """The user's files, for every file field's chooser (looked up once)."""
        if self._file_options is None:
            self._file_options = (
                assets_compatible_with(
                    user=self.user,
                    declaration={"asset_type": "file"},
                    limit=PICKER_LIMIT,
                    scan=PICKER_LIMIT,
                )
                if self.user.is_authenticated
                else []
            )
        return self._file_options

    def _take_body_uploads(self) -> None:
        """Files uploaded into body fields become the user's assets and the fields' values."""
        for spec in self._file_specs(self.values):
            uploads = (
                self.files.getlist(f"{spec.name}__upload")
                if hasattr(self.files, "getlist")
                else [u for u in [self.files.get(f"{spec.name}__upload")] if u]
            )
            if not uploads:
                continue
            ids = [] if not spec.multiple else list(self.values.getlist(spec.name))
            for upload in uploads:
                try:
                    file = uploaded_file_create(user=self.user, upload=upload)
                except AssetError as exc:
                    self.errors[shown_path(spec.name)] = exc.message
                    break
                ids.append(str(file.pk))
                self.file_options.insert(0, file)
            self.values.overrides[spec.name] = [i for i in ids if i]

    # Asset pickers -----------------------------------------------------------------------

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

    # Checking ----------------------------------------------------------------------------

    def is_valid(self) -> bool:
        """Read the submitted text into typed inputs and check them against the route's
        schemas, collecting every error in one pass.

        Uploaded files are stored first and stand in for their fields' or pickers' choices.
        A form submitted by an add or remove button is not valid (it is shown again)."""
        if self.editing:
            return False
        self._take_body_uploads()
        self.inputs, parse_errors = form_parse(self.specs, self.values, self.media)
        for name, message in parse_errors.items():
            self.errors.setdefault(shown_path(name), message)
        try:
            self.inputs = {
                **inputs_validate(
                    parameters=self.route.parameters,
                    request_body=self.route.request_body,
                    inputs=self.inputs,
                    components=self.components,
                    openapi_version=self.openapi_version,
                ),
            }
        except FormInputError as exc:
            for name, message in exc.errors.items():
                self.errors.setdefault(name, message)
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
        for name, message in errors.items():
            self.errors.setdefault(name, message)

    def example_inputs(self) -> dict:
        """The inputs the form shows at first, for the API snippets."""
        inputs, _ = form_parse(self.specs, self.values, self.media)
        return inputs

    # Rendering ---------------------------------------------------------------------------

    def _bind(self, spec: FieldSpec) -> BoundField:
        value = self.values.get(spec.name)
        bound = BoundField(spec=spec, value="" if value is None else str(value))
        if spec.kind == "object":
            bound.children = [self._bind(child) for child in spec.children]
        elif spec.kind == "variant":
            raw = self.values.get(f"{spec.name}__variant")
            selected = "0" if raw is None and spec.required else str(raw or "")
            bound.none_selected = selected == "" or not selected.isdigit()
            bound.variants = [
                {
                    "index": str(i),
                    "label": variant.label,
                    "selected": str(i) == selected,
                    "fields": [self._bind(f) for f in variant.fields],
                }
                for i, variant in enumerate(spec.variants)
            ]
        elif spec.kind == "list":
            for index, item in enumerate(list_items(spec, list_count(spec, self.values))):
                child = self._bind(item)
                child.index = index
                bound.items.append(child)
        elif spec.kind == "file":
            bound.chosen = [str(v) for v in self.values.getlist(spec.name) if v]
            bound.options = self.file_options
        return bound

    @property
    def fields(self) -> list[BoundField]:
        if not hasattr(self, "_bound"):
            self._bound = [self._bind(spec) for spec in self.specs]
            self._place_errors(self._bound)
        return self._bound

    def _place_errors(self, bound: list[BoundField]) -> None:
        """Each error under its field: the field of its path, else the nearest enclosing one
        (a variant's inner field answers for the variant's path)."""
        by_path: dict[str, BoundField] = {}

        def walk(bound_field: BoundField) -> None:
            by_path.setdefault(bound_field.path, bound_field)
            for child in bound_field.children + bound_field.items:
                walk(child)
            for variant in bound_field.variants:
                if variant["selected"]:
                    for inner in variant["fields"]:
                        walk(inner)

        for top in bound:
            walk(top)
        self._placed: dict[str, BoundField] = {}
        for name, message in self.errors.items():
            path = name
            while path and path not in by_path:
                path = path.rpartition(".")[0]
            target = by_path.get(path)
            if target is None:
                continue
            self._placed[name] = target
            if name == target.path:
                target.error = message if not target.error else f"{message}; {target.error}"
            else:
                extra = f"{name[len(path) + 1 :]}: {message}"
                target.error = f"{target.error}; {extra}" if target.error else extra

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
    def error_summary(self) -> list[dict]:
        """Every error, each linking to its field, for the list at the top of the form."""
        self.fields  # noqa: B018 - places the errors
        pickers = {p.field_name: p for p in self.pickers}
        summary = []
        for name, message in self.errors.items():
            if name in pickers:
                anchor = f"asset-{pickers[name].name}"
            elif name in self._placed:
                anchor = self._placed[name].dom_id
            else:
                anchor = ""
            summary.append({"path": name, "message": message, "anchor": anchor})
        return summary

    @property
    def non_field_errors(self) -> list[str]:
        self.fields  # noqa: B018 - places the errors
        known = {f"input_assets.{p.name}" for p in self.pickers}
        return [
            f"{name}: {message}"
            for name, message in self.errors.items()
            if name not in self._placed and name not in known
        ]

    @property
    def media_choices(self) -> list[dict]:
        return [
            {"media": media, "label": media_label(media), "selected": media == self.media}
            for media in self.media_types
        ]
