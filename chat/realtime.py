"""The chat stream `chat.room.<slug>` on the platform's one WebSocket.

Subscribing needs `selectors.can_read_room` (the rule of the room page); a send goes
through `services.socket_send` with the same checks as the HTML forms. Joining and leaving
a stream updates who is online (`chat.presence`).
"""

from __future__ import annotations

from chat import presence, selectors, services
from network import realtime
from network.registry import Stream, StreamError, registry

PREFIX = "chat.room."


def can_subscribe_room(user, key: str) -> bool:
    return selectors.can_read_room(user, selectors.room_by_slug(key))


def on_send(user, key: str, frame: dict) -> dict | None:
    try:
        return services.socket_send(user, key, frame)
    except services.ChatError as error:
        extra = {"retry_after": error.retry_after} if error.retry_after is not None else {}
        raise StreamError(error.code, error.message, **extra) from None


def _presence_changed(change, user, key: str, socket_id: str) -> None:
    room = selectors.room_by_slug(key)
    if room is None or not getattr(user, "is_authenticated", False):
        return
    if change(room.pk, user.pk, socket_id):
        realtime.broadcast(room.stream, "presence", selectors.presence_payload(room))


def on_join(user, key: str, socket_id: str) -> None:
    _presence_changed(presence.joined, user, key, socket_id)


def on_leave(user, key: str, socket_id: str) -> None:
    _presence_changed(presence.left, user, key, socket_id)


def on_heartbeat(user, key: str, socket_id: str) -> None:
    _presence_changed(presence.refresh, user, key, socket_id)


def unread_state(user) -> list[dict]:
    """Sent after every replay of the member's `user` stream: the header's chat badge
    (nothing for a member in no room: there is no badge to set)."""
    counts = list(selectors.memberships_with_unread(user))
    if not counts:
        return []
    rooms = {membership.room.slug: membership.unread for membership in counts}
    total = sum(membership.unread for membership in counts if not membership.notifications_muted)
    return [{"event": "chat.unread", "data": {"total": total, "rooms": rooms}}]


def register() -> None:
    registry.register_stream(
        Stream(
            prefix=PREFIX,
            can_subscribe=can_subscribe_room,
            replay=selectors.room_events_since,
            on_send=on_send,
            on_join=on_join,
            on_leave=on_leave,
            on_heartbeat=on_heartbeat,
        )
    )
