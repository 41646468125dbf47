"""The site search: a registry of search providers and the service that gathers from them.

Feature apps don't import each other; each one that has something to find registers a
`SearchProvider` in its `AppConfig.ready()`:

    register_search_provider(SearchProvider(
        key="library", label=_("Library"),
        search=search_library,      # (user, query, filters, limit, offset) -> list[SearchHit]
        count=count_library,        # (user, query, filters) -> int
        facets=library_facets,      # (user, query, filters) -> list[SearchFacet]
        suggest=library_suggest,    # (user, query) -> list[str], asked when nothing matches
        filter_keys=("type", "topic", "language", "country"),
    ))

Every provider decides what `user` may see with its own selectors (members-only items
never reach a visitor). `site_search` asks every provider (or the one chosen with the
`kind` filter), lists the hits provider by provider and pages over them, asking each
provider only for the slice shown: a constant number of queries per provider.

The text helpers (`normalise`, `query_terms`, `highlight`) are shared so that every
provider matches and highlights the same way: case- and accent-insensitive
("seguridad turistica" finds "Seguridad Turística").
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
PAGE_SIZE = 20
MAX_PAGE = 50
MAX_FILTER_LENGTH = 60


@dataclass
class SearchHit:
    title: str
    url: str
    snippet: SafeString | str = ""  # HTML: escaped text with the matches in <mark>
    kind: str | Promise = ""  # "Publication", "Forum topic", ...
    language: str = ""  # a language code from settings.LANGUAGES, or ""
    date: datetime.date | datetime.datetime | None = None
    members_only: bool = False


@dataclass
class SearchFacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""  # filled by the view


@dataclass
class SearchFacet:
    key: str
    label: str
    values: list[SearchFacetValue] = field(default_factory=list)


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str | Promise
    search: Callable[..., list[SearchHit]]
    count: Callable[[Any, str, dict], int]
    facets: Callable[[Any, str, dict], list[SearchFacet]] | None = None
    suggest: Callable[[Any, str], list[str]] | None = None
    filter_keys: tuple[str, ...] = ()
    order: int = 100


_providers: dict[str, SearchProvider] = {}


def register_search_provider(provider: SearchProvider) -> None:
    """Register (or replace, by key) a provider; called from an AppConfig.ready()."""
    _providers[provider.key] = provider


def unregister_search_provider(key: str) -> None:
    _providers.pop(key, None)


def search_providers() -> list[SearchProvider]:
    return sorted(_providers.values(), key=lambda provider: (provider.order, provider.key))


# --- text ----------------------------------------------------------------------------------


def _fold(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower case without accents: "Seguridad Turística" → "seguridad turistica"."""
    return "".join(_fold(char) for char in text or "")


def clean_query(raw) -> str:
    """The query as searched: a string, control characters dropped, spaces collapsed, 200 chars."""
    text = str(raw or "")[: MAX_QUERY_LENGTH * 4]
    text = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def query_terms(query: str) -> list[str]:
    """Normalised words of the query (letters and digits only), at most MAX_TERMS, no repeats."""
    words = []
    for word in "".join(c if c.isalnum() else " " for c in normalise(query)).split():
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def _spans(text: str, terms: list[str]) -> tuple[list[tuple[int, int]], str]:
    """Where the terms occur in `text` (positions in the original), by normalised matching."""
    folded_chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold(char):
            folded_chars.append(folded)
            origin.append(index)
    folded = "".join(folded_chars)
    spans = []
    for term in terms:
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            spans.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged, folded


def highlight(text: str, terms: list[str], *, width: int = 240) -> SafeString:
    """An excerpt of `text` around the first match, escaped, each match wrapped in <mark>.

    The text is escaped piece by piece (never the other way round), so a match can't
    break out of the markup whatever the text or the query hold.
    """
    text = " ".join((text or "").split())
    spans, _folded = _spans(text, terms) if terms else ([], "")
    start = 0
    if spans and spans[0][0] > width // 3:
        start = text.rfind(" ", 0, spans[0][0] - width // 4) + 1
    end = min(len(text), start + width)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    parts = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[position:span_start]))
        parts.append("<mark>" + escape(text[span_start:span_end]) + "</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


# --- gathering -----------------------------------------------------------------------------


@dataclass
class ProviderResult:
    provider: SearchProvider
    count: int
    facets: list[SearchFacet]
    selected: bool = False


@dataclass
class SearchPage:
    query: str
    terms: list[str]
    filters: dict[str, str]
    kind: str
    hits: list[SearchHit]
    total: int
    number: int
    num_pages: int
    providers: list[ProviderResult]
    suggestions: list[str]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.hits else 0


def clean_filters(params, providers: list[SearchProvider]) -> dict[str, str]:
    """Filters the providers understand, as short strings; everything else is ignored."""
    keys = {key for provider in providers for key in provider.filter_keys}
    filters = {}
    for key in sorted(keys):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            filters[key] = value.strip()[:MAX_FILTER_LENGTH]
    return filters


def _page_number(raw) -> int:
    try:
        number = int(str(raw)[:4])
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def site_search(*, user, query, params=None, page=1) -> SearchPage:
    """Search every provider `user` may read, a page of hits (providers one after the other).

    Read-only. With an empty query nothing is searched. `params` holds the filters
    (`kind` chooses one provider, the others are passed on to the providers that declare
    them; a provider that doesn't understand an active filter is skipped).
    """
    params = params or {}
    query = clean_query(query)
    terms = query_terms(query)
    providers = search_providers()
    filters = clean_filters(params, providers)
    kind = str(params.get("kind", ""))[:MAX_FILTER_LENGTH]
    if kind not in {provider.key for provider in providers}:
        kind = ""
    number = _page_number(page)
    result = SearchPage(
        query=query,
        terms=terms,
        filters=filters,
        kind=kind,
        hits=[],
        total=0,
        number=number,
        num_pages=1,
        providers=[],
        suggestions=[],
    )
    if not terms:
        return result

    asked = [provider for provider in providers if set(filters) <= set(provider.filter_keys)]
    for provider in asked:
        own = {key: value for key, value in filters.items() if key in provider.filter_keys}
        count = provider.count(user, query, own)
        chosen = not kind or provider.key == kind
        facets = provider.facets(user, query, own) if provider.facets and chosen and count else []
        result.providers.append(ProviderResult(provider, count, facets, provider.key == kind))

    shown = [entry for entry in result.providers if not kind or entry.provider.key == kind]
    result.total = sum(entry.count for entry in shown)
    result.num_pages = max(1, -(-result.total // PAGE_SIZE))
    result.number = number = min(number, result.num_pages, MAX_PAGE)

    start, end = (number - 1) * PAGE_SIZE, number * PAGE_SIZE
    offset = 0
    for entry in shown:
        first, last = max(start, offset), min(end, offset + entry.count)
        if first < last:
            own = {key: value for key, value in filters.items() if key in entry.provider.filter_keys}
            result.hits.extend(
                entry.provider.search(user, query, own, limit=last - first, offset=first - offset)
            )
        offset += entry.count

    if result.total == 0:
        for provider in asked:
            if provider.suggest:
                for suggestion in provider.suggest(user, query):
                    if suggestion not in result.suggestions and normalise(suggestion) != normalise(query):
                        result.suggestions.append(suggestion)
        result.suggestions = result.suggestions[:5]
    return result
