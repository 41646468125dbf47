"""Who has a room open: one entry per (member, socket) with an expiry.

Sockets refresh their entries on each heartbeat (PUENTE_WS_HEARTBEAT_SECONDS) and remove
them when they close; an entry whose socket died without closing (a crashed process, a
phone that lost its network) expires after PUENTE_CHAT_PRESENCE_TTL seconds. With
REDIS_URL every process shares a sorted set per room; without it (the embedded default,
one process) a dictionary does.

The functions return True when the room's list of online members changed, so callers
announce only real changes.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache

_local: dict[int, dict[str, float]] = {}
_lock = threading.Lock()


def _ttl() -> int:
    return settings.PUENTE_CHAT_PRESENCE_TTL


def _redis():
    if not settings.REDIS_URL:
        return None
    return cache._cache.get_client(write=True)


def _key(room_id: int) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'puente')}:chat:presence:{room_id}"


def _entries(room_id: int, now: float) -> dict[str, float]:
    client = _redis()
    if client is None:
        with _lock:
            entries = _local.get(room_id, {})
            for entry in [e for e, expiry in entries.items() if expiry <= now]:
                del entries[entry]
            return dict(entries)
    key = _key(room_id)
    client.zremrangebyscore(key, "-inf", now)
    return {member.decode(): score for member, score in client.zrange(key, 0, -1, withscores=True)}


def _users(entries) -> set[int]:
    return {int(entry.split(":", 1)[0]) for entry in entries}


def online_user_ids(room_id: int) -> list[int]:
    return sorted(_users(_entries(room_id, time.time())))


def _set(room_id: int, user_id: int, socket_id: str, present: bool) -> bool:
    now = time.time()
    before = _users(_entries(room_id, now))
    entry = f"{user_id}:{socket_id}"
    client = _redis()
    if client is None:
        with _lock:
            entries = _local.setdefault(room_id, {})
            if present:
                entries[entry] = now + _ttl()
            else:
                entries.pop(entry, None)
    else:
        key = _key(room_id)
        if present:
            client.zadd(key, {entry: now + _ttl()})
            client.expire(key, _ttl() * 2)
        else:
            client.zrem(key, entry)
    after = _users(_entries(room_id, now))
    return before != after


def joined(room_id: int, user_id: int, socket_id: str) -> bool:
    return _set(room_id, user_id, socket_id, True)


def left(room_id: int, user_id: int, socket_id: str) -> bool:
    return _set(room_id, user_id, socket_id, False)


def refresh(room_id: int, user_id: int, socket_id: str) -> bool:
    """Keep the socket's entry alive; True when expired entries of others were dropped."""
    return _set(room_id, user_id, socket_id, True)


def may_announce_typing(room_id: int, user_id: int) -> bool:
    """At most one typing event per member and room every PUENTE_CHAT_TYPING_SECONDS."""
    return cache.add(f"chat:typing:{room_id}:{user_id}", 1, timeout=settings.PUENTE_CHAT_TYPING_SECONDS)
