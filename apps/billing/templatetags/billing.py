from django import template

from apps.billing.pricing import dollars

register = template.Library()


@register.filter
def cents(value) -> str:
    """Whole cents as dollars, signed: -$0.05, $12.00."""
    value = int(value or 0)
    return f"-{dollars(-value)}" if value < 0 else dollars(value)
