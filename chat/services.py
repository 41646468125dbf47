"""Everything that changes chat data. Views and the WebSocket stream call these; each
checks permission itself (through `chat.selectors`) and raises ChatError to refuse, and
nothing is stored for a refused action.

Events go out with `network.realtime.broadcast`, after the transaction commits.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chat import selectors
from chat.models import (
    REACTIONS,
    RESERVED_ROOM_SLUGS,
    Membership,
    Mention,
    Message,
    Reaction,
    Room,
    RoomKind,
    RoomRole,
)
from chat.rendering import render
from chat.search_provider import search_text
from network import ratelimit, realtime


class ChatError(Exception):
    """A refusal with a translated message; `code` is the WebSocket error code."""

    def __init__(self, message: str, code: str = "invalid", retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


def _forbidden() -> ChatError:
    return ChatError(_("You may not do this in this room."), code="forbidden")


def _send_refusal(user, room: Room) -> ChatError:
    """Why `user` may not send in `room`, as precisely as we may tell them."""
    if room.is_archived and selectors.can_read_room(user, room):
        return ChatError(_("This room is archived: it can be read, not written in."), code="forbidden")
    membership = selectors.membership_of(user, room)
    if membership is not None and membership.is_silenced():
        until = formats.date_format(timezone.localtime(membership.silenced_until), "DATETIME_FORMAT")
        message = _("A moderator has silenced you in this room until %(until)s.") % {"until": until}
        if membership.silenced_reason:
            message += " " + _("Reason: %(reason)s") % {"reason": membership.silenced_reason}
        return ChatError(message, code="forbidden")
    return _forbidden()


# --- sending -------------------------------------------------------------------------------


def _clean_body(body) -> str:
    if not isinstance(body, str):
        raise ChatError(_("A message must be text."))
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ChatError(_("Write something before sending."))
    limit = settings.PUENTE_CHAT_MAX_MESSAGE_CHARS
    if len(body) > limit:
        raise ChatError(
            _("Your message is too long: %(length)s characters, the limit is %(limit)s.")
            % {"length": f"{len(body):,}", "limit": f"{limit:,}"}
        )
    return body


def check_rate(user, room) -> bool:
    """PUENTE_CHAT_MESSAGES_PER_WINDOW per PUENTE_CHAT_RATE_WINDOW_SECONDS per member;
    room moderators are not limited. Returns whether the member's sends count."""
    if not settings.PUENTE_CHAT_MESSAGES_PER_WINDOW or selectors.can_moderate_room(user, room):
        return False
    retry_after = ratelimit.seconds_until_allowed(
        "chat",
        user.pk,
        limit=settings.PUENTE_CHAT_MESSAGES_PER_WINDOW,
        window=settings.PUENTE_CHAT_RATE_WINDOW_SECONDS,
    )
    if retry_after:
        raise ChatError(
            ngettext(
                "You are sending too fast. Try again in %(seconds)s second.",
                "You are sending too fast. Try again in %(seconds)s seconds.",
                retry_after,
            )
            % {"seconds": retry_after},
            code="rate_limited",
            retry_after=retry_after,
        )
    return True


def _count_rate(user) -> None:
    ratelimit.count(
        "chat",
        user.pk,
        window=settings.PUENTE_CHAT_RATE_WINDOW_SECONDS,
        limit=settings.PUENTE_CHAT_MESSAGES_PER_WINDOW,
    )


def _parse_client_id(client_id) -> uuid.UUID | None:
    if client_id in (None, ""):
        return None
    try:
        return uuid.UUID(str(client_id))
    except (ValueError, TypeError, AttributeError):
        raise ChatError(_("client_id must be a UUID.")) from None


def post_message(user, room: Room, body, *, client_id=None) -> tuple[Message, bool]:
    """Store a message and broadcast it; returns (message, created).

    A repeat of a `client_id` the member already used returns the stored message with
    created=False (a resend after a lost acknowledgement), whatever the body says."""
    client_uuid = _parse_client_id(client_id)
    if client_uuid is not None:
        existing = (
            Message.objects.select_related("author", "room")
            .filter(author=user, client_id=client_uuid)
            .first()
        )
        if existing is not None:
            if existing.room_id != room.pk:
                raise ChatError(_("This client_id was already used for another room."))
            return existing, False
    if not selectors.can_send(user, room):
        raise _send_refusal(user, room)
    body = _clean_body(body)
    limited = check_rate(user, room)
    rendered = render(body)
    try:
        with transaction.atomic():
            # The row lock orders the room's messages: a higher id always commits later.
            locked = Room.objects.select_for_update().get(pk=room.pk)
            message = Message.objects.create(
                room=locked,
                author=user,
                body=body,
                body_html=rendered.html,
                search_text=search_text(body),
                client_id=client_uuid,
            )
            Room.objects.filter(pk=room.pk).update(
                last_message_id=message.id,
                last_message_at=message.created_at,
                message_count=locked.message_count + 1,
            )
            # Sending reads the room up to here; a first message makes the author a member.
            membership = selectors.membership_of(user, room)
            if membership is None:
                Membership.objects.get_or_create(
                    room=locked, user=user, defaults={"last_read_id": message.id}
                )
            else:
                Membership.objects.filter(pk=membership.pk).update(last_read_id=message.id)
            mentioned = [
                u for u in rendered.mentioned if u.pk != user.pk and selectors.can_read_room(u, locked)
            ]
            Mention.objects.bulk_create(
                [Mention(message=message, user=u) for u in mentioned], ignore_conflicts=True
            )
            message.room = locked
            realtime.broadcast(room.stream, "message.created", selectors.new_message_payload(message))
            _after_message(message, [u.pk for u in mentioned])
    except IntegrityError:
        # The same client_id committed by a concurrent resend: return that one.
        existing = (
            Message.objects.select_related("author", "room")
            .filter(author=user, client_id=client_uuid)
            .first()
        )
        if existing is None:
            raise
        return existing, False
    if limited:
        _count_rate(user)
    selectors.forget_membership(room, user.pk)
    return message, True


def _after_message(message: Message, mentioned_ids: list[int]) -> None:
    """Notifications (mentions, direct messages) and the members' unread badges, after commit."""
    from chat import tasks

    transaction.on_commit(lambda: tasks.after_message.delay(message.id, mentioned_ids))


def _message_for_change(user, message: Message) -> Message:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the author's join.
    return Message.objects.select_for_update(of=("self",)).select_related("room", "author").get(pk=message.pk)


def edit_message(user, message: Message, body) -> Message:
    if not selectors.can_edit_message(user, message):
        raise _forbidden()
    body = _clean_body(body)
    rendered = render(body)
    with transaction.atomic():
        message = _message_for_change(user, message)
        if message.body == body:
            return message
        now = timezone.now()
        message.body, message.body_html, message.edited_at, message.changed_at = body, rendered.html, now, now
        message.search_text = search_text(body)
        message.save(update_fields=["body", "body_html", "search_text", "edited_at", "changed_at"])
        realtime.broadcast(message.room.stream, "message.updated", selectors.message_payload(message))
    return message


def delete_message(user, message: Message) -> Message:
    """Soft delete: the text goes, a placeholder stays so the history keeps its shape."""
    if not selectors.can_delete_message(user, message):
        raise _forbidden()
    with transaction.atomic():
        message = _message_for_change(user, message)
        now = timezone.now()
        message.deleted_at, message.deleted_by, message.changed_at = now, user, now
        message.search_text = ""
        message.save(update_fields=["deleted_at", "deleted_by", "changed_at", "search_text"])
        realtime.broadcast(message.room.stream, "message.deleted", selectors.message_payload(message))
    return message


def toggle_reaction(user, message: Message, kind: str) -> bool:
    """Add the member's reaction, or take it back if already there; True when added."""
    if kind not in REACTIONS:
        raise ChatError(_("Unknown reaction."))
    if message.deleted_at is not None or not selectors.can_send(user, message.room):
        raise _forbidden()
    with transaction.atomic():
        message = _message_for_change(user, message)
        removed, _counts = Reaction.objects.filter(message=message, user=user, kind=kind).delete()
        if not removed:
            Reaction.objects.create(message=message, user=user, kind=kind)
        message.changed_at = timezone.now()
        message.save(update_fields=["changed_at"])
        realtime.broadcast(message.room.stream, "message.reactions", selectors.message_payload(message))
    return not removed


def mark_read(user, room: Room, message_id) -> int:
    """Move the member's read position forward (never back); returns the position."""
    if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id < 0:
        raise ChatError(_("Unknown message."))
    membership = selectors.membership_of(user, room)
    if membership is None:
        return 0
    position = min(message_id, room.last_message_id or message_id)
    Membership.objects.filter(pk=membership.pk, last_read_id__lt=position).update(last_read_id=position)
    selectors.forget_membership(room, user.pk)
    realtime.send_to_user(user.pk, "chat.read", {"room": room.slug, "last_read_id": position})
    return position


# --- rooms and members ---------------------------------------------------------------------


def _unique_slug(base: str) -> str:
    base = (slugify(base) or "room")[:60]
    if base in RESERVED_ROOM_SLUGS:
        base = f"{base}-room"
    slug, number = base, 2
    while Room.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def create_room(
    user, *, network, name: str, kind: str = RoomKind.NETWORK, topic=None, description: str = ""
) -> Room:
    """A network or topic room, opened by the network's moderators."""
    if kind not in (RoomKind.NETWORK, RoomKind.TOPIC) or not selectors.can_create_room(user, network):
        raise _forbidden()
    name = (name or "").strip()
    if not name:
        raise ChatError(_("Give the room a name."))
    with transaction.atomic():
        room = Room.objects.create(
            slug=_unique_slug(name),
            kind=kind,
            name=name[:120],
            network=network,
            topic=topic,
            description=description[:1000],
            created_by=user,
        )
        Membership.objects.create(room=room, user=user, role=RoomRole.OWNER)
    return room


def create_private_group(user, *, name: str, members=(), network=None) -> Room:
    """A private group owned by `user` with `members` (each one `user` may invite)."""
    from network.permissions import is_dps_staff, is_network_member

    if not selectors.can_create_private_group(user):
        raise _forbidden()
    if network is not None and not (is_dps_staff(user) or is_network_member(user, network)):
        raise _forbidden()
    name = (name or "").strip()
    if not name:
        raise ChatError(_("Give the group a name."))
    with transaction.atomic():
        room = Room.objects.create(
            slug=_unique_slug(name), kind=RoomKind.PRIVATE, name=name[:120], network=network, created_by=user
        )
        Membership.objects.create(room=room, user=user, role=RoomRole.OWNER)
        for member in members:
            if member.pk == user.pk:
                continue
            if not selectors.can_invite(user, room, member):
                raise _cannot_invite(member)
            _add_member(room, member)
    return room


def _cannot_invite(member) -> ChatError:
    return ChatError(
        _("%(name)s cannot be added: only active members of a network you belong to can join.")
        % {"name": str(member)}
        if member is not None
        else _("This member cannot be invited.")
    )


def _add_member(room: Room, member) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        room=room, user=member, defaults={"last_read_id": room.last_message_id}
    )
    return membership


def invite(user, room: Room, member) -> Membership:
    if not selectors.can_manage_members(user, room) or room.is_open:
        raise _forbidden()
    if not selectors.can_invite(user, room, member):
        raise _cannot_invite(member)
    with transaction.atomic():
        membership = _add_member(room, member)
        transaction.on_commit(lambda: _tasks().notify_invited.delay(room.pk, member.pk, user.pk))
    return membership


def _tasks():
    from chat import tasks

    return tasks


def remove_member(user, room: Room, member) -> None:
    """A moderator removes someone from a private group: their sockets stop receiving the
    room at once (the `stream.revoke` below), and they can no longer open it."""
    if not selectors.can_manage_members(user, room) or member.pk == user.pk:
        raise _forbidden()
    with transaction.atomic():
        deleted, _rows = (
            Membership.objects.filter(room=room, user=member).exclude(role=RoomRole.OWNER).delete()
        )
        if not deleted:
            raise ChatError(_("This member is not in the room (or owns it)."))
        realtime.revoke_stream(member.pk, room.stream)
    selectors.forget_membership(room, member.pk)


def join_room(user, room: Room) -> Membership:
    if not room.is_open or not selectors.can_read_room(user, room):
        raise _forbidden()
    membership, _created = Membership.objects.get_or_create(
        room=room, user=user, defaults={"last_read_id": room.last_message_id}
    )
    selectors.forget_membership(room, user.pk)
    return membership


def leave_room(user, room: Room) -> None:
    """Leave a room. A private group's last owner hands ownership to the oldest member (in
    open rooms the network's moderators stay in charge: nobody inherits anything)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(room=room, user=user).first()
        if membership is None:
            return
        membership.delete()
        last_owner = (
            membership.role == RoomRole.OWNER and not room.memberships.filter(role=RoomRole.OWNER).exists()
        )
        if room.kind == RoomKind.PRIVATE and last_owner:
            successor = room.memberships.order_by("joined_at", "pk").first()
            if successor is not None:
                successor.role = RoomRole.OWNER
                successor.save(update_fields=["role"])
        if not room.is_open:
            realtime.revoke_stream(user.pk, room.stream)
    selectors.forget_membership(room, user.pk)


def set_notifications_muted(user, room: Room, muted: bool) -> Membership:
    membership = selectors.membership_of(user, room)
    if membership is None:
        raise ChatError(_("Join the room first."))
    membership.notifications_muted = bool(muted)
    membership.save(update_fields=["notifications_muted"])
    return membership


def direct_room_slug(user_a, user_b) -> str:
    low, high = sorted((user_a.pk, user_b.pk))
    return f"dm-{low}-{high}"


def start_direct(user, other) -> Room:
    """The direct-message room of two members (created the first time; either of them
    back in it if they had left)."""
    if not selectors.can_start_direct(user, other):
        raise _forbidden()
    slug = direct_room_slug(user, other)
    with transaction.atomic():
        room, _created = Room.objects.get_or_create(
            slug=slug, defaults={"kind": RoomKind.DIRECT, "created_by": user}
        )
        _add_member(room, user)
        _add_member(room, other)
    selectors.forget_membership(room, user.pk)
    return room


# --- the WebSocket stream ------------------------------------------------------------------


def socket_send(user, key: str, frame: dict) -> dict | None:
    """`send` on `chat.room.<slug>`. The frame's `type` says what: `message` (the default),
    `edit`, `delete`, `react`, `read`, `typing` or `report`. Returns the event for the sender."""
    from chat import presence

    room = selectors.room_by_slug(key)
    if room is None or not selectors.can_read_room(user, room):
        raise ChatError(_("You may not follow this stream."), code="forbidden")
    kind = frame.get("type", "message")
    if kind == "message":
        message, created = post_message(user, room, frame.get("body"), client_id=frame.get("client_id"))
        payload = selectors.new_message_payload(message) if created else selectors.message_payload(message)
        return {"event": "message.created", "data": payload}
    if kind == "typing":
        if selectors.can_send(user, room) and presence.may_announce_typing(room.pk, user.pk):
            realtime.broadcast(
                room.stream, "typing", {"user": {"id": user.pk, "username": user.username, "name": str(user)}}
            )
        return None
    if kind == "read":
        position = mark_read(user, room, frame.get("id"))
        return {"event": "read", "data": {"last_read_id": position}}
    message = _message_in(room, frame.get("id"))
    if kind == "edit":
        message = edit_message(user, message, frame.get("body"))
        return {"event": "message.updated", "data": selectors.message_payload(message)}
    if kind == "delete":
        message = delete_message(user, message)
        return {"event": "message.deleted", "data": selectors.message_payload(message)}
    if kind == "react":
        toggle_reaction(user, message, str(frame.get("reaction", ""))[:20])
        message = Message.objects.select_related("room", "author").get(pk=message.pk)
        return {"event": "message.reactions", "data": selectors.message_payload(message)}
    if kind == "report":
        from chat.moderation.services import report_message

        report = report_message(user, message, reason=frame.get("reason"), note=frame.get("note") or "")
        # Not `report.created`: the socket drops `*.created` ids it has seen (message ids).
        return {"event": "report.received", "data": {"report": report.pk, "message": message.pk}}
    raise ChatError(_("Unknown message type."))


def _message_in(room: Room, message_id) -> Message:
    if not isinstance(message_id, int) or isinstance(message_id, bool):
        raise ChatError(_("Unknown message."))
    message = Message.objects.select_related("room", "author").filter(room=room, pk=message_id).first()
    if message is None:
        raise ChatError(_("Unknown message."))
    return message
