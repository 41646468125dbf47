"""Liveness of the parts a web process depends on: database, cache, channel layer."""

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

CHECK_TIMEOUT_SECONDS = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    if settings.REDIS_URL:
        # The resilient cache swallows outages; ask Redis itself.
        client = cache._cache.get_client(write=True)
        client.ping()
        return
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


async def _round_trip(layer) -> None:
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned another message")


def check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")

    async def run():
        await asyncio.wait_for(_round_trip(layer), CHECK_TIMEOUT_SECONDS)

    async_to_sync(run)()


CHECKS = {"database": check_database, "cache": check_cache, "channel_layer": check_channel_layer}


def run_checks() -> dict[str, str]:
    """Each part's state: "ok" or the error that names what failed."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure of a dependency is a finding, not a crash
            results[name] = f"error: {type(exc).__name__}: {exc}"[:300]
    return results
