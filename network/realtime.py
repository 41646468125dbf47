"""Sending events to open WebSockets, always after the database write has committed.

Events go through `network.fanout` (one Redis pub/sub message per event, fanned out to
the sockets by each process). That path delivers at most once: clients recover what they
missed by subscribing with `since`, which replays from the database.
"""

import logging

from django.db import transaction

from network import fanout
from network.registry import stream_group

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def _group_send(group: str, message: dict) -> None:
    try:
        fanout.publish(group, message)
    except Exception:  # a broken Redis must not break the write that preceded it
        logger.exception("could not send %s to %s", message.get("event"), group)


def _event(stream: str, event: str, data: dict) -> dict:
    return {"type": "stream.event", "stream": stream, "event": event, "data": data}


def broadcast(stream: str, event: str, data: dict) -> None:
    """Send `event` to every subscriber of `stream` once the current transaction commits."""
    transaction.on_commit(lambda: _group_send(stream_group(stream), _event(stream, event, data)))


def send_to_user(user_id: int, event: str, data: dict) -> None:
    """Send `event` on the member's own `user` stream (all their tabs) after commit."""
    transaction.on_commit(lambda: _group_send(user_group(user_id), _event("user", event, data)))


def close_session_sockets(user_id: int, session_key: str | None, reason: str = "logged_out") -> None:
    """Close the member's sockets opened with this session, in every process (on logout).

    Their other devices, signed in with other sessions, stay connected."""
    message = {"type": "socket.close", "reason": reason, "session_key": session_key}
    transaction.on_commit(lambda: _group_send(user_group(user_id), message))


def revoke_stream(user_id: int, stream: str) -> None:
    """Unsubscribe the member's sockets from `stream` in every process, after commit (they
    lost the right to read it: removed from a private group, for example)."""
    message = {"type": "stream.revoke", "stream": stream}
    transaction.on_commit(lambda: _group_send(user_group(user_id), message))
