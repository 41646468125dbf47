"""The library's part of the site search (registered in `LibraryConfig.ready()`).

A library item matches when every word of the query is found, case- and
accent-insensitively, in its title or summary (`LibraryItem.search_text`, kept folded
on save; a trigram index serves it on PostgreSQL), or when Wagtail's search backend finds
it (its body fields: abstracts, objectives, transcripts… through PostgreSQL full-text
search with the accent-free `puente_text` configuration, SQLite FTS5, or
Elasticsearch/OpenSearch when configured). Only the pages `library.selectors.visible_to`
lets the user see are ever counted, listed, faceted or suggested.
"""

from __future__ import annotations

import difflib
import logging
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from library.selectors import (
    _apply,
    _clean_filters,
    _m2m_counts,
    _type_models,
    item_url,
    private_paths,
    visible_to,
)
from network.models import Country, Topic
from network.permissions import is_vetted_member
from network.search import (
    SearchFacet,
    SearchFacetValue,
    SearchHit,
    SearchProvider,
    highlight,
    normalise,
    query_terms,
)

logger = logging.getLogger(__name__)

FILTER_KEYS = ("type", "topic", "language", "country")
BACKEND_LIMIT = 500  # body matches taken from the search backend (title/summary matches: all)
SUGGESTION_TITLES = 2000

# Each plain letter of a (normalised) query word matches its accented forms too.
_VARIANTS = {
    "a": "aáàâãäå",
    "e": "eéèêë",
    "i": "iíìîï",
    "o": "oóòôõö",
    "u": "uúùûü",
    "c": "cç",
    "n": "nñ",
    "y": "yýÿ",
}


def term_pattern(term: str) -> str:
    """A regular expression finding `term` whatever its accents ("turistica" → "t[uú…]r[ií…]st…").

    Ranks title matches first (on the matched rows only: `search_text` does the finding).
    `__iregex` runs the same way on SQLite (Django's Python REGEXP) and PostgreSQL (`~*`).
    """
    return "".join(f"[{_VARIANTS[char]}]" if char in _VARIANTS else re.escape(char) for char in term)


def _base(user, filters: dict) -> QuerySet:
    from library.models import LibraryItem

    return _apply(visible_to(LibraryItem.objects.live(), user), _clean_filters(filters))


def _backend_pks(query: str) -> list[int]:
    """Pages the search backend finds in their body fields (live or not: visibility and
    liveness come later), cached with the library's counts."""
    from library.cache import cached

    terms = query_terms(query)
    if not terms:
        return []
    return cached("backend", terms, lambda: _backend_search(query, terms))


def _backend_search(query: str, terms: list[str]) -> list[int]:
    from library.models import LibraryItem

    try:
        with transaction.atomic():  # a failing backend query must not break the request's transaction
            if _uses_postgres_database_backend():
                return _postgres_index_search(terms)
            results = LibraryItem.objects.live().search(query, operator="and", order_by_relevance=False)
            return [page.pk for page in results[:BACKEND_LIMIT]]
    except (DatabaseError, ValueError, TypeError):  # pragma: no cover - depends on the backend
        logger.warning("search backend failed for the library", exc_info=True)
        return []


def _uses_postgres_database_backend() -> bool:
    backend = settings.WAGTAILSEARCH_BACKENDS.get("default", {}).get("BACKEND", "")
    return connection.vendor == "postgresql" and backend.endswith(".database")


def _postgres_index_search(terms: list[str]) -> list[int]:
    """Wagtail's own PostgreSQL query joins every page to its index entry on a text key and
    matches `title || body`, which no index serves: seconds for a common word among 20,000
    publications. This asks the index table directly, each word in the title's or the
    body's GIN-indexed vector, with the same text search configuration."""
    from library.models import LibraryItem

    config = settings.WAGTAILSEARCH_BACKENDS["default"].get("SEARCH_CONFIG") or "simple"
    content_types = [
        ContentType.objects.get_for_model(model).pk
        for model in [*LibraryItem.__subclasses__(), *_type_models().values()]
    ]
    word_sql = "(title @@ plainto_tsquery(%s::regconfig, %s) OR body @@ plainto_tsquery(%s::regconfig, %s))"
    params: list = [sorted(set(content_types))]
    for term in terms:
        params += [config, term, config, term]
    # Built from constants only; the words are parameters.
    sql = (
        "SELECT object_id FROM wagtailsearch_indexentry WHERE content_type_id = ANY(%s) AND "  # noqa: S608
        + " AND ".join([word_sql] * len(terms))
        + f" LIMIT {BACKEND_LIMIT}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall() if row[0].isdigit()]


def _matching(user, query: str, filters: dict, backend: list[int] | None = None) -> QuerySet:
    terms = query_terms(query)
    base = _base(user, filters)
    if not terms:
        return base.none()
    in_title = Q()
    in_text = Q()
    for term in terms:
        in_title &= Q(title__iregex=term_pattern(term))  # ranks the matches only
        in_text &= Q(search_text__contains=term)
    if backend is None:
        backend = _backend_pks(query)
    condition = in_text | Q(pk__in=backend) if backend else in_text
    return base.filter(condition).annotate(
        title_match=Case(When(in_title, then=Value(0)), default=Value(1), output_field=IntegerField())
    )


def count_library(user, query: str, filters: dict) -> int:
    from library.cache import cached, visibility_key

    def count() -> int:
        return _matching(user, query, filters).order_by().values("pk").distinct().count()

    return cached("count", [query_terms(query), _clean_filters(filters), visibility_key(user)], count)


def search_library(user, query: str, filters: dict, limit: int = 20, offset: int = 0) -> list[SearchHit]:
    from library.selectors import label_items

    items = list(
        _matching(user, query, filters)
        .distinct()
        .select_related("content_type", "locale")
        .order_by("title_match", F("first_published_at").desc(nulls_last=True), "-pk")[
            offset : offset + limit
        ]
    )
    label_items(items, private_paths() if is_vetted_member(user) else [])
    terms = query_terms(query)
    return [
        SearchHit(
            title=item.title,
            url=item_url(item),
            snippet=highlight(item.summary or item.search_description or "", terms),
            kind=item.type_text,
            language=item.language,
            date=item.first_published_at,
            members_only=item.is_private,
        )
        for item in items
    ]


def library_facets(user, query: str, filters: dict) -> list[SearchFacet]:
    """Type, topic, language and country, each counted over the matches of the other filters."""
    from library.cache import cached, visibility_key

    parts = [query_terms(query), _clean_filters(filters), visibility_key(user)]
    return cached("facets", parts, lambda: _library_facets(user, query, filters))


def _library_facets(user, query: str, filters: dict) -> list[SearchFacet]:
    selected = _clean_filters(filters)
    backend = _backend_pks(query)

    def matches(skip: str) -> QuerySet:
        others = {key: value for key, value in selected.items() if key != skip}
        return _matching(user, query, others, backend).order_by()

    facets = []
    counts = dict(matches("type").values_list("content_type").annotate(n=Count("pk", distinct=True)))
    facet = SearchFacet("type", str(_("Type")))
    for name, model in _type_models().items():
        n = counts.get(ContentType.objects.get_for_model(model).pk, 0)
        if n or selected.get("type") == name:
            label = str(model._meta.verbose_name_plural).capitalize()
            facet.values.append(SearchFacetValue(name, label, n, selected.get("type") == name))
    facets.append(facet)

    counts = _m2m_counts(matches("topic"), "topics", "topic_id")
    facet = SearchFacet("topic", str(_("Topic")))
    for topic in Topic.objects.filter(pk__in=list(counts)):
        facet.values.append(
            SearchFacetValue(topic.slug, topic.name, counts[topic.pk], selected.get("topic") == topic.slug)
        )
    facet.values.sort(key=lambda value: (-value.count, value.label))
    facets.append(facet)

    counts = dict(matches("language").values_list("language").annotate(n=Count("pk", distinct=True)))
    names = settings.LANGUAGE_NAMES_TRANSLATED
    facet = SearchFacet("language", str(_("Language")))
    for code, _name in settings.LANGUAGES:
        if counts.get(code):
            facet.values.append(
                SearchFacetValue(
                    code, str(names.get(code, code)), counts[code], selected.get("language") == code
                )
            )
    facets.append(facet)

    counts = _m2m_counts(matches("country"), "countries", "country_id")
    facet = SearchFacet("country", str(_("Country")))
    for country in Country.objects.filter(pk__in=list(counts)):
        facet.values.append(
            SearchFacetValue(
                country.code, country.name, counts[country.pk], selected.get("country") == country.code
            )
        )
    facet.values.sort(key=lambda value: (-value.count, value.label))
    facets.append(facet)
    return [facet for facet in facets if facet.values]


def library_suggest(user, query: str) -> list[str]:
    """Close spellings from the titles and topic names `user` may see ("Did you mean …?")."""
    from library.cache import cached, visibility_key

    terms = query_terms(query)
    if not terms:
        return []
    return cached("suggest", [terms, visibility_key(user)], lambda: _library_suggest(user, query))


def _library_suggest(user, query: str) -> list[str]:
    terms = query_terms(query)
    if not terms:
        return []
    titles = list(
        _base(user, {})
        .order_by(F("first_published_at").desc(nulls_last=True))
        .values_list("title", flat=True)[:SUGGESTION_TITLES]
    )
    names = [topic.name for topic in Topic.objects.all()]
    phrases = {normalise(text): text for text in titles + names}
    vocabulary: dict[str, str] = {}
    for text in titles + names:
        for word in text.split():
            word = word.strip(".,;:()«»“”\"'¿?¡!")
            if len(word) >= 3:
                vocabulary.setdefault(normalise(word), word.lower())

    suggestions = []
    for phrase in difflib.get_close_matches(normalise(query), list(phrases), n=3, cutoff=0.75):
        suggestions.append(phrases[phrase])
    corrected = []
    for term in terms:
        if term in vocabulary:
            corrected.append(vocabulary[term])
            continue
        close = difflib.get_close_matches(term, list(vocabulary), n=1, cutoff=0.75)
        corrected.append(vocabulary[close[0]] if close else term)
    sentence = " ".join(corrected)
    if normalise(sentence) != " ".join(terms) and sentence not in suggestions:
        suggestions.append(sentence)
    return suggestions


library_search_provider = SearchProvider(
    key="library",
    label=_("Library"),
    search=search_library,
    count=count_library,
    facets=library_facets,
    suggest=library_suggest,
    filter_keys=FILTER_KEYS,
    order=10,
)
