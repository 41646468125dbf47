"""Work done after a message commits: notifications and the members' unread badges."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from chat.models import Membership, Message, Room
from network import realtime
from network.services import notify

# Rooms up to this size push a `chat.unread` nudge to each member's `user` stream (the
# header badge moves at once); in larger rooms the badge catches up on the next page.
UNREAD_PUSH_MAX_MEMBERS = 200


def room_url(room: Room) -> str:
    """The room's address without a language prefix: notifications are stored once and
    read in each recipient's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("chat:room", args=[room.slug])


@shared_task
def after_message(message_id: int, mentioned_ids: list[int]) -> int:
    message = Message.objects.select_related("room", "author").filter(pk=message_id, deleted_at=None).first()
    if message is None:
        return 0
    room = message.room
    sent = 0
    members = Membership.objects.filter(room=room).exclude(user_id=message.author_id).select_related("user")
    muted = set()
    small = room.memberships.count() <= UNREAD_PUSH_MAX_MEMBERS
    for membership in members.filter(user_id__in=mentioned_ids) if not small else members:
        if membership.notifications_muted:
            muted.add(membership.user_id)
        elif small:  # a muted room does not count in the header badge
            realtime.send_to_user(membership.user_id, "chat.unread", {"room": room.slug, "id": message.id})
    params = {"room": room.name or str(message.author), "excerpt": message.body[:120]}
    for user_id in mentioned_ids:
        if user_id in muted:
            continue
        member = Membership.objects.select_related("user").filter(room=room, user_id=user_id).first()
        user = member.user if member else None
        if user is None:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is not None:
            notify(user=user, verb="chat.mention", actor=message.author, url=room_url(room), params=params)
            sent += 1
    if room.kind == "direct":
        for membership in members:
            if membership.user_id not in mentioned_ids and not membership.notifications_muted:
                notify(
                    user=membership.user,
                    verb="chat.direct",
                    actor=message.author,
                    url=room_url(room),
                    params=params,
                )
                sent += 1
    return sent


@shared_task
def notify_invited(room_id: int, user_id: int, by_id: int) -> None:
    membership = (
        Membership.objects.select_related("room", "user").filter(room_id=room_id, user_id=user_id).first()
    )
    if membership is None:
        return
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=by_id).first()
    notify(
        user=membership.user,
        verb="chat.invited",
        actor=actor,
        url=room_url(membership.room),
        params={"room": membership.room.name},
    )
