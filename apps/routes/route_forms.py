"""The forms of a service's pages that build routes: a route added or edited by hand."""

import json

from django import forms

from apps.assets.models import Visibility
from apps.core.safe_text import InputError, value_check
from apps.routes.models import ExecutionMode
from apps.routes.pricing import pricing_normalized, stored_unit_cost
from apps.services.importer import HTTP_METHODS

# As deep as an imported spec's schemas may nest (apps.services.openapi.loading).
JSON_MAX_DEPTH = 256


class JsonField(forms.CharField):
    """A JSON value typed into a textarea."""

    def __init__(self, *, kind: type, **kwargs):
        self.kind = kind
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value, indent=2)
        return value

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return self.kind()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc.msg} (line {exc.lineno})") from None
        except RecursionError:
            raise forms.ValidationError("Nested too deeply") from None
        try:
            value_check(parsed, max_depth=JSON_MAX_DEPTH, whole="The JSON")
        except InputError as exc:
            raise forms.ValidationError(exc.message) from None
        if not isinstance(parsed, self.kind):
            raise forms.ValidationError(f"Expected a JSON {self.kind.__name__}")
        return parsed


class RouteForm(forms.Form):
    method = forms.ChoiceField(choices=[(m.upper(), m.upper()) for m in HTTP_METHODS])
    path = forms.CharField(max_length=1000, help_text="e.g. /items/{item_id}")
    name = forms.CharField(max_length=200)
    summary = forms.CharField(required=False, max_length=500)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    execution_mode = forms.ChoiceField(choices=ExecutionMode.choices)
    visibility = forms.ChoiceField(choices=Visibility.choices, initial=Visibility.INHERIT)
    parameters = JsonField(kind=list, help_text='[{"name", "in", "required", "schema"}]')
    parameters_source = forms.ChoiceField(
        choices=[("rows", "the rows above"), ("json", "this JSON")],
        initial="rows",
        required=False,
        widget=forms.RadioSelect,
        label="Save the parameters from",
    )
    request_body = JsonField(
        kind=dict, help_text='{"required": true, "content": {"application/json": {"schema": …}}}'
    )
    responses = JsonField(kind=dict)
    input_assets = JsonField(kind=dict, help_text='{"structure": {"asset_type": "file"}}')
    output_assets = JsonField(kind=dict)
    # Text, not a DecimalField: the price parser reads it exactly (1e-7 included) and says
    # what is wrong with it.
    price = forms.CharField(
        required=False,
        max_length=40,
        label="Price (USD)",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="Charged only when a run succeeds; empty or 0 for a free route",
    )
    price_unit = forms.ChoiceField(
        required=False,
        choices=[("call", "per run"), ("second", "per second of the run")],
        initial="call",
    )
    max_billable_seconds = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="Per-second prices: the most seconds one run is charged for (and holds)",
    )
    sync_timeout_seconds = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3600,
        label="Wait for a sync answer (seconds)",
        help_text="How long an API caller waits for a sync run before it answers in-progress",
    )
    quiet_window_seconds = forms.IntegerField(
        required=False,
        min_value=10,
        label="Quiet window (seconds)",
        help_text="An async run with no callback, log or progress for this long is timed out",
    )
    hard_timeout_seconds = forms.IntegerField(
        required=False,
        min_value=10,
        label="Hard timeout (seconds)",
        help_text="The longest any run may take, whatever it reports",
    )
    total_timeout_seconds = forms.IntegerField(
        required=False,
        min_value=1,
        label="Total timeout (seconds)",
        help_text="The most one call to the upstream may take, from connecting to the last byte "
        "of its answer; empty for the server's limit (UPSTREAM_TOTAL_TIMEOUT), which a longer "
        "one cannot pass",
    )

    @staticmethod
    def pricing_initial(pricing: dict) -> dict:
        """The price fields for a route's stored pricing."""
        pricing = pricing or {}
        unit_cost = stored_unit_cost(pricing)
        return {
            "price": f"{unit_cost:f}" if unit_cost is not None else None,
            "price_unit": "second" if pricing.get("model") == "per_second" else "call",
            "max_billable_seconds": pricing.get("max_billable_seconds"),
        }

    def clean(self) -> dict:
        data = super().clean()
        price = (data.get("price") or "").strip()
        per_second = data.get("price_unit") == "second"
        declared = {}
        if price:
            declared = {
                "model": "per_second" if per_second else "per_call",
                "unit_cost": price,
                "currency": "usd",
                "max_billable_seconds": data.get("max_billable_seconds") if per_second else None,
            }
        try:
            data["pricing"] = pricing_normalized(declared)
        except ValueError as exc:
            self.add_error("price", str(exc))
        return data

    def route_data(self, rows: "forms.BaseFormSet | None" = None) -> dict:
        """The route's fields; the parameters from `rows` unless the JSON was chosen."""
        data = dict(self.cleaned_data)
        for name in ("price", "price_unit", "max_billable_seconds", "parameters_source"):
            data.pop(name, None)
        for name in ("sync_timeout_seconds", "quiet_window_seconds", "hard_timeout_seconds"):
            if data.get(name) is None:
                data.pop(name, None)
        if rows is not None and self.cleaned_data.get("parameters_source") != "json":
            data["parameters"] = parameters_from_rows(
                [row for row in rows.cleaned_data if row and not row.get("DELETE")]
            )
        return data


# Parameters as rows --------------------------------------------------------------------------

LOCATIONS = [("query", "query"), ("path", "path"), ("header", "header"), ("cookie", "cookie")]
ROW_TYPES = [
    ("string", "text"),
    ("integer", "whole number"),
    ("number", "number"),
    ("boolean", "yes / no"),
    ("array", "list of text"),
    ("", "other (kept as it is)"),
]
ROW_KEYS = ("name", "in", "required", "description")


class ParameterRowForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    location = forms.ChoiceField(choices=LOCATIONS, initial="query", label="In")
    type = forms.ChoiceField(choices=ROW_TYPES, required=False, initial="string")
    required = forms.BooleanField(required=False)
    # A textarea: parameter descriptions are markdown, often of several lines.
    description = forms.CharField(
        required=False, strip=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 1})
    )
    default = forms.CharField(required=False, strip=False, max_length=2000)
    # The rest of the parameter (format, enum, limits, examples...), kept as it was.
    extra = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_extra(self) -> dict:
        text = self.cleaned_data.get("extra") or ""
        if not text:
            return {}
        try:
            value = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            raise forms.ValidationError("This row's hidden details are damaged") from None
        return value if isinstance(value, dict) else {}

    def clean(self) -> dict:
        data = super().clean()
        kind, default = data.get("type"), (data.get("default") or "").strip()
        if data.get("name") and default:
            try:
                data["default_value"] = _typed(kind, default)
            except ValueError as exc:
                self.add_error("default", str(exc))
        return data


ParameterRows = forms.formset_factory(ParameterRowForm, extra=1, can_delete=True, max_num=300)


def _typed(kind: str | None, text: str):
    """A row's default, as its type's JSON value."""
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError("Enter a whole number") from None
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            raise ValueError("Enter a number") from None
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise ValueError("Enter true or false")
        return text.lower() == "true"
    if kind == "array":
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _default_text(default) -> str:
    if default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, list):
        return ", ".join(map(str, default))
    return str(default)


def parameters_as_rows(parameters: list) -> list[dict] | None:
    """Rows for a route's parameters, or None when some cannot be rows (a `$ref`)."""
    rows = []
    for param in parameters or []:
        if not isinstance(param, dict) or not param.get("name") or "$ref" in param:
            return None
        schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
        kind = schema.get("type") if schema.get("type") in dict(ROW_TYPES) else ""
        if kind == "array" and (schema.get("items") or {}).get("type") not in (None, "string"):
            kind = ""
        default = schema.get("default")
        extra = {k: v for k, v in param.items() if k not in ROW_KEYS}
        if kind:
            extra["schema"] = {k: v for k, v in schema.items() if k not in ("type", "default")}
        rows.append(
            {
                "name": param["name"],
                "location": param.get("in", "query"),
                "type": kind,
                "required": bool(param.get("required")),
                "description": param.get("description", ""),
                "default": _default_text(default) if kind else "",
                "extra": json.dumps(extra) if extra else "",
            }
        )
    return rows


def parameters_from_rows(rows: list[dict]) -> list[dict]:
    """The parameters the rows describe; a row without a name is left out."""
    parameters = []
    for row in rows:
        if not row.get("name"):
            continue
        extra = dict(row.get("extra") or {})
        schema = dict(extra.pop("schema", None) or {})
        kind = row.get("type") or ""
        if kind:
            schema["type"] = kind
            if kind == "array":
                schema.setdefault("items", {"type": "string"})
            schema.pop("default", None)
            if "default_value" in row:
                schema["default"] = row["default_value"]
        param = {"name": row["name"], "in": row["location"], **extra}
        if row.get("required") or row["location"] == "path":
            param["required"] = True
        else:
            param.pop("required", None)
        if row.get("description"):
            param["description"] = row["description"]
        if schema or kind:
            param["schema"] = schema
        parameters.append(param)
    return parameters
