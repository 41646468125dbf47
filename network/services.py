"""Actions that change members' state. Each validates first, writes in a transaction and
sends real-time events and tasks only after commit."""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation

from network import realtime
from network.models import Announcement, Delivery, Notification, NotificationPreference
from network.registry import registry
from network.selectors import delivery_for, notification_payload, unread_notification_count

logger = logging.getLogger(__name__)


class UnknownNotificationType(ValueError):
    pass


def enqueue(task, *args) -> None:
    """Queue a Celery task after commit; a broker outage is logged, never raised to the user."""

    def _send():
        try:
            task.delay(*args)
        except Exception:
            logger.exception("could not queue %s%r", task.name, args)

    transaction.on_commit(_send)


def notify(
    *, user, verb: str, target=None, actor=None, url: str = "", params: dict | None = None
) -> Notification:
    """Store a notification for `user`, push it on their `user` stream and e-mail it
    according to their preference for `verb` (immediate, daily digest or off).

    `params` fill the registered message; `target` and `actor` are snapshotted into them
    so the sentence survives their deletion.
    """
    if verb not in registry.notification_types:
        raise UnknownNotificationType(verb)
    snapshot = dict(params or {})
    if actor is not None:
        snapshot.setdefault("actor", str(actor))
    if target is not None:
        snapshot.setdefault("target", str(target))
        if not url and hasattr(target, "get_absolute_url"):
            url = target.get_absolute_url()
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=user,
            verb=verb,
            actor=actor,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            params=snapshot,
            url=url,
        )
        with translation.override(user.language):
            payload = notification_payload(notification, unread_count=unread_notification_count(user))
        realtime.send_to_user(user.id, "notification.created", payload)
        if user.email and delivery_for(user=user, verb=verb) == Delivery.IMMEDIATE:
            from network.tasks import send_notification_email

            enqueue(send_notification_email, notification.id)
    return notification


def _push_unread_count(user) -> None:
    realtime.send_to_user(user.id, "unread.count", {"unread_count": unread_notification_count(user)})


def notification_mark_read(*, user, notification_id: int) -> bool:
    """Mark one of the member's notifications read; another member's id changes nothing."""
    with transaction.atomic():
        changed = (
            Notification.objects.for_recipient(user)
            .unread()
            .filter(id=notification_id)
            .update(read_at=timezone.now())
        )
        if changed:
            _push_unread_count(user)
    return bool(changed)


def notification_mark_all_read(*, user) -> int:
    with transaction.atomic():
        changed = Notification.objects.for_recipient(user).unread().update(read_at=timezone.now())
        if changed:
            _push_unread_count(user)
    return changed


def notification_preferences_update(*, user, choices: dict[str, str]) -> None:
    """Save the member's delivery choice per notification type (unknown types are refused)."""
    valid = set(Delivery.values)
    for verb, delivery in choices.items():
        if verb not in registry.notification_types or delivery not in valid:
            raise ValueError(f"invalid preference {verb}={delivery}")
    with transaction.atomic():
        for verb, delivery in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, verb=verb, defaults={"delivery": delivery}
            )


def user_set_language(*, user, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def announcement_create(*, author, title: str, body: str, url: str = "") -> Announcement:
    """Store a staff announcement and queue its delivery to every active member."""
    from network.permissions import can_send_announcements
    from network.selectors import active_members
    from network.tasks import deliver_announcement

    if not can_send_announcements(author):
        raise PermissionError("only DPS staff send announcements")
    with transaction.atomic():
        announcement = Announcement.objects.create(
            author=author, title=title, body=body, url=url, recipients_total=active_members().count()
        )
        enqueue(deliver_announcement, announcement.id)
    return announcement


ANNOUNCEMENT_BATCH = 500


def announcement_deliver(*, announcement: Announcement, progress=None) -> int:
    """Notify every active member who has not had this announcement yet, in batches.

    Safe to run again after a crash: members already notified are skipped.
    """
    from network.selectors import active_members

    already = Notification.objects.filter(verb="network.announcement", target_id=str(announcement.pk)).values(
        "recipient_id"
    )
    pending = active_members().exclude(id__in=already).order_by("id")
    done = announcement.recipients_done
    for user in pending.iterator(chunk_size=ANNOUNCEMENT_BATCH):
        notify(
            user=user,
            verb="network.announcement",
            target=announcement,
            actor=announcement.author,
            url=announcement.url,
            params={"title": announcement.title},
        )
        done += 1
        if done % ANNOUNCEMENT_BATCH == 0:
            Announcement.objects.filter(pk=announcement.pk).update(recipients_done=done)
            if progress:
                progress(done, announcement.recipients_total)
    Announcement.objects.filter(pk=announcement.pk).update(recipients_done=done)
    return done


def member_welcome(*, user) -> None:
    """Greet a member whose e-mail address is now confirmed (once)."""
    if not Notification.objects.filter(recipient=user, verb="network.welcome").exists():
        notify(user=user, verb="network.welcome", url="/notifications/", params={"name": str(user)})
