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
        for states in registry.user_stream_states.values():
            events.extend(states(user))
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


# --- networks and membership --------------------------------------------------------------

QUEUE_STATUSES = ("open", "pending", "needs_info", "approved", "rejected", "withdrawn")


def network_overview_for(*, user):
    """Every network with its active member count and the user's own membership, if any."""
    from django.db.models import Count, Q

    from network.models import MembershipStatus, Network

    networks = list(
        Network.objects.annotate(
            member_count=Count(
                "memberships",
                filter=Q(memberships__status=MembershipStatus.ACTIVE, memberships__user__is_active=True),
            )
        ).order_by("name")
    )
    own = {}
    if user.is_authenticated:
        from network.models import Membership

        own = {m.network_id: m for m in Membership.objects.filter(user=user)}
    for network in networks:
        network.own_membership = own.get(network.id)
    return networks


def networks_open_to(*, user):
    """Networks the user may apply to: open, not already an active or suspended member, and
    no application of theirs already waiting there."""
    from network.models import (
        OPEN_APPLICATION_STATUSES,
        Membership,
        MembershipApplication,
        MembershipStatus,
        Network,
    )

    blocked = Membership.objects.filter(
        user=user, status__in=[MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED]
    ).values("network_id")
    waiting = MembershipApplication.objects.filter(
        applicant=user, status__in=OPEN_APPLICATION_STATUSES
    ).values("network_id")
    return (
        Network.objects.filter(is_open_for_applications=True)
        .exclude(id__in=blocked)
        .exclude(id__in=waiting)
        .order_by("name")
    )


def applications_of(*, user):
    from network.models import MembershipApplication

    return MembershipApplication.objects.filter(applicant=user).select_related("network", "country")


def networks_managed_by(*, user):
    from network import permissions
    from network.models import Network

    managed = permissions.managed_network_ids(user)
    networks = Network.objects.order_by("name")
    return networks if managed is None else networks.filter(id__in=managed)


def application_queue_for(*, user, status: str = "open", network_slug: str = ""):
    """Applications the user reviews, oldest first (first come, first served)."""
    from network.models import OPEN_APPLICATION_STATUSES, MembershipApplication

    queryset = MembershipApplication.objects.filter(network__in=networks_managed_by(user=user))
    if status == "open" or status not in QUEUE_STATUSES:
        queryset = queryset.filter(status__in=OPEN_APPLICATION_STATUSES)
    else:
        queryset = queryset.filter(status=status)
    if network_slug:
        queryset = queryset.filter(network__slug=network_slug)
    return queryset.select_related("applicant", "network", "country").order_by("created_at", "id")


def application_for_manager(*, user, application_id: int):
    from network.models import MembershipApplication

    return (
        MembershipApplication.objects.filter(pk=application_id, network__in=networks_managed_by(user=user))
        .select_related("applicant", "network", "country", "reviewed_by")
        .first()
    )


def other_applications_of(*, application):
    from network.models import MembershipApplication

    return (
        MembershipApplication.objects.filter(applicant=application.applicant_id)
        .exclude(pk=application.pk)
        .select_related("network")
    )


def audit_trail_for(*, target):
    from django.contrib.contenttypes.models import ContentType

    from network.models import AuditEntry

    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")


def audit_trail_for_network(*, network):
    from network.models import AuditEntry

    return AuditEntry.objects.filter(network=network).select_related("actor", "subject_user")


def memberships_for_manager(*, network, query: str = "", status: str = ""):
    from django.db.models import Q

    from network.models import Membership, MembershipStatus

    memberships = Membership.objects.filter(network=network).select_related("user")
    if status in MembershipStatus.values:
        memberships = memberships.filter(status=status)
    if query:
        memberships = memberships.filter(
            Q(user__display_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(user__username__icontains=query)
        )
    return memberships.order_by("user__display_name", "user__username")
