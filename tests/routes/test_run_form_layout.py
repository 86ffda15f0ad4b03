"""The run form's layout: optional fields folded in a <details>, spec descriptions as safe HTML."""

import re

import pytest

from apps.core.help_markdown import MAX_HELP_CHARS, help_html
from apps.routes.schema_form import FieldSpec, fields_grouped, form_defaults, form_fields
from tests.actions.conftest import json_body


def query(name, schema, required=False, description=""):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


MANY = [
    query("q", {"type": "string"}, required=True),
    query("limit", {"type": "integer", "default": 10, "minimum": 1}),
    query("sort", {"type": "string", "enum": ["asc", "desc"]}),
    query("cursor", {"type": "string"}),
    query("verbose", {"type": "boolean"}),
]


# Grouping: the pure rule ------------------------------------------------------------------


def test_required_fields_lead_and_more_than_three_optional_ones_fold_closed():
    specs = form_fields(MANY, None)
    groups = fields_grouped(specs, form_defaults(specs))
    assert [specs[i].name for i in groups.leading] == ["query.q"]
    assert [specs[i].name for i in groups.optional] == [
        "query.limit",
        "query.sort",
        "query.cursor",
        "query.verbose",
    ]
    assert groups.open is False
    assert groups.filled == 1  # the default of limit is sent: the summary says so


def test_the_fold_counts_the_fields_that_send_a_value():
    specs = form_fields(MANY, None)
    data = {**form_defaults(specs), "query.sort": "asc", "query.verbose": "true"}
    assert fields_grouped(specs, data).filled == 3
    assert fields_grouped(specs, {**data, "query.limit": ""}).filled == 2


def test_a_few_optional_fields_stay_flat_in_their_order():
    specs = form_fields([MANY[1], MANY[0], MANY[2]], None)
    groups = fields_grouped(specs, form_defaults(specs))
    assert groups.leading == (0, 1, 2) and groups.optional == () and groups.open is False


def test_the_fold_opens_for_a_value_changed_from_the_first_one_but_not_for_a_default():
    specs = form_fields(MANY, None)
    first = form_defaults(specs)
    assert first["query.limit"] == "10"  # a default does not open it
    assert fields_grouped(specs, first).open is False
    assert fields_grouped(specs, {**first, "query.cursor": "abc"}).open is True
    assert fields_grouped(specs, {**first, "query.limit": "20"}).open is True
    # A required field's value does not open the optional fields.
    assert fields_grouped(specs, {**first, "query.q": "shoes"}).open is False


def test_the_fold_opens_for_an_error_in_an_optional_field_or_below_it():
    specs = form_fields(MANY, None)
    first = form_defaults(specs)
    assert fields_grouped(specs, first, ["query.limit"]).open is True
    assert fields_grouped(specs, first, ["query.q"]).open is False
    body = form_fields(
        None,
        json_body(
            {
                "type": "object",
                "properties": {
                    name: {"type": "object", "properties": {"x": {"type": "integer"}}}
                    for name in ("a", "b", "c", "d")
                },
            }
        ),
    )
    assert fields_grouped(body, {}).open is False
    assert fields_grouped(body, {}, ["body.c.x"]).open is True
    assert fields_grouped(body, {}, ["body.cx"]).open is False  # not under body.c


def test_nested_object_properties_group_the_same_way():
    body = form_fields(
        None,
        json_body(
            {
                "type": "object",
                "required": ["options"],
                "properties": {
                    "options": {
                        "type": "object",
                        "required": ["model"],
                        "properties": {
                            "temperature": {"type": "number"},
                            "top_p": {"type": "number"},
                            "model": {"type": "string"},
                            "n": {"type": "integer"},
                            "stop": {"type": "string"},
                        },
                    }
                },
            }
        ),
    )
    options = body[0].children
    groups = fields_grouped(list(options), {})
    assert [options[i].label for i in groups.leading] == ["model"]
    assert [options[i].label for i in groups.optional] == ["temperature", "top_p", "n", "stop"]
    assert fields_grouped(list(options), {"body.options.n": "2"}).open is True


def test_the_threshold_can_be_set():
    specs = [FieldSpec(name=f"query.p{i}", label=f"p{i}", kind="text") for i in range(2)]
    assert fields_grouped(specs, {}, fold_over=1).optional == (0, 1)
    assert fields_grouped(specs, {}, fold_over=2).optional == ()


# Help: markdown rendered, sanitised, bounded ----------------------------------------------


def test_help_renders_markdown_links_code_emphasis_and_lists():
    html = help_html("Use `gpt-4o`, see [the docs](https://example.com/d) — *really*.\n\n- a\n- b")
    assert "<code>gpt-4o</code>" in html and "<em>really</em>" in html
    assert "<li>a</li>" in html
    link = re.search(r"<a [^>]*>the docs</a>", html).group()
    assert 'href="https://example.com/d"' in link
    assert 'rel="nofollow noopener noreferrer"' in link and 'target="_blank"' in link
    assert "<details" not in html  # short: shown as is


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>after",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "<img src=x onerror=alert(1)>",
        '<p onclick="alert(1)" style="position:fixed">styled</p>',
        "<iframe src=https://evil.example></iframe>",
        '[x](data:text/html;base64,PHNjcmlwdD4=) <svg onload="alert(1)">',
    ],
)
def test_help_never_carries_the_specs_raw_html_or_scripts(hostile):
    html = help_html(hostile).lower()
    for bad in ("<script", "javascript:", "<img", "onerror", "onclick", "onload", "style="):
        assert bad not in html
    for bad in ("<iframe", "<svg", "data:text"):
        assert bad not in html
    assert "alert(1)</script>" not in html


def test_links_that_would_lead_into_this_site_or_run_code_stay_text():
    html = help_html("See [tokens](/tokenizer), [top](#top), [j](javascript:alert(1)).")
    assert html == "<p>See tokens, top, j.</p>"


def test_help_of_nothing_is_nothing_and_plain_text_is_escaped():
    assert help_html("") == "" and help_html(None) == ""
    assert "a &lt; b &amp; c" in help_html("a < b & c")


def test_a_long_description_folds_and_a_huge_one_is_cut():
    long = "The model to use. " * 30
    html = help_html(long)
    assert html.startswith('<details class="help-more"><summary>The model to use.')
    assert "…</summary>" in html and html.count("The model to use.") > 30
    huge = help_html("word " * 5000)
    assert len(huge) < MAX_HELP_CHARS * 2 + 500
    assert "word …</p>" in huge


def test_a_description_beyond_the_renderers_bounds_is_shown_as_escaped_text():
    nested = "[" * 50 + "x" + "]" * 50 + " <b>bold</b>"
    html = help_html(nested)
    assert "<b>" not in html and "&lt;b&gt;" in html


# The page ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_folds_many_optional_fields_and_renders_help_safely(client, make_route, alice):
    parameters = [
        *MANY,
        query(
            "mode",
            {"type": "string"},
            description="See [modes](https://example.com/m) `fast` <img src=x onerror=alert(1)>",
        ),
    ]
    route = make_route("GET", "/search", name="search", parameters=parameters)
    client.force_login(alice)
    html = client.get(f"/routes/alice/{route.slug}").content.decode()
    fold = re.search(r'<details class="optional-fields"( open)?>\s*<summary>(.*?)</summary>', html)
    assert fold and fold.group(1) is None
    assert fold.group(2).startswith("Optional fields (5)")
    assert "1 with a value (sent)" in fold.group(2)
    # the required field comes before the fold, the optional ones inside it, names unchanged
    assert html.index('name="query.q"') < fold.start() < html.index('name="query.limit"')
    assert 'id="f-query-cursor" name="query.cursor"' in html
    # help and the docs table: rendered, safe
    assert (
        '<a href="https://example.com/m" target="_blank" rel="nofollow noopener noreferrer">'
        in html
    )
    assert "<code>fast</code>" in html
    assert "onerror" not in html
    # the input is described by its help, which a screen reader reads with it
    assert re.search(
        r'<input [^>]*id="f-query-mode"[^>]*aria-describedby="f-query-mode-help"', html
    )
    assert '<div class="help" id="f-query-mode-help">' in html


@pytest.mark.django_db
def test_an_error_in_an_optional_field_leaves_the_fold_open(client, make_route, alice):
    route = make_route("GET", "/search", name="search", parameters=MANY)
    client.force_login(alice)
    response = client.post(
        f"/routes/alice/{route.slug}/run", {"query.q": "shoes", "query.limit": "0"}
    )
    html = response.content.decode()
    assert '<details class="optional-fields" open>' in html
    assert 'id="f-query-limit-error"' in html and "At least 1" in html
    # without the error, and nothing changed, it folds again
    html = client.get(f"/routes/alice/{route.slug}").content.decode()
    assert '<details class="optional-fields">' in html


@pytest.mark.django_db
def test_an_error_in_a_nested_objects_optional_field_opens_its_fold(client, make_route, alice):
    options = {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string"},
            "c": {"type": "string"},
            "n": {"type": "integer", "minimum": 1},
        },
    }
    route = make_route(
        "POST",
        "/echo",
        name="nested",
        request_body=json_body(
            {"type": "object", "required": ["options"], "properties": {"options": options}}
        ),
    )
    client.force_login(alice)
    url = f"/routes/alice/{route.slug}"
    fold = r'<fieldset id="f-body-options">.*?<details class="optional-fields"( open)?>'
    shown = re.search(fold, client.get(url).content.decode(), re.S)
    assert shown and shown.group(1) is None
    html = client.post(f"{url}/run", {"body.options.n": "0"}).content.decode()
    shown = re.search(fold, html, re.S)
    assert shown and shown.group(1) == " open"
    assert 'id="f-body-options-n-error"' in html
