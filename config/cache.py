"""A Redis cache that degrades instead of failing.

When Redis is unreachable, reads miss and writes are dropped (and logged) so that pages
which only use the cache as an optimisation keep working. `/healthz` checks Redis
directly and reports the outage.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def _fallback(self, operation, default, *args, **kwargs):
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except REDIS_DOWN as exc:
            logger.warning("cache unavailable during %s: %s", operation, exc)
            return default

    def get(self, key, default=None, version=None):
        return self._fallback("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._fallback("get_many", {}, keys, version)

    def set(self, key, value, timeout=None, version=None):  # noqa: A003
        return self._fallback("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=None, version=None):
        return self._fallback("add", True, key, value, timeout, version)

    def set_many(self, data, timeout=None, version=None):
        return self._fallback("set_many", [], data, timeout, version)

    def delete(self, key, version=None):
        return self._fallback("delete", False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._fallback("incr", delta, key, delta, version)

    def touch(self, key, timeout=None, version=None):
        return self._fallback("touch", False, key, timeout, version)

    def has_key(self, key, version=None):
        return self._fallback("has_key", False, key, version)
