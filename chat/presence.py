"""Who has a room open: one entry per (member, socket) with an expiry, keyed by the
room's slug (the stream key, so a heartbeat needs no database read).

Sockets refresh their entries on each heartbeat (PUENTE_WS_HEARTBEAT_SECONDS) and remove
them when they close; an entry whose socket died without closing (a crashed process, a
phone that lost its network) expires after PUENTE_CHAT_PRESENCE_TTL seconds. With
REDIS_URL every process shares a sorted set per room; without it (the embedded default,
one process) a dictionary does.

`joined` and `left` return True when the room's list of online members may have
changed, so callers announce only then. `refresh` is the hot path (every socket, every
heartbeat): one round trip that does not read the set.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache

_local: dict[str, dict[str, float]] = {}
_lock = threading.Lock()


def _ttl() -> int:
    return settings.PUENTE_CHAT_PRESENCE_TTL


def _redis():
    if not settings.REDIS_URL:
        return None
    return cache._cache.get_client(write=True)


def _key(room_key: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'puente')}:chat:presence:{room_key}"


def _entry(user_id: int, socket_id: str) -> str:
    return f"{user_id}:{socket_id}"


def _user_of(entry: str) -> int:
    return int(entry.split(":", 1)[0])


def _local_entries(room_key: str, now: float) -> tuple[dict[str, float], int]:
    """The room's live entries (caller holds _lock) and how many had expired."""
    entries = _local.setdefault(room_key, {})
    expired = [entry for entry, expiry in entries.items() if expiry <= now]
    for entry in expired:
        del entries[entry]
    return entries, len(expired)


def online_user_ids(room_key: str) -> list[int]:
    now = time.time()
    client = _redis()
    if client is None:
        with _lock:
            entries, _expired = _local_entries(room_key, now)
            return sorted({_user_of(entry) for entry in entries})
    members = client.zrangebyscore(_key(room_key), now, "+inf")
    return sorted({_user_of(member.decode()) for member in members})


def _change(room_key: str, user_id: int, socket_id: str, present: bool) -> bool:
    """Add or remove the socket's entry; True when the member's being online changed
    or entries of others expired on the way."""
    now = time.time()
    entry = _entry(user_id, socket_id)
    prefix = f"{user_id}:"
    client = _redis()
    if client is None:
        with _lock:
            entries, expired = _local_entries(room_key, now)
            others = any(e.startswith(prefix) for e in entries if e != entry)
            if present:
                entries[entry] = now + _ttl()
            else:
                entries.pop(entry, None)
        return bool(expired) or not others
    key = _key(room_key)
    with client.pipeline() as pipe:
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zrange(key, 0, -1)
        if present:
            pipe.zadd(key, {entry: now + _ttl()})
            pipe.expire(key, _ttl() * 2)
        else:
            pipe.zrem(key, entry)
        expired, members = pipe.execute()[:2]
    others = any(m.startswith(prefix.encode()) and m != entry.encode() for m in members)
    return bool(expired) or not others


def joined(room_key: str, user_id: int, socket_id: str) -> bool:
    return _change(room_key, user_id, socket_id, True)


def left(room_key: str, user_id: int, socket_id: str) -> bool:
    return _change(room_key, user_id, socket_id, False)


def refresh(room_key: str, user_id: int, socket_id: str) -> bool:
    """Keep the socket's entry alive; True when entries expired (members may have gone)
    or this entry had itself expired (the member may have come back)."""
    now = time.time()
    entry = _entry(user_id, socket_id)
    client = _redis()
    if client is None:
        with _lock:
            entries, expired = _local_entries(room_key, now)
            added = entry not in entries
            entries[entry] = now + _ttl()
        return bool(expired) or added
    key = _key(room_key)
    with client.pipeline() as pipe:
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zadd(key, {entry: now + _ttl()})
        pipe.expire(key, _ttl() * 2)
        expired, added, _ok = pipe.execute()
    return bool(expired) or bool(added)


def may_announce_typing(room_id: int, user_id: int) -> bool:
    """At most one typing event per member and room every PUENTE_CHAT_TYPING_SECONDS."""
    return cache.add(f"chat:typing:{room_id}:{user_id}", 1, timeout=settings.PUENTE_CHAT_TYPING_SECONDS)
