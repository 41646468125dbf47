"""Reads that decide what a member may see and do in chat: one function per rule.

Views, the WebSocket stream, search and templates all ask these functions. A member who
may not read a room gets 404 for its page and `forbidden` for its stream, whether or not
the room exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from network.permissions import (
    is_dps_staff,
    is_member,
    is_network_member,
    is_network_moderator,
    may_act,
    network_ids_of,
)

REPLAY_LIMIT = 1000  # messages per subscribe; the rest follow with `replay.partial`
CHANGED_REPLAY_LIMIT = 200
HISTORY_PAGE = 50


def room_by_slug(slug: str):
    from chat.models import Room

    return Room.objects.select_related("network", "topic").filter(slug=slug).first()


def membership_of(user, room):
    """The member's membership of `room`, or None (cached on the room for one request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = room.__dict__.setdefault("_membership_cache", {})
    if user.pk not in cache:
        from chat.models import Membership

        cache[user.pk] = Membership.objects.filter(room=room, user=user).first()
    return cache[user.pk]


def forget_membership(room, user_id: int) -> None:
    room.__dict__.get("_membership_cache", {}).pop(user_id, None)


def can_read_room(user, room) -> bool:
    """Open rooms: members of the room's network (and DPS staff). Private groups and
    direct messages: their members only."""
    if room is None or not is_member(user):
        return False
    if room.is_open:
        return is_dps_staff(user) or is_network_member(user, room.network_id)
    return membership_of(user, room) is not None


def can_moderate_room(user, room) -> bool:
    """Room owners and moderators; for open rooms also the network's moderators; DPS staff.
    Moderating needs two-factor (the platform rule)."""
    if room is None or not is_member(user) or not may_act(user):
        return False
    if is_dps_staff(user):
        return True
    if room.is_open and is_network_moderator(user, room.network_id):
        return True
    if room.kind == "direct":
        return False
    membership = membership_of(user, room)
    return membership is not None and membership.role in ("owner", "moderator")


def can_manage_members(user, room) -> bool:
    """Invite and remove members (private groups), rename the room."""
    if room is None or room.kind == "direct":
        return False
    return can_moderate_room(user, room)


def can_send(user, room) -> bool:
    if room is None or room.is_archived or not may_act(user) or not can_read_room(user, room):
        return False
    membership = membership_of(user, room)
    return membership is None or not membership.is_silenced()


def can_see_message(user, message) -> bool:
    return can_read_room(user, message.room)


def can_edit_message(user, message) -> bool:
    """Authors edit their own messages (not deleted ones) while they may still send."""
    return (
        message.deleted_at is None
        and message.author_id == getattr(user, "pk", None)
        and can_send(user, message.room)
    )


def can_delete_message(user, message) -> bool:
    if message.deleted_at is not None:
        return False
    if message.author_id == getattr(user, "pk", None) and can_read_room(user, message.room) and may_act(user):
        return True
    return can_moderate_room(user, message.room)


def can_start_direct(user, other) -> bool:
    """Direct messages between two members who share a network (DPS staff: anyone)."""
    from network.permissions import shares_a_network

    if not is_member(user) or not may_act(user) or other is None or other.pk == user.pk:
        return False
    if not other.is_active:
        return False
    return is_dps_staff(user) or shares_a_network(user, other)


def can_create_room(user, network) -> bool:
    """Network and topic rooms are opened by the network's moderators and managers."""
    return is_member(user) and may_act(user) and is_network_moderator(user, network)


def can_create_private_group(user) -> bool:
    return is_member(user) and may_act(user) and (is_dps_staff(user) or bool(network_ids_of(user)))


def readable_rooms(user) -> QuerySet:
    """Every room `user` may read."""
    from chat.models import OPEN_KINDS, Room

    if not is_member(user):
        return Room.objects.none()
    rooms = Room.objects.select_related("network", "topic")
    mine = Q(memberships__user=user)
    if is_dps_staff(user):
        return rooms.filter(Q(kind__in=OPEN_KINDS) | mine).distinct()
    return rooms.filter(Q(kind__in=OPEN_KINDS, network_id__in=network_ids_of(user)) | mine).distinct()


def memberships_with_unread(user) -> QuerySet:
    """The member's rooms, most recent activity first, each with `unread` (messages by
    others after the read position, deleted ones not counted). One query."""
    from chat.models import Membership

    if not is_member(user):
        return Membership.objects.none()
    unread = Count(
        "room__messages",
        filter=Q(room__messages__id__gt=F("last_read_id"), room__messages__deleted_at=None)
        & ~Q(room__messages__author=user),
    )
    return (
        Membership.objects.filter(user=user)
        .select_related("room", "room__network")
        .annotate(unread=unread)
        .order_by(F("room__last_message_at").desc(nulls_last=True), "room__name")
    )


def unread_counts(user) -> dict[str, int]:
    """{room slug: unread messages} for the rooms the member has joined (muted ones too)."""
    return {membership.room.slug: membership.unread for membership in memberships_with_unread(user)}


def unread_total(user) -> int:
    """Unread messages in the member's rooms whose notifications are not muted."""
    return sum(m.unread for m in memberships_with_unread(user) if not m.notifications_muted)


def direct_partner(room, user):
    """The other member of a direct-message room (None if it is not one, or they left)."""
    if room.kind != "direct":
        return None
    for membership in room.memberships.all():
        if membership.user_id != user.pk:
            return membership.user
    return None


def visible_messages(room) -> QuerySet:
    from chat.models import Message

    return Message.objects.filter(room=room).select_related("author", "room").prefetch_related("reactions")


def history(room, *, before: int | None = None, after: int | None = None, limit: int = HISTORY_PAGE) -> list:
    """A page of messages by id (keyset, never OFFSET), oldest first.

    `before`: the page just older than that id; `after`: the page just newer; neither: the
    latest page."""
    limit = max(1, min(limit, 200))
    messages = visible_messages(room)
    if after is not None:
        return list(messages.filter(id__gt=after).order_by("id")[:limit])
    if before is not None:
        messages = messages.filter(id__lt=before)
    return list(reversed(messages.order_by("-id")[:limit]))


def first_message_on_or_after(room, day) -> int | None:
    """The id of the first message of `day` (a date, in the active time zone) or later."""
    start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
    message = room.messages.filter(created_at__gte=start).order_by("id").values_list("id", flat=True).first()
    return message


def search_room(room, query: str, *, limit: int = 50) -> list:
    """Messages of the room containing every word of `query`, newest first."""
    words = [word for word in query.split() if word][:8]
    if not words:
        return []
    messages = visible_messages(room).filter(deleted_at=None)
    for word in words:
        messages = messages.filter(body__icontains=word)
    return list(messages.order_by("-id")[:limit])


def message_payload(message) -> dict:
    """What every reader of the room receives for a message (the same for all of them)."""
    author = message.author
    deleted = message.deleted_at is not None
    reactions: dict[str, int] = {}
    if not deleted:
        for reaction in message.reactions.all():
            reactions[reaction.kind] = reactions.get(reaction.kind, 0) + 1
    return {
        "id": message.id,
        "room": message.room.slug,
        "client_id": str(message.client_id) if message.client_id else None,
        "author": {
            "id": author.pk if author else None,
            "username": author.username if author else "",
            "name": str(author) if author else "",
        },
        "body": "" if deleted else message.body,
        "body_html": "" if deleted else message.body_html,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at and not deleted else None,
        "deleted": deleted,
        "reactions": reactions,
    }


def room_events_since(user, key: str, since: int | None) -> list[dict]:
    """What a subscribe replays: the messages after `since` (oldest first, at most
    REPLAY_LIMIT, then `replay.partial` naming the next `since`), the current state of
    older messages changed since the `since` message was written, and who is online.

    With `since` null only the presence state is sent: the page already shows the latest
    messages."""
    from chat.models import Message

    room = room_by_slug(key)
    events: list[dict] = []
    if room is None:
        return events
    if since is not None:
        missed = list(visible_messages(room).filter(id__gt=since).order_by("id")[: REPLAY_LIMIT + 1])
        partial = len(missed) > REPLAY_LIMIT
        missed = missed[:REPLAY_LIMIT]
        reference = (
            Message.objects.filter(room=room, id__lte=since)
            .order_by("-id")
            .values_list("created_at", flat=True)
            .first()
        )
        if reference is not None:
            changed = (
                visible_messages(room)
                .filter(id__lte=since, changed_at__gte=reference - timedelta(seconds=5))
                .order_by("id")[:CHANGED_REPLAY_LIMIT]
            )
            events.extend({"event": "message.updated", "data": message_payload(m)} for m in changed)
        events.extend({"event": "message.created", "data": message_payload(m)} for m in missed)
        if partial:
            events.append({"event": "replay.partial", "data": {"next_since": missed[-1].id}})
    events.append({"event": "presence", "data": presence_payload(room)})
    return events


def presence_payload(room) -> dict:
    from django.contrib.auth import get_user_model

    from chat import presence

    online_ids = presence.online_user_ids(room.pk)
    shown = get_user_model().objects.filter(pk__in=online_ids[:50]).order_by("display_name", "username")
    return {
        "count": len(online_ids),
        "members": [{"id": u.pk, "username": u.username, "name": str(u)} for u in shown],
    }


def max_message_chars() -> int:
    return settings.PUENTE_CHAT_MAX_MESSAGE_CHARS
