"""Property tests of the pure cores: the OpenAPI importer, the schema-to-form mapper, the
markdown pipeline and the request-parsing layer take any input and either succeed or refuse
it with their own error, never another exception."""

import contextlib
import copy
import json
import math
import time
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.core.bounded_markdown import RenderLimitError
from apps.core.bounded_markdown import text_check as markdown_check
from apps.core.safe_text import InputError, json_loads
from apps.posts.markdown import render
from apps.routes.schema_form import FormInputError, form_fields, form_parse, inputs_validate
from apps.services.importer import SpecError, import_bytes, parse_spec

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_BYTES = 1024 * 1024
SPECS = Path(__file__).parent / "fixtures" / "specs"

# --- JSON-like data -------------------------------------------------------------------------

keys = st.one_of(
    st.sampled_from(
        [
            "openapi",
            "swagger",
            "info",
            "paths",
            "components",
            "schemas",
            "parameters",
            "requestBody",
            "responses",
            "content",
            "application/json",
            "schema",
            "type",
            "properties",
            "items",
            "$ref",
            "servers",
            "url",
            "get",
            "post",
            "in",
            "name",
            "required",
            "enum",
            "oneOf",
            "anyOf",
            "allOf",
            "x-ouro-output-asset-type",
        ]
    ),
    st.text(max_size=8),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["3.0.3", "3.1.0", "2.0", "#/components/schemas/A", "/x/{id}", "object"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=30,
)


def _fixture_documents() -> list[dict]:
    documents = []
    for path in sorted(SPECS.iterdir()):
        if path.suffix in {".json", ".yaml", ".yml"}:
            documents.append(yaml.safe_load(path.read_text()))
    return documents


FIXTURES = _fixture_documents()


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@st.composite
def mutated_specs(draw):
    document = copy.deepcopy(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return document


def _import(document) -> None:
    data = json.dumps(document).encode()
    with contextlib.suppress(SpecError):
        import_bytes(data, max_bytes=MAX_BYTES)


# --- 1. the importer ------------------------------------------------------------------------


@PROPERTY
@given(json_values)
def test_any_json_document_imports_or_is_a_spec_error(document):
    _import(document)


@PROPERTY
@given(json_values)
def test_any_yaml_document_imports_or_is_a_spec_error(document):
    with contextlib.suppress(SpecError):
        import_bytes(yaml.safe_dump(document).encode(), max_bytes=MAX_BYTES)


@PROPERTY
@given(st.binary(max_size=200))
def test_any_bytes_import_or_are_a_spec_error(data):
    with contextlib.suppress(SpecError):
        import_bytes(data, max_bytes=MAX_BYTES)


@PROPERTY
@given(mutated_specs())
def test_a_mutated_valid_spec_imports_or_is_a_spec_error(document):
    with contextlib.suppress(SpecError):
        parse_spec(document)
    _import(document)


# --- 2. the schema-to-form mapper -----------------------------------------------------------

REF_NAMES = ["A", "B", "Missing"]
TYPES = ["string", "integer", "number", "boolean", "object", "array", "null", "bogus"]
FORMATS = ["email", "date-time", "date", "uri", "binary", "password", ""]


def schemas(depth: int):
    leaf = st.fixed_dictionaries(
        {},
        optional={
            "type": st.one_of(st.sampled_from(TYPES), st.lists(st.sampled_from(TYPES), max_size=3)),
            "format": st.sampled_from(FORMATS),
            "enum": st.lists(scalars, max_size=4),
            "default": scalars,
            "example": json_values,
            "nullable": st.booleans(),
            "minimum": st.integers(-5, 5),
            "maximum": st.integers(-5, 5),
            "title": st.text(max_size=5),
            "description": st.text(max_size=5),
        },
    )
    ref = st.builds(
        lambda name: {"$ref": f"#/components/schemas/{name}"}, st.sampled_from(REF_NAMES)
    )
    if depth == 0:
        return st.one_of(leaf, ref, st.just(True), st.just({}))
    inner = schemas(depth - 1)
    composite = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["object", "array"]),
            "properties": st.dictionaries(st.text(max_size=5), inner, max_size=3),
            "required": st.lists(st.text(max_size=5), max_size=3),
            "items": inner,
            "oneOf": st.lists(inner, max_size=3),
            "anyOf": st.lists(inner, max_size=3),
            "allOf": st.lists(inner, max_size=3),
            "nullable": st.booleans(),
            "additionalProperties": st.one_of(st.booleans(), inner),
        },
    )
    return st.one_of(leaf, ref, composite)


SCHEMA = schemas(3)
components = st.fixed_dictionaries(
    {"schemas": st.fixed_dictionaries({"A": SCHEMA, "B": schemas(1)})}
)
locations = st.sampled_from(["path", "query", "header", "cookie", "body", None])
parameters = st.lists(
    st.fixed_dictionaries(
        {"name": st.text(min_size=1, max_size=5), "in": locations},
        optional={"schema": SCHEMA, "required": st.booleans()},
    ),
    max_size=3,
)
bodies = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "content": st.fixed_dictionaries(
                {"application/json": st.fixed_dictionaries({"schema": SCHEMA})}
            )
        },
        optional={"required": st.booleans()},
    ),
)


@PROPERTY
@given(parameters, bodies, components, st.sampled_from(["3.0", "3.1"]))
@example(  # a malformed schema crashed jsonschema with a TypeError
    [{"name": "0", "in": "path", "schema": {"type": [], "default": False}}],
    None,
    {"schemas": {"A": {}, "B": {}}},
    "3.0",
)
def test_any_schema_builds_a_form_that_parses_its_defaults(params, body, comps, version):
    fields = form_fields(params, body, comps)
    for data in ({}, {f.name: f.initial for f in fields if isinstance(f.initial, str)}):
        inputs, errors = form_parse(fields, data)
        assert isinstance(errors, dict)
        with contextlib.suppress(FormInputError):
            inputs_validate(
                parameters=params,
                request_body=body,
                inputs=inputs,
                components=comps,
                openapi_version=version,
            )


# --- 3. the markdown pipeline ---------------------------------------------------------------

markdownish = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("[]()*_#>`-\n$!|~\\<&:{}\"' 1aZ")), st.characters(codec="utf-8")
    ),
    max_size=400,
)
fences = st.builds(
    lambda prefix, source: f"{prefix}\n```assetComponent\n{source}\n```\n",
    markdownish,
    st.one_of(json_values.map(json.dumps), markdownish),
)


def _render_in_time(text: str) -> None:
    start = time.monotonic()
    with contextlib.suppress(RenderLimitError):
        markdown_check(text)
    try:
        rendered = render(text)
    except RenderLimitError:
        pass
    else:
        assert isinstance(rendered.html, str)
    assert time.monotonic() - start < 2


@PROPERTY
@given(st.one_of(markdownish, fences, st.text(max_size=300)))
def test_any_text_renders_or_is_refused_in_time(text):
    _render_in_time(text)


@PROPERTY
@given(
    st.lists(
        st.sampled_from(["[", "](", ")", "*", "_", "> ", "- ", "`", "<b>", "&#", "$"]), max_size=300
    )
)
def test_markdown_punctuation_runs_render_or_are_refused_in_time(parts):
    _render_in_time("".join(parts))


# --- 4. the request-parsing layer -----------------------------------------------------------


def _clean(value) -> bool:
    if isinstance(value, str):
        return "\x00" not in value and not any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_clean(v) for v in value)
    if isinstance(value, dict):
        return all(_clean(k) and _clean(v) for k, v in value.items())
    return value is None or isinstance(value, bool | int)


json_texts = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.text(max_size=60).map(lambda t: json.dumps(t).encode()),
    st.sampled_from(
        [b'"\\ud800"', b'{"\\u0000": 1}', b"NaN", b"[1e999]", b"[" * 100, b'"\xed\xa0\x80"']
    ),
)


@PROPERTY
@given(json_texts)
def test_any_bytes_parse_to_clean_data_or_are_an_input_error(raw):
    try:
        value = json_loads(raw)
    except InputError:
        return
    assert _clean(value)
    json.dumps(value, allow_nan=False).encode("utf-8")


safe_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=10)
safe_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        safe_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(safe_text, inner, max_size=4)
    ),
    max_leaves=30,
)


@PROPERTY
@given(safe_values, st.booleans())
def test_safe_json_parses_as_json_loads_does(value, ascii_only):
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert json_loads(raw) == json.loads(raw)
    assert json_loads(raw.decode()) == json.loads(raw)
