"""The pure schema-to-form mapper: fields from schemas, typed values and per-field errors."""

import pytest

from apps.routes.schema_form import (
    FormInputError,
    form_fields,
    form_initial,
    form_parse,
    inputs_validate,
)

BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["values", "email"],
                "properties": {
                    "title": {"type": "string", "default": "My chart", "description": "Shown"},
                    "values": {"type": "array", "items": {"type": "number"}, "example": [3, 1]},
                    "color": {"type": "string", "enum": ["indigo", "teal"]},
                    "email": {"type": "string", "format": "email"},
                    "when": {"type": "string", "format": "date-time"},
                    "count": {"type": "integer", "minimum": 1, "maximum": 5},
                    "smooth": {"type": "boolean"},
                    "options": {
                        "type": "object",
                        "properties": {"width": {"type": "integer"}, "label": {"type": "string"}},
                    },
                    "shape": {
                        "oneOf": [
                            {"title": "circle", "type": "number"},
                            {
                                "title": "box",
                                "type": "object",
                                "properties": {"w": {"type": "number"}, "h": {"type": "number"}},
                            },
                        ]
                    },
                    "extra": {"type": "array", "items": {"type": "object"}},
                    "ref": {"$ref": "#/components/schemas/Level"},
                },
            }
        }
    },
}
PARAMS = [
    {"name": "item_id", "in": "path", "schema": {"type": "string"}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10}},
    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
    {"name": "session", "in": "cookie", "schema": {"type": "string"}},
]
COMPONENTS = {"schemas": {"Level": {"type": "string", "enum": ["low", "high"]}}}


def fields_by_name():
    return {f.name: f for f in form_fields(PARAMS, BODY, COMPONENTS)}


def test_each_schema_becomes_the_right_widget():
    fields = fields_by_name()
    assert fields["path.item_id"].required
    assert fields["query.limit"].kind == "integer" and fields["query.limit"].initial == "10"
    assert fields["header.X-Trace"].kind == "text"
    assert "cookie.session" not in fields
    assert fields["body.title"].initial == "My chart" and fields["body.title"].help == "Shown"
    assert fields["body.values"].kind == "array" and fields["body.values"].initial == "3\n1"
    assert fields["body.values"].required
    assert fields["body.color"].kind == "select" and fields["body.color"].choices == (
        "indigo",
        "teal",
    )
    assert fields["body.email"].input_type == "email"
    assert fields["body.when"].input_type == "datetime-local"
    count = fields["body.count"]
    assert (count.kind, count.minimum, count.maximum, count.step) == ("integer", 1, 5, "1")
    assert fields["body.smooth"].kind == "boolean"
    assert [c.name for c in fields["body.options"].children] == [
        "body.options.width",
        "body.options.label",
    ]
    shape = fields["body.shape"]
    assert shape.kind == "variant"
    assert [v.label for v in shape.variants] == ["circle", "box"]
    assert fields["body.extra"].kind == "json"
    assert fields["body.ref"].kind == "select" and fields["body.ref"].choices == ("low", "high")


def test_a_non_object_body_is_one_json_field():
    body = {"content": {"application/json": {"schema": {"type": "array"}}}}
    (field,) = form_fields([], body)
    assert (field.name, field.kind) == ("body", "json")


def test_submitted_text_becomes_typed_inputs():
    data = {
        "path.item_id": "7",
        "query.limit": "3",
        "header.X-Trace": "abc",
        "body.title": "T",
        "body.values": "1\n2.5\n",
        "body.color": "teal",
        "body.email": "a@example.org",
        "body.count": "2",
        "body.smooth": "true",
        "body.options.width": "40",
        "body.shape__variant": "1",
        "body.shape__v1.w": "2",
        "body.extra": '[{"a": 1}]',
    }
    inputs, errors = form_parse(list(fields_by_name().values()), data)
    assert errors == {}
    assert inputs["parameters"] == {"item_id": "7"}
    assert inputs["query"] == {"limit": 3}
    assert inputs["headers"] == {"X-Trace": "abc"}
    assert inputs["body"] == {
        "title": "T",
        "values": [1, 2.5],
        "color": "teal",
        "email": "a@example.org",
        "count": 2,
        "smooth": True,
        "options": {"width": 40},
        "shape": {"w": 2},
        "extra": [{"a": 1}],
    }


def test_unreadable_text_gives_errors_by_field():
    data = {"query.limit": "ten", "body.values": "1\nx", "body.extra": "[oops"}
    _, errors = form_parse(list(fields_by_name().values()), data)
    assert errors["query.limit"] == "Enter a whole number"
    assert errors["body.values"] == "Enter a number"
    assert errors["body.extra"].startswith("Enter valid JSON")


def test_inputs_are_validated_against_the_schemas_field_by_field():
    with pytest.raises(FormInputError) as caught:
        inputs_validate(
            parameters=PARAMS,
            request_body=BODY,
            components=COMPONENTS,
            inputs={
                "query": {"limit": "many"},
                "body": {"values": [1, "x"], "count": 9, "email": "nope", "ref": "mid"},
            },
        )
    errors = caught.value.errors
    assert errors == {
        "path.item_id": "Required",
        "query.limit": "Enter a whole number",
        "body.values.1": "Enter a number",
        "body.count": "At most 5",
        "body.email": "Enter an email address",
        "body.ref": "Choose one of: low, high",
    }


def test_a_missing_required_body_property_is_reported_on_its_field():
    with pytest.raises(FormInputError) as caught:
        inputs_validate(
            parameters=[], request_body=BODY, inputs={"body": {"values": [1]}}, components=None
        )
    assert caught.value.errors == {"body.email": "Required"}


def test_parameters_sent_as_text_are_read_as_their_declared_type():
    clean = inputs_validate(
        parameters=PARAMS,
        request_body=None,
        inputs={"parameters": {"item_id": 5}, "query": {"limit": "4"}},
    )
    assert clean["parameters"] == {"item_id": "5"}
    assert clean["query"] == {"limit": 4}


def test_openapi_30_nullable_is_honoured():
    body = {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"note": {"type": "string", "nullable": True}},
                }
            }
        }
    }
    inputs_validate(
        parameters=[], request_body=body, inputs={"body": {"note": None}}, openapi_version="3.0.3"
    )
    with pytest.raises(FormInputError):
        inputs_validate(
            parameters=[], request_body=body, inputs={"body": {"note": 3}}, openapi_version="3.0.3"
        )


def test_earlier_inputs_refill_the_form():
    fields = list(fields_by_name().values())
    inputs = {
        "parameters": {"item_id": "7"},
        "query": {"limit": 3},
        "body": {"values": [1, 2], "smooth": True, "options": {"width": 4}, "shape": {"w": 1}},
    }
    values = form_initial(fields, inputs)
    assert values["path.item_id"] == "7"
    assert values["query.limit"] == "3"
    assert values["body.values"] == "1\n2"
    assert values["body.smooth"] == "true"
    assert values["body.options.width"] == "4"
    assert values["body.shape__variant"] == "1"
    assert values["body.shape__v1.w"] == "1"
    parsed, errors = form_parse(fields, values)
    assert errors == {}
    assert parsed["body"] == inputs["body"]


def test_refs_that_loop_do_not_hang():
    components = {"schemas": {"Node": {"$ref": "#/components/schemas/Node"}}}
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}
    (field,) = form_fields([], body, components)
    assert field.kind == "json"
