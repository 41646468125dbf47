"""Actions that change events and registrations.

Each one validates first, then writes in one transaction. Seats are handed out with the
event's row locked (SELECT ... FOR UPDATE), so concurrent registrations and cancellations
on several web processes never give away more seats than the event has, and the waiting
list is served first come, first served. Notifications go through `network.services.notify`,
which pushes and e-mails only after commit. Every change is written to the audit log.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from network.events import selectors
from network.events.models import Event, EventStatus, Registration, RegistrationStatus
from network.models import AuditEntry
from network.services import notify

REMINDER_LEAD_TIME = timedelta(hours=24)


class EventActionRefused(Exception):
    """A refusal with a message for the user in the active language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- helpers --------------------------------------------------------------------------------


def _event_url(event: Event) -> str:
    # Notifications are read in any language: link to the unprefixed page, which sends
    # each reader on to their own language.
    with translation.override(settings.LANGUAGE_CODE):
        return event.get_absolute_url()


def _audit_entry(*, actor, action: str, event: Event, subject_user=None, reason: str = "", data=None):
    return AuditEntry(
        actor=actor,
        action=action,
        network_id=event.network_id,
        subject_user=subject_user,
        target_type=ContentType.objects.get_for_model(Event),
        target_id=str(event.pk),
        reason=reason,
        data=data or {},
    )


def _audit(**kwargs) -> AuditEntry:
    entry = _audit_entry(**kwargs)
    entry.save()
    return entry


def _locked(event: Event) -> Event:
    """The event re-read with its row locked until the end of the transaction."""
    return Event.objects.select_for_update().select_related("network").get(pk=event.pk)


def _registered_count(event: Event) -> int:
    return Registration.objects.registered().filter(event=event).count()


def _fill_seats(event: Event, *, now, actor=None) -> list[Registration]:
    """Give free seats to the waiting list, oldest first. The caller holds the event's lock."""
    if event.status != EventStatus.PUBLISHED or event.has_started(now):
        return []
    waiting = Registration.objects.select_for_update(of=("self",)).filter(event=event).waitlisted()
    if event.capacity is not None:
        free = event.capacity - _registered_count(event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting.select_related("user"))
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        _audit(
            actor=actor,
            action="event.promoted",
            event=event,
            subject_user=registration.user,
            data={"registration": registration.pk},
        )
        notify(
            user=registration.user,
            verb="events.promoted",
            target=event,
            url=_event_url(event),
        )
    return promoted


# --- registrations --------------------------------------------------------------------------


@transaction.atomic
def registration_create(*, event: Event, user, now=None) -> Registration:
    """Register `user` for `event`: a seat if one is free, otherwise the end of the waiting list.

    Only members of the event's network (and DPS staff), only while registration is open.
    Registering again while registered or waiting returns the same registration unchanged.
    Raises EventActionRefused with the reason in the active language.
    """
    now = now or timezone.now()
    event = _locked(event)
    existing = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if existing is not None and existing.is_active:
        return existing
    refusal = selectors.registration_refusal(user, event, now=now)
    if refusal:
        raise EventActionRefused(refusal)

    # Seats freed while nobody was looking (capacity raised) go to those already waiting.
    _fill_seats(event, now=now)
    full = event.capacity is not None and _registered_count(event) >= event.capacity
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED
    registration = existing or Registration(event=event, user=user)
    registration.status = status
    registration.created_at = now
    registration.promoted_at = None
    registration.cancelled_at = None
    registration.attended = None
    registration.reminder_sent_at = None
    registration.save()

    position = None
    if full:
        position = Registration.objects.waitlisted().filter(event=event).count()
    _audit(
        actor=user,
        action="event.waitlisted" if full else "event.registered",
        event=event,
        subject_user=user,
        data={"registration": registration.pk, "position": position},
    )
    with translation.override(user.language):
        if full:
            outcome = _("you are number %(position)d on the waiting list") % {"position": position}
        else:
            outcome = _("you have a seat")
    notify(
        user=user,
        verb="events.registered",
        target=event,
        url=_event_url(event),
        params={"outcome": outcome},
    )
    registration.waitlist_position = position
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, by, now=None) -> Registration:
    """Cancel a seat or a place on the waiting list (the member's own, or any as manager).

    A freed seat goes at once to the first person on the waiting list, who is notified.
    """
    now = now or timezone.now()
    event = _locked(registration.event)
    registration = Registration.objects.select_for_update().select_related("user").get(pk=registration.pk)
    registration.event = event
    refusal = selectors.cancellation_refusal(by, registration, now=now)
    if refusal:
        raise EventActionRefused(refusal)
    had_seat = registration.is_registered
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    _audit(
        actor=by,
        action="event.registration_cancelled",
        event=event,
        subject_user=registration.user,
        data={"registration": registration.pk, "had_seat": had_seat},
    )
    if had_seat:
        _fill_seats(event, now=now, actor=by)
    return registration


# --- attendance -----------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, event: Event, by, attended_user_ids, now=None) -> int:
    """Record who came to an in-person event: the checked members attended, the others did not.

    Only the network's managers and DPS staff, once the event has started. Each change is
    audited (`event.attendance`). Returns the number of registrations changed.
    """
    event = _locked(event)
    if not selectors.can_record_attendance(by, event, now=now):
        raise PermissionDenied("only the network's managers record attendance, once the event started")
    try:
        attended = {int(user_id) for user_id in attended_user_ids}
    except (TypeError, ValueError) as exc:
        raise EventActionRefused(_("The attendance list is not valid.")) from exc
    registrations = list(
        Registration.objects.select_for_update(of=("self",))
        .registered()
        .filter(event=event)
        .select_related("user")
    )
    if attended - {registration.user_id for registration in registrations}:
        raise EventActionRefused(_("Only registered members can be marked as present."))
    changed, entries = [], []
    for registration in registrations:
        present = registration.user_id in attended
        if registration.attended is present:
            continue
        entries.append(
            _audit_entry(
                actor=by,
                action="event.attendance",
                event=event,
                subject_user=registration.user,
                data={
                    "registration": registration.pk,
                    "attended": present,
                    "previous": registration.attended,
                },
            )
        )
        registration.attended = present
        changed.append(registration)
    Registration.objects.bulk_update(changed, ["attended"])
    AuditEntry.objects.bulk_create(entries)
    return len(changed)


# --- events ---------------------------------------------------------------------------------


def _notify_cancellation(event: Event, *, by, reason: str = "") -> int:
    if event.cancellation_notified_at is not None:
        return 0
    registrations = list(Registration.objects.active().filter(event=event).select_related("user"))
    for registration in registrations:
        notify(user=registration.user, verb="events.cancelled", target=event, url=_event_url(event))
    event.cancellation_notified_at = timezone.now()
    event.save(update_fields=["cancellation_notified_at"])
    _audit(
        actor=by, action="event.cancelled", event=event, reason=reason, data={"notified": len(registrations)}
    )
    return len(registrations)


@transaction.atomic
def event_cancel(*, event: Event, by, reason: str = "") -> Event:
    """Call the event off and tell everyone registered or waiting (once)."""
    event = _locked(event)
    if not selectors.can_manage_event(by, event):
        raise PermissionDenied("only the network's managers cancel its events")
    if event.status != EventStatus.CANCELLED:
        event.status = EventStatus.CANCELLED
        event.save(update_fields=["status", "updated_at"])
    _notify_cancellation(event, by=by, reason=reason)
    return event


@transaction.atomic
def event_after_admin_save(*, event: Event, by) -> None:
    """What follows an edit in the CMS: a cancellation is announced to the registrants (once);
    seats added to a published event go to the waiting list."""
    event = _locked(event)
    if event.status == EventStatus.CANCELLED:
        _notify_cancellation(event, by=by)
    elif event.status == EventStatus.PUBLISHED:
        _fill_seats(event, now=timezone.now(), actor=by)


# --- reminders ------------------------------------------------------------------------------


def reminders_send(*, now=None, progress=None) -> int:
    """Remind members with a seat, 24 hours before their event starts, once each.

    Each registration is claimed with a conditional UPDATE before notifying, so concurrent
    or repeated runs never remind anyone twice. Returns the number of reminders sent.
    """
    now = now or timezone.now()
    due = list(
        Registration.objects.registered()
        .filter(
            reminder_sent_at__isnull=True,
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_LEAD_TIME,
        )
        .order_by("event__starts_at", "id")
        .values_list("id", flat=True)
    )
    sent = 0
    for registration_id in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration_id, reminder_sent_at__isnull=True, status=RegistrationStatus.REGISTERED
            ).update(reminder_sent_at=now)
            if claimed:
                registration = Registration.objects.select_related("event", "user").get(pk=registration_id)
                event = registration.event
                notify(
                    user=registration.user,
                    verb="events.reminder",
                    target=event,
                    url=_event_url(event),
                    params={"when": f"{event.local_starts_at:%Y-%m-%d %H:%M} ({event.time_zone})"},
                )
                sent += 1
        if progress:
            progress(1, len(due))
    return sent
