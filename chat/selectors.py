"""Reads that decide what a member may see and do in chat: one function per rule.

Views, the WebSocket stream, search and templates all ask these functions. A member who
may not read a room gets 404 for its page and `forbidden` for its stream, whether or not
the room exists.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from network.permissions import (
    is_dps_staff,
    is_member,
    is_network_member,
    is_network_moderator,
    is_vetted_member,
    may_act,
    network_ids_of,
    shares_a_network,
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
    direct messages: their members, while they still belong to a network (a member whose
    memberships were all suspended loses every members-only room)."""
    if room is None or not is_member(user):
        return False
    if room.is_open:
        return is_dps_staff(user) or is_network_member(user, room.network_id)
    return membership_of(user, room) is not None and is_vetted_member(user)


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


def can_report(user, message) -> bool:
    """Members report the messages of others that they can read (not deleted ones)."""
    if message is None or message.deleted_at is not None or message.author_id == getattr(user, "pk", None):
        return False
    return may_act(user) and can_read_room(user, message.room)


def can_silence(moderator, room, member) -> bool:
    """A room's moderators silence its members, never themselves, DPS staff or another
    moderator of the room."""
    if member is None or member.pk == getattr(moderator, "pk", None) or room is None:
        return False
    if not can_moderate_room(moderator, room) or is_dps_staff(member):
        return False
    return not _moderates_by_role(member, room)


def _moderates_by_role(member, room) -> bool:
    """`can_moderate_room` without the two-factor condition: a moderator who has not set
    it up yet is still a moderator (and may not be silenced)."""
    if room.is_open and is_network_moderator(member, room.network_id):
        return True
    membership = membership_of(member, room)
    return room.kind != "direct" and membership is not None and membership.role in ("owner", "moderator")


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
    if not is_member(user) or not may_act(user) or other is None or other.pk == user.pk:
        return False
    if not other.is_active:
        return False
    return is_dps_staff(user) or shares_a_network(user, other)


def can_invite(user, room, member) -> bool:
    """Who manages a private group adds members of the networks they share (DPS staff:
    any member of a network). Never someone who belongs to no network yet."""
    if room is None or room.kind != "private" or not can_manage_members(user, room):
        return False
    if member is None or not is_member(member) or not is_vetted_member(member):
        return False
    return is_dps_staff(user) or shares_a_network(user, member)


def can_create_room(user, network) -> bool:
    """Network and topic rooms are opened by the network's moderators and managers."""
    return is_member(user) and may_act(user) and is_network_moderator(user, network)


def can_create_private_group(user) -> bool:
    return is_member(user) and may_act(user) and (is_dps_staff(user) or bool(network_ids_of(user)))


def moderated_rooms(user) -> QuerySet:
    """Every room `user` moderates (`can_moderate_room`'s rule as one query)."""
    from chat.models import OPEN_KINDS, Room, RoomKind

    if not is_member(user) or not may_act(user):
        return Room.objects.none()
    if is_dps_staff(user):
        return Room.objects.all()
    moderated_networks = [n for n in network_ids_of(user) if is_network_moderator(user, n)]
    by_role = Q(memberships__user=user, memberships__role__in=("owner", "moderator")) & ~Q(
        kind=RoomKind.DIRECT
    )
    return Room.objects.filter(Q(kind__in=OPEN_KINDS, network_id__in=moderated_networks) | by_role).distinct()


def readable_rooms(user) -> QuerySet:
    """Every room `user` may read."""
    from chat.models import OPEN_KINDS, Room

    if not is_vetted_member(user):
        return Room.objects.none()
    rooms = Room.objects.select_related("network", "topic")
    mine = Q(memberships__user=user)
    if is_dps_staff(user):
        return rooms.filter(Q(kind__in=OPEN_KINDS) | mine).distinct()
    return rooms.filter(Q(kind__in=OPEN_KINDS, network_id__in=network_ids_of(user)) | mine).distinct()


def memberships_with_unread(user) -> QuerySet:
    """The member's rooms, most recent activity first, each with `unread` (messages by
    others after the read position, deleted ones not counted). One query.

    Open rooms of a network the member no longer belongs to are left out."""
    from chat.models import OPEN_KINDS, Membership

    if not is_vetted_member(user):
        return Membership.objects.none()
    memberships = Membership.objects.filter(user=user)
    if not is_dps_staff(user):
        memberships = memberships.filter(
            ~Q(room__kind__in=OPEN_KINDS) | Q(room__network_id__in=network_ids_of(user))
        )
    unread = Count(
        "room__messages",
        filter=Q(room__messages__id__gt=F("last_read_id"), room__messages__deleted_at=None)
        & ~Q(room__messages__author=user),
    )
    return (
        memberships.select_related("room", "room__network")
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
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return room.messages.filter(created_at__gte=start).order_by("id").values_list("id", flat=True).first()


def search_room(room, query: str, *, limit: int = 50) -> list:
    """Messages of the room containing every word of `query` (whatever the case and
    accents), newest first; deleted ones never."""
    from chat.search_provider import matching

    return list(matching(visible_messages(room), query).order_by("-id")[:limit])


def new_message_payload(message) -> dict:
    """The payload of a message just stored: it has no reactions yet (no query)."""
    return message_payload(message, reactions={})


def message_payload(message, *, reactions: dict[str, int] | None = None) -> dict:
    """What every reader of the room receives for a message (the same for all of them)."""
    author = message.author
    deleted = message.deleted_at is not None
    if reactions is None:
        reactions = {}
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
            events.extend(
                {
                    "event": "message.deleted" if m.deleted_at else "message.updated",
                    "data": message_payload(m),
                }
                for m in changed
            )
        events.extend({"event": "message.created", "data": message_payload(m)} for m in missed)
        if partial:
            events.append({"event": "replay.partial", "data": {"next_since": missed[-1].id}})
    events.append({"event": "presence", "data": presence_payload(room)})
    return events


def presence_payload(room) -> dict:
    from django.contrib.auth import get_user_model

    from chat import presence

    online_ids = presence.online_user_ids(room.slug)
    shown = get_user_model().objects.filter(pk__in=online_ids[:50]).order_by("display_name", "username")
    return {
        "count": len(online_ids),
        "members": [{"id": u.pk, "username": u.username, "name": str(u)} for u in shown],
    }


def max_message_chars() -> int:
    return settings.PUENTE_CHAT_MAX_MESSAGE_CHARS


# --- pages


def direct_partners(user, room_ids) -> dict:
    """{room id: the other member} for these direct-message rooms (one query)."""
    from chat.models import Membership

    if not room_ids:
        return {}
    rows = Membership.objects.filter(room_id__in=room_ids).exclude(user=user).select_related("user")
    return {membership.room_id: membership.user for membership in rows}


def joinable_rooms(user) -> QuerySet:
    """The open rooms `user` may read (`readable_rooms`) and has not joined, archived ones
    left out."""
    from chat.models import OPEN_KINDS

    return (
        readable_rooms(user)
        .filter(kind__in=OPEN_KINDS, is_archived=False)
        .exclude(memberships__user=user)
        .order_by("network__name", "kind", "name")
    )


def networks_for_new_room(user) -> list:
    """The networks in which `user` may open network and topic rooms (`can_create_room`)."""
    from network.models import Network

    if not is_member(user) or not may_act(user):
        return []
    if is_dps_staff(user):
        return [network for network in Network.objects.order_by("name") if can_create_room(user, network)]
    allowed = [network_id for network_id in network_ids_of(user) if can_create_room(user, network_id)]
    return list(Network.objects.filter(pk__in=allowed).order_by("name")) if allowed else []


def room_members(room, *, limit: int = 50) -> tuple[list, int]:
    """The first `limit` memberships of the room (owners and moderators first, then by
    name) with their users, and how many there are in all (two queries)."""
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(
        When(role="owner", then=Value(0)),
        When(role="moderator", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    memberships = (
        room.memberships.select_related("user")
        .annotate(rank=rank)
        .order_by("rank", "user__display_name", "user__username")[:limit]
    )
    return list(memberships), room.memberships.count()


def has_messages_before(room, message_id: int) -> bool:
    return room.messages.filter(id__lt=message_id).exists()


def history_around(room, message_id: int, *, limit: int = HISTORY_PAGE) -> tuple[list, bool]:
    """A page of messages with `message_id` in its middle, oldest first, and whether there
    are older ones (keyset on both sides)."""
    half = max(1, limit // 2)
    older = history(room, before=message_id + 1, limit=half + 1)
    has_older = len(older) > half
    newer = history(room, after=message_id, limit=limit - half)
    return older[1:] + newer if has_older else older + newer, has_older
