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

    def route_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("price", "price_unit", "max_billable_seconds"):
            data.pop(name, None)
        return data
