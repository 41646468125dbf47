from django import template

from forums.moderation.selectors import moderation_url as _moderation_url

register = template.Library()


@register.simple_tag
def moderation_url(name: str, *args) -> str:
    """{% moderation_url "post_hide" post.pk %}: whichever namespace the URLs are under."""
    return _moderation_url(name, *args)
