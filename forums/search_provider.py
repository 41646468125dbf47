"""The forums' part of the site search (registered in `ForumsConfig.ready()`), and the
search within one category.

A hit is a post: a reply whose text holds every word of the query, or a topic's first
post when its title and text do (so a title match lists the topic once). Matching is
case- and accent-insensitive on every database, with the shared helpers of
`network.search` ("prevencao" finds "Prevenção"). Only published, not deleted posts of
visible topics in the categories `forums.selectors.readable_categories` gives the user
are ever counted, listed or faceted: a visitor finds public categories only.
"""

from __future__ import annotations

import html
import re
from functools import cache

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from network.search import (
    MAX_FILTER_LENGTH,
    SearchFacet,
    SearchFacetValue,
    SearchHit,
    SearchProvider,
    highlight,
    normalise,
    query_terms,
    register_search_provider,
)

FILTER_KEYS = ("category", "language")


@cache
def _letter_variants() -> dict[str, str]:
    """For each plain letter, every Latin letter that folds to it with `normalise`
    ("a" → "aAáÁàÀâ…"), built from the same folding the highlighter uses."""
    variants: dict[str, str] = {}
    candidates = [chr(code) for code in range(0x41, 0x5B)] + [chr(code) for code in range(0x61, 0x7B)]
    candidates += [chr(code) for code in range(0xC0, 0x250)]
    for char in candidates:
        folded = normalise(char)
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            variants[folded] = variants.get(folded, "") + char
    return variants


def term_regex(term: str) -> str:
    """A regular expression finding the normalised `term` whatever the case and accents.

    Used with `__iregex`, which SQLite (Python's `re`) and PostgreSQL (`~*`) both run;
    the upper-case accented letters are listed too, since a database in the C locale
    folds the case of ASCII letters only.
    """
    variants = _letter_variants()
    return "".join(f"[{variants[char]}]" if char in variants else re.escape(char) for char in term)


def _languages() -> dict[str, str]:
    return {
        code: str(settings.LANGUAGE_NAMES_TRANSLATED.get(code, name)) for code, name in settings.LANGUAGES
    }


def clean_forum_filters(filters: dict) -> dict[str, str]:
    cleaned = {}
    category = str(filters.get("category") or "")[:MAX_FILTER_LENGTH]
    if category:
        cleaned["category"] = category
    language = str(filters.get("language") or "")
    if language in _languages():
        cleaned["language"] = language
    return cleaned


def searchable_posts(user, filters: dict | None = None) -> QuerySet:
    """Posts `user` may find: published, not deleted, in visible topics of readable categories."""
    from forums.models import Post, PostStatus
    from forums.selectors import readable_categories

    filters = clean_forum_filters(filters or {})
    posts = Post.objects.filter(
        status=PostStatus.PUBLISHED,
        deleted_at__isnull=True,
        topic__is_visible=True,
        topic__merged_into__isnull=True,
        topic__category__in=readable_categories(user).values("pk"),
    )
    if "category" in filters:
        posts = posts.filter(topic__category__slug=filters["category"])
    if "language" in filters:
        posts = posts.filter(topic__language=filters["language"])
    return posts


def _matching(user, query: str, filters: dict) -> QuerySet:
    terms = query_terms(query)
    posts = searchable_posts(user, filters)
    if not terms:
        return posts.none()
    everywhere = Q()
    in_title = Q(number=1)
    for term in terms:
        pattern = term_regex(term)
        everywhere &= Q(body__iregex=pattern) | Q(number=1, topic__title__iregex=pattern)
        in_title &= Q(topic__title__iregex=pattern)
    return posts.filter(everywhere).annotate(
        title_match=Case(When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField())
    )


def count_forums(user, query: str, filters: dict) -> int:
    return _matching(user, query, filters).order_by().count()


def _post_url(post) -> str:
    topic = post.topic
    try:
        url = topic.get_absolute_url()
    except NoReverseMatch:  # pragma: no cover - only while the forums' URLs are being assembled
        url = f"/forums/t/{topic.pk}/{topic.slug or '-'}/"
    # The topic page turns ?post=N into the page holding post N.
    return url if post.number == 1 else f"{url}?post={post.number}#post-{post.number}"


def _text(post) -> str:
    """What a reader sees of the post, as plain text (the rendering when there is one)."""
    if post.body_html:
        return html.unescape(strip_tags(post.body_html))
    return post.body


def search_forums(user, query: str, filters: dict, limit: int = 20, offset: int = 0) -> list[SearchHit]:
    from forums.models import ReadAccess

    posts = list(
        _matching(user, query, filters)
        .select_related("topic__category")
        .order_by("title_match", "-created_at", "-pk")[offset : offset + limit]
    )
    terms = query_terms(query)
    return [
        SearchHit(
            title=post.topic.title,
            url=_post_url(post),
            snippet=highlight(_text(post), terms),
            kind=_("Forum topic") if post.number == 1 else _("Forum reply"),
            language=post.topic.language,
            date=post.created_at,
            members_only=post.topic.category.read_access != ReadAccess.PUBLIC,
        )
        for post in posts
    ]


def forum_facets(user, query: str, filters: dict) -> list[SearchFacet]:
    """Category and language, each counted over the matches of the other filter."""
    selected = clean_forum_filters(filters)

    def matches(skip: str) -> QuerySet:
        others = {key: value for key, value in selected.items() if key != skip}
        return _matching(user, query, others).order_by()

    facets = []
    facet = SearchFacet("category", str(_("Forum category")))
    rows = (
        matches("category").values("topic__category__slug", "topic__category__name").annotate(n=Count("pk"))
    )
    for row in rows:
        slug = row["topic__category__slug"]
        facet.values.append(
            SearchFacetValue(slug, row["topic__category__name"], row["n"], selected.get("category") == slug)
        )
    facet.values.sort(key=lambda value: (-value.count, value.label))
    facets.append(facet)

    counts = dict(matches("language").values_list("topic__language").annotate(n=Count("pk")))
    facet = SearchFacet("language", str(_("Language")))
    for code, name in _languages().items():
        if counts.get(code):
            facet.values.append(SearchFacetValue(code, name, counts[code], selected.get("language") == code))
    facets.append(facet)
    return [facet for facet in facets if facet.values]


forums_search_provider = SearchProvider(
    key="forums",
    label=_("Forums"),
    search=search_forums,
    count=count_forums,
    facets=forum_facets,
    filter_keys=FILTER_KEYS,
    order=20,
)


def register() -> None:
    register_search_provider(forums_search_provider)
