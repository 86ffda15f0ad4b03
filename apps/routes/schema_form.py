"""A route's OpenAPI schemas as a run form, and a run's inputs checked against them.

Pure: data in, data out (no database, no Django forms). Three steps:

- `form_fields(parameters, request_body, components)` -> `FieldSpec`s to render;
- `form_parse(fields, data)` -> the typed inputs `{"parameters", "query", "headers", "body"}`
  plus per-field errors for values that cannot even be read (not a number, bad JSON);
- `inputs_validate(...)` -> per-field errors of the inputs against the schemas (OpenAPI 3.0
  with `nullable`, or 3.1 = JSON Schema 2020-12), whether they came from the form or the API.

Field names are dotted: `path.item_id`, `query.currency`, `header.x-trace`, `body` (a body
that is not an object) or `body.title`, `body.options.color` (object properties). Errors are
keyed by the same names so the form can show them next to the right input.
"""

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import SchemaError, UndefinedTypeCheck
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing.exceptions import Unresolvable

from apps.core.safe_text import InputError, json_loads

LOCATIONS = ("path", "query", "header")
INPUT_KEYS = {"path": "parameters", "query": "query", "header": "headers"}
MAX_DEPTH = 6
STRING_FORMATS = {
    "email": "email",
    "uri": "url",
    "url": "url",
    "date": "date",
    "date-time": "datetime-local",
    "time": "time",
    "password": "password",
}


@dataclass(frozen=True)
class Variant:
    label: str
    fields: tuple["FieldSpec", ...]


@dataclass(frozen=True)
class FieldSpec:
    """One input of the run form. `kind` picks the widget; `name` is the form key."""

    name: str
    label: str
    kind: str  # text, textarea, integer, number, boolean, select, array, json, object, variant
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
    children: tuple["FieldSpec", ...] = ()
    variants: tuple[Variant, ...] = ()
    schema: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def location(self) -> str:
        return self.name.split(".", 1)[0]


class FormInputError(Exception):
    """Inputs that do not match the route's schemas; `errors` maps field names to messages."""

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


def _type_of(schema: dict) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    if kind is None and "properties" in schema:
        return "object"
    if kind is None and "enum" in schema:
        return "string"
    return kind or ""


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
    if kind == "json":
        return json.dumps(value, indent=2)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _field(
    name: str, label: str, schema: dict, *, required: bool, help: str, components, depth: int
) -> FieldSpec:
    schema = deref(schema, components)
    help = help or schema.get("description", "") or schema.get("title", "")
    variants_of = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(variants_of, list) and variants_of and depth < MAX_DEPTH:
        variants = []
        for index, option in enumerate(variants_of):
            option = deref(option, components)
            title = option.get("title") or _type_of(option) or f"option {index + 1}"
            inner = _field(
                f"{name}__v{index}",
                label,
                option,
                required=True,
                help="",
                components=components,
                depth=depth + 1,
            )
            variants.append(Variant(label=title, fields=(inner,)))
        return FieldSpec(
            name=name,
            label=label,
            kind="variant",
            required=required,
            help=help,
            variants=tuple(variants),
            schema=schema,
        )

    kind = _type_of(schema)
    common = {"name": name, "label": label, "required": required, "help": help, "schema": schema}
    initial = _initial(schema)
    if "enum" in schema and kind in ("string", "integer", "number", ""):
        choices = tuple(str(c) for c in schema["enum"] if c is not None)
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
            input_type=STRING_FORMATS.get(fmt, "text"),
            min_length=schema.get("minLength"),
            max_length=max_length,
            pattern=schema.get("pattern", ""),
            initial=_as_text(initial, "string"),
            **common,
        )
    if kind == "array":
        items = deref(schema.get("items") or {}, components)
        item_type = _type_of(items)
        if item_type in ("string", "integer", "number", "boolean") and "enum" not in items:
            return FieldSpec(
                kind="array", item_type=item_type, initial=_as_text(initial, "array"), **common
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
        return FieldSpec(kind="object", children=children, **common)
    return FieldSpec(kind="json", initial=_as_text(initial, "json"), **common)


def body_schema(request_body: dict | None, components: dict | None = None) -> dict | None:
    """The JSON schema of a route's request body, or None when it takes no JSON body."""
    if not isinstance(request_body, dict):
        return None
    content = request_body.get("content") or {}
    for media_type, entry in content.items():
        if "json" in media_type and isinstance(entry, dict):
            return deref(entry.get("schema") or {}, components)
    return None


def form_fields(
    parameters: list | None, request_body: dict | None, components: dict | None = None
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
    schema = body_schema(request_body, components)
    if schema is not None:
        required = bool((request_body or {}).get("required"))
        body = _field(
            "body", "body", schema, required=required, help="", components=components, depth=0
        )
        fields.extend(body.children if body.kind == "object" else (body,))
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
        if str(option) == raw:
            return option
    return raw


_MISSING = object()


def _read(spec: FieldSpec, data, errors: dict[str, str]) -> Any:
    """The typed value of one field, or _MISSING when left empty."""
    if spec.kind == "object":
        value = {}
        for child in spec.children:
            child_value = _read(child, data, errors)
            if child_value is not _MISSING:
                value[child.label] = child_value
        return value if value or spec.required else _MISSING
    if spec.kind == "variant":
        choice = (data.get(f"{spec.name}__variant") or "0").strip()
        index = int(choice) if choice.isdigit() and int(choice) < len(spec.variants) else 0
        return _read(spec.variants[index].fields[0], data, errors)
    if spec.kind == "boolean":
        raw = (data.get(spec.name) or "").strip()
        if not raw:
            # An unticked box says "false" only when the field must be sent.
            return False if spec.required else _MISSING
        try:
            return _read_scalar("boolean", raw)
        except ValueError as exc:
            errors[spec.name] = str(exc)
            return _MISSING
    raw = data.get(spec.name)
    raw = "" if raw is None else str(raw)
    if not raw.strip():
        return _MISSING
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


def form_parse(fields: list[FieldSpec], data) -> tuple[dict, dict[str, str]]:
    """Read submitted form data (anything with `.get`) into typed inputs and errors."""
    inputs: dict[str, Any] = {"parameters": {}, "query": {}, "headers": {}, "body": None}
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
                if not _validator_for(inner.schema, "3.1")(inner.schema).is_valid(value):
                    continue
                values[f"{spec.name}__variant"] = str(index)
                walk(inner, value)
                break
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


def _validator_for(schema: dict, openapi_version: str):
    return OAS30Validator if str(openapi_version).startswith(("3.0", "2")) else OAS31Validator


def _errors_of(
    schema: dict, value: Any, prefix: str, components: dict | None, openapi_version: str
) -> dict[str, str]:
    # Components travel with the schema so local `#/components/...` refs resolve in place.
    root = {**schema, "components": components} if components else schema
    cls = _validator_for(schema, openapi_version)
    validator = cls(copy.deepcopy(root), format_checker=cls.FORMAT_CHECKER)
    errors: dict[str, str] = {}
    try:
        found = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
    except (SchemaError, UndefinedTypeCheck, Unresolvable, TypeError, ValueError, LookupError):
        # A malformed schema (say `type: []`) cannot check anything: the field is refused.
        return {prefix: "The route's schema for this field is not valid"}
    for error in found:
        # An error inside an array item belongs to the array's field.
        path = []
        for part in error.absolute_path:
            if isinstance(part, int):
                break
            path.append(str(part))
        message = error.message
        if error.validator == "required" and isinstance(error.instance, dict):
            missing = [p for p in error.validator_value if p not in error.instance]
            if missing:
                path = [*path, missing[0]]
                message = "This field is required"
        key = ".".join([prefix, *path]) if path else prefix
        errors.setdefault(key, message)
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


def inputs_validate(
    *,
    parameters: list | None,
    request_body: dict | None,
    inputs: dict,
    components: dict | None = None,
    openapi_version: str = "3.1",
) -> dict:
    """Check inputs against the route's schemas; returns the coerced inputs or raises
    FormInputError with per-field errors."""
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
                errors[field_name] = "This field is required"
            bucket.pop(name, None)
            continue
        bucket[name] = _coerce_parameter(schema, bucket[name])
        errors.update(_errors_of(schema, bucket[name], field_name, components, openapi_version))
    schema = body_schema(request_body, components)
    body = clean["body"]
    if schema is not None:
        if body is None:
            if (request_body or {}).get("required"):
                errors["body"] = "A request body is required"
        else:
            errors.update(_errors_of(schema, body, "body", components, openapi_version))
    if errors:
        raise FormInputError(errors)
    return clean
