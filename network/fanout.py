"""Fan-out of stream events: once per process, not once per socket.

Each process (each Daphne, each test event loop) has one `Hub`. Sockets join named groups
in their process's hub, which is a dictionary, not a channel-layer call. An event is
published once to Redis on one pub/sub channel (`<prefix>:fanout:<db>`); every process
holds one subscription to it, encodes each event's frame once and writes it to its local
sockets in that group. With 1,000 sockets in a room that is one Redis message per process
and 1,000 socket writes, against 1,000 channel-layer messages for the textbook design.

Without REDIS_URL (the embedded default: one process) an event goes straight to the
hubs of this process.

Like the channel layer, pub/sub delivers at most once: clients recover what they missed
by subscribing with `since`, which replays from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import threading
import weakref
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

_hubs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # event loop -> Hub
_hubs_lock = threading.Lock()
_sync_clients: dict[str, object] = {}  # REDIS_URL -> client (tests may change the URL)
_sync_client_lock = threading.Lock()


def channel_name() -> str:
    """One pub/sub channel per Redis database and prefix: pub/sub ignores the db number,
    so two deployments (or two test runs) on one Redis must not hear each other."""
    database = (urlsplit(settings.REDIS_URL).path or "/0").lstrip("/") or "0"
    return f"{settings.PUENTE_FANOUT_PREFIX}:fanout:{database}"


def encode(group: str, message: dict) -> str:
    return json.dumps({"group": group, "message": message}, separators=(",", ":"), default=str)


class Hub:
    """The groups of one event loop's sockets and, with Redis, its one subscription."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.groups: dict[str, set] = defaultdict(set)
        self.sockets: set = set()
        self.listener: asyncio.Task | None = None
        self.pubsub = None
        self.redis = None
        self._starting = asyncio.Lock()

    # --- sockets ---------------------------------------------------------------------------

    async def attach(self, socket) -> None:
        """A socket opened: make sure this process listens before it joins anything."""
        self.sockets.add(socket)
        if settings.REDIS_URL:
            async with self._starting:
                if self.listener is None or self.listener.done():
                    await self._listen()

    async def detach(self, socket) -> None:
        self.sockets.discard(socket)
        for group in [g for g, members in self.groups.items() if socket in members]:
            self.leave(group, socket)
        if not self.sockets:
            async with self._starting:
                if not self.sockets:
                    await self._stop()

    def join(self, group: str, socket) -> None:
        self.groups[group].add(socket)

    def leave(self, group: str, socket) -> None:
        members = self.groups.get(group)
        if members is not None:
            members.discard(socket)
            if not members:
                del self.groups[group]

    # --- events ----------------------------------------------------------------------------

    async def dispatch(self, group: str, message: dict) -> None:
        """Hand `message` to every local socket in `group` (frames encoded once)."""
        members = self.groups.get(group)
        if not members:
            return
        encoded: dict = {}
        for socket in list(members):
            try:
                await socket.hub_message(message, encoded)
            except Exception:  # one broken socket must not starve the others
                logger.exception("could not deliver %s to a socket", message.get("type"))

    def dispatch_threadsafe(self, group: str, message: dict) -> None:
        if self.loop.is_closed():
            return
        # A fresh context: the publisher's (an asgiref sync thread's) must not leak into
        # the sockets' hooks, which would then deadlock on that thread's executor.
        self.loop.call_soon_threadsafe(self._dispatch_soon, group, message, context=contextvars.Context())

    def _dispatch_soon(self, group: str, message: dict) -> None:
        self.loop.create_task(self.dispatch(group, message))

    # --- Redis -----------------------------------------------------------------------------

    async def _listen(self) -> None:
        import redis.asyncio as redis

        self.redis = redis.Redis.from_url(settings.REDIS_URL)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=False)
        await self.pubsub.subscribe(channel_name())
        # Wait for the confirmation: from here on every publish reaches this process.
        while True:
            confirmation = await self.pubsub.get_message(timeout=5)
            if confirmation and confirmation["type"] == "subscribe":
                break
        self.listener = asyncio.ensure_future(self._receive())

    async def _receive(self) -> None:
        while True:
            try:
                async for item in self.pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    try:
                        envelope = json.loads(item["data"])
                        await self.dispatch(envelope["group"], envelope["message"])
                    except (ValueError, KeyError, TypeError):
                        logger.warning("ignored a malformed fan-out message")
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis went away: resubscribe after a pause. What was published meanwhile
                # is recovered by the clients' `since`.
                logger.exception("fan-out subscription lost; resubscribing")
                await asyncio.sleep(1)
                try:
                    await self.pubsub.subscribe(channel_name())
                except Exception:
                    logger.exception("resubscribing failed")

    async def _stop(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        if self.pubsub is not None:
            try:
                await self.pubsub.aclose()
                await self.redis.aclose()
            except Exception:
                logger.debug("closing the fan-out subscription failed", exc_info=True)
            self.pubsub = self.redis = None


def hub() -> Hub:
    """The hub of the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        found = _hubs.get(loop)
        if found is None:
            found = _hubs[loop] = Hub(loop)
        return found


def _redis_client():
    url = settings.REDIS_URL
    with _sync_client_lock:
        if url not in _sync_clients:
            import redis

            _sync_clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        return _sync_clients[url]


def publish(group: str, message: dict) -> None:
    """Send `message` to the sockets in `group` in every process (from any thread)."""
    if settings.REDIS_URL:
        _redis_client().publish(channel_name(), encode(group, message))
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    with _hubs_lock:
        hubs = list(_hubs.values())
    for each in hubs:
        if each.loop is running:
            running.create_task(each.dispatch(group, message), context=contextvars.Context())
        else:
            each.dispatch_threadsafe(group, message)


async def apublish(group: str, message: dict) -> None:
    """`publish` from async code (a socket's own event loop)."""
    if settings.REDIS_URL:
        current = hub()
        if current.redis is not None:
            await current.redis.publish(channel_name(), encode(group, message))
            return
        await asyncio.get_running_loop().run_in_executor(None, publish, group, message)
        return
    publish(group, message)
