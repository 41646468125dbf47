"""The chat stream `chat.room.<slug>` on the platform's one WebSocket.

Subscribing needs `selectors.can_read_room` (the rule of the room page); a send goes
through `services.socket_send` with the same checks as the HTML forms. Joining and leaving
a stream updates who is online (`chat.presence`).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import connections

from chat import presence, selectors, services
from network import realtime
from network.registry import Stream, StreamError, registry

PREFIX = "chat.room."
logger = logging.getLogger(__name__)


def can_subscribe_room(user, key: str) -> bool:
    return selectors.can_read_room(user, selectors.room_by_slug(key))


def on_send(user, key: str, frame: dict) -> dict | None:
    try:
        return services.socket_send(user, key, frame)
    except services.ChatError as error:
        extra = {"retry_after": error.retry_after} if error.retry_after is not None else {}
        raise StreamError(error.code, error.message, **extra) from None


def _presence_changed(change, user, key: str, socket_id: str) -> None:
    if getattr(user, "is_authenticated", False) and change(key, user.pk, socket_id):
        announce_presence(key)


def on_join(user, key: str, socket_id: str) -> None:
    _presence_changed(presence.joined, user, key, socket_id)


def on_leave(user, key: str, socket_id: str) -> None:
    _presence_changed(presence.left, user, key, socket_id)


def on_heartbeat(user, key: str, socket_id: str) -> None:
    _presence_changed(presence.refresh, user, key, socket_id)


# A room filling up changes its presence a thousand times in a few seconds; sending the
# list each time would cost every open socket a thousand frames. Each process sends at
# most one `presence` event per room and interval, the last one after the interval with
# what changed meanwhile.
_announcement_lock = threading.Lock()
_next_announcement: dict[str, float] = {}  # room key → monotonic time the next may go
_pending_announcements: set[str] = set()


def announce_presence(key: str) -> None:
    interval = settings.PUENTE_CHAT_PRESENCE_INTERVAL_MS / 1000
    now = time.monotonic()
    with _announcement_lock:
        if key in _pending_announcements:
            return
        wait = _next_announcement.get(key, 0.0) - now
        if wait > 0:
            _pending_announcements.add(key)
        else:
            _next_announcement[key] = now + interval
    if wait > 0:
        timer = threading.Timer(wait, _announce_later, args=(key,))
        timer.daemon = True
        timer.start()
    else:
        _broadcast_presence(key)


def _announce_later(key: str) -> None:
    with _announcement_lock:
        _pending_announcements.discard(key)
        _next_announcement[key] = time.monotonic() + settings.PUENTE_CHAT_PRESENCE_INTERVAL_MS / 1000
    try:
        _broadcast_presence(key)
    except Exception:  # presence is best effort
        logger.exception("presence announcement of %s failed", key)
    finally:
        connections.close_all()  # this timer thread's own connection


def _broadcast_presence(key: str) -> None:
    room = selectors.room_by_slug(key)
    if room is not None:
        realtime.broadcast(room.stream, "presence", selectors.presence_payload(room))


def unread_state(user) -> list[dict]:
    """Sent after every replay of the member's `user` stream: the header's chat badge
    (nothing for a member in no room: there is no badge to set)."""
    counts = list(selectors.memberships_with_unread(user))
    if not counts:
        return []
    rooms = {membership.room.slug: membership.unread for membership in counts}
    total = sum(membership.unread for membership in counts if not membership.notifications_muted)
    muted = sorted(membership.room.slug for membership in counts if membership.notifications_muted)
    return [{"event": "chat.unread", "data": {"total": total, "rooms": rooms, "muted": muted}}]


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
