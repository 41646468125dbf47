"""What visitors and members may see of institutions, and the numbers behind the list,
the map and the export."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language

from network.institutions.models import (
    IN_FORCE,
    Certification,
    Institution,
    InstitutionKind,
    InstitutionStatus,
)
from network.models import Country
from network.permissions import is_dps_staff, is_vetted_member

PAGE_SIZE = 25
CERTIFIED = "certified"  # the status filter for "a certification in force" (valid or expiring)
STATUS_FILTERS = (CERTIFIED, *InstitutionStatus.values)
SORTS = ("name", "country")


# --- rules -------------------------------------------------------------------------------------


def can_download_evidence(user) -> bool:
    """Certificates' evidence documents: vetted members (which includes network managers
    and DPS staff), never visitors."""
    return is_vetted_member(user)


def can_export_institutions(user) -> bool:
    return is_dps_staff(user)


def can_see_institution_members(user) -> bool:
    """Who works where is member data: only vetted members see it."""
    return is_vetted_member(user)


# --- the list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstitutionFilters:
    q: str = ""
    country: str = ""
    kind: str = ""
    status: str = ""
    sort: str = "name"

    def without(self, name: str) -> InstitutionFilters:
        return replace(self, **{name: ""})


def country_name_field(language: str | None = None) -> str:
    language = (language or get_language() or "en")[:2]
    return f"name_{language}" if language in ("en", "es", "pt", "fr") else "name_en"


def _filtered(filters: InstitutionFilters, today: date):
    institutions = Institution.objects.all()
    if filters.q:
        institutions = institutions.search(filters.q)
    if filters.country:
        institutions = institutions.filter(country_id=filters.country)
    if filters.kind:
        institutions = institutions.filter(kind=filters.kind)
    if filters.status:
        institutions = institutions.with_certification_status(today)
        if filters.status == CERTIFIED:
            institutions = institutions.filter(certification_status__in=[status.value for status in IN_FORCE])
        else:
            institutions = institutions.filter(certification_status=filters.status)
    return institutions


def institution_list(*, filters: InstitutionFilters, today: date | None = None):
    """The institutions matching `filters`, with their country and today's certification
    status (`certification_status`), sorted by name or by the country's name in the
    reader's language."""
    today = today or timezone.localdate()
    institutions = _filtered(filters, today)
    if not filters.status:
        institutions = institutions.with_certification_status(today)
    institutions = institutions.select_related("country")
    if filters.sort == "country":
        return institutions.order_by(f"country__{country_name_field()}", "name", "pk")
    return institutions.order_by("name", "pk")


@dataclass(frozen=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facets:
    countries: list[Facet]
    kinds: list[Facet]
    statuses: list[Facet]


def institution_facets(*, filters: InstitutionFilters, today: date | None = None) -> Facets:
    """How many institutions each filter value would give, the other filters applied
    (three queries and one for the countries, however many institutions)."""
    today = today or timezone.localdate()
    by_country = dict(
        _filtered(filters.without("country"), today)
        .order_by()
        .values_list("country_id")
        .annotate(count=Count("pk"))
    )
    by_kind = dict(
        _filtered(filters.without("kind"), today).order_by().values_list("kind").annotate(count=Count("pk"))
    )
    by_status = (
        _filtered(filters.without("status"), today)
        .with_certification_status(today)
        .order_by()
        .aggregate(
            **{
                status: Count("pk", filter=Q(certification_status=status))
                for status in InstitutionStatus.values
            }
        )
    )
    by_status[CERTIFIED] = sum(by_status[status.value] for status in IN_FORCE)
    countries = sorted(Country.objects.all(), key=lambda country: country.name)
    return Facets(
        countries=[Facet(c.code, c.name, by_country.get(c.code, 0)) for c in countries],
        kinds=[Facet(value, str(label), by_kind.get(value, 0)) for value, label in InstitutionKind.choices],
        statuses=[Facet(value, str(label), by_status[value]) for value, label in status_choices()],
    )


def status_choices():
    from django.utils.translation import gettext_lazy as _

    return [(CERTIFIED, _("Certified (valid or expiring)")), *InstitutionStatus.choices]


# --- one institution ---------------------------------------------------------------------------


def institution_detail(*, institution_id: int):
    return Institution.objects.select_related("country").filter(pk=institution_id).first()


def certifications_of(*, institution, today: date | None = None):
    return list(
        Certification.objects.filter(institution=institution).with_status(today or timezone.localdate())
    )


def institution_members_for(*, viewer, institution) -> list | None:
    """The members who work at `institution` as (name, profile URL) pairs, for vetted members
    only (None for others, who must not even see the section).

    The profiles app owns who may see whose profile and each member's choice to show their
    institution (`network.profiles.selectors.members_of_institution`); until that app
    provides it, the list is empty.
    """
    if not can_see_institution_members(viewer):
        return None
    if not hasattr(Institution, "profiles"):
        return []
    try:
        from network.profiles.selectors import members_of_institution
    except ImportError:
        return []
    members = []
    for profile in members_of_institution(viewer=viewer, institution=institution):
        username = profile.user.get_username()
        try:
            url = reverse("profiles:profile", args=[username])
        except NoReverseMatch:
            url = ""
        members.append((str(profile.user), url))
    return members


# --- the map and the chart ---------------------------------------------------------------------


def certified_counts_by_country(*, today: date | None = None) -> dict[str, int]:
    """{country code: number of institutions with a certification in force today}."""
    return dict(
        Institution.objects.certified(today or timezone.localdate())
        .order_by()
        .values_list("country_id")
        .annotate(count=Count("pk"))
    )


def member_states():
    return list(Country.objects.all())


# --- the export --------------------------------------------------------------------------------


def export_rows():
    """One row per institution and certification (one row without certification data for an
    institution that has none), ordered by country and name: a queryset to iterate."""
    name_field = country_name_field()
    return Institution.objects.order_by("country_id", "name", "pk", "certifications__valid_from").values_list(
        "name",
        "acronym",
        "country_id",
        f"country__{name_field}",
        "kind",
        "website",
        "certifications__pk",
        "certifications__standard",
        "certifications__scope",
        "certifications__certifying_body",
        "certifications__valid_from",
        "certifications__valid_until",
    )
