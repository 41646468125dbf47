"""Reads that decide what a reader may see in the library.

The visibility rule (one place; listings, the home page, the feeds and the sitemap use it,
and `wagtail_hooks` applies the same rule when a page or a document is served):

- visitors (and signed-in users who belong to no network) see only public pages:
  `Page.objects.public()`, i.e. no page in a section under a PageViewRestriction;
- vetted members (`network.permissions.is_vetted_member`: an active membership of a
  network, or DPS staff) also see sections restricted to "logged-in users", and sections
  restricted to groups they belong to (superusers see every group-restricted section);
- password-restricted sections never appear in listings (a reader without the password
  would only meet a password form).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, PageViewRestriction

from network.models import Country, Network, Topic
from network.permissions import is_vetted_member

PAGE_SIZE = 20
SORTS = {"newest": _("Newest first"), "title": _("Title (A–Z)")}


def hidden_sections_for(user) -> list[Page]:
    """The restricted sections (their top pages) that `user` may not see."""
    restrictions = list(PageViewRestriction.objects.select_related("page").prefetch_related("groups"))
    if not restrictions:
        return []
    vetted = is_vetted_member(user)
    group_ids: set[int] = set()
    if (
        user is not None
        and user.is_authenticated
        and any(r.restriction_type == PageViewRestriction.GROUPS for r in restrictions)
    ):
        group_ids = set(user.groups.values_list("id", flat=True))
    hidden = []
    for restriction in restrictions:
        kind = restriction.restriction_type
        if kind == PageViewRestriction.LOGIN and vetted:
            continue
        if (
            kind == PageViewRestriction.GROUPS
            and vetted
            and (user.is_superuser or group_ids & {group.id for group in restriction.groups.all()})
        ):
            continue
        hidden.append(restriction.page)
    return hidden


def visible_to(queryset: QuerySet, user) -> QuerySet:
    """`queryset` (of pages) without the sections `user` may not see."""
    if not is_vetted_member(user):
        return queryset.public()
    hidden = hidden_sections_for(user)
    condition = Q()
    for page in hidden:
        condition |= Q(path__startswith=page.path)
    return queryset.exclude(condition) if hidden else queryset


def may_view_page(user, page: Page) -> bool:
    """The same rule for one page (used when serving it)."""
    hidden = {p.path for p in hidden_sections_for(user)} if is_vetted_member(user) else None
    restrictions = page.get_view_restrictions()
    if hidden is None:
        return not restrictions
    return not any(restriction.page.path in hidden for restriction in restrictions)


def private_paths() -> list[str]:
    return list(PageViewRestriction.objects.values_list("page__path", flat=True))


def items_below(root: Page) -> QuerySet:
    """Live items below `root` or below any of its translations, one version of each item:
    the one in `root`'s language when it exists, else the default language's, else any.

    So /es/library/ lists every item, in Spanish where it has been translated; an item
    written only in English or French is listed too, with its language shown."""
    from library.models import LibraryItem

    below = Q()
    for path, depth in Page.objects.filter(translation_key=root.translation_key).values_list("path", "depth"):
        below |= Q(path__startswith=path, depth__gt=depth)
    default_locale_id = Locale.get_default().pk

    def translated_into(locale_id):
        return Exists(
            Page.objects.filter(translation_key=OuterRef("translation_key"), locale_id=locale_id, live=True)
        )

    items = LibraryItem.objects.live().filter(below)
    items = items.exclude(~Q(locale_id=root.locale_id) & Q(translated_into(root.locale_id)))
    if default_locale_id != root.locale_id:
        items = items.exclude(
            ~Q(locale_id__in=[root.locale_id, default_locale_id]) & Q(translated_into(default_locale_id))
        )
    return items


def library_items(*, root: Page, user) -> QuerySet:
    return visible_to(items_below(root), user)


def latest_items_for(*, user, root: Page, limit: int = 6) -> list:
    """The newest library items for the home page `root` the user may see (three queries)."""
    items = list(
        library_items(root=root, user=user)
        .select_related("content_type", "network")
        .annotate(rating=F("bestpracticepage__evidence_rating"))
        .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[:limit]
    )
    label_items(items, private_paths() if is_vetted_member(user) else [])
    return items


# --- faceted browsing -------------------------------------------------------------------


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    key: str
    label: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def selected(self) -> FacetValue | None:
        return next((value for value in self.values if value.selected), None)


@dataclass
class Browse:
    page: object  # a django Page of LibraryItem objects
    facets: list[Facet]
    filters: dict[str, str]
    sort: str
    sorts: dict
    total: int
    private_paths: list[str]

    def is_private(self, item) -> bool:
        return any(item.path.startswith(path) for path in self.private_paths)


def _type_models():
    from library.models import ArticlePage, BestPracticePage, ProgrammePage, PublicationPage, VideoPage

    return {
        model._meta.model_name: model
        for model in (PublicationPage, BestPracticePage, ArticlePage, VideoPage, ProgrammePage)
    }


def _clean_filters(params) -> dict[str, str]:
    """Only well-formed values survive; anything else is ignored (never an error page)."""
    from library.models import EvidenceRating

    languages = {code for code, _name in settings.LANGUAGES}
    filters: dict[str, str] = {}
    value = str(params.get("type", ""))[:40]
    if value in _type_models():
        filters["type"] = value
    value = str(params.get("topic", ""))[:60]
    if value and value.replace("-", "").isalnum():
        filters["topic"] = value
    value = str(params.get("country", ""))[:2].upper()
    if len(value) == 2 and value.isalpha():
        filters["country"] = value
    value = str(params.get("language", ""))[:7]
    if value in languages:
        filters["language"] = value
    value = str(params.get("year", ""))[:4]
    if value.isdigit() and len(value) == 4:
        filters["year"] = value
    value = str(params.get("network", ""))[:60]
    if value and value.replace("-", "").isalnum():
        filters["network"] = value
    value = str(params.get("rating", ""))[:20]
    if value in EvidenceRating.values:
        filters["rating"] = value
    return filters


def _apply(queryset: QuerySet, filters: dict[str, str], skip: str | None = None) -> QuerySet:
    for key, value in filters.items():
        if key == skip:
            continue
        if key == "type":
            model = _type_models()[value]
            queryset = queryset.filter(content_type=ContentType.objects.get_for_model(model))
        elif key == "topic":
            queryset = queryset.filter(topics__slug=value)
        elif key == "country":
            queryset = queryset.filter(countries__code=value)
        elif key == "language":
            queryset = queryset.filter(language=value)
        elif key == "year":
            queryset = queryset.filter(year=int(value))
        elif key == "network":
            queryset = queryset.filter(network__slug=value)
        elif key == "rating":
            queryset = queryset.filter(bestpracticepage__evidence_rating=value)
    return queryset


def _m2m_facet(base, filters, key, label, relation, column, model, value_field) -> Facet:
    """A facet over a many-to-many taxonomy (topics, countries), most frequent values first."""
    counts = _m2m_counts(_apply(base, filters, key), relation, column)
    facet = Facet(key, str(label))
    for item in model.objects.filter(pk__in=list(counts)):
        value = getattr(item, value_field)
        facet.values.append(FacetValue(value, item.name, counts[item.pk], filters.get(key) == value))
    facet.values.sort(key=lambda v: (-v.count, v.label))
    return facet


def _m2m_counts(queryset: QuerySet, relation: str, target_field: str) -> dict:
    from library.models import LibraryItem

    through = getattr(LibraryItem, relation).through
    rows = (
        through.objects.filter(libraryitem__in=queryset.values("pk"))
        .values(target_field)
        .annotate(n=Count("libraryitem", distinct=True))
    )
    return {row[target_field]: row["n"] for row in rows}


def browse(*, index: Page, user, params) -> Browse:
    """Items below `index` the user may see, filtered, sorted and paged, with facet counts.

    Each facet counts the items matching every *other* selected filter, so a reader sees
    how many items each value would give. Constant number of queries whatever the size.
    """
    from library.cache import cached, visibility_key

    filters = _clean_filters(params)
    sort = params.get("sort") if params.get("sort") in SORTS else "newest"
    base = library_items(root=index, user=user)
    needs_distinct = "topic" in filters or "country" in filters  # many-to-many joins
    results = _apply(base, filters)
    if needs_distinct:
        results = results.distinct()

    def counts() -> tuple[list[Facet], int]:
        return _browse_facets(base, filters), results.order_by().count()

    facets, total = cached("browse", [index.pk, visibility_key(user), filters], counts)

    if sort == "title":
        ordered = results.order_by("title", "pk")
    else:
        ordered = results.order_by(
            F("year").desc(nulls_last=True), F("first_published_at").desc(nulls_last=True), "-pk"
        )
    ordered = (
        ordered.select_related("content_type", "network")
        .prefetch_related("topics")
        .annotate(rating=F("bestpracticepage__evidence_rating"))
    )
    paginator = Paginator(ordered, PAGE_SIZE)
    paginator.count = total  # counted once with the facets (and cached): not again for paging
    number = paginator.get_page(params.get("page")).number  # a valid page number (no query)
    # Sorting every visible item is the page's cost: the page's ids are cached with the
    # counts, and the rows are then read by primary key.
    start = (number - 1) * PAGE_SIZE
    pks = cached(
        "browse-page",
        [index.pk, visibility_key(user), filters, sort, number],
        lambda: list(ordered.values_list("pk", flat=True)[start : start + PAGE_SIZE]),
    )
    rows = {item.pk: item for item in ordered.filter(pk__in=pks)}
    page = DjangoPage([rows[pk] for pk in pks if pk in rows], number, paginator)
    result = Browse(
        page=page,
        facets=facets,
        filters=filters,
        sort=sort,
        sorts=SORTS,
        total=total,
        private_paths=private_paths() if is_vetted_member(user) else [],
    )
    label_items(page.object_list, result.private_paths)
    return result


def _browse_facets(base: QuerySet, filters: dict[str, str]) -> list[Facet]:
    from library.models import EvidenceRating

    facets: list[Facet] = []

    counts = dict(
        _apply(base, filters, "type")
        .order_by()
        .values_list("content_type")
        .annotate(n=Count("pk", distinct=True))
    )
    facet = Facet("type", str(_("Type")))
    for name, model in _type_models().items():
        n = counts.get(ContentType.objects.get_for_model(model).pk, 0)
        if n or filters.get("type") == name:
            facet.values.append(
                FacetValue(
                    name, str(model._meta.verbose_name_plural).capitalize(), n, filters.get("type") == name
                )
            )
    facets.append(facet)

    facets.append(_m2m_facet(base, filters, "topic", _("Topic"), "topics", "topic_id", Topic, "slug"))
    facets.append(
        _m2m_facet(base, filters, "country", _("Country"), "countries", "country_id", Country, "code")
    )

    counts = dict(
        _apply(base, filters, "language")
        .order_by()
        .values_list("language")
        .annotate(n=Count("pk", distinct=True))
    )
    names = settings.LANGUAGE_NAMES_TRANSLATED
    facet = Facet("language", str(_("Language")))
    for code, _name in settings.LANGUAGES:
        if counts.get(code):
            facet.values.append(
                FacetValue(code, str(names.get(code, code)), counts[code], filters.get("language") == code)
            )
    facets.append(facet)

    counts = dict(
        _apply(base, filters, "year")
        .exclude(year=None)
        .order_by()
        .values_list("year")
        .annotate(n=Count("pk", distinct=True))
    )
    facet = Facet("year", str(_("Year")))
    for year in sorted(counts, reverse=True):
        facet.values.append(FacetValue(str(year), str(year), counts[year], filters.get("year") == str(year)))
    facets.append(facet)

    counts = dict(
        _apply(base, filters, "network")
        .exclude(network=None)
        .order_by()
        .values_list("network")
        .annotate(n=Count("pk", distinct=True))
    )
    facet = Facet("network", str(_("Network")))
    for network in Network.objects.filter(pk__in=list(counts)):
        facet.values.append(
            FacetValue(network.slug, network.name, counts[network.pk], filters.get("network") == network.slug)
        )
    facets.append(facet)

    counts = dict(
        _apply(base, filters, "rating")
        .exclude(bestpracticepage=None)
        .order_by()
        .values_list("bestpracticepage__evidence_rating")
        .annotate(n=Count("pk", distinct=True))
    )
    facet = Facet("rating", str(_("Evidence rating")))
    for rating in EvidenceRating:
        if counts.get(rating.value) or filters.get("rating") == rating.value:
            facet.values.append(
                FacetValue(
                    rating.value,
                    str(rating.label),
                    counts.get(rating.value, 0),
                    filters.get("rating") == rating.value,
                )
            )
    facets.append(facet)
    return [f for f in facets if f.values]


def label_items(items, paths: list[str]) -> None:
    """Type and rating labels, and the members-only mark, for a list of LibraryItems."""
    from library.models import EvidenceRating

    for item in items:
        model = item.content_type.model_class()
        item.type_text = model._meta.verbose_name if model else ""
        rating = getattr(item, "rating", None)
        item.rating_text = EvidenceRating(rating).label if rating in EvidenceRating.values else ""
        item.is_private = any(item.path.startswith(path) for path in paths)


# --- feeds ---------------------------------------------------------------------------------


def public_news(limit: int = 30):
    from library.models import ArticlePage

    return ArticlePage.objects.live().public().order_by("-date", "-pk")[:limit]


def public_publications(limit: int = 30):
    from library.models import PublicationPage

    return (
        PublicationPage.objects.live()
        .public()
        .order_by(F("first_published_at").desc(nulls_last=True), "-pk")[:limit]
    )


def item_url(page: Page, request=None) -> str:
    """The page's URL under the reader's language prefix: an English-only item listed on
    /es/library/ links to /es/library/<slug>/ (served by the fallback routing) rather than
    to the English interface."""
    url = page.get_url(request) or ""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if (
        url.startswith("/")
        and language != settings.LANGUAGE_CODE
        and not translation.get_language_from_path(url)
    ):
        url = f"/{language}{url}"
    return url


def visible_highlights(stream, user) -> list[dict]:
    """The home page's highlights `user` may follow: one pointing at a page the user may
    not see (members only) is left out, so its title never reaches a visitor."""
    highlights = []
    for block in stream:
        value = block.value
        page = value.get("page")
        url = ""
        if page is not None:
            page = page.specific
            if not page.live or not may_view_page(user, page):
                continue
            url = item_url(page)
        elif value.get("url", "").startswith(("https://", "http://", "/")):
            url = value["url"]
        highlights.append({"title": value["title"], "text": value.get("text", ""), "url": url})
    return highlights
