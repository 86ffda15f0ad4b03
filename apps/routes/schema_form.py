"""A route's OpenAPI schemas as a run form, and a run's inputs checked against them.

Pure: data in, data out (no database, no Django forms). The steps:

- `body_media_types(request_body)` -> the body media types the form can send, JSON first;
- `form_fields(parameters, request_body, components, media_type)` -> `FieldSpec`s to render
  (the body's in the chosen media type, by default the first);
- `form_parse(fields, data)` -> the typed inputs `{"parameters", "query", "headers", "body",
  "content_type"}` plus per-field errors for values that cannot even be read (not a number,
  bad JSON);
- `inputs_validate(...)` -> every error of the inputs against the schemas in one pass, in
  plain words, keyed by field path (OpenAPI 3.0 with `nullable`, or 3.1 = JSON Schema
  2020-12), whether they came from the form or the API;
- `fields_grouped(specs, data, error_paths)` -> how sibling fields lay out: required first,
  many optional ones folded (open when one holds a value or an error);
- `operation_form_report(...)` -> for one operation, what renders as fields, what falls back
  to JSON text and why, and what is not offered (and why): the import report is built on it.

Field names are dotted paths: `path.item_id`, `query.currency`, `header.x-trace`, `body` (a
body that is not an object) or `body.title`, `body.options.color` (object properties),
`body.messages.0.role` (the first item of a repeatable fieldset). Errors are keyed by the same
paths so the form can show them next to the right input. A file is a body value
`{"assetId": "<file asset id>"}` (see apps.services.request_body).
"""

import copy
import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import SchemaError, UndefinedTypeCheck, UnknownType
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing.exceptions import Unresolvable

from apps.core.safe_text import InputError, json_loads
from apps.services.request_body import KIND_ORDER, file_ref, media_kind

LOCATIONS = ("path", "query", "header")
INPUT_KEYS = {"path": "parameters", "query": "query", "header": "headers"}
MAX_DEPTH = 6
# A repeatable fieldset shows at most this many items.
MAX_ITEMS = 50
STRING_FORMATS = {
    "email": "email",
    "uri": "url",
    "url": "url",
    "date": "date",
    "date-time": "datetime-local",
    "time": "time",
    "password": "password",
}
MEDIA_LABELS = {
    "json": "JSON",
    "form": "form fields",
    "multipart": "form fields and files",
    "text": "text",
    "file": "a file",
}
FILE_PLACEHOLDER = "file"


@dataclass(frozen=True)
class Variant:
    label: str
    fields: tuple["FieldSpec", ...]


@dataclass(frozen=True)
class FieldSpec:
    """One input of the run form. `kind` picks the widget; `name` is the form key."""

    name: str
    label: str
    # text, textarea, integer, number, boolean, select, array, json, object, variant, list,
    # file
    kind: str
    required: bool = False
    help: str = ""
    initial: str = ""
    input_type: str = "text"  # the <input type> for kind "text"
    choices: tuple[str, ...] = ()
    item_type: str = ""  # for arrays of scalars: string, integer, number, boolean
    minimum: float | None = None
    maximum: float | None = None
    step: str = ""
    min_length: int | None = None
    max_length: int | None = None
    pattern: str = ""
    children: tuple["FieldSpec", ...] = ()  # an object's properties; a list's item template
    variants: tuple[Variant, ...] = ()
    nullable: bool = False  # may be sent as null: left empty, a required field sends null
    multiple: bool = False  # a file field taking several files
    accept: str = ""  # a file field's content types, for the file chooser
    initial_count: int = 0  # a list's items at first
    min_items: int = 0
    max_items: int = MAX_ITEMS
    why_json: str = ""  # a json field: why it is JSON text and not fields
    schema: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def location(self) -> str:
        return self.name.split(".", 1)[0]


class FormInputError(Exception):
    """Inputs that do not match the route's schemas; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def deref(schema: Any, components: dict | None, depth: int = 0) -> dict:
    """Follow local `#/components/...` refs (recursion-safe: stops at MAX_DEPTH)."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < MAX_DEPTH:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/components/"):
            return {}
        target: Any = {"components": components or {}}
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        if not isinstance(target, dict):
            return {}
        siblings = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **siblings}
        seen += 1
    return schema if isinstance(schema, dict) else {}


def _is_null(schema: Any, components) -> bool:
    schema = deref(schema, components)
    return schema.get("type") == "null" or schema.get("enum") == [None]


def _merged_all_of(schema: dict, components) -> dict:
    """An `allOf` of objects as one object schema (properties and required keys joined)."""
    parts = schema.get("allOf")
    if not isinstance(parts, list) or not parts:
        return schema
    merged = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for part in parts:
        part = deref(part, components)
        if any(k in part for k in ("allOf", "oneOf", "anyOf", "not")):
            return schema
        properties.update(part.get("properties") or {})
        required.extend(r for r in part.get("required") or [] if r not in required)
        for key, value in part.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
        merged.setdefault("type", "object")
    if required:
        merged["required"] = required
    return merged


def _type_of(schema: dict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None and "properties" in schema:
        return "object"
    if kind is None and "enum" in schema:
        return "string"
    if kind is None and "items" in schema:
        return "array"
    return kind if isinstance(kind, str) else ""


def _is_nullable(schema: dict) -> bool:
    kind = schema.get("type")
    return schema.get("nullable") is True or (isinstance(kind, list) and "null" in kind)


def is_binary(schema: Any) -> bool:
    """A file: `type: string, format: binary` (Swagger's `type: file` is read as that) or a
    3.1 `contentMediaType` without `contentEncoding`."""
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "file":
        return True
    if _type_of(schema) not in ("string", ""):
        return False
    if schema.get("format") == "binary":
        return True
    return "contentMediaType" in schema and "contentEncoding" not in schema


def _initial(schema: dict) -> Any:
    if "default" in schema:
        return schema["default"]
    if "example" in schema:
        return schema["example"]
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    return None


def _as_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value is True else ""
    if kind == "array" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if kind in ("json", "list"):
        return json.dumps(value, indent=2)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _const_of(prop: dict) -> Any:
    if "const" in prop:
        return prop["const"]
    enum = prop.get("enum")
    if isinstance(enum, list) and len(enum) == 1:
        return enum[0]
    return None


def _variant_label(option: dict, raw: Any, index: int, discriminator: dict) -> str:
    """title, discriminator value, a const/enum property, the required keys, in that order."""
    if option.get("title"):
        return str(option["title"])
    properties = option.get("properties") if isinstance(option.get("properties"), dict) else {}
    name = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
    if name:
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        for value, target in (discriminator.get("mapping") or {}).items():
            if ref and target == ref:
                return str(value)
        value = _const_of(properties.get(name) or {})
        if value is not None:
            return str(value)
        if isinstance(ref, str):
            return ref.rsplit("/", 1)[-1]
    for prop in properties.values():
        value = _const_of(prop) if isinstance(prop, dict) else None
        if value is not None:
            return str(value)
    required = option.get("required")
    if isinstance(required, list) and required:
        shown = ", ".join(str(r) for r in required[:3])
        return f"with {shown}" + (", …" if len(required) > 3 else "")
    if isinstance(raw, dict) and isinstance(raw.get("$ref"), str):
        return raw["$ref"].rsplit("/", 1)[-1]
    kind = _type_of(option)
    if kind == "array":
        item_kind = (
            _type_of(option.get("items") or {}) if isinstance(option.get("items"), dict) else ""
        )
        return f"list of {item_kind}" if item_kind else "list"
    return kind or f"option {index + 1}"


def _unique_labels(labels: list[str]) -> list[str]:
    out = []
    for index, label in enumerate(labels):
        out.append(label if labels.count(label) == 1 else f"{label} ({index + 1})")
    return out


def _variant_field(name, label, schema, options, *, required, help, components, depth, nullable):
    discriminator = schema.get("discriminator") or {}
    variants, labels = [], []
    for index, raw in enumerate(options):
        option = _merged_all_of(deref(raw, components), components)
        labels.append(_variant_label(option, raw, index, discriminator))
        inner = _field(
            f"{name}__v{index}",
            label,
            option,
            required=True,
            help="",
            components=components,
            depth=depth + 1,
        )
        variants.append(inner)
    return FieldSpec(
        name=name,
        label=label,
        kind="variant",
        required=required,
        help=help,
        nullable=nullable,
        variants=tuple(
            Variant(label=text, fields=(inner,))
            for text, inner in zip(_unique_labels(labels), variants, strict=True)
        ),
        schema=schema,
    )


def _json_reason(schema: dict, kind: str, depth: int) -> str:
    if depth >= MAX_DEPTH:
        return f"it is nested deeper than {MAX_DEPTH} levels"
    if any(k in schema for k in ("allOf", "not", "if")):
        return "its schema combines schemas (allOf/not/if)"
    if kind == "object":
        return "it is a map with no declared properties"
    if kind == "array":
        return "it is a list of lists or of mixed values"
    if not kind:
        return "its schema does not say what kind of value it is"
    return f"its type is {kind}"


def _field(
    name: str, label: str, schema: dict, *, required: bool, help: str, components, depth: int
) -> FieldSpec:
    schema = _merged_all_of(deref(schema, components), components)
    help = help or schema.get("description", "") or schema.get("title", "")
    nullable = _is_nullable(schema)
    variants_of = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(variants_of, list) and variants_of and depth < MAX_DEPTH:
        options = [o for o in variants_of if not _is_null(o, components)]
        nullable = nullable or len(options) < len(variants_of)
        if len(options) == 1:
            # FastAPI's `anyOf: [T, {type: null}]`: T, which may be left empty.
            only = _merged_all_of(deref(options[0], components), components)
            outer = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
            inner = _field(
                name,
                label,
                {**only, **outer, "nullable": True},
                required=required,
                help=help,
                components=components,
                depth=depth + 1,  # a ref to itself must end
            )
            return dataclasses.replace(inner, nullable=True, schema=schema)
        if options:
            return _variant_field(
                name,
                label,
                schema,
                options,
                required=required,
                help=help,
                components=components,
                depth=depth,
                nullable=nullable,
            )

    kind = _type_of(schema)
    common = {
        "name": name,
        "label": label,
        "required": required,
        "help": help,
        "schema": schema,
        "nullable": nullable,
    }
    initial = _initial(schema)
    if is_binary(schema):
        return FieldSpec(kind="file", accept=str(schema.get("contentMediaType") or ""), **common)
    if "enum" in schema and kind in ("string", "integer", "number", "boolean", ""):
        choices = tuple(_as_text(c, "") for c in schema["enum"] if c is not None)
        return FieldSpec(kind="select", choices=choices, initial=_as_text(initial, ""), **common)
    if kind == "boolean":
        return FieldSpec(kind="boolean", initial=_as_text(initial, "boolean"), **common)
    if kind in ("integer", "number"):
        minimum = schema.get("minimum")
        maximum = schema.get("maximum")
        if isinstance(schema.get("exclusiveMinimum"), int | float):
            minimum = schema["exclusiveMinimum"]
        if isinstance(schema.get("exclusiveMaximum"), int | float):
            maximum = schema["exclusiveMaximum"]
        return FieldSpec(
            kind=kind,
            minimum=minimum,
            maximum=maximum,
            step="1" if kind == "integer" else "any",
            initial=_as_text(initial, kind),
            **common,
        )
    if kind == "string":
        fmt = schema.get("format", "")
        max_length = schema.get("maxLength")
        long_text = fmt in ("textarea", "markdown") or (max_length or 0) > 500
        widget = "textarea" if long_text else "text"
        return FieldSpec(
            kind=widget,
            input_type=STRING_FORMATS.get(fmt, "text") if isinstance(fmt, str) else "text",
            min_length=schema.get("minLength"),
            max_length=max_length,
            pattern=schema.get("pattern", "") if isinstance(schema.get("pattern"), str) else "",
            initial=_as_text(initial, "string"),
            **common,
        )
    if kind == "array":
        raw_items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        items = _merged_all_of(deref(raw_items, components), components)
        item_type = _type_of(items)
        if is_binary(items):
            return FieldSpec(
                kind="file",
                multiple=True,
                accept=str(items.get("contentMediaType") or ""),
                **common,
            )
        if item_type in ("string", "integer", "number", "boolean") and "enum" not in items:
            return FieldSpec(
                kind="array", item_type=item_type, initial=_as_text(initial, "array"), **common
            )
        structured = (item_type == "object" and items.get("properties")) or (
            items.get("oneOf") or items.get("anyOf") or "enum" in items
        )
        if structured and depth < MAX_DEPTH:
            template = _field(
                f"{name}.$",
                f"{label} item",
                items,
                required=True,
                help="",
                components=components,
                depth=depth + 1,
            )
            count = len(initial) if isinstance(initial, list) else 0
            min_items = schema.get("minItems") if isinstance(schema.get("minItems"), int) else 0
            max_items = schema.get("maxItems") if isinstance(schema.get("maxItems"), int) else 0
            if required:
                count = max(count, min_items, 1)
            return FieldSpec(
                kind="list",
                children=(template,),
                initial=_as_text(initial, "list") if isinstance(initial, list) else "",
                initial_count=min(count, MAX_ITEMS),
                min_items=min_items,
                max_items=min(max_items or MAX_ITEMS, MAX_ITEMS),
                **common,
            )
    if kind == "object" and schema.get("properties") and depth < MAX_DEPTH:
        required_names = set(schema.get("required") or [])
        children = tuple(
            _field(
                f"{name}.{prop}",
                prop,
                sub,
                required=prop in required_names,
                help="",
                components=components,
                depth=depth + 1,
            )
            for prop, sub in schema["properties"].items()
        )
        undeclared = [
            str(r)
            for r in schema.get("required") or []
            if isinstance(r, str) and r not in schema["properties"]
        ]
        if undeclared and schema.get("additionalProperties") is not False:
            # Required without a schema: typed as JSON. (With additionalProperties false no
            # value can pass: the report says the operation cannot be sent.)
            children += tuple(
                FieldSpec(
                    name=f"{name}.{prop}",
                    label=prop,
                    kind="json",
                    required=True,
                    why_json="it is required but its schema is not declared",
                )
                for prop in undeclared
            )
        return FieldSpec(kind="object", children=children, **common)
    return FieldSpec(
        kind="json",
        initial=_as_text(initial, "json"),
        why_json=_json_reason(schema, kind, depth),
        **common,
    )


def spec_at(spec: FieldSpec, prefix: str, replacement: str) -> FieldSpec:
    """The spec (and its sub-fields) with names under `prefix` moved to `replacement`: a
    list's item template placed at an index."""

    def move(name: str) -> str:
        return replacement + name[len(prefix) :] if name.startswith(prefix) else name

    return dataclasses.replace(
        spec,
        name=move(spec.name),
        children=tuple(spec_at(c, prefix, replacement) for c in spec.children),
        variants=tuple(
            Variant(v.label, tuple(spec_at(f, prefix, replacement) for f in v.fields))
            for v in spec.variants
        ),
    )


def list_items(spec: FieldSpec, count: int) -> list[FieldSpec]:
    """The item fields of a list shown with `count` items."""
    template = spec.children[0]
    return [spec_at(template, f"{spec.name}.$", f"{spec.name}.{i}") for i in range(count)]


def _content(request_body: dict | None) -> dict:
    if not isinstance(request_body, dict):
        return {}
    content = request_body.get("content")
    return content if isinstance(content, dict) else {}


def body_media_types(request_body: dict | None) -> list[str]:
    """The body media types the form and the API can send, JSON first, then form fields,
    multipart, text and single files (each group in the spec's order)."""
    offered = [m for m in _content(request_body) if media_kind(m) in KIND_ORDER]
    return sorted(offered, key=lambda m: KIND_ORDER.index(media_kind(m)))


def body_media(request_body: dict | None, wanted: str | None = None) -> str | None:
    """The media type a body is sent as: `wanted` when the route declares it, else the first."""
    offered = body_media_types(request_body)
    if wanted and wanted in offered:
        return wanted
    return offered[0] if offered else None


def media_label(media_type: str) -> str:
    return f"{MEDIA_LABELS.get(media_kind(media_type), media_type)} ({media_type})"


def body_schema(
    request_body: dict | None, components: dict | None = None, media_type: str | None = None
) -> dict | None:
    """The schema of a route's request body in a media type (by default the first it can
    send), or None when it takes no body."""
    media = body_media(request_body, media_type)
    if media is None:
        return None
    entry = _content(request_body).get(media)
    entry = entry if isinstance(entry, dict) else {}
    return _merged_all_of(deref(entry.get("schema") or {}, components), components)


def body_encoding(request_body: dict | None, media_type: str | None) -> dict:
    """The OpenAPI `encoding` of a form or multipart body: property -> rules."""
    entry = _content(request_body).get(media_type or "")
    encoding = entry.get("encoding") if isinstance(entry, dict) else None
    return encoding if isinstance(encoding, dict) else {}


def body_example(request_body: dict | None, media_type: str | None) -> Any:
    entry = _content(request_body).get(media_type or "")
    if not isinstance(entry, dict):
        return None
    if "example" in entry:
        return entry["example"]
    examples = entry.get("examples")
    if isinstance(examples, dict):
        for example in examples.values():
            if isinstance(example, dict) and "value" in example:
                return example["value"]
    return None


def _body_fields(request_body: dict | None, components, media: str) -> list[FieldSpec]:
    kind = media_kind(media)
    schema = body_schema(request_body, components, media) or {}
    required = bool((request_body or {}).get("required"))
    if kind == "file":
        return [FieldSpec(name="body", label="file", kind="file", required=required, schema=schema)]
    if kind == "text":
        example = body_example(request_body, media)
        initial = _initial(schema)
        if initial is None:
            initial = example
        return [
            FieldSpec(
                name="body",
                label="body",
                kind="textarea",
                required=required,
                help=f"Sent as written, as {media}",
                initial=initial if isinstance(initial, str) else "",
                schema=schema,
            )
        ]
    body = _field(
        "body", "body", schema, required=required, help="", components=components, depth=0
    )
    return list(body.children) if body.kind == "object" else [body]


def form_fields(
    parameters: list | None,
    request_body: dict | None,
    components: dict | None = None,
    media_type: str | None = None,
) -> list[FieldSpec]:
    fields: list[FieldSpec] = []
    for raw in parameters or []:
        param = deref(raw, components)
        where = param.get("in")
        if where not in LOCATIONS or not param.get("name"):
            continue
        fields.append(
            _field(
                f"{where}.{param['name']}",
                param["name"],
                param.get("schema") or {"type": "string"},
                required=bool(param.get("required")) or where == "path",
                help=param.get("description", ""),
                components=components,
                depth=0,
            )
        )
    media = body_media(request_body, media_type)
    if media is not None:
        fields.extend(_body_fields(request_body, components, media))
    return fields


def _read_scalar(kind: str, raw: str) -> Any:
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise ValueError("Enter a whole number") from None
    if kind == "number":
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("Enter a number") from None
        return int(number) if number.is_integer() and "." not in raw and "e" not in raw else number
    if kind == "boolean":
        if raw.lower() in ("true", "1", "yes", "on"):
            return True
        if raw.lower() in ("false", "0", "no", "off"):
            return False
        raise ValueError("Enter true or false")
    return raw


def _datetime_from_widget(raw: str) -> str:
    """The browser's local date-time ("2026-01-31T10:00") as RFC 3339, read as UTC."""
    if "T" in raw and not raw.endswith("Z") and "+" not in raw[10:] and "-" not in raw[10:]:
        return (raw + ":00" if raw.count(":") == 1 else raw) + "Z"
    return raw


def _select_value(spec: FieldSpec, raw: str) -> Any:
    for option in spec.schema.get("enum", []):
        if _as_text(option, "") == raw:
            return option
    return raw


_MISSING = object()


def _raw(data, name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value)


def _values(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(v) for v in data.getlist(name) if v]
    value = data.get(name)
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def list_count(spec: FieldSpec, data) -> int:
    """How many items a list shows: its submitted count, else its initial count."""
    raw = _raw(data, f"{spec.name}__count").strip()
    count = int(raw) if raw.isdigit() else spec.initial_count
    return min(count, spec.max_items)


def _variant_choice(spec: FieldSpec, data) -> int | None:
    """The chosen variant's index, or None for "none" (an optional choice left alone)."""
    raw = data.get(f"{spec.name}__variant")
    if raw is None:
        return None if not spec.required else 0
    raw = str(raw).strip()
    if raw.isdigit() and int(raw) < len(spec.variants):
        return int(raw)
    return None if not spec.required else 0


def _touched(spec: FieldSpec, data) -> bool:
    """Whether the user changed anything in this field from what the form first showed."""
    if spec.kind == "object":
        return any(_touched(child, data) for child in spec.children)
    if spec.kind == "variant":
        choice = _variant_choice(spec, data)
        if choice != (0 if spec.required else None):
            return True
        return choice is not None and _touched(spec.variants[choice].fields[0], data)
    if spec.kind == "list":
        count = list_count(spec, data)
        return count != spec.initial_count or any(
            _touched(item, data) for item in list_items(spec, count)
        )
    if spec.kind == "file":
        return bool(_values(data, spec.name))
    return _raw(data, spec.name).strip() != spec.initial.strip()


# Optional fields beyond this many, in a section or an object, fold into a <details>.
OPTIONAL_FOLD_OVER = 3


@dataclass(frozen=True)
class FieldGroups:
    """How a run of sibling fields is laid out, as positions in the list given.

    `leading` renders first: every field, in order, when the run stays flat; the required
    ones when the optional ones fold. `optional`: the folded optional fields, in order, in a
    <details> that is `open` when one of them holds a value or an error."""

    leading: tuple[int, ...]
    optional: tuple[int, ...] = ()
    open: bool = False
    filled: int = 0  # folded fields holding a value (a default too): those are sent


def _has_value(spec: FieldSpec, data) -> bool:
    """Whether the field, as `data` holds it, sends anything."""
    if spec.kind == "object":
        return any(_has_value(child, data) for child in spec.children)
    if spec.kind == "variant":
        return _variant_choice(spec, data) is not None
    if spec.kind == "list":
        return list_count(spec, data) > 0
    if spec.kind == "file":
        return bool(_values(data, spec.name))
    return _raw(data, spec.name).strip() != ""


def _has_error(spec: FieldSpec, error_paths) -> bool:
    path = _shown(spec.name)
    return any(e == path or e.startswith(path + ".") for e in error_paths)


def fields_grouped(
    specs: list[FieldSpec], data, error_paths=(), fold_over: int = OPTIONAL_FOLD_OVER
) -> FieldGroups:
    """Required fields first, then the optional ones folded, once there are more than
    `fold_over` of them; fewer stay flat, in their order. The fold is open when an optional
    field has an error (by field path, as `inputs_validate` keys them) or a value changed
    from the form's first one, so neither is ever hidden. (The fields are sent by name: the
    order they render in does not change the request.)"""
    optional = [i for i, spec in enumerate(specs) if not spec.required]
    if len(optional) <= fold_over:
        return FieldGroups(leading=tuple(range(len(specs))))
    error_paths = list(error_paths)
    shown = any(_has_error(specs[i], error_paths) or _touched(specs[i], data) for i in optional)
    return FieldGroups(
        leading=tuple(i for i, spec in enumerate(specs) if spec.required),
        optional=tuple(optional),
        open=shown,
        filled=sum(1 for i in optional if _has_value(specs[i], data)),
    )


def _read(spec: FieldSpec, data, errors: dict[str, str]) -> Any:
    """The typed value of one field, or _MISSING when left empty."""
    if spec.kind == "object":
        if not spec.required and not _touched(spec, data):
            return _MISSING  # an optional object nobody filled in is not sent
        value = {}
        for child in spec.children:
            child_value = _read(child, data, errors)
            if child_value is not _MISSING:
                value[child.label] = child_value
        return value if value or spec.required else _MISSING
    if spec.kind == "variant":
        choice = _variant_choice(spec, data)
        if choice is None:
            return None if spec.required and spec.nullable else _MISSING
        return _read(spec.variants[choice].fields[0], data, errors)
    if spec.kind == "list":
        count = list_count(spec, data)
        if not count and not spec.required:
            return _MISSING
        items = []
        for item in list_items(spec, count):
            value = _read(item, data, errors)
            items.append(None if value is _MISSING else value)
        return items
    if spec.kind == "file":
        chosen = _values(data, spec.name)
        if not chosen:
            return _MISSING
        refs = [{"assetId": ref} for ref in chosen]
        return refs if spec.multiple else refs[-1]
    if spec.kind == "boolean":
        raw = _raw(data, spec.name).strip()
        if not raw:
            # An unticked box says "false" only when the field must be sent.
            return False if spec.required else _MISSING
        try:
            return _read_scalar("boolean", raw)
        except ValueError as exc:
            errors[spec.name] = str(exc)
            return _MISSING
    raw = _raw(data, spec.name)
    if not raw.strip():
        return None if spec.required and spec.nullable else _MISSING
    try:
        if spec.kind in ("integer", "number"):
            return _read_scalar(spec.kind, raw.strip())
        if spec.kind == "select":
            return _select_value(spec, raw)
        if spec.kind == "array":
            parts = [p.strip() for p in raw.replace("\r", "").split("\n")]
            if len(parts) == 1 and spec.item_type != "string":
                parts = [p.strip() for p in parts[0].split(",")]
            return [_read_scalar(spec.item_type, p) for p in parts if p]
        if spec.kind == "text" and spec.input_type == "datetime-local":
            return _datetime_from_widget(raw.strip())
        if spec.kind == "json":
            try:
                return json_loads(raw, whole="the value")
            except InputError as exc:
                if exc.code == "invalid_json":
                    raise ValueError(f"Enter valid JSON ({exc.detail})") from None
                raise ValueError(f"Enter valid JSON: {exc.message}") from None
    except ValueError as exc:
        errors[spec.name] = str(exc)
        return _MISSING
    return raw


def form_parse(fields: list[FieldSpec], data, media_type: str | None = None) -> tuple[dict, dict]:
    """Read submitted form data (anything with `.get`) into typed inputs and errors.

    `media_type` is the body's media type the fields were built for (recorded in the inputs
    as `content_type`)."""
    inputs: dict[str, Any] = {"parameters": {}, "query": {}, "headers": {}, "body": None}
    if media_type:
        inputs["content_type"] = media_type
    errors: dict[str, str] = {}
    body: dict[str, Any] = {}
    for spec in fields:
        value = _read(spec, data, errors)
        if value is _MISSING:
            continue
        where, _, key = spec.name.partition(".")
        if where in INPUT_KEYS:
            inputs[INPUT_KEYS[where]][key] = value
        elif spec.name == "body":
            inputs["body"] = value
        else:
            body[key] = value
    if body:
        inputs["body"] = body
    elif inputs["body"] is None and any(f.location == "body" and f.name != "body" for f in fields):
        inputs["body"] = {}
    return inputs, errors


def _validator_for(schema: dict, openapi_version: str):
    return OAS30Validator if str(openapi_version).startswith(("3.0", "2")) else OAS31Validator


def form_initial(fields: list[FieldSpec], inputs: dict) -> dict[str, str]:
    """Form values (name -> text) that reproduce earlier inputs, for "Run again"."""
    values: dict[str, str] = {}

    def walk(spec: FieldSpec, value: Any) -> None:
        if spec.kind == "object" and isinstance(value, dict):
            for child in spec.children:
                if child.label in value:
                    walk(child, value[child.label])
        elif spec.kind == "variant":
            for index, variant in enumerate(spec.variants):
                inner = variant.fields[0]
                try:
                    fits = _validator_for(inner.schema, "3.1")(inner.schema).is_valid(value)
                except Exception:  # noqa: BLE001 - a malformed variant schema fits nothing
                    fits = False
                if not fits:
                    continue
                values[f"{spec.name}__variant"] = str(index)
                walk(inner, value)
                break
        elif spec.kind == "list" and isinstance(value, list):
            count = min(len(value), spec.max_items)
            values[f"{spec.name}__count"] = str(count)
            for item, item_value in zip(list_items(spec, count), value, strict=False):
                walk(item, item_value)
        elif spec.kind == "file":
            refs = value if isinstance(value, list) else [value]
            ids = [r for r in (file_ref(v) for v in refs) if r]
            if ids:
                values[spec.name] = ids[-1]
        else:
            values[spec.name] = _as_text(value, spec.kind)

    body = inputs.get("body")
    for spec in fields:
        where, _, key = spec.name.partition(".")
        if where in INPUT_KEYS:
            source = inputs.get(INPUT_KEYS[where]) or {}
            if key in source:
                walk(spec, source[key])
        elif spec.name == "body":
            if body is not None:
                walk(spec, body)
        elif isinstance(body, dict) and key in body:
            walk(spec, body[key])
    return values


def form_defaults(fields: list[FieldSpec]) -> dict[str, str]:
    """The values the form first shows: every field's default or example, list items too."""
    values: dict[str, str] = {}

    def walk(spec: FieldSpec) -> None:
        if spec.kind == "list":
            values[f"{spec.name}__count"] = str(spec.initial_count)
            example = None
            if spec.initial:
                try:
                    example = json.loads(spec.initial)
                except ValueError:
                    example = None
            for index, item in enumerate(list_items(spec, spec.initial_count)):
                walk(item)
                if isinstance(example, list) and index < len(example):
                    moved = spec_at(item, item.name, "body")
                    for key, value in form_initial([moved], {"body": example[index]}).items():
                        values[item.name + key[4:]] = value
        elif spec.kind == "object":
            for child in spec.children:
                walk(child)
        elif spec.kind == "variant":
            for variant in spec.variants:
                walk(variant.fields[0])
        elif spec.initial:
            values[spec.name] = spec.initial

    for spec in fields:
        walk(spec)
    return values


TYPE_WORDS = {
    "integer": "Enter a whole number",
    "number": "Enter a number",
    "string": "Enter text",
    "boolean": "Enter true or false",
    "array": "Enter a list",
    "object": "Enter an object",
    "null": "Leave it empty",
}
FORMAT_WORDS = {
    "email": "Enter an email address",
    "date": "Enter a date (YYYY-MM-DD)",
    "date-time": "Enter a date and time",
    "time": "Enter a time",
    "uri": "Enter a full URL (https://…)",
    "url": "Enter a full URL (https://…)",
    "uuid": "Enter a UUID",
    "ipv4": "Enter an IPv4 address",
    "ipv6": "Enter an IPv6 address",
    "hostname": "Enter a host name",
}


def _number_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _plural(count: Any, word: str) -> str:
    return f"{_number_text(count)} {word}{'' if count == 1 else 's'}"


def plain_message(validator: str, expected: Any, instance: Any, fallback: str) -> str:
    """A jsonschema failure in words a person can act on."""
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        kinds = [k for k in kinds if k != "null"] or kinds
        if not kinds:
            return "The route's schema for this field is not valid"
        return TYPE_WORDS.get(str(kinds[0]), f"Enter a {kinds[0]}")
    if validator == "required":
        return "Required"
    if validator == "minimum":
        return f"At least {_number_text(expected)}"
    if validator == "maximum":
        return f"At most {_number_text(expected)}"
    if validator == "exclusiveMinimum":
        return f"More than {_number_text(expected)}"
    if validator == "exclusiveMaximum":
        return f"Less than {_number_text(expected)}"
    if validator == "multipleOf":
        return f"Must be a multiple of {_number_text(expected)}"
    if validator == "minLength":
        return f"At least {_plural(expected, 'character')}"
    if validator == "maxLength":
        return f"At most {_plural(expected, 'character')}"
    if validator == "minItems":
        return f"At least {_plural(expected, 'item')}"
    if validator == "maxItems":
        return f"At most {_plural(expected, 'item')}"
    if validator == "uniqueItems":
        return "Each item must be different"
    if validator == "minProperties":
        return f"At least {_plural(expected, 'field')}"
    if validator == "maxProperties":
        return f"At most {_plural(expected, 'field')}"
    if validator == "pattern":
        return f"Must match the pattern {expected}"
    if validator == "format":
        return FORMAT_WORDS.get(str(expected), f"Enter a valid {expected}")
    if validator == "enum" and isinstance(expected, list):
        shown = ", ".join(_as_text(v, "") or "null" for v in expected[:10])
        return f"Choose one of: {shown}" + (", …" if len(expected) > 10 else "")
    if validator == "const":
        return f"Must be {_as_text(expected, '') or 'null'}"
    if validator in ("oneOf", "anyOf"):
        return "Does not match any of the allowed kinds"
    if validator in ("additionalProperties", "unevaluatedProperties"):
        return "Not a field this route takes"
    if validator == "not":
        return "This value is not allowed"
    return fallback[:300]


def _swap_files(schema: Any, value: Any, components, depth: int = 0) -> Any:
    """The value with each file reference where the schema takes a file replaced by a stand-in
    string, so the schema (`type: string, format: binary`) can check the rest."""
    schema = _merged_all_of(deref(schema, components), components)
    if depth > MAX_DEPTH * 2:
        return value
    if is_binary(schema) and file_ref(value) is not None:
        return FILE_PLACEHOLDER
    kind = _type_of(schema)
    if kind == "object" and isinstance(value, dict):
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        return {
            k: _swap_files(properties[k], v, components, depth + 1) if k in properties else v
            for k, v in value.items()
        }
    if kind == "array" and isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [_swap_files(schema["items"], v, components, depth + 1) for v in value]
    return value


def _path_key(prefix: str, parts) -> str:
    return ".".join([prefix, *(str(p) for p in parts)])


def _errors_of(
    schema: dict, value: Any, prefix: str, components: dict | None, openapi_version: str
) -> dict[str, str]:
    # Components travel with the schema so local `#/components/...` refs resolve in place.
    root = {**schema, "components": components} if components else schema
    cls = _validator_for(schema, openapi_version)
    value = _swap_files(schema, value, components)
    errors: dict[str, str] = {}
    try:
        validator = cls(copy.deepcopy(root), format_checker=cls.FORMAT_CHECKER)
        found = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
    except (
        SchemaError,
        UndefinedTypeCheck,
        UnknownType,
        Unresolvable,
        TypeError,
        ValueError,
        LookupError,
    ):
        # A malformed schema (say `type: []`) cannot check anything: the field is refused.
        return {prefix: "The route's schema for this field is not valid"}
    except RecursionError:
        return {prefix: "The route's schema for this field is too deeply nested to check"}
    for error in found:
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    errors.setdefault(_path_key(prefix, [*path, name]), "Required")
            continue
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = (error.schema or {}).get("properties") or {}
            extra = [k for k in error.instance if k not in allowed]
            for name in extra or [""]:
                key = _path_key(prefix, [*path, name] if name else path)
                errors.setdefault(key, "Not a field this route takes")
            continue
        message = plain_message(
            str(error.validator), error.validator_value, error.instance, error.message
        )
        errors.setdefault(_path_key(prefix, path), message)
    return errors


def _coerce_parameter(schema: dict, value: Any) -> Any:
    """Path, query and header values travel as text; read "3" as 3 where a number is declared."""
    kind = _type_of(schema)
    if isinstance(value, str) and kind in ("integer", "number", "boolean"):
        try:
            return _read_scalar(kind, value.strip())
        except ValueError:
            return value
    if isinstance(value, int | float) and not isinstance(value, bool) and kind == "string":
        return str(value)
    return value


def _body_errors(
    request_body: dict | None, media: str, body: Any, components, openapi_version: str
) -> dict[str, str]:
    kind = media_kind(media)
    schema = body_schema(request_body, components, media) or {}
    if kind == "file":
        if file_ref(body) is None:
            return {"body": "Choose a file or upload one"}
        return {}
    if kind == "text":
        if not isinstance(body, str):
            return {"body": "Enter text"}
        if _type_of(schema) == "string":
            return _errors_of(schema, body, "body", components, openapi_version)
        return {}
    return _errors_of(schema, body, "body", components, openapi_version)


def inputs_validate(
    *,
    parameters: list | None,
    request_body: dict | None,
    inputs: dict,
    components: dict | None = None,
    openapi_version: str = "3.1",
) -> dict:
    """Check inputs against the route's schemas; returns the coerced inputs (with the body's
    `content_type`) or raises FormInputError with every error, by field path."""
    errors: dict[str, str] = {}
    clean = {
        "parameters": dict(inputs.get("parameters") or {}),
        "query": dict(inputs.get("query") or {}),
        "headers": dict(inputs.get("headers") or {}),
        "body": inputs.get("body"),
    }
    for raw in parameters or []:
        param = deref(raw, components)
        where = param.get("in")
        name = param.get("name")
        if where not in INPUT_KEYS or not name:
            continue
        bucket = clean[INPUT_KEYS[where]]
        schema = deref(param.get("schema") or {}, components)
        field_name = f"{where}.{name}"
        if name not in bucket or bucket[name] is None:
            if param.get("required") or where == "path":
                errors[field_name] = "Required"
            bucket.pop(name, None)
            continue
        bucket[name] = _coerce_parameter(schema, bucket[name])
        errors.update(_errors_of(schema, bucket[name], field_name, components, openapi_version))
    wanted = inputs.get("content_type")
    offered = body_media_types(request_body)
    if wanted is not None and (not isinstance(wanted, str) or wanted not in offered):
        if offered:
            errors["content_type"] = "Choose one of the body's media types: " + ", ".join(offered)
        else:
            errors["content_type"] = "This route takes no request body"
    media = body_media(request_body, wanted if isinstance(wanted, str) else None)
    body = clean["body"]
    if media is not None:
        clean["content_type"] = media
        if body is None:
            if (request_body or {}).get("required"):
                errors["body"] = "A request body is required"
        else:
            errors.update(_body_errors(request_body, media, body, components, openapi_version))
    if errors:
        raise FormInputError(errors)
    return clean


# What the import report says about an operation's form ------------------------------------


@dataclass(frozen=True)
class FormReport:
    """What the run form does with one operation.

    `media_types`: the body media types offered (JSON first); `fields`: the paths that render
    as form fields (in the first media type, and in the others where they differ);
    `json_text`: (path, why) of values typed as JSON text; `not_offered`: (what, why) of what
    the form and the API cannot send.
    """

    media_types: tuple[str, ...]
    fields: tuple[str, ...]
    json_text: tuple[tuple[str, str], ...]
    not_offered: tuple[tuple[str, str], ...]

    @property
    def fully_representable(self) -> bool:
        return not self.json_text and not self.not_offered


def _leaves(spec: FieldSpec):
    """The fields a person fills in, with item templates shown as `name.*`."""
    if spec.kind == "object":
        for child in spec.children:
            yield from _leaves(child)
    elif spec.kind == "variant":
        for variant in spec.variants:
            yield from _leaves(variant.fields[0])
    elif spec.kind == "list":
        yield from _leaves(spec_at(spec.children[0], f"{spec.name}.$", f"{spec.name}.*"))
    else:
        yield spec


def _shown(name: str) -> str:
    return re.sub(r"__v\d+", "", name)


def operation_form_report(
    parameters: list | None, request_body: dict | None, components: dict | None = None
) -> FormReport:
    """For one operation: what renders as fields, what is JSON text and why, what is not
    offered and why. Computed from the very FieldSpecs the run form renders."""
    not_offered: list[tuple[str, str]] = []
    for raw in parameters or []:
        param = deref(raw, components)
        if param.get("in") == "cookie":
            not_offered.append(
                (f"cookie.{param.get('name')}", "cookie parameters are not sent by the platform")
            )
        elif param.get("in") not in LOCATIONS:
            not_offered.append(
                (f"{param.get('in')}.{param.get('name')}", "parameters there cannot be sent")
            )
    for media in _content(request_body):
        if media_kind(media) not in KIND_ORDER:
            not_offered.append((f"body as {media}", "this media type cannot be sent"))
            continue
        schema = body_schema(request_body, components, media) or {}
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        impossible = [
            r for r in schema.get("required") or [] if isinstance(r, str) and r not in properties
        ]
        if properties and impossible and schema.get("additionalProperties") is False:
            not_offered.append(
                (
                    f"body as {media}",
                    f"it requires {', '.join(impossible)} but allows no such field: "
                    "no body can pass its schema",
                )
            )
    media_types = body_media_types(request_body)
    names: list[str] = []
    json_text: list[tuple[str, str]] = []
    for media in media_types or [None]:
        for spec in form_fields(parameters, request_body, components, media):
            for leaf in _leaves(spec):
                name = _shown(leaf.name)
                if leaf.kind == "json":
                    if name not in dict(json_text):
                        json_text.append((name, leaf.why_json or "it is free-form JSON"))
                elif name not in names:
                    names.append(name)
    return FormReport(
        media_types=tuple(media_types),
        fields=tuple(names),
        json_text=tuple(json_text),
        not_offered=tuple(not_offered),
    )
