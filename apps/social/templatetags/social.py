from django import template

from apps.social.selectors import notifications_unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """The header's count of the user's unread notifications."""
    return notifications_unread_count(user=user)
