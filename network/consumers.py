"""The one WebSocket of a browser tab (`/ws/`): subscribe to streams, send on them.

Every subscribe and send is checked by the permission function the stream's app
registered (the same one its HTML views use). Events reach the socket through its
process's fan-out hub (`network.fanout`), not through a channel-layer group per socket;
what that path drops, `since` replays from the database.
"""

import asyncio
import functools
import json
import logging
import uuid
from collections import deque

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from network import fanout
from network.permissions import may_act
from network.realtime import user_group
from network.registry import StreamError, registry

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 100
CLOSE_LOGGED_OUT = 4001
REMEMBERED_IDS_PER_STREAM = 200


class RecentIds:
    """The ids of the last *.created events sent on one stream, to drop exact repeats.

    Only repeats are dropped: with several writers a lower id may commit (and arrive)
    after a higher one, and it must still be delivered."""

    def __init__(self, size: int = REMEMBERED_IDS_PER_STREAM):
        self.order: deque[int] = deque(maxlen=size)
        self.members: set[int] = set()

    def add(self, item_id: int) -> bool:
        """Remember the id; False when it was already sent."""
        if item_id in self.members:
            return False
        if len(self.order) == self.order.maxlen:
            self.members.discard(self.order[0])
        self.order.append(item_id)
        self.members.add(item_id)
        return True


def websocket_text_frame(text: str) -> bytes:
    """One unfragmented, unmasked text frame (RFC 6455, 5.2): what a server sends."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 1 << 16:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + payload


def daphne_connection(send):
    """(server, protocol) of the Daphne connection behind a consumer's `send` (reached
    through channels' session wrapper), or None under another server or a test's
    communicator. Daphne hands each application `partial(server.handle_reply, protocol)`."""
    for _depth in range(4):
        if isinstance(send, functools.partial):
            server = getattr(send.func, "__self__", None)
            if type(server).__module__ == "daphne.server" and len(send.args) == 1:
                return server, send.args[0]
            return None
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def write_now(transport, data: bytes) -> None:
    """Twisted's `transport.write`, but sent at once when nothing waits in its buffer.

    Twisted only queues a write and asks the event loop to say when the socket is
    writable: two epoll changes and a callback per socket and frame, the larger part of
    a broadcast's cost. A socket with nothing pending takes the bytes now; the rest, a
    TLS transport or any doubt goes through `transport.write`, which keeps the order."""
    sock = getattr(transport, "socket", None)
    if (
        sock is None
        or getattr(transport, "TLS", True)
        or getattr(transport, "dataBuffer", b"x")
        or getattr(transport, "_tempDataBuffer", True)
        or not getattr(transport, "connected", False)
        or getattr(transport, "disconnecting", True)
    ):
        transport.write(data)
        return
    try:
        sent = sock.send(data)
    except BlockingIOError:
        sent = 0
    except OSError:  # a broken connection: Twisted finds out and closes it its own way
        transport.write(data)
        return
    if sent < len(data):
        transport.write(data[sent:])


class SocketConsumer(AsyncJsonWebsocketConsumer):
    # No channel layer per socket: events arrive through the process's hub (see fanout).
    channel_layer_alias = "puente-sockets-use-the-fanout-hub"

    async def connect(self):
        self.user = self.scope.get("user")
        self.socket_id = uuid.uuid4().hex
        self.subscriptions: dict[str, str] = {}  # stream name → fan-out group
        self.stream_keys: dict[str, tuple] = {}  # stream name → (Stream, key), for hooks
        self.delivered_ids: dict[str, RecentIds] = {}
        self.language = self._language()
        self.hub = fanout.hub()
        await self.hub.attach(self)
        await self.accept()
        # Fan-out frames are written straight to Daphne's transport, encoded once for all
        # the process's sockets: through channels, Daphne and autobahn each frame of a
        # broadcast cost every socket the same work again (see docs/websocket.md).
        self.direct = daphne_connection(self.base_send) if settings.PUENTE_WS_DIRECT_WRITES else None
        if self._authenticated:
            # Joined for the life of the socket so that a logout elsewhere can close it.
            self.hub.join(user_group(self.user.id), self)
        self.heartbeat_task = asyncio.create_task(self._heartbeat())

    def _language(self) -> str:
        if self._authenticated and self.user.language:
            return self.user.language
        chosen = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    @property
    def _authenticated(self) -> bool:
        return bool(self.user and self.user.is_authenticated)

    async def disconnect(self, code):
        task = getattr(self, "heartbeat_task", None)
        if task:
            task.cancel()
        hub = getattr(self, "hub", None)
        if hub is None:
            return
        left = [
            self.stream_keys[name] for name in getattr(self, "subscriptions", {}) if name in self.stream_keys
        ]
        self.subscriptions = {}
        await hub.detach(self)
        if left:
            await self._hooks("on_leave", left)

    async def _hooks(self, hook: str, streams) -> None:
        # Hooks run on every heartbeat of every socket: they must stay cheap (chat's
        # presence refresh is one Redis round trip and reads no table).
        await database_sync_to_async(self._run_hooks)(hook, streams)

    def _run_hooks(self, hook: str, streams) -> None:
        for stream, key in streams:
            function = getattr(stream, hook, None)
            if function is None:
                continue
            try:
                function(self.user, key, self.socket_id)
            except Exception:  # presence is best effort: never break the socket for it
                logger.exception("%s of %s failed", hook, stream.prefix)

    async def _heartbeat(self):
        interval = settings.PUENTE_WS_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(interval)
            await self.send_json({"event": "heartbeat"})
            alive = [self.stream_keys[n] for n in self.subscriptions if n in self.stream_keys]
            if any(stream.on_heartbeat for stream, _key in alive):
                await self._hooks("on_heartbeat", alive)

    # --- frames from the client ---------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self._error("invalid", gettext_noop("Frames must be JSON text."))
            return
        if len(text_data.encode()) > settings.PUENTE_WS_MAX_FRAME_BYTES:
            await self._error("invalid", gettext_noop("Frame too large."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("invalid", gettext_noop("Frames must be valid JSON."))
            return
        if not isinstance(content, dict):
            await self._error("invalid", gettext_noop("Frames must be JSON objects."))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        action = content.get("action")
        handler = {
            "subscribe": self.action_subscribe,
            "unsubscribe": self.action_unsubscribe,
            "send": self.action_send,
            "ping": self.action_ping,
        }.get(action)
        if handler is None:
            await self._error("invalid", gettext_noop("Unknown action."), action=str(action)[:40])
            return
        try:
            await handler(content)
        except StreamError as exc:
            await self._error(exc.code, exc.detail, stream=content.get("stream"), **exc.extra)

    async def action_ping(self, content):
        await self.send_json({"event": "pong"})

    async def action_subscribe(self, content):
        name = content.get("stream")
        found = registry.stream_for(name)
        if found is None:
            raise StreamError("invalid", gettext_noop("Unknown stream."))
        stream, key = found
        since = content.get("since")
        if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
            raise StreamError("invalid", gettext_noop("'since' must be a message id or null."))
        if name not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise StreamError("invalid", gettext_noop("Too many subscriptions on one socket."))
        allowed = await database_sync_to_async(stream.can_subscribe)(self.user, key)
        if not allowed:
            raise StreamError("forbidden", gettext_noop("You may not follow this stream."))
        group = stream.group_name(self.user, key)
        # Join before replaying so nothing committed in between is missed; duplicates of
        # replayed events are dropped by id in _deliver.
        first_time = name not in self.subscriptions
        self.hub.join(group, self)
        self.subscriptions[name] = group
        self.stream_keys[name] = (stream, key)
        await self.send_json({"stream": name, "event": "subscribed"})
        if stream.replay is not None:
            events = await database_sync_to_async(self._replay)(stream, key, since)
            for event in events:
                await self._deliver(name, event["event"], event.get("data", {}))
        if first_time and stream.on_join is not None and self._authenticated:
            await self._hooks("on_join", [(stream, key)])

    def _replay(self, stream, key, since):
        with translation.override(self.language):
            return stream.replay(self.user, key, since)

    async def action_unsubscribe(self, content):
        name = content.get("stream")
        await self._drop_subscription(name)
        await self.send_json({"stream": name, "event": "unsubscribed"})

    async def _drop_subscription(self, name) -> bool:
        group = self.subscriptions.pop(name, None)
        # The member's own group stays joined: logout must still reach this socket.
        own_group = user_group(self.user.id) if self._authenticated else None
        if group and group != own_group and group not in self.subscriptions.values():
            self.hub.leave(group, self)
        self.delivered_ids.pop(name, None)
        hooked = self.stream_keys.pop(name, None)
        if group and hooked is not None and hooked[0].on_leave is not None and self._authenticated:
            await self._hooks("on_leave", [hooked])
        return group is not None

    async def action_send(self, content):
        name = content.get("stream")
        found = registry.stream_for(name)
        if found is None:
            raise StreamError("invalid", gettext_noop("Unknown stream."))
        stream, key = found
        if stream.on_send is None:
            raise StreamError("invalid", gettext_noop("This stream does not accept messages."))
        if not self._authenticated:
            raise StreamError("forbidden", gettext_noop("Sign in to send messages."))
        event = await database_sync_to_async(self._send_through)(stream, key, content)
        if event:
            # Once per socket: the acknowledgement or the broadcast copy, whichever comes
            # first (both carry the client_id); a resend on the same socket gets nothing new.
            await self._deliver(name, event["event"], event.get("data", {}))

    def _send_through(self, stream, key, content):
        if not may_act(self.user):
            raise StreamError("forbidden", gettext_noop("Set up two-factor authentication first."))
        with translation.override(self.language):
            return stream.on_send(self.user, key, content)

    # --- events from the fan-out hub ----------------------------------------------------

    async def hub_message(self, message: dict, encoded: dict) -> None:
        """A message for a group this socket is in; `encoded` holds the frames already
        encoded for other sockets of the same process (the same event, encoded once)."""
        kind = message.get("type")
        if kind == "stream.event":
            name = message["stream"]
            if name not in self.subscriptions:
                return
            data = message.get("data", {})
            if not self._first_delivery(name, message["event"], data):
                return
            text = encoded.get(name)
            if text is None:
                text = encoded[name] = json.dumps({"stream": name, "event": message["event"], "data": data})
            if not self._write_directly(text, encoded):
                await self.send(text_data=text)
        elif kind == "socket.close":
            await self.socket_close(message)
        elif kind == "stream.revoke":
            name = message.get("stream")
            if await self._drop_subscription(name):
                await self.send_json({"stream": name, "event": "unsubscribed", "data": {"reason": "revoked"}})

    def _write_directly(self, text: str, encoded: dict) -> bool:
        """Write the frame to the transport as autobahn would; False when the socket must
        go the usual way (another server, autobahn holding queued data, not open)."""
        direct = getattr(self, "direct", None)
        if direct is None:
            return False
        server, protocol = direct
        if protocol.state != protocol.STATE_OPEN or protocol.send_queue:
            return False
        if server.connections.get(protocol, {}).get("disconnected"):
            return True  # gone: the usual way would drop it too
        frames = encoded.setdefault(None, {})
        frame = frames.get(text)
        if frame is None:
            frame = frames[text] = websocket_text_frame(text)
        write_now(protocol.transport, frame)
        return True

    async def socket_close(self, message):
        session_key = message.get("session_key")
        session = self.scope.get("session")
        if session_key and session is not None and session.session_key != session_key:
            return  # another device of the same member logged out
        await self.send_json({"event": "closing", "reason": message.get("reason", "")})
        await self.close(code=CLOSE_LOGGED_OUT)

    def _first_delivery(self, name: str, event: str, data) -> bool:
        """False for a `*.created` event already sent on this socket (replay, ack, live)."""
        item_id = data.get("id") if isinstance(data, dict) else None
        if event.endswith(".created") and isinstance(item_id, int) and not isinstance(item_id, bool):
            return self.delivered_ids.setdefault(name, RecentIds()).add(item_id)
        return True

    async def _deliver(self, name: str, event: str, data: dict):
        if self._first_delivery(name, event, data):
            await self.send_json({"stream": name, "event": event, "data": data})

    async def _error(self, code: str, detail: str, stream=None, **extra):
        with translation.override(self.language):
            detail = gettext(detail) if detail else ""
        frame = {"event": "error", "code": code, "detail": detail}
        if isinstance(stream, str):
            frame["stream"] = stream[:200]
        frame.update(extra)
        await self.send_json(frame)
