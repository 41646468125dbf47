"""The courses' part of the site search (registered in `CoursesConfig.ready()`), and the
home page's "new courses" section.

A hit is a published course whose title and summary hold every word of the query (the
catalogue's own matching, `courses.selectors.catalogue`, accent- and case-insensitive).
The catalogue is public, so a visitor finds every published course; unpublished ones are
never counted, listed or faceted. Filters shared with the other providers: `topic` (slug)
and `language` (code); the courses' own: `level` and `format`.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Course, CourseFormat, Level
from network.search import SearchFacet, SearchFacetValue, SearchHit, SearchProvider, highlight, query_terms

FILTER_KEYS = ("topic", "language", "level", "format")


def clean_course_filters(filters: dict) -> dict[str, str]:
    """The filters `selectors.catalogue` takes; a value it cannot have is dropped."""
    from django.conf import settings

    cleaned = {}
    if filters.get("topic"):
        cleaned["topic"] = str(filters["topic"])[:60]
    if filters.get("language") in dict(settings.LANGUAGES):
        cleaned["language"] = filters["language"]
    if filters.get("level") in Level.values:
        cleaned["level"] = filters["level"]
    if filters.get("format") in CourseFormat.values:
        cleaned["format"] = filters["format"]
    return cleaned


def _only_language(course) -> str:
    """The course's language when it is taught in one of the site's languages only, else ""."""
    from django.conf import settings

    codes = course.language_codes
    return codes[0] if len(codes) == 1 and codes[0] in dict(settings.LANGUAGES) else ""


def _matching(user, query: str, filters: dict) -> QuerySet[Course]:
    from courses.selectors import catalogue

    if not query_terms(query):
        return Course.objects.none()
    return catalogue(user, query=query, **clean_course_filters(filters))


def count_courses(user, query: str, filters: dict) -> int:
    return _matching(user, query, filters).order_by().count()


def search_courses(user, query: str, filters: dict, limit: int = 20, offset: int = 0) -> list[SearchHit]:
    courses = _matching(user, query, filters)[offset : offset + limit]
    terms = query_terms(query)
    return [
        SearchHit(
            title=course.title,
            url=reverse("courses:course", args=[course.slug]),
            snippet=highlight(course.summary, terms),
            kind=_("Course"),
            language=_only_language(course),
            date=course.next_run_start,
        )
        for course in courses
    ]


def _choice_facet(key: str, label: str, rows: dict, choices, selected: str) -> SearchFacet:
    facet = SearchFacet(key, label)
    for value, name in choices:
        if rows.get(value):
            facet.values.append(SearchFacetValue(value, str(name), rows[value], selected == value))
    return facet


def course_facets(user, query: str, filters: dict) -> list[SearchFacet]:
    """Level and format, each counted over the matches of the other filters (two queries)."""
    selected = clean_course_filters(filters)

    def counts(field: str) -> dict:
        others = {key: value for key, value in selected.items() if key != field}
        rows = _matching(user, query, others).order_by().values(field).annotate(n=Count("pk"))
        return {row[field]: row["n"] for row in rows}

    facets = [
        _choice_facet("level", _("Course level"), counts("level"), Level.choices, selected.get("level", "")),
        _choice_facet(
            "format", _("Course format"), counts("format"), CourseFormat.choices, selected.get("format", "")
        ),
    ]
    return [facet for facet in facets if facet.values]


courses_search_provider = SearchProvider(
    key="courses",
    label=gettext_lazy("Courses"),
    search=search_courses,
    count=count_courses,
    facets=course_facets,
    filter_keys=FILTER_KEYS,
    order=30,
)


def recent_courses_for(user, limit: int = 5):
    """The home page's "new courses": the latest published courses (one query)."""
    from courses.learner_selectors import recent_courses
    from network.registry import RecentItem

    return [
        RecentItem(
            title=course.title,
            url=reverse("courses:course", args=[course.slug]),
            meta=_("%(network)s · %(format)s · %(hours)s h")
            % {
                "network": course.network.short_name or course.network.name,
                "format": course.get_format_display(),
                "hours": course.duration_hours,
            },
            language=_only_language(course),
        )
        for course in recent_courses(limit)
    ]


def register() -> None:
    from network.registry import RecentProvider, registry
    from network.search import register_search_provider

    register_search_provider(courses_search_provider)
    registry.register_recent_provider(
        RecentProvider(
            key="courses",
            label=gettext_lazy("New courses"),
            items=recent_courses_for,
            order=40,
            more_url_name="courses:catalogue",
        )
    )
