"""The filters of the runs page and of a route's Actions tab, read from the query string."""

from django import forms

from apps.actions.models import DISPLAY_STATUSES
from apps.actions.selectors import RunFilters

SCOPES = [
    ("mine", "My runs"),
    ("callers", "My routes' callers"),
    ("all", "Mine and my routes' callers"),
]
SOURCES = [("", "Any source"), ("web", "Page"), ("api", "API"), ("post", "Post")]


class RunFilterForm(forms.Form):
    scope = forms.ChoiceField(choices=SCOPES, required=False)
    route = forms.UUIDField(required=False)
    service = forms.UUIDField(required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *((s, s) for s in DISPLAY_STATUSES)], required=False
    )
    source = forms.ChoiceField(choices=SOURCES, required=False)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None, *, can_see_callers: bool = True):
        super().__init__(data)
        self.can_see_callers = can_see_callers

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def filters(self) -> RunFilters:
        """The filters that are valid; a field with an error filters nothing (and says so)."""
        if not self.is_bound:
            return RunFilters()
        self.is_valid()  # cleaned_data then holds the valid fields only
        data = self.cleaned_data
        scope = data.get("scope") or "mine"
        return RunFilters(
            scope=scope if self.can_see_callers else "mine",
            route_id=data.get("route"),
            service_id=data.get("service"),
            status=data.get("status") or "",
            source=data.get("source") or "",
            since=data.get("since"),
            until=data.get("until"),
        )
