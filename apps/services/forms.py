"""Forms of the service pages: create, edit, re-sync, and add or edit a route by hand."""

import json

from django import forms

from apps.accounts.models import PERSONAL_ORG_ID
from apps.accounts.selectors import organizations_for_user
from apps.assets.models import Visibility
from apps.routes.models import ExecutionMode
from apps.services.importer import HTTP_METHODS
from apps.services.models import AuthMethod

SERVICE_VISIBILITY = [
    (Visibility.PUBLIC, "Public"),
    (Visibility.PRIVATE, "Private"),
    (Visibility.ORGANIZATION, "Organization"),
]


def _secret_input() -> forms.PasswordInput:
    """Secrets are write-only: never rendered back, never autofilled."""
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class SpecSourceForm(forms.Form):
    """A spec by URL, upload or paste: exactly one is used (URL first, then the file)."""

    spec_url = forms.URLField(
        required=False, max_length=1000, label="Spec URL", assume_scheme="https"
    )
    spec_file = forms.FileField(required=False, label="Upload a spec (JSON or YAML)")
    spec_text = forms.CharField(
        required=False,
        label="…or paste it",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def spec_given(self) -> bool:
        data = self.cleaned_data
        return bool(data.get("spec_url") or data.get("spec_file") or data.get("spec_text"))


class ServiceForm(SpecSourceForm):
    name = forms.CharField(max_length=200)
    org = forms.ChoiceField(
        required=False, label="Owner", help_text="You, or an organization you belong to"
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown"
    )
    base_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Leave empty to use the spec's first server",
    )
    visibility = forms.ChoiceField(choices=SERVICE_VISIBILITY, initial=Visibility.PRIVATE)
    auth_method = forms.ChoiceField(choices=AuthMethod.choices, label="Authentication")
    auth_param_name = forms.CharField(
        required=False, max_length=100, label="Header or query parameter name (API key)"
    )
    secret = forms.CharField(
        required=False,
        label="Credential",
        widget=_secret_input(),
        help_text="Encrypted at rest; never shown again",
    )
    signing_secret = forms.CharField(
        required=False,
        label="Callback signing secret",
        widget=_secret_input(),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organizations_for_user(user=user).exclude(pk=PERSONAL_ORG_ID)
        self.fields["org"].choices = [(str(PERSONAL_ORG_ID), user.username)] + [
            (str(org.pk), org.name) for org in orgs
        ]


class ServiceEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    base_url = forms.URLField(max_length=500, assume_scheme="https")
    visibility = forms.ChoiceField(choices=SERVICE_VISIBILITY)
    auth_method = forms.ChoiceField(choices=AuthMethod.choices, label="Authentication")
    auth_param_name = forms.CharField(required=False, max_length=100)
    secret = forms.CharField(
        required=False,
        label="New credential",
        widget=_secret_input(),
        help_text="Leave empty to keep the stored one",
    )
    signing_secret = forms.CharField(
        required=False,
        label="New callback signing secret",
        widget=_secret_input(),
        help_text="Leave empty to keep the stored one",
    )


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
    price = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=6,
        label="Price (USD)",
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

    @staticmethod
    def pricing_initial(pricing: dict) -> dict:
        """The price fields for a route's stored pricing."""
        pricing = pricing or {}
        return {
            "price": pricing.get("unit_cost"),
            "price_unit": "second" if pricing.get("model") == "per_second" else "call",
            "max_billable_seconds": pricing.get("max_billable_seconds"),
        }

    def route_data(self) -> dict:
        data = dict(self.cleaned_data)
        price = data.pop("price")
        per_second = data.pop("price_unit") == "second"
        limit = data.pop("max_billable_seconds")
        if not price:
            data["pricing"] = {}
            return data
        data["pricing"] = {
            "model": "per_second" if per_second else "per_call",
            "unit_cost": float(price),
            "currency": "usd",
        }
        if per_second and limit:
            data["pricing"]["max_billable_seconds"] = limit
        return data
