"""Reads about events, each deciding what the reader may see or do.

The rules, in one place for pages, calendars, feeds and services:

- a published (or cancelled) public event is visible to everyone; a members-only event to
  members of its network and DPS staff; a draft only to the network's managers and staff;
- the online link only to members registered for the event (with a seat, not on the
  waiting list) and to the network's managers and DPS staff;
- registration is for members of the event's network (and staff), while it is open.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from network import permissions
from network.events.models import (
    LISTED_STATUSES,
    Event,
    EventLink,
    EventStatus,
    Registration,
    RegistrationStatus,
)

FEED_SALT = "network.events.feed"
FEED_PAST_DAYS = 90
FEED_MAX_EVENTS = 500


def _visible_network_ids(user) -> set[int] | None:
    """Networks whose members-only events the user sees; None means all (DPS staff)."""
    if permissions.is_dps_staff(user):
        return None
    return permissions.network_ids_of(user)


# --- single event ---------------------------------------------------------------------------


def can_manage_event(user, event: Event) -> bool:
    return permissions.is_network_manager(user, event.network_id)


def can_view_event(user, event: Event) -> bool:
    if event.status == EventStatus.DRAFT:
        return can_manage_event(user, event)
    if event.is_public:
        return True
    return permissions.is_dps_staff(user) or permissions.is_network_member(user, event.network_id)


def event_by_slug(slug: str) -> Event | None:
    return Event.objects.select_related("network", "country").filter(slug=slug).first()


def registration_of(user, event: Event) -> Registration | None:
    """The member's registration for the event (any status), with its waiting-list position."""
    if not permissions.is_member(user):
        return None
    registration = Registration.objects.with_waitlist_position().filter(user=user, event=event).first()
    if registration is not None:
        registration.event = event
    return registration


def can_see_online_link(user, event: Event, *, registration: Registration | None = None) -> bool:
    """Managers and staff always; members only while registered with a seat."""
    if not can_view_event(user, event):
        return False
    if can_manage_event(user, event):
        return True
    if registration is None:
        registration = registration_of(user, event)
    return (
        registration is not None
        and registration.user_id == user.pk
        and registration.is_registered
        and permissions.is_network_member(user, event.network_id)
    )


def may_register_for(user, event: Event) -> bool:
    """Whether the event's network lets this person register at all (open or not)."""
    return permissions.is_dps_staff(user) or permissions.is_network_member(user, event.network_id)


def _when(value, event: Event) -> str:
    local = value.astimezone(event.tz)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({event.time_zone})"


def registration_refusal(user, event: Event, *, now=None) -> str | None:
    """Why the user may not register now, in the active language; None when they may."""
    now = now or timezone.now()
    if not permissions.is_member(user):
        return _("Log in to register for this event.")
    if not may_register_for(user, event):
        return _("Only members of the %(network)s can register for this event.") % {
            "network": event.network.name
        }
    if event.status == EventStatus.CANCELLED:
        return _("This event was cancelled.")
    if event.status != EventStatus.PUBLISHED:
        return _("This event is not open for registration yet.")
    if event.has_started(now):
        return _("This event has already started; registration is closed.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Registration opens on %(when)s.") % {"when": _when(event.registration_opens_at, event)}
    if event.registration_closes_at and now >= event.registration_closes_at:
        return _("Registration for this event is closed.")
    if not permissions.may_act(user):
        return _("Set up two-factor authentication before you register.")
    return None


def cancellation_refusal(user, registration: Registration, *, now=None) -> str | None:
    """Why `user` may not cancel this registration (their own, or any as the network's manager)."""
    now = now or timezone.now()
    if not permissions.is_member(user):
        return _("Log in to cancel your registration.")
    if registration.user_id != user.pk and not can_manage_event(user, registration.event):
        return _("This is not your registration.")
    if not registration.is_active:
        return _("This registration is already cancelled.")
    if registration.event.has_started(now):
        return _("The event has already started; the registration can no longer be cancelled.")
    return None


def seats_taken(event: Event) -> int:
    value = getattr(event, "seats_taken", None)
    if value is None:
        value = event.registrations.registered().count()
    return value


def seats_left(event: Event) -> int | None:
    """Free seats; None when the event has no limit."""
    if event.capacity is None:
        return None
    return max(0, event.capacity - seats_taken(event))


def registration_counts(event: Event) -> dict[str, int]:
    """{status: number of registrations} for the event's managers."""
    rows = event.registrations.order_by().values_list("status").annotate(count=Count("id"))
    return dict.fromkeys(RegistrationStatus.values, 0) | dict(rows)


def can_record_attendance(user, event: Event, *, now=None) -> bool:
    """The network's managers (and staff) record who came to an in-person event once it started."""
    return (
        can_manage_event(user, event)
        and permissions.may_act(user)
        and not event.is_online
        and event.status == EventStatus.PUBLISHED
        and event.has_started(now)
    )


def attendance_registrations(event: Event):
    return (
        Registration.objects.registered()
        .filter(event=event)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )


def links_visible_to(user, event: Event, links=None) -> list[EventLink]:
    """Materials and recordings; members-only links for members of the network and staff."""
    links = list(event.links.all() if links is None else links)
    if permissions.is_dps_staff(user) or permissions.is_network_member(user, event.network_id):
        return links
    return [link for link in links if not link.members_only]


# --- lists ----------------------------------------------------------------------------------


def _listed_for(user):
    return Event.objects.listed().visible_in(network_ids=_visible_network_ids(user))


def _filtered(queryset, *, network=None, kind="", country=None, mode=""):
    if network is not None:
        queryset = queryset.filter(network=network)
    if kind:
        queryset = queryset.filter(kind=kind)
    if country is not None:
        queryset = queryset.filter(country=country)
    if mode == "online":
        queryset = queryset.filter(is_online=True)
    elif mode == "in_person":
        queryset = queryset.filter(is_online=False)
    return queryset


def upcoming_events_for(user, *, now=None, **filters):
    """Events not over yet that the user may see, soonest first, with seats taken counted."""
    return (
        _filtered(_listed_for(user).upcoming(now), **filters)
        .select_related("network", "country")
        .with_seats_taken()
    )


def past_events_for(user, *, now=None, **filters):
    """Events that are over, latest first, with their materials and recordings."""
    return (
        _filtered(_listed_for(user).past(now), **filters)
        .select_related("network", "country")
        .prefetch_related("links")
    )


def my_registrations(user, *, now=None):
    """The member's seats and waiting-list places for events not over yet, soonest first."""
    if not permissions.is_member(user):
        return Registration.objects.none()
    now = now or timezone.now()
    visible = Q()
    network_ids = _visible_network_ids(user)
    if network_ids is not None:
        visible = Q(event__is_public=True) | Q(event__network_id__in=network_ids)
    return (
        Registration.objects.active()
        .filter(visible, user=user, event__ends_at__gt=now, event__status__in=LISTED_STATUSES)
        .select_related("event", "event__network", "event__country")
        .with_waitlist_position()
        .order_by("event__starts_at", "event_id")
    )


# --- calendars ------------------------------------------------------------------------------


def feed_events_for(user, network, *, now=None) -> list[Event]:
    """A network's calendar as the user may see it: upcoming and recent events."""
    now = now or timezone.now()
    queryset = (
        _listed_for(user)
        .filter(network=network, ends_at__gt=now - timedelta(days=FEED_PAST_DAYS))
        .select_related("network", "country")
        .order_by("starts_at", "id")
    )
    return list(queryset[:FEED_MAX_EVENTS])


def online_link_event_ids(user, events) -> set[int]:
    """Of `events`, those whose online link the user may see (one query at most)."""
    events = [event for event in events if event.online_url]
    if not events or not permissions.is_member(user):
        return set()
    allowed = {event.id for event in events if can_manage_event(user, event)}
    member_events = [
        event.id
        for event in events
        if event.id not in allowed and permissions.is_network_member(user, event.network_id)
    ]
    if member_events:
        allowed |= set(
            Registration.objects.registered()
            .filter(user=user, event_id__in=member_events)
            .values_list("event_id", flat=True)
        )
    return allowed


def feed_networks_for(user):
    """Networks whose personal calendar feed the member can subscribe to."""
    from network.models import Network

    network_ids = _visible_network_ids(user)
    networks = Network.objects.order_by("name")
    return networks if network_ids is None else networks.filter(id__in=network_ids)


def _feed_key(user) -> str:
    # Changing the password (or deactivating the account) changes the key and so revokes
    # every calendar link handed out before.
    return salted_hmac(FEED_SALT, f"{user.pk}:{user.password}:{user.is_active}").hexdigest()[:16]


def feed_token_for(user) -> str:
    return signing.Signer(salt=FEED_SALT).sign(f"{user.pk}-{_feed_key(user)}")


def user_for_feed_token(token: str):
    """The active member a personal feed token was made for, or None."""
    try:
        value = signing.Signer(salt=FEED_SALT).unsign(token)
        user_id, key = value.split("-", 1)
        user_id = int(user_id)
    except (signing.BadSignature, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(key, _feed_key(user)):
        return None
    return user


def recent_events_for(user, limit: int = 4):
    """The home page's "upcoming events": the next events `user` may see (one query)."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from network.registry import RecentItem

    items = []
    for event in _listed_for(user).upcoming().select_related("network").order_by("starts_at", "pk")[:limit]:
        place = _("Online") if event.is_online else event.venue_city
        when = date_format(event.starts_at, "SHORT_DATE_FORMAT")
        items.append(
            RecentItem(
                title=event.title,
                url=event.get_absolute_url(),
                meta=f"{when} · {place}" if place else when,
                language=event.language,
            )
        )
    return items
