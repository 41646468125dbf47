"""The network dashboard's numbers: each registered metric by member state and month."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from network import permissions
from network.models import ApplicationStatus, Country, Membership, MembershipApplication, MembershipStatus
from network.registry import registry

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(today: date, count: int) -> list[date]:
    """The first days of the last `count` months, oldest first, ending with today's month."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") else value


def member_counts(network_ids, since):
    """New members per month, by the country they gave when they applied."""
    country_of = Subquery(
        MembershipApplication.objects.filter(
            applicant=OuterRef("user_id"), network=OuterRef("network_id"), status=ApplicationStatus.APPROVED
        )
        .order_by("-decided_at")
        .values("country_id")[:1]
    )
    memberships = Membership.objects.filter(status=MembershipStatus.ACTIVE, joined_at__gte=since)
    if network_ids is not None:
        memberships = memberships.filter(network_id__in=network_ids)
    rows = (
        memberships.annotate(month=TruncMonth("joined_at"), country=country_of)
        .values("country", "month")
        .annotate(count=Count("id"))
    )
    return [(row["country"] or "", _as_date(row["month"]), row["count"]) for row in rows]


def application_counts(network_ids, since):
    applications = MembershipApplication.objects.filter(created_at__gte=since)
    if network_ids is not None:
        applications = applications.filter(network_id__in=network_ids)
    rows = (
        applications.annotate(month=TruncMonth("created_at"))
        .values("country_id", "month")
        .annotate(count=Count("id"))
    )
    return [(row["country_id"] or "", _as_date(row["month"]), row["count"]) for row in rows]


@dataclass
class MetricSeries:
    key: str
    label: str
    by_month: dict[date, int]
    by_country: dict[str, int]
    total: int


@dataclass
class Dashboard:
    months: list[date]
    metrics: list[MetricSeries]
    countries: dict[str, Country]
    rows: list[tuple[str, date, str, int]]  # (metric key, month, country code, count) for CSV


def dashboard_for(
    *, user, network=None, months: int = DEFAULT_MONTHS, today: date | None = None
) -> Dashboard:
    """Every metric over the last `months` months for the networks the user manages."""
    months = max(1, min(MAX_MONTHS, months))
    today = today or timezone.localdate()
    month_list = months_back(today, months)
    since = timezone.make_aware(timezone.datetime(month_list[0].year, month_list[0].month, 1))
    managed = permissions.managed_network_ids(user)
    if network is not None:
        network_ids = {network.pk} if managed is None or network.pk in managed else set()
    else:
        network_ids = managed
    metrics, rows = [], []
    for metric in registry.ordered_dashboard_metrics():
        by_month: dict[date, int] = defaultdict(int)
        by_country: dict[str, int] = defaultdict(int)
        for country, month, count in metric.counts(network_ids, since):
            month = month_start(month)
            by_month[month] += count
            by_country[country] += count
            rows.append((metric.key, month, country, count))
        metrics.append(
            MetricSeries(
                key=metric.key,
                label=str(metric.label),
                by_month={m: by_month.get(m, 0) for m in month_list},
                by_country=dict(sorted(by_country.items(), key=lambda item: -item[1])),
                total=sum(by_country.values()),
            )
        )
    rows.sort(key=lambda row: (row[0], row[1], row[2]))
    return Dashboard(
        months=month_list,
        metrics=metrics,
        countries={country.code: country for country in Country.objects.all()},
        rows=rows,
    )


def can_view_dashboard(user) -> bool:
    return permissions.may_act(user) and permissions.can_manage_any_network(user)
