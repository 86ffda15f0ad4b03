"""The run form's layout and help: optional fields folded, spec descriptions as safe HTML."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from apps.core.help_markdown import help_html as help_markdown_html
from apps.routes.schema_form import fields_grouped

register = template.Library()


@register.filter
def help_html(text) -> SafeString:
    """A spec's description (markdown) as sanitised HTML."""
    # help_markdown_html passes everything through an allowlist sanitiser.
    return mark_safe(help_markdown_html(str(text or "")))  # noqa: S308


@register.filter
def run_groups(bound_fields, form) -> dict:
    """Sibling fields of the run form as `leading` (shown), `optional` (folded in a
    <details> when there are many), `open` (the fold holds a value or an error) and
    `filled` (how many folded fields hold a value, and are sent)."""
    bound_fields = list(bound_fields)
    groups = fields_grouped([b.spec for b in bound_fields], form.values, form.errors.keys())
    return {
        "leading": [bound_fields[i] for i in groups.leading],
        "optional": [bound_fields[i] for i in groups.optional],
        "open": groups.open,
        "filled": groups.filled,
    }
