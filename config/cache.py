"""A Redis cache that degrades instead of failing, on connections shared by the process.

When Redis is unreachable, reads miss and writes are dropped (and logged) so that pages
which only use the cache as an optimisation keep working. `/healthz` checks Redis
directly and reports the outage.

Django keeps one cache object per async context, and every WebSocket consumer runs in a
context of its own: with Django's client each socket's first cache call would open (and
keep) Redis connections of its own, a thousand sockets a thousand connections, each
opened while the socket waits. The client here takes its connection pools from one
registry per process (redis-py's pools are thread-safe and reset themselves after a fork).
"""

import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


_pools: dict = {}
_pools_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        key = (server, repr(sorted(self._pool_options.items())))
        with _pools_lock:
            if key not in _pools:
                _pools[key] = self._pool_class.from_url(server, **self._pool_options)
            return _pools[key]


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient

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
