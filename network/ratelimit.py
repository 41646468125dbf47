"""Per-member limits on sending (chat messages, forum posts) in the shared cache.

Each member keeps the times of their last `limit` sends under one key: a true
sliding window. A fixed-window counter lets a member send twice the limit across a
boundary, and makes "three sends in a row" pass or fail depending on where the
clock stands. The limits are small (tens per window), so the list stays short.
Reading and writing are not one atomic step: two sends racing from two sockets may
both pass, which a limit against flooding can afford.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def _key(name: str, subject: int) -> str:
    return f"rate:{name}:{subject}"


def _recent(name: str, subject: int, window: int, now: float) -> list[float]:
    return [moment for moment in cache.get(_key(name, subject), []) if moment > now - window]


def seconds_until_allowed(name: str, subject: int, *, limit: int, window: int) -> int:
    """0 when one more is allowed now; otherwise the whole seconds to wait."""
    if not limit:
        return 0
    now = time.time()
    recent = _recent(name, subject, window, now)
    if len(recent) < limit:
        return 0
    oldest_that_counts = recent[-limit]
    return max(1, math.ceil(oldest_that_counts + window - now))


def count(name: str, subject: int, *, window: int, limit: int) -> None:
    now = time.time()
    recent = _recent(name, subject, window, now)
    recent.append(now)
    cache.set(_key(name, subject), recent[-limit:] if limit else [], timeout=window + 1)
