"""Reads about members and their notifications, each deciding what the reader may see."""

from django.contrib.auth import get_user_model
from django.utils import translation

from network.models import Delivery, Notification, NotificationPreference
from network.registry import registry

REPLAY_LIMIT = 200


def unread_notification_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_recipient(user).unread().count()


def notification_list_for(*, user):
    return Notification.objects.for_recipient(user).select_related("actor")


def notification_text(notification: Notification) -> str:
    """The notification's sentence in the active language."""
    notification_type = registry.notification_types.get(notification.verb)
    message = notification_type.message if notification_type else "%(text)s"
    params = {"actor": "", "target": "", "text": ""} | dict(notification.params or {})
    try:
        return translation.gettext(message) % params
    except (KeyError, ValueError, TypeError):
        return params.get("text") or notification.verb


def notification_payload(notification: Notification, *, unread_count: int | None = None) -> dict:
    """The JSON a client receives for a notification on the `user` stream."""
    payload = {
        "id": notification.id,
        "verb": notification.verb,
        "text": notification_text(notification),
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
        "read": notification.is_read,
    }
    if unread_count is not None:
        payload["unread_count"] = unread_count
    return payload


def user_stream_replay(user, key: str, since: int | None) -> list[dict]:
    """Notifications the member missed since `since` (oldest first), then the unread count."""
    with translation.override(user.language):
        events = []
        if since is not None:
            missed = (
                Notification.objects.for_recipient(user).filter(id__gt=since).order_by("id")[:REPLAY_LIMIT]
            )
            events = [{"event": "notification.created", "data": notification_payload(n)} for n in missed]
        events.append({"event": "unread.count", "data": {"unread_count": unread_notification_count(user)}})
    return events


def delivery_for(*, user, verb: str) -> str:
    preference = NotificationPreference.objects.filter(user=user, verb=verb).values_list(
        "delivery", flat=True
    )
    for delivery in preference:
        return delivery
    notification_type = registry.notification_types.get(verb)
    return notification_type.default_delivery if notification_type else Delivery.IMMEDIATE


def preferences_for(*, user) -> list[tuple[str, object, str]]:
    """(verb, label, delivery) for every registered notification type."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("verb", "delivery"))
    return [
        (verb, notification_type.label, chosen.get(verb, notification_type.default_delivery))
        for verb, notification_type in sorted(registry.notification_types.items())
    ]


def active_members():
    return get_user_model().objects.filter(is_active=True)
