"""Background work of the network app. Tasks take ids, load, and call a service; each is
safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from network.models import Announcement, Delivery, Notification, NotificationPreference
from network.registry import registry
from network.selectors import notification_text

logger = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    if not url:
        return settings.SITE_URL + "/notifications/"
    return url if url.startswith("http") else settings.SITE_URL + url


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_notification_email(self, notification_id: int) -> bool:
    """E-mail one notification in the recipient's language, once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(id=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        recipient = notification.recipient
        with translation.override(recipient.language):
            text = notification_text(notification)
            context = {
                "user": recipient,
                "text": text,
                "url": _absolute(notification.url),
                "site_url": settings.SITE_URL,
            }
            body = render_to_string("network/email/notification.txt", context)
            subject = f"[Puente] {text}"[:200].replace("\n", " ")
        try:
            send_mail(subject, body, None, [recipient.email])
        except OSError as exc:
            raise self.retry(exc=exc) from exc
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def _digest_verbs_for(user) -> list[str]:
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("verb", "delivery"))
    return [
        verb
        for verb, notification_type in registry.notification_types.items()
        if chosen.get(verb, notification_type.default_delivery) == Delivery.DAILY
    ]


@shared_task
def send_daily_digests() -> int:
    """One e-mail per member gathering the day's digest-type notifications not yet e-mailed."""
    since = timezone.now() - timedelta(days=2)
    recipient_ids = (
        Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True, created_at__gte=since)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for user in get_user_model().objects.filter(id__in=list(recipient_ids), is_active=True).exclude(email=""):
        verbs = _digest_verbs_for(user)
        if not verbs:
            continue
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update()
                .filter(recipient=user, verb__in=verbs, emailed_at__isnull=True, read_at__isnull=True)
                .order_by("id")
            )
            if not pending:
                continue
            with translation.override(user.language):
                lines = [(notification_text(n), _absolute(n.url)) for n in pending]
                body = render_to_string(
                    "network/email/digest.txt",
                    {"user": user, "lines": lines, "site_url": settings.SITE_URL},
                )
                subject = ngettext(
                    "[Puente] Your daily summary: %(count)d new notification",
                    "[Puente] Your daily summary: %(count)d new notifications",
                    len(pending),
                ) % {"count": len(pending)}
            send_mail(subject, body, None, [user.email])
            Notification.objects.filter(id__in=[n.id for n in pending]).update(emailed_at=timezone.now())
            sent += 1
    return sent


@shared_task
def deliver_announcement(announcement_id: int) -> int:
    from network.services import announcement_deliver

    announcement = Announcement.objects.filter(id=announcement_id).first()
    if announcement is None:
        return 0
    return announcement_deliver(announcement=announcement)
