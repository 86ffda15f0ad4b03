"""`{{ moment|when }}`: a time as people read it on a page, relative ("5 minutes ago"), with the
exact time on hover and for machines (`<time datetime title>`). Empty for no time, so that
`|when|default:"never"` reads naturally. static/js/app.js keeps the words true while the page
stays open (`data-when`), with the same units."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

register = template.Library()

JUST_NOW_SECONDS = 60  # below a minute, timesince would say "0 minutes"


def relative(moment: datetime, now: datetime) -> str:
    """'just now', '3 minutes ago' or 'in 2 hours': the largest unit or two, as timesince."""
    seconds = (now - moment).total_seconds()
    if abs(seconds) < JUST_NOW_SECONDS:
        return "just now"
    if seconds > 0:
        return f"{timesince(moment, now, depth=1)} ago"
    return f"in {timeuntil(moment, now, depth=1)}"


@register.filter
def when(moment: datetime | None) -> str:
    if not isinstance(moment, datetime):
        return ""
    exact = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return format_html(
        '<time datetime="{}" title="{}" data-when>{}</time>',
        moment.isoformat(),
        exact.strftime("%Y-%m-%d %H:%M:%S %Z").strip(),
        relative(moment, timezone.now() if timezone.is_aware(moment) else datetime.now()),
    )
