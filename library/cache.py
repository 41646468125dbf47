"""Cached library counts: facet counts, totals and search-backend matches.

Counting 20,000 items per facet on every page view is the library's main cost. The
results are cached for a few minutes under a key that holds everything they depend on:
the library's *generation* (bumped whenever a page is published, unpublished, moved or
deleted, or a privacy setting changes, so nobody sees stale counts after an edit), what
the reader may see (`visibility_key`), the filters or query, and the language of the
labels. The cache is shared by every process (Redis in production).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils import translation

GENERATION_KEY = "library:generation"
TIMEOUT = 300


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.add(GENERATION_KEY, value, timeout=None)
    return value


def bump_generation(**_ignored) -> None:
    """Every cached count is obsolete from now on (called by the page and privacy signals)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(GENERATION_KEY, 2, timeout=None)


def visibility_key(user) -> str:
    """What distinguishes readers who see different items: visitors all see the public ones;
    vetted members see all but the restricted sections they are not let into."""
    from library.selectors import hidden_sections_for
    from network.permissions import is_vetted_member

    if not is_vetted_member(user):
        return "public"
    return "member:" + ",".join(
        str(page.pk) for page in sorted(hidden_sections_for(user), key=lambda p: p.pk)
    )


def cached(kind: str, parts: Any, compute: Callable[[], Any], timeout: int = TIMEOUT):
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
    key = f"library:{kind}:{generation()}:{translation.get_language()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value
