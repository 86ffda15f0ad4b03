"""Forms of the service pages: create, edit, re-sync, and add or edit a route by hand."""

from django import forms

from apps.accounts.models import PERSONAL_ORG_ID
from apps.accounts.selectors import organizations_for_user
from apps.assets.models import Visibility
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
    """A spec by URL, upload or paste: one is used, the file first, then the pasted text,
    then the URL (which a re-sync fills in with the service's)."""

    spec_url = forms.URLField(
        required=False,
        max_length=1000,
        label="Spec URL",
        assume_scheme="https",
        help_text="An uploaded or pasted spec is used instead of the URL",
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
