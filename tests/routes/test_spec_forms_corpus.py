"""Every operation of every public spec in the corpus as a person meets it: its route page
answers a signed-in reader, shows a field for every part of every declared body (a file input
for every binary part), and the form submitted with the spec's examples and defaults (and a
plausible value in each required field that has neither) passes validation and reaches a
loopback upstream in the declared media type, which reads back the same fields and file bytes.

Skipped when the corpus folder is absent (see tests/spec_files.py)."""

import hashlib
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from apps.accounts.services import personal_org
from apps.actions.models import Action, Status
from apps.assets.filetypes import declared_types
from apps.assets.services import Owner, dataset_create
from apps.routes.models import ExecutionMode, Route
from apps.routes.schema_form import (
    FieldSpec,
    body_media_types,
    form_defaults,
    form_fields,
    list_count,
    list_items,
    operation_form_report,
)
from apps.routes.selectors import route_spec_context
from apps.routes.services import service_import_openapi
from apps.services.importer import import_bytes
from apps.services.request_body import media_kind
from tests.routes.body_upstream import BodyUpstream
from tests.spec_files import spec_corpus_dir

SPECS = spec_corpus_dir()
if not SPECS.is_dir():
    pytest.skip(f"no public spec corpus at {SPECS}", allow_module_level=True)
pytestmark = pytest.mark.django_db
SPEC_FILES = sorted(p.name for p in SPECS.iterdir() if p.suffix in (".json", ".yaml"))
FILE_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
FORMAT_SAMPLES = {
    "email": "ada@example.org",
    "uri": "https://example.org/a",
    "url": "https://example.org/a",
    "date": "2024-01-31",
    "date-time": "2024-01-31T10:00",
    "time": "10:00:00",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "hostname": "example.org",
    "byte": "aGVsbG8=",
}


# The declared dataset input of these operations is checked with the platform's injected
# dataset payload ({id, name, data}), which lacks the `metadata` the spec requires: a gap of
# input-asset injection, not of the form (the form's own fields all pass).
KNOWN_INJECTION_GAPS: set[tuple[str, str]] = set()


@pytest.fixture
def upstream():
    server = BodyUpstream()
    yield server
    server.close()


def _sample_of(tree, low: int) -> str:
    """The shortest text a parsed regular expression matches (sre's parse tree)."""
    out = []
    for op, arg in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_class_sample(arg))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            least, _, inner = arg
            out.append(_sample_of(inner, 0) * max(least, 0))
        elif name == "SUBPATTERN":
            out.append(_sample_of(arg[-1], 0))
        elif name == "BRANCH":
            out.append(_sample_of(arg[1][0], 0))
        elif name == "CATEGORY":
            out.append(_class_sample([(op, arg)]))
    return "".join(out)


def _class_sample(items) -> str:
    negated = any(str(op) == "NEGATE" for op, _ in items)
    for op, arg in items:
        name = str(op)
        if negated:
            return "a" if all(str(o) != "LITERAL" or chr(a) != "a" for o, a in items) else "b"
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY":
            return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    return "a"


def _matching(pattern: str, low: int, high: int | None) -> str | None:
    """A short text matching a pattern within the lengths, or None."""
    try:
        text = _sample_of(re._parser.parse(pattern), low)
    except (re.error, TypeError, ValueError, AttributeError):
        return None
    if len(text) < low:
        text += "a" * (low - len(text))
    if high is not None and len(text) > high:
        return None
    return text if re.search(pattern, text) else None


def sample(spec: FieldSpec) -> str | None:
    """A plausible value, as the form's text, for a required field the spec gives none."""
    schema = spec.schema
    if spec.kind == "select":
        return spec.choices[0] if spec.choices else None
    if spec.kind == "boolean":
        return "true"
    if spec.kind in ("integer", "number"):
        value = 1
        if spec.minimum is not None:
            value = spec.minimum + (1 if "exclusiveMinimum" in schema else 0)
        elif spec.maximum is not None and spec.maximum < 1:
            value = spec.maximum - (1 if "exclusiveMaximum" in schema else 0)
        if isinstance(schema.get("multipleOf"), int | float):
            value = schema["multipleOf"]
        return str(int(value) if spec.kind == "integer" else value)
    if spec.kind == "array":
        item = {"integer": "1", "number": "1", "boolean": "true"}.get(spec.item_type, "x")
        count = max(schema.get("minItems") or 1, 1)
        if spec.item_type == "string" and schema.get("uniqueItems"):
            return "\n".join(f"x{i}" for i in range(count))
        return "\n".join([item] * count)
    if spec.kind == "json":
        kind = schema.get("type")
        return "[]" if kind == "array" else "{}" if kind in (None, "object") else '"x"'
    fmt = schema.get("format")
    low, high = spec.min_length or 1, spec.max_length
    if spec.pattern:
        return _matching(spec.pattern, low, high)
    if fmt in FORMAT_SAMPLES:
        return FORMAT_SAMPLES[fmt]
    return "x" * low


def walk(spec: FieldSpec, values: dict):
    """The fields shown as the form is first rendered (chosen variants, current list items)."""
    yield spec
    if spec.kind == "object":
        for child in spec.children:
            yield from walk(child, values)
    elif spec.kind == "variant":
        raw = values.get(f"{spec.name}__variant")
        index = int(raw) if raw and raw.isdigit() else (0 if spec.required else None)
        if index is not None:
            yield from walk(spec.variants[index].fields[0], values)
    elif spec.kind == "list":
        for item in list_items(spec, list_count(spec, values)):
            yield from walk(item, values)


def filled(fields: list[FieldSpec]) -> tuple[dict, dict]:
    """The form's first values with every required empty field given one, and a file uploaded
    into every file field: (data, uploads by field name)."""
    values = form_defaults(fields)
    uploads = {}

    def fill(spec: FieldSpec, required_chain: bool) -> None:
        needed = required_chain and spec.required
        if spec.kind == "file":
            uploads[spec.name] = f"{spec.name.replace('.', '_')}.png"
        elif spec.kind in ("object",):
            for child in spec.children:
                fill(child, needed)
        elif spec.kind == "variant":
            if needed:
                values.setdefault(f"{spec.name}__variant", "0")
                fill(spec.variants[int(values[f"{spec.name}__variant"])].fields[0], True)
        elif spec.kind == "list":
            for item in list_items(spec, list_count(spec, values)):
                fill(item, needed)
        elif needed and not values.get(spec.name) and not spec.nullable:
            value = sample(spec)
            if value is not None:
                values[spec.name] = value

    for spec in fields:
        fill(spec, True)
    return values, uploads


def shown_names(spec: FieldSpec, values: dict) -> list[str]:
    names = []
    for field in walk(spec, values):
        if field.kind == "file":
            names.append(f"{field.name}__upload")
        elif field.kind == "variant":
            names.append(f"{field.name}__variant")
        elif field.kind == "list":
            names.append(f"{field.name}__count")
        elif field.kind != "object":
            names.append(field.name)
    return names


def check_wire(seen: dict, media: str, action: Action) -> str | None:
    """What is wrong with what the upstream read, or None."""
    sent = action.request or {}
    body = sent.get("body")
    kind = media_kind(media)
    base = media.split(";")[0].strip().lower()
    if seen["content_type"] != (base if kind != "file" or "*" not in base else "image/png"):
        return f"arrived as {seen['content_type']!r}"
    if kind == "json" and seen.get("json") != ({} if body is None else body):
        return f"JSON differs: {seen.get('json')!r} != {body!r}"
    if kind == "text" and (seen.get("text") or "") != (body or ""):
        return "text differs"
    if kind == "file" and seen["sha256"] != hashlib.sha256(FILE_BYTES).hexdigest():
        return "file bytes differ"
    if kind == "form":
        missing = [
            k for k, v in (body or {}).items() if not isinstance(v, dict) and k not in seen["form"]
        ]
        if missing:
            return f"form fields missing: {missing}"
    if kind == "multipart":
        names = [p["name"] for p in seen["parts"]]
        expected = [k for k, v in (body or {}).items() if v is not None and v != []]
        if sorted(set(names)) != sorted(expected):
            return f"parts {names} != fields {expected}"
        for part in seen["parts"]:
            if part["filename"] and part["sha256"] != hashlib.sha256(FILE_BYTES).hexdigest():
                return f"file part {part['name']} bytes differ"
            value = body[part["name"]]
            files = value if isinstance(value, list) else [value]
            if part["filename"] and not any(
                isinstance(f, dict) and f.get("filename") == part["filename"] for f in files
            ):
                return f"file part {part['name']} is named {part['filename']!r}"
    return None


def input_assets(route: Route, user) -> dict:
    """A value for each declared input asset: an uploaded file, or a dataset of the user's."""
    data = {}
    for name, declared in (route.input_assets or {}).items():
        types = declared_types(declared or {})
        if "file" in types:
            data[f"upload.{name}"] = SimpleUploadedFile(f"{name}.png", FILE_BYTES, "image/png")
        elif "dataset" in types:
            org = personal_org()
            dataset, *_ = dataset_create(
                owner=Owner(user=user, org=org, team=org.default_team),
                name=f"rows for {name}",
                rows=[{"ds": "2024-01-01", "y": 1.0}, {"ds": "2024-01-02", "y": 2.0}],
            )
            data[f"input_assets.{name}"] = str(dataset.pk)
    return data


@pytest.mark.parametrize("name", SPEC_FILES)
def test_every_operation_has_a_page_and_a_form_that_reaches_the_upstream(
    name, client, alice, bob, upstream, django_capture_on_commit_callbacks
):
    service, _ = service_import_openapi(
        owner=alice,
        org=personal_org(),
        name=name[:60],
        base_url=upstream.url,
        visibility="public",
        source=import_bytes((SPECS / name).read_bytes(), max_bytes=64 * 1024 * 1024),
    )
    client.force_login(bob)  # a signed-in reader of a public service
    problems: list[str] = []
    runs = skipped = 0
    for route in Route.objects.filter(service=service).select_related("service"):
        label = f"{route.method} {route.path}"
        if (name, label) in KNOWN_INJECTION_GAPS:
            skipped += 1
            continue
        components, _ = route_spec_context(route)
        report = operation_form_report(route.parameters, route.request_body, components)
        # A body whose schema no value can pass (required keys it forbids) is reported so.
        unsendable = {what for what, why in report.not_offered if "no body can pass" in why}
        for media in body_media_types(route.request_body) or [None]:
            fields = form_fields(route.parameters, route.request_body, components, media)
            url = route.get_absolute_url()
            response = client.get(url, {"media": media} if media else {})
            if response.status_code != 200:
                problems.append(f"{label}: page answered {response.status_code}")
                continue
            html = response.content.decode()
            values, uploads = filled(fields)
            for spec in fields:
                for shown in shown_names(spec, form_defaults(fields)):
                    if f'name="{escape(shown)}"' not in html:
                        problems.append(f"{label} [{media}]: no input named {shown}")
                if spec.kind == "file" and 'type="file"' not in html:
                    problems.append(f"{label} [{media}]: no file input")
            data = {**values}
            if media:
                data["body__media"] = media
            for field_name, file_name in uploads.items():
                data[f"{field_name}__upload"] = SimpleUploadedFile(
                    file_name, FILE_BYTES, content_type="image/png"
                )
            data.update(input_assets(route, bob))
            before = Action.objects.count()
            with django_capture_on_commit_callbacks(execute=True):
                answer = client.post(f"{url}/run", data)
            if Action.objects.count() == before and f"body as {media}" in unsendable:
                skipped += 1
                continue
            if Action.objects.count() == before:
                errors = re.findall(
                    r'class="field-error"[^>]*>(.*?)</div>', answer.content.decode()
                )
                problems.append(f"{label} [{media}]: not run: {errors[:4]}")
                continue
            action = Action.objects.latest("created_at")
            runs += 1
            waits = route.execution_mode == ExecutionMode.ASYNC  # the result comes by callback
            if action.status != (Status.IN_PROGRESS if waits else Status.SUCCESS):
                problems.append(f"{label} [{media}]: {action.status}: {action.error_message}")
                continue
            if media:
                trouble = check_wire(upstream.for_action(action.pk), media, action)
                if trouble:
                    problems.append(f"{label} [{media}]: {trouble}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
    assert runs + skipped >= Route.objects.filter(service=service).count()
    json.dumps(problems)
