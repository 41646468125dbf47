"""The DPS training dashboard, `/courses/dashboard/` (DPS staff only).

Every number comes from the CourseStat counters (`courses.selectors.dashboard_*`), which
the services keep up to date, so the page sums a few thousand rows whatever the number of
learners. Filters: network, course, format, country, year. The CSV export lists the same
breakdowns as the page (by country, month, course and institution) under the same filters.
"""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from courses import selectors
from courses.models import Course, CourseFormat
from network import charts

FILTER_NAMES = ("network", "course", "format", "country", "year")
CSV_COLUMNS = ["breakdown", "key", "name", "enrolments", "completions", "certificates"]


def dashboard_filters(params) -> dict:
    """The filters of a request: known names only, short values, empty ones dropped."""
    filters = {name: str(params.get(name, "")).strip()[:80] for name in FILTER_NAMES}
    if not (filters["year"].isdigit() and 1900 <= int(filters["year"]) <= 2999):
        filters["year"] = ""  # not a year: all years rather than an error
    return {name: value for name, value in filters.items() if value}


def _require_dashboard(request) -> dict:
    if not selectors.can_view_dashboard(request.user):
        raise PermissionDenied
    return dashboard_filters(request.GET)


def _filter_choices() -> dict:
    from network.models import Country, Network

    return {
        "networks": Network.objects.order_by("name").only("slug", "name", "short_name"),
        "courses": Course.objects.order_by("title").only("pk", "title"),
        "formats": CourseFormat.choices,
        "countries": Country.objects.order_by("name_en"),
        "years": selectors.dashboard_years(),
    }


def _charts(by_country: list[dict], by_month: list[dict]) -> dict:
    bars = charts.bar_chart(
        [(row["name"], row["enrolments"]) for row in by_country],
        title=_("Enrolments by country"),
        label_header=_("Country"),
        value_label=_("Enrolments"),
        max_bars=25,
        chart_id="courses-by-country",
    )
    series = {
        _("Enrolments"): [(row["month"], row["enrolments"]) for row in by_month],
        _("Completions"): [(row["month"], row["completions"]) for row in by_month],
        _("Certificates"): [(row["month"], row["certificates"]) for row in by_month],
    }
    line = charts.line_chart(series, title=_("By month"), x_header=_("Month"), chart_id="courses-by-month")
    return {"bars": bars, "line": line}


@login_required
@require_GET
def dashboard(request):
    filters = _require_dashboard(request)
    by_country = selectors.dashboard_by_country(filters)
    by_month = selectors.dashboard_by_month(filters)
    context = {
        "filters": filters,
        "totals": selectors.dashboard_totals(filters),
        "targets": selectors.targets(filters),
        "by_country": by_country,
        "by_course": selectors.dashboard_by_course(filters),
        "by_institution": selectors.dashboard_by_institution(filters),
        "export_query": request.GET.urlencode(),
        **_charts(by_country, by_month),
        **_filter_choices(),
    }
    return render(request, "courses/dashboard/dashboard.html", context)


class _Echo:
    def write(self, value):
        return value


def csv_rows(filters: dict):
    """The CSV's rows (after the header): each breakdown of the page, one line per key."""
    for row in selectors.dashboard_by_country(filters):
        yield ["country", row["country_code"], row["name"], *_sums(row)]
    for row in selectors.dashboard_by_month(filters):
        yield ["month", row["month"].strftime("%Y-%m"), "", *_sums(row)]
    for row in selectors.dashboard_by_course(filters):
        yield ["course", row["course_id"], row["title"], *_sums(row)]
    for row in selectors.dashboard_by_institution(filters):
        yield ["institution", row["institution_id"], row["name"], *_sums(row)]


def _sums(row: dict) -> list[int]:
    return [row["enrolments"], row["completions"], row["certificates"]]


def _csv_safe(value) -> str:
    """Names typed by people must not run as formulas when the file opens in a spreadsheet."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_GET
def dashboard_csv(request):
    filters = _require_dashboard(request)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that spreadsheets read the file as UTF-8
        yield writer.writerow(CSV_COLUMNS)
        for row in csv_rows(filters):
            yield writer.writerow([_csv_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="puente-courses-dashboard.csv"'
    return response


# Included by courses/urls.py at "dashboard/".
urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("export.csv", dashboard_csv, name="dashboard_csv"),
]
