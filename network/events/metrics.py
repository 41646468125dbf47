"""The events' numbers on the network dashboard: events held and registrations, by month."""

from django.db.models import Count
from django.db.models.functions import TruncMonth

from network.events.models import Event, Registration


def _rows(queryset, date_field: str, country_field: str):
    rows = (
        queryset.annotate(month=TruncMonth(date_field))
        .values(country_field, "month")
        .annotate(count=Count("id"))
    )
    return [
        (
            row[country_field] or "",
            row["month"].date() if hasattr(row["month"], "date") else row["month"],
            row["count"],
        )
        for row in rows
    ]


def event_counts(network_ids, since):
    """Published events by the month they start, by venue country (online events: no country)."""
    events = Event.objects.published().filter(starts_at__gte=since)
    if network_ids is not None:
        events = events.filter(network_id__in=network_ids)
    return _rows(events, "starts_at", "country_id")


def registration_counts(network_ids, since):
    """Seats taken, by the month of registration and the event's venue country."""
    registrations = Registration.objects.filter(status="registered", created_at__gte=since)
    if network_ids is not None:
        registrations = registrations.filter(event__network_id__in=network_ids)
    return _rows(registrations, "created_at", "event__country_id")
