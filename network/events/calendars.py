"""Events as iCalendar text, with the members-only parts only for those who may see them."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from network.events import ical
from network.events.models import Event, EventStatus

ICAL_STATUS = {
    EventStatus.DRAFT: "TENTATIVE",
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "puente.invalid"


def event_page_url(event: Event) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL + event.get_absolute_url()


def event_uid(event: Event) -> str:
    """Stable across edits and renames: calendars update the entry instead of adding one."""
    return f"event-{event.pk}@{_site_host()}"


def to_vevent(event: Event, *, show_online_link: bool, stamp=None) -> ical.VEvent:
    if event.is_online:
        location = event.online_url if show_online_link and event.online_url else _("Online")
    else:
        location = event.location_text
    description = event.description
    if event.is_cancelled:
        description = _("This event was cancelled.") + ("\n\n" + description if description else "")
    return ical.VEvent(
        uid=event_uid(event),
        stamp=stamp or timezone.now(),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        summary=event.title,
        description=description,
        location=location,
        url=event_page_url(event),
        status=ICAL_STATUS.get(event.status, "CONFIRMED"),
        last_modified=event.updated_at,
        language=event.language,
    )


def event_calendar(event: Event, *, show_online_link: bool) -> str:
    return ical.calendar([to_vevent(event, show_online_link=show_online_link)])


def network_calendar(network, events, *, link_event_ids: set[int]) -> str:
    stamp = timezone.now()
    return ical.calendar(
        [to_vevent(event, show_online_link=event.id in link_event_ids, stamp=stamp) for event in events],
        name=f"Puente · {network.short_name or network.name}",
        description=_("Events of the %(network)s") % {"network": network.name},
    )
