"""Template helpers of the library: rich text that cannot carry script, and facet links."""

import nh3
from django import template
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from wagtail.rich_text import RichText, expand_db_html

register = template.Library()

ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "h5",
    "blockquote", "code", "pre", "sub", "sup", "hr", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope"},
    "td": {"colspan", "rowspan"},
}


def clean_html(html: str) -> str:
    """Keep formatting, drop script: no <script>, no on…= handlers, only http(s)/mailto links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@register.filter
def safe_richtext(value) -> str:
    """Like Wagtail's |richtext (expands page and document links), then sanitised.

    Rich text reaches the database through the editor but also through imports, the
    seeder and the API, so the output is cleaned at render time whatever its origin.
    """
    if value is None:
        return ""
    source = value.source if isinstance(value, RichText) else str(value)
    return mark_safe(clean_html(expand_db_html(source)))  # noqa: S308 (cleaned by nh3 just above)


@register.filter
def safe_embed(html: str) -> str:
    """An editor-resolved embed: only an https iframe survives."""
    cleaned = nh3.clean(
        html or "",
        tags={"iframe"},
        attributes={"iframe": {"src", "width", "height", "title", "allowfullscreen"}},
        url_schemes={"https"},
    )
    return mark_safe(cleaned)  # noqa: S308


@register.simple_tag
def facet_url(params, key, value=None, **extra):
    """The current query string with `key` set to `value` (or removed), page reset."""
    query = {k: v for k, v in params.items() if k not in (key, "page")}
    if value not in (None, ""):
        query[key] = value
    query.update({k: v for k, v in extra.items() if v not in (None, "")})
    encoded = urlencode(sorted(query.items()))
    return "?" + encoded if encoded else "?"


@register.simple_tag(takes_context=True)
def item_url(context, page) -> str:
    """`{% item_url item %}`: the item's URL under the reader's language prefix."""
    from library.selectors import item_url as localized_url

    return localized_url(page, context.get("request"))
