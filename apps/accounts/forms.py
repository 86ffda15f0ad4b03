from django import forms
from django.contrib.auth.forms import UserCreationForm

from apps.accounts.models import User
from apps.accounts.selectors import organizations_for_user


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=False)

    class Meta:
        model = User
        fields = ("username", "email")


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, initial="My key")
    bind = forms.ChoiceField(
        label="Acts in",
        required=False,
        help_text="A bound key cannot act in any other context.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organizations_for_user(user=user)
        self.fields["bind"].choices = [
            ("", "Any context (chosen per request)"),
            ("personal", "Only my personal space"),
            *[(str(org.pk), f"Only the organization {org.name}") for org in orgs],
        ]
