from django import forms
from django.contrib.auth.forms import UserCreationForm

from apps.accounts.models import PERSONAL_ORG_ID, ActorType, ActorTypePolicy, JoinPolicy, Team, User
from apps.accounts.selectors import organizations_for_user


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=False)
    is_agent = forms.BooleanField(
        required=False,
        label="This account is for an agent (a program acting on its own)",
        help_text="Some teams admit agents only, others verified humans only.",
    )

    class Meta:
        model = User
        fields = ("username", "email")

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.actor_type = ActorType.AGENT if self.cleaned_data["is_agent"] else ActorType.HUMAN
        if commit:
            user.save()
        return user


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


class TeamForm(forms.Form):
    org = forms.ChoiceField(label="Organization")
    name = forms.CharField(
        max_length=100, help_text="Lowercase letters, numbers and single dashes: data-science"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    visibility = forms.ChoiceField(choices=Team.Visibility.choices, initial="organization")
    join_policy = forms.ChoiceField(choices=JoinPolicy.choices, label="Who may join")
    actor_type_policy = forms.ChoiceField(
        choices=[
            ("", "As the organization says"),
            (ActorTypePolicy.ANY, "Anyone"),
            (ActorTypePolicy.VERIFIED_ONLY, "Verified humans only"),
            (ActorTypePolicy.AGENTS_ONLY, "Agents only"),
        ],
        required=False,
        label="Accounts that may join",
        help_text="An administrator of this site verifies accounts.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = organizations_for_user(user=user)
        self.fields["org"].choices = [
            *[(str(org.pk), org.name) for org in orgs],
            (str(PERSONAL_ORG_ID), "Personal space (everyone)"),
        ]
