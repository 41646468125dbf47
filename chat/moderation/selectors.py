"""Reads of chat moderation: the moderators' queue and who is silenced where. Who may
moderate a room is `chat.selectors.can_moderate_room` (`moderated_rooms` as a query)."""

from __future__ import annotations

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from chat import selectors


def shows_moderation_link(user) -> bool:
    """The header's "Chat moderation" link: for network moderators and DPS staff, without a
    query for everyone else (owners of private groups reach the queue from the reports'
    notifications)."""
    from network.permissions import is_moderator

    return is_moderator(user) and can_use_moderation(user)


def can_use_moderation(user) -> bool:
    """May open /chat/moderation/: moderates a network's rooms, is DPS staff, or owns or
    moderates a private group (with two-factor, like every moderation)."""
    from chat.models import Membership, RoomKind, RoomRole
    from network.permissions import is_dps_staff, is_member, is_network_moderator, may_act, network_ids_of

    if not is_member(user) or not may_act(user):
        return False
    if is_dps_staff(user) or any(is_network_moderator(user, network) for network in network_ids_of(user)):
        return True
    in_charge = Membership.objects.filter(user=user, role__in=(RoomRole.OWNER, RoomRole.MODERATOR))
    return in_charge.exclude(room__kind=RoomKind.DIRECT).exists()


def reported_messages_for(user) -> QuerySet:
    """Messages with open reports in the rooms `user` moderates, the longest waiting first,
    each with `open_report_count` and its open reports (`open_reports`) prefetched."""
    from chat.models import Message, Report

    open_reports = Q(reports__resolved_at=None)
    return (
        Message.objects.filter(
            Exists(Report.objects.filter(message=OuterRef("pk"), resolved_at=None)),
            room__in=selectors.moderated_rooms(user).values("pk"),
        )
        .annotate(
            open_report_count=Count("reports", filter=open_reports),
            first_reported_at=Min("reports__created_at", filter=open_reports),
        )
        .select_related("room", "room__network", "author")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(resolved_at=None)
                .select_related("reporter")
                .order_by("created_at"),
                to_attr="open_reports",
            )
        )
        .order_by("first_reported_at", "pk")
    )


def silenced_members_for(user) -> QuerySet:
    """Memberships silenced now in the rooms `user` moderates, the soonest to end first."""
    from chat.models import Membership

    return (
        Membership.objects.filter(
            silenced_until__gt=timezone.now(), room__in=selectors.moderated_rooms(user).values("pk")
        )
        .select_related("user", "room")
        .order_by("silenced_until", "pk")
    )


def message_for_moderation(message_id: int):
    from chat.models import Message

    return Message.objects.select_related("room", "room__network", "author").filter(pk=message_id).first()
