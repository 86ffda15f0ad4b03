from django import template

from apps.posts.services import action_embed_block

register = template.Library()


@register.simple_tag
def embed_block(action) -> str:
    """The markdown block that embeds `action`'s route with the action pinned."""
    return action_embed_block(action=action)
