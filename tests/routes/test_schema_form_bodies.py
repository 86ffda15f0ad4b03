"""The form builder for every body media type, readable choices, lists, nullable fields and
every error at once (pure: schemas in, fields, inputs and errors out)."""

import pytest

from apps.routes.schema_form import (
    FormInputError,
    body_media_types,
    form_defaults,
    form_fields,
    form_initial,
    form_parse,
    inputs_validate,
    list_items,
    operation_form_report,
)

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
OBJECT = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
}
IMAGE_EDIT = {
    "type": "object",
    "required": ["image", "prompt"],
    "properties": {
        "image": {"type": "string", "format": "binary"},
        "mask": {"type": "string", "format": "binary"},
        "prompt": {"type": "string", "example": "A cat"},
        "n": {"type": "integer", "default": 1, "minimum": 1, "maximum": 10},
        "extra": {"type": "array", "items": {"type": "string", "format": "binary"}},
    },
}


def by_name(fields):
    return {f.name: f for f in fields}


def validate(body, inputs, parameters=None, components=None, version="3.1"):
    return inputs_validate(
        parameters=parameters or [],
        request_body=body,
        inputs=inputs,
        components=components,
        openapi_version=version,
    )


def test_media_types_are_offered_json_first_and_each_builds_its_fields():
    body = {
        "content": {
            "application/xml": {"schema": OBJECT},
            FORM: {"schema": OBJECT},
            "application/json": {"schema": OBJECT},
        }
    }
    assert body_media_types(body) == ["application/json", FORM, "application/xml"]
    assert [f.name for f in form_fields([], body)] == ["body.name", "body.url"]
    assert [f.name for f in form_fields([], body, media_type=FORM)] == ["body.name", "body.url"]
    (text,) = form_fields([], body, media_type="application/xml")
    assert (text.name, text.kind) == ("body", "textarea")


def test_a_form_encoded_body_renders_as_fields_and_is_checked():
    body = {"required": True, "content": {FORM: {"schema": OBJECT}}}
    fields = form_fields([], body)
    inputs, errors = form_parse(fields, {"body.name": "parrot"}, FORM)
    assert errors == {}
    assert inputs["body"] == {"name": "parrot"} and inputs["content_type"] == FORM
    assert validate(body, inputs)["content_type"] == FORM


def test_multipart_binary_parts_are_file_fields_and_files_are_references():
    body = {"required": True, "content": {MULTIPART: {"schema": IMAGE_EDIT}}}
    fields = by_name(form_fields([], body))
    assert fields["body.image"].kind == "file" and fields["body.image"].required
    assert fields["body.extra"].kind == "file" and fields["body.extra"].multiple
    data = {"body.image": "11", "body.prompt": "A cat", "body.extra": ["12", "13"]}
    inputs, errors = form_parse(list(fields.values()), data, MULTIPART)
    assert errors == {}
    assert inputs["body"]["image"] == {"assetId": "11"}
    assert inputs["body"]["extra"] == [{"assetId": "12"}, {"assetId": "13"}]
    validate(body, inputs)
    with pytest.raises(FormInputError) as caught:
        validate(body, {"content_type": MULTIPART, "body": {"prompt": "x", "n": 0}})
    assert caught.value.errors == {"body.image": "Required", "body.n": "At least 1"}


def test_swagger_formdata_files_map_to_the_same_fields():
    from apps.services.openapi.swagger import _form_body

    body = _form_body(
        [
            {"name": "file", "in": "formData", "type": "file", "required": True},
            {"name": "note", "in": "formData", "type": "string"},
        ],
        [],
    )
    fields = by_name(form_fields([], body))
    assert list(body["content"]) == [MULTIPART]
    assert fields["body.file"].kind == "file" and fields["body.note"].kind == "text"


def test_swagger_formdata_arrays_keep_their_collection_format():
    from apps.services.openapi.swagger import _form_body
    from apps.services.request_body import body_encode, form_urlencode

    body = _form_body(
        [
            {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}},
            {"name": "ids", "in": "formData", "type": "array", "collectionFormat": "multi"},
            {"name": "codes", "in": "formData", "type": "array", "collectionFormat": "pipes"},
        ],
        [],
    )
    encoding = body["content"][FORM]["encoding"]
    values = {"tags": ["a", "b"], "ids": [1, 2], "codes": ["x", "y"]}
    assert form_urlencode(values, encoding) == "tags=a%2Cb&ids=1&ids=2&codes=x%7Cy"
    encoded = body_encode(media_type=MULTIPART, body=values, encoding=encoding)
    assert b'name="tags"\r\n\r\na,b\r\n' in encoded.content


def test_single_file_and_text_bodies():
    file_body = {"required": True, "content": {"application/octet-stream": {"schema": {}}}}
    (field,) = form_fields([], file_body)
    assert (field.name, field.kind) == ("body", "file")
    inputs, _ = form_parse([field], {"body": "42"}, "application/octet-stream")
    assert inputs["body"] == {"assetId": "42"}
    validate(file_body, inputs)
    with pytest.raises(FormInputError) as caught:
        validate(file_body, {"body": "just text"})
    assert caught.value.errors == {"body": "Choose a file or upload one"}
    text_body = {"content": {"text/plain": {"schema": {"type": "string", "maxLength": 3}}}}
    with pytest.raises(FormInputError) as caught:
        validate(text_body, {"body": "four"})
    assert caught.value.errors == {"body": "At most 3 characters"}


def test_a_media_type_the_route_does_not_declare_is_refused():
    body = {"content": {"application/json": {"schema": OBJECT}}}
    with pytest.raises(FormInputError) as caught:
        validate(body, {"content_type": "text/csv", "body": {"name": "x"}})
    assert "application/json" in caught.value.errors["content_type"]


CHOICE = {
    "type": "object",
    "properties": {
        "response_format": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"type": "string", "enum": ["text"]}},
                },
                {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"type": "string", "const": "json_object"}},
                },
                {"title": "Schema", "type": "object", "properties": {"s": {"type": "object"}}},
                {"type": "object", "required": ["a", "b"], "properties": {"a": {}, "b": {}}},
            ]
        },
        "pet": {
            "oneOf": [
                {"$ref": "#/components/schemas/Cat"},
                {"$ref": "#/components/schemas/Dog"},
            ],
            "discriminator": {
                "propertyName": "kind",
                "mapping": {"cat": "#/components/schemas/Cat"},
            },
        },
        "model": {"type": "string", "default": "gpt"},
    },
}
PETS = {
    "schemas": {
        "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}},
        "Dog": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["dog"]}}},
    }
}


def test_choices_are_labelled_and_an_untouched_optional_choice_is_not_sent():
    body = {"content": {"application/json": {"schema": CHOICE}}}
    fields = by_name(form_fields([], body, PETS))
    labels = [v.label for v in fields["body.response_format"].variants]
    assert labels == ["text", "json_object", "Schema", "with a, b"]
    assert [v.label for v in fields["body.pet"].variants] == ["cat", "dog"]
    # The form as first shown, submitted as is: the optional choices are left out.
    data = form_defaults(list(fields.values()))
    inputs, errors = form_parse(list(fields.values()), data)
    assert errors == {} and inputs["body"] == {"model": "gpt"}
    validate(body, inputs, components=PETS)
    chosen = {**data, "body.response_format__variant": "1"}
    chosen["body.response_format__v1.type"] = "json_object"
    inputs, _ = form_parse(list(fields.values()), chosen)
    assert inputs["body"]["response_format"] == {"type": "json_object"}


def test_an_untouched_optional_object_is_not_sent_even_with_prefilled_defaults():
    schema = {
        "type": "object",
        "properties": {
            "options": {
                "type": "object",
                "required": ["size"],
                "properties": {"size": {"type": "integer", "default": 3}},
            }
        },
    }
    fields = form_fields([], {"content": {"application/json": {"schema": schema}}})
    assert form_parse(fields, form_defaults(fields))[0]["body"] == {}
    assert form_parse(fields, {"body.options.size": "4"})[0]["body"] == {"options": {"size": 4}}


def test_arrays_of_objects_are_repeatable_fieldsets():
    schema = {
        "type": "object",
        "required": ["messages"],
        "properties": {
            "messages": {
                "type": "array",
                "example": [{"role": "user", "content": "hi"}],
                "items": {
                    "type": "object",
                    "required": ["role"],
                    "properties": {
                        "role": {"type": "string", "enum": ["user", "system"]},
                        "content": {"type": "string"},
                    },
                },
            }
        },
    }
    body = {"content": {"application/json": {"schema": schema}}}
    (messages,) = form_fields([], body)
    assert messages.kind == "list" and messages.initial_count == 1
    first = list_items(messages, 1)[0]
    assert [c.name for c in first.children] == ["body.messages.0.role", "body.messages.0.content"]
    defaults = form_defaults([messages])
    assert defaults["body.messages.0.role"] == "user"
    data = {
        "body.messages__count": "2",
        "body.messages.0.role": "system",
        "body.messages.1.content": "no role",
    }
    inputs, errors = form_parse([messages], data)
    assert inputs["body"]["messages"] == [{"role": "system"}, {"content": "no role"}]
    with pytest.raises(FormInputError) as caught:
        validate(body, inputs)
    assert caught.value.errors == {"body.messages.1.role": "Required"}
    assert form_initial([messages], inputs)["body.messages__count"] == "2"


@pytest.mark.parametrize(
    ("schema", "version"),
    [
        ({"type": ["integer", "null"]}, "3.1"),
        ({"type": "integer", "nullable": True}, "3.0.3"),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Seed"}, "3.1"),
    ],
)
def test_nullable_fields_render_as_their_type_and_may_be_left_empty(schema, version):
    body = {
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["seed"], "properties": {"seed": schema}}
            }
        }
    }
    (seed,) = form_fields([], body)
    assert seed.kind == "integer" and seed.nullable
    inputs, errors = form_parse([seed], {"body.seed": ""})
    assert errors == {} and inputs["body"] == {"seed": None}
    validate(body, inputs, version=version)
    assert form_parse([seed], {"body.seed": "7"})[0]["body"] == {"seed": 7}


def test_every_error_is_reported_at_once_in_words_by_path():
    schema = {
        "type": "object",
        "required": ["a", "b", "c"],
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "string"},
            "c": {"type": "string"},
            "tags": {"type": "array", "maxItems": 2, "items": {"type": "string"}},
            "nested": {
                "type": "object",
                "properties": {"when": {"type": "string", "format": "date"}},
            },
        },
    }
    body = {"content": {"application/json": {"schema": schema}}}
    params = [{"name": "id", "in": "path", "schema": {"type": "integer", "minimum": 1}}]
    with pytest.raises(FormInputError) as caught:
        validate(
            body,
            {
                "parameters": {"id": "0"},
                "body": {"a": "one", "tags": ["x", "y", "z"], "nested": {"when": "soon"}},
            },
            parameters=params,
        )
    assert caught.value.errors == {
        "path.id": "At least 1",
        "body.a": "Enter a whole number",
        "body.b": "Required",
        "body.c": "Required",
        "body.tags": "At most 2 items",
        "body.nested.when": "Enter a date (YYYY-MM-DD)",
    }


def test_the_report_says_what_renders_what_is_json_text_and_what_is_not_offered():
    body = {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}, "free": {"type": "object"}},
                }
            },
            MULTIPART: {"schema": IMAGE_EDIT},
            "multipart/mixed": {"schema": {}},
        }
    }
    params = [
        {"name": "s", "in": "cookie", "schema": {"type": "string"}},
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    ]
    report = operation_form_report(params, body)
    assert report.media_types == ("application/json", MULTIPART)
    assert report.fields == (
        "query.q",
        "body.a",
        "body.image",
        "body.mask",
        "body.prompt",
        "body.n",
        "body.extra",
    )
    assert report.json_text == (("body.free", "it is a map with no declared properties"),)
    assert ("cookie.s", "cookie parameters are not sent by the platform") in report.not_offered
    assert ("body as multipart/mixed", "this media type cannot be sent") in report.not_offered
    assert not report.fully_representable


def test_a_nullable_choice_that_refers_to_itself_ends():
    components = {
        "schemas": {"A": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"type": "null"}]}}
    }
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}
    (field,) = form_fields([], body, components)
    inputs, _ = form_parse([field], {})
    with pytest.raises(FormInputError):
        validate(body, {"body": 3}, components=components)
