import csv
from itertools import islice
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from network import charts
from network.institutions import selectors
from network.institutions.forms import InstitutionFilterForm
from network.institutions.models import (
    Certification,
    CertificationStatus,
    InstitutionKind,
    certification_status_on,
)


@require_GET
def institution_list(request):
    today = timezone.localdate()
    form = InstitutionFilterForm(request.GET or None)
    filters = form.filters()
    institutions = selectors.institution_list(filters=filters, today=today).prefetch_related(
        Prefetch(
            "certifications",
            queryset=Certification.objects.in_force(today).order_by("standard"),
            to_attr="certifications_in_force",
        )
    )
    page = Paginator(institutions, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    facets = selectors.institution_facets(filters=filters, today=today)
    return render(
        request,
        "institutions/institution_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "facets": facets,
            "is_filtered": any((filters.q, filters.country, filters.kind, filters.status)),
            "can_export": selectors.can_export_institutions(request.user),
        },
    )


def _list_url_for_country(code: str) -> str:
    return reverse("institutions:list") + "?" + urlencode({"country": code, "status": selectors.CERTIFIED})


@require_GET
def institution_map(request):
    today = timezone.localdate()
    counts = selectors.certified_counts_by_country(today=today)
    countries = selectors.member_states()
    value_label = _("Certified institutions")

    def describe(country, value):
        count = int(value)
        return ngettext(
            "%(country)s: %(count)d institution with a certification in force",
            "%(country)s: %(count)d institutions with a certification in force",
            count,
        ) % {"country": country.name, "count": count}

    tile_map = charts.tile_map(
        counts,
        countries,
        title=_("Institutions with a certification in force, by member state"),
        link=_list_url_for_country,
        value_label=value_label,
        describe=describe,
        chart_id="institutions-map",
    )
    by_code = {country.code: country for country in countries}
    bar_rows = sorted(
        ((by_code[code].name, count, code) for code, count in counts.items() if code in by_code and count),
        key=lambda row: (-row[1], row[0]),
    )
    links = {name: _list_url_for_country(code) for name, _count, code in bar_rows}
    bar_chart = charts.bar_chart(
        [(name, count) for name, count, _code in bar_rows],
        title=_("Certified institutions by country"),
        label_header=_("Country"),
        value_label=value_label,
        link=links.get,
        chart_id="institutions-by-country",
    )
    return render(
        request,
        "institutions/institution_map.html",
        {"tile_map": tile_map, "bar_chart": bar_chart, "total": sum(counts.values()), "today": today},
    )


@require_GET
def institution_detail(request, institution_id: int):
    institution = selectors.institution_detail(institution_id=institution_id)
    if institution is None:
        raise Http404
    return render(
        request,
        "institutions/institution_detail.html",
        {
            "institution": institution,
            "certifications": selectors.certifications_of(institution=institution),
            "can_download": selectors.can_download_evidence(request.user),
            "members": selectors.institution_members_for(viewer=request.user, institution=institution),
        },
    )


@login_required
@require_GET
def evidence_download(request, certification_id: int):
    """The evidence PDF of a certification, to vetted members only, always as a download."""
    if not selectors.can_download_evidence(request.user):
        raise PermissionDenied
    certification = Certification.objects.select_related("institution").filter(pk=certification_id).first()
    if certification is None or not certification.evidence_document:
        raise Http404
    storage = certification.evidence_document.storage
    name = certification.evidence_document.name
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    filename = f"{slugify(certification.institution.acronym or certification.institution.name)[:40]}-"
    filename += f"{slugify(certification.standard)[:40]}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser render it anyway: no scripts, no plugins, a unique origin.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- CSV export ------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class _Echo:
    def write(self, value):
        return value


class _CsvFormatter:
    """Turns export rows into CSV lines. Every translated text is taken when the response is
    built, not while it streams (the reader's language is active only during the view)."""

    def __init__(self, today):
        self.today = today
        self.writer = csv.writer(_Echo())
        self.kinds = {value: str(label) for value, label in InstitutionKind.choices}
        self.statuses = {value: str(label) for value, label in CertificationStatus.choices}
        self.not_certified = _("Not certified")
        self.header = [
            _("Institution"),
            _("Acronym"),
            _("Country code"),
            _("Country"),
            _("Type"),
            _("Website"),
            _("Standard"),
            _("Scope"),
            _("Certifying body"),
            _("Valid from"),
            _("Valid until"),
            _("Status"),
        ]

    def line(self, cells) -> str:
        return self.writer.writerow([spreadsheet_safe(cell) for cell in cells])

    def first_line(self) -> str:
        return "\ufeff" + self.line(self.header)  # the BOM tells Excel this is UTF-8

    def row(self, row) -> str:
        (name, acronym, code, country, kind, website, cert_id, standard, scope, body, start, end) = row
        if cert_id is None:
            status = self.not_certified
        else:
            status = self.statuses[
                certification_status_on(valid_from=start, valid_until=end, today=self.today)
            ]
        return self.line(
            [
                name,
                acronym,
                code,
                country,
                self.kinds.get(kind, kind),
                website,
                standard,
                scope,
                body,
                start.isoformat() if start else "",
                end.isoformat() if end else "",
                status,
            ]
        )

    def lines(self, rows):
        yield self.first_line()
        for row in rows.iterator(chunk_size=EXPORT_CHUNK):
            yield self.row(row)

    async def alines(self, rows):
        yield self.first_line()
        # Not `aiterator()`: for values_list() it runs the query in the event loop's thread.
        rows_iterator = rows.iterator(chunk_size=EXPORT_CHUNK)
        next_chunk = sync_to_async(lambda: list(islice(rows_iterator, EXPORT_CHUNK)))
        while True:
            chunk = await next_chunk()
            for row in chunk:
                yield self.row(row)
            if len(chunk) < EXPORT_CHUNK:
                break


EXPORT_CHUNK = 2000


@login_required
@require_GET
def institution_export(request):
    """Every institution × certification as CSV (UTF-8 with a BOM, for Excel), DPS staff only.

    Streamed: under ASGI (Daphne) from an async iterator, so that rows go out as they are
    read instead of being gathered in memory first."""
    if not selectors.can_export_institutions(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    formatter = _CsvFormatter(today)
    rows = selectors.export_rows()
    content = formatter.alines(rows) if hasattr(request, "scope") else formatter.lines(rows)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="institutions-{today.isoformat()}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
