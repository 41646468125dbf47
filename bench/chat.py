"""Chat at scale: one room, two Daphne processes, real WebSocket clients.

    make bench-chat                                   # 100 and 1,000 clients, then 5,000 idle
    python -m bench.chat --clients 100,1000           # the delivery part only
    python -m bench.chat --clients 1000 --textbook    # also the textbook Channels design
    python -m bench.chat --clients "" --idle 5000     # memory per idle connection only

Needs PostgreSQL and Redis. The database is a throw-away one, `puente_bench_chat`, on the
server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/); it is dropped at
the end. Redis is REDIS_URL's server (default 127.0.0.1:6379), database 13 unless
--redis-db says otherwise, every key under a prefix of this run (removed at the end).

The delivery part, for each N of --clients: N members of one private room connect with
their own session, split evenly over the two Daphne processes, from two client processes
(so the client side is not the bottleneck). One more member, the room's owner, sends
--rate messages a second for --duration seconds over a socket of its own; each body
carries its send time. Every receiver records which ids arrived and when. Printed per N:
delivery latency (p50, p99), deliveries per second, and messages lost or duplicated
(counted per client against the ids the sender had acknowledged: both must be 0).

The baseline, measured in the same run with the same client harness, N, rate and frame
size: a bare relay, two small processes each holding ONE Redis pub/sub subscription and
writing each published frame to its local sockets. Puente's deliveries/s and p99 are
printed as ratios to the relay's. The targets: p99 under 200 ms at 1,000 clients and at
least 0.8 of the relay's deliveries/s. `--textbook` adds the textbook Channels design
(one channel-layer group, `group_send` per message, one consumer channel per socket).

Filling a room costs something too: every member who opens it is announced to everyone
already there (presence), so the setup time and the presence frames are printed as well.

The idle part (`--idle N`): N signed-in members each open the socket and follow their
`user` stream, as every page does, on one fresh Daphne; the server's resident memory
before and after gives the memory per connection.

No Celery worker runs: the work it does after a message (unread nudges, notifications) is
not part of these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import math
import multiprocessing
import os
import resource
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.forums import shell
from bench.server import DAPHNE, ROOT, free_port, fresh_postgres

BENCH_DATABASE = "puente_bench_chat"
BENCH_REDIS_DB = 13
CLIENT_PROCESSES = 2
CONNECTS_AT_ONCE = 20  # per client process: Daphne's listen backlog is small
CONNECT_ATTEMPTS = 5
CONNECT_BUDGET_SECONDS = 180
SETTLE_QUIET_SECONDS = 1.0
BODY_CHARS = 120
MESSAGE_MARK = '"message.created"'
START_TIMEOUT = 90

# --- servers -------------------------------------------------------------------------------


def raise_open_file_limit() -> int:
    """Thousands of sockets: lift the soft limit to the hard one (children inherit it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def server_env(
    *, database_url: str, redis_url: str, prefix: str, settings_module: str = "config.settings.base"
) -> dict:
    """The environment of the servers and of `manage.py shell` on their data: production
    settings, and keys, groups and the fan-out channel under `prefix` only."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-chat-" + "s" * 60,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SESSION_COOKIE_SECURE": "false",
            "DJANGO_CSRF_COOKIE_SECURE": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PUENTE_CACHE_PREFIX": prefix,
            "PUENTE_CHANNEL_PREFIX": prefix,
            "PUENTE_FANOUT_PREFIX": prefix,
            "PUENTE_DB_POOL_MAX_SIZE": "20",  # as docker-compose.yml's web processes
            # No worker runs: tasks queue up in the process instead of in Redis.
            "CELERY_BROKER_URL": "memory://",
            "PUENTE_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("CHANNEL_REDIS_URLS", None)
    return env


@dataclass
class Daphne:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    @property
    def origin(self) -> str:
        return f"http://localhost:{self.port}"

    def rss_kib(self) -> int:
        return resident_kib(self.process.pid)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def _wait_until_ready(server: Daphne, health_path: str | None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"daphne on port {server.port} exited:\n{server.log_tail()}")
        try:
            if health_path:
                with urllib.request.urlopen(server.http_url + health_path, timeout=5) as response:
                    if response.status == 200:
                        return
            else:
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"daphne on port {server.port} did not answer:\n{server.log_tail()}")
        time.sleep(0.3)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def daphne_processes(
    env: dict,
    count: int,
    log_dir: Path,
    *,
    application: str = "config.asgi:application",
    health_path: str | None = "/healthz",
) -> Iterator[list[Daphne]]:
    """Start `count` Daphne processes on ports of their own; they are always stopped after."""
    servers: list[Daphne] = []
    try:
        for _ in range(count):
            port = free_port()
            log_path = log_dir / f"daphne-{port}.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen(
                    [DAPHNE, "-b", "127.0.0.1", "-p", str(port), application],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            servers.append(Daphne(port, process, log_path))
        for server in servers:
            _wait_until_ready(server, health_path)
        yield servers
    finally:
        for server in servers:
            stop_process(server.process)


def forget_redis_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=10)
    keys = list(client.scan_iter(f"{prefix}*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    client.close()


# Runs in `manage.py shell` with the servers' environment: migrates the fresh database,
# then bulk-creates members of one network with a session each, and private rooms they all
# belong to (the first member owns them). Prints what the clients need.
POPULATE = """
import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django.utils.crypto import get_random_string

from chat.models import Membership, Room, RoomKind, RoomRole
from network.models import Membership as NetworkMembership
from network.models import Network, User

spec = json.loads(%(spec)r)
call_command("migrate", interactive=False, verbosity=0)
password = make_password(None)
users = User.objects.bulk_create(
    [
        User(
            username=f"chat-member-{number}", email=f"chat-member-{number}@bench.example",
            display_name=f"Member {number}", password=password,
        )
        for number in range(spec["members"])
    ],
    batch_size=1000,
)
owner = users[0]
# Private groups are for members of a network: everyone belongs to one.
network = Network.objects.create(slug="bench-network", name="Bench network", short_name="Bench")
NetworkMembership.objects.bulk_create(
    [NetworkMembership(user=user, network=network) for user in users], batch_size=1000
)
rooms = [
    Room.objects.create(slug=slug, kind=RoomKind.PRIVATE, name=slug, created_by=owner)
    for slug in spec["rooms"]
]
Membership.objects.bulk_create(
    [
        Membership(room=room, user=user, role=RoomRole.OWNER if user.pk == owner.pk else RoomRole.MEMBER)
        for room in rooms
        for user in users
    ],
    batch_size=2000,
)
store, expiry = SessionStore(), timezone.now() + timedelta(days=1)
backend = settings.AUTHENTICATION_BACKENDS[0]
sessions = [
    Session(
        session_key=get_random_string(32),
        session_data=store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        ),
        expire_date=expiry,
    )
    for user in users
]
Session.objects.bulk_create(sessions, batch_size=1000)
print(json.dumps({
    "cookie_name": settings.SESSION_COOKIE_NAME,
    "rooms": [room.slug for room in rooms],
    "members": [
        {"id": user.pk, "username": user.username, "session": session.session_key}
        for user, session in zip(users, sessions)
    ],
}))
"""


def populate(env: dict, *, members: int, rooms: list[str]) -> dict:
    """Migrate the servers' database and create `members` members in `rooms` (see POPULATE)."""
    return shell(env, POPULATE % {"spec": json.dumps({"members": members, "rooms": rooms})})


# --- the baselines: a bare relay, and the textbook Channels design --------------------------


def relay_frame(message_id: int, stream: str, frame: dict) -> str:
    """A `message.created` frame shaped like Puente's (same keys, about the same size)."""
    body = str(frame.get("body", ""))
    data = {
        "id": message_id,
        "room": stream.rsplit(".", 1)[-1],
        "client_id": frame.get("client_id"),
        "author": {"id": 1, "username": "chat-member-0", "name": "Member 0"},
        "body": body,
        "body_html": f"<p>{html.escape(body)}</p>",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime()),
        "edited_at": None,
        "deleted": False,
        "reactions": {},
    }
    return json.dumps({"stream": stream, "event": "message.created", "data": data})


def _relay_main(port: int, redis_url: str, channel: str, id_key: str) -> None:
    asyncio.run(_relay(port, redis_url, channel, id_key))


async def _relay(port: int, redis_url: str, channel: str, id_key: str) -> None:
    """One process of the bare relay: ONE pub/sub subscription, each frame written to the
    local subscribers as it comes."""
    import redis.asyncio as aioredis
    from websockets.asyncio.server import broadcast, serve

    subscribers: set = set()
    client = aioredis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)

    async def fan_out():
        async for item in pubsub.listen():
            if item["type"] == "message":
                broadcast(subscribers, item["data"].decode())

    async def handle(connection):
        try:
            async for text in connection:
                frame = json.loads(text)
                stream = str(frame.get("stream"))
                if frame.get("action") == "subscribe":
                    subscribers.add(connection)
                    await connection.send(json.dumps({"stream": stream, "event": "subscribed"}))
                elif frame.get("action") == "send":
                    encoded = relay_frame(await client.incr(id_key), stream, frame)
                    await client.publish(channel, encoded)
                    await connection.send(encoded)
        finally:
            subscribers.discard(connection)

    listener = asyncio.create_task(fan_out())
    async with serve(handle, "127.0.0.1", port, compression=None, max_size=2**20) as server:
        await server.serve_forever()
    listener.cancel()


@contextlib.contextmanager
def relay_processes(redis_url: str, prefix: str, count: int = 2) -> Iterator[list[str]]:
    """Start the bare relay's processes; yield their WebSocket URLs."""
    context = multiprocessing.get_context("spawn")
    processes, urls = [], []
    try:
        for _ in range(count):
            port = free_port()
            process = context.Process(
                target=_relay_main,
                args=(port, redis_url, f"{prefix}:relay", f"{prefix}:relay:id"),
                daemon=True,
            )
            process.start()
            processes.append((process, port))
            urls.append(f"ws://127.0.0.1:{port}/")
        for process, port in processes:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or not process.is_alive():
                        raise RuntimeError("the relay did not start") from None
                    time.sleep(0.2)
        yield urls
    finally:
        for process, _port in processes:
            process.terminate()
            process.join(timeout=10)


TEXTBOOK_GROUP = "bench-room"
_textbook_app = None


async def textbook_application(scope, receive, send):
    """`daphne bench.chat:textbook_application`: the textbook design, for comparison. Each
    socket's consumer joins one channel-layer group; a send is numbered in Redis (as the
    relay does) and goes out with `group_send`, once per socket through the layer."""
    global _textbook_app
    if _textbook_app is None:
        _textbook_app = _build_textbook_app()
    await _textbook_app(scope, receive, send)


def _build_textbook_app():
    import django

    django.setup()
    import redis.asyncio as aioredis
    from channels.generic.websocket import AsyncWebsocketConsumer
    from django.conf import settings

    numbers = aioredis.Redis.from_url(settings.REDIS_URL)
    id_key = f"{settings.PUENTE_FANOUT_PREFIX}:textbook:id"

    class TextbookConsumer(AsyncWebsocketConsumer):
        async def receive(self, text_data=None, bytes_data=None):
            frame = json.loads(text_data)
            stream = str(frame.get("stream"))
            if frame.get("action") == "subscribe":
                await self.channel_layer.group_add(TEXTBOOK_GROUP, self.channel_name)
                await self.send(text_data=json.dumps({"stream": stream, "event": "subscribed"}))
            elif frame.get("action") == "send":
                encoded = relay_frame(await numbers.incr(id_key), stream, frame)
                await self.channel_layer.group_send(TEXTBOOK_GROUP, {"type": "room.message", "text": encoded})
                await self.send(text_data=encoded)

        async def room_message(self, event):
            await self.send(text_data=event["text"])

        async def disconnect(self, code):
            await self.channel_layer.group_discard(TEXTBOOK_GROUP, self.channel_name)

    return TextbookConsumer.as_asgi()


def warm_up(urls: list[str], stream: str) -> None:
    """Open a socket to each server until one is accepted: the textbook application loads
    Django on its first connection, which may outlast Daphne's handshake timeout."""
    for url in urls:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                asyncio.run(_open_and_close(ClientSpec(url, "http://localhost", ""), stream))
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


# --- the clients ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientSpec:
    url: str
    origin: str
    cookie: str


async def open_socket(spec: ClientSpec, stream: str, timeout: float = 60):
    """Connect and subscribe (since null); return the socket once `subscribed` arrived."""
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    headers = {"Cookie": spec.cookie} if spec.cookie else {}
    connection = await connect(
        spec.url,
        origin=Origin(spec.origin),
        additional_headers=headers,
        compression=None,
        max_size=2**22,
        open_timeout=timeout,
        ping_interval=None,  # the server pings (Daphne every 20 s); answering is automatic
        close_timeout=2,
    )
    try:
        await connection.send(json.dumps({"action": "subscribe", "stream": stream, "since": None}))
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await connection.recv())
                if frame.get("event") == "subscribed":
                    return connection
                if frame.get("event") == "error":
                    raise RuntimeError(f"subscribe refused: {frame}")
    except BaseException:
        await connection.close()
        raise


async def open_socket_retrying(spec: ClientSpec, stream: str, gate: asyncio.Semaphore | None = None):
    """`open_socket`, retried with a growing pause as the browser does when a handshake is
    refused or times out (Daphne drops handshakes its application has not accepted within
    5 s). Returns (socket, retries); raises the last error after CONNECT_ATTEMPTS."""
    gate = gate or asyncio.Semaphore(1)
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            async with gate:
                return await open_socket(spec, stream), attempt
        except Exception:
            if attempt + 1 == CONNECT_ATTEMPTS:
                raise
            await asyncio.sleep(2**attempt)
    raise AssertionError("unreachable")


def message_sent_at(body: str) -> float:
    """Bodies read "<sequence> <unix time sent> <filler>"."""
    return float(body.split(" ", 2)[1])


@dataclass
class Receiver:
    """What one client received: first-arrival latency per message id, and repeats."""

    latencies: dict[int, float] = field(default_factory=dict)
    repeats: int = 0
    frame_bytes: int = 0


class ClientGroup:
    """The sockets of one client process, driven by commands from the parent over a pipe."""

    def __init__(self, pipe, specs: list[ClientSpec], stream: str):
        self.pipe = pipe
        self.specs = specs
        self.stream = stream
        self.sockets: list = []
        self.receivers: list[Receiver] = []
        self.readers: list[asyncio.Task] = []
        self.last_frame = time.time()
        self.last_delivery = 0.0
        self.other_frames = 0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, argument = await loop.run_in_executor(None, self.pipe.recv)
            if command == "connect":
                self.pipe.send(await self.connect(argument))
            elif command == "quiet":
                self.pipe.send(time.time() - self.last_frame)
            elif command == "collect":
                self.pipe.send(await self.collect(*argument))
            elif command == "close":
                await self.close()
                self.pipe.send("closed")
                return

    async def connect(self, budget: float) -> dict:
        """Open every socket, retrying a refused or failed one with a growing pause as the
        browser does (CONNECT_ATTEMPTS in all); retries and failures are counted. What is not
        open after `budget` seconds counts as failed, so that a run ends in minutes."""
        started = time.monotonic()
        gate = asyncio.Semaphore(CONNECTS_AT_ONCE)
        failures: list[str] = []
        retries = 0

        async def one(spec: ClientSpec):
            nonlocal retries
            try:
                connection, retried = await open_socket_retrying(spec, self.stream, gate)
            except Exception as error:  # counted and shown: a failed connect is a finding
                failures.append(f"{type(error).__name__}: {error}"[:200])
                retries += CONNECT_ATTEMPTS - 1
                return
            retries += retried
            receiver = Receiver()
            self.sockets.append(connection)
            self.receivers.append(receiver)
            self.readers.append(asyncio.create_task(self.follow(connection, receiver)))

        attempts = [asyncio.create_task(one(spec)) for spec in self.specs]
        _done, late = await asyncio.wait(attempts, timeout=budget)
        for attempt in late:
            attempt.cancel()
        failures.extend([f"not connected within {budget:.0f} s"] * len(late))
        return {
            "connected": len(self.sockets),
            "retries": retries,
            "failures": failures,
            "seconds": time.monotonic() - started,
        }

    async def follow(self, connection, receiver: Receiver) -> None:
        with contextlib.suppress(Exception):
            async for text in connection:
                now = self.last_frame = time.time()
                if MESSAGE_MARK not in text:
                    self.other_frames += 1
                    continue
                data = json.loads(text)["data"]
                message_id = data["id"]
                if message_id in receiver.latencies:
                    receiver.repeats += 1
                else:
                    receiver.latencies[message_id] = now - message_sent_at(data["body"])
                    receiver.frame_bytes += len(text)
                    self.last_delivery = now

    async def collect(self, expected: list[int], deadline: float) -> dict:
        """Wait until every socket has every expected id (or the deadline), then count."""
        wanted = set(expected)
        while time.time() < deadline and not all(wanted <= r.latencies.keys() for r in self.receivers):
            await asyncio.sleep(0.1)
        latencies, lost, unexpected, frame_bytes = [], 0, 0, 0
        for receiver in self.receivers:
            arrived = receiver.latencies.keys()
            lost += len(wanted - arrived)
            unexpected += len(arrived - wanted)
            latencies.extend(receiver.latencies[i] for i in wanted & arrived)
            frame_bytes += receiver.frame_bytes
        return {
            "latencies": latencies,
            "lost": lost,
            "duplicated": sum(r.repeats for r in self.receivers),
            "unexpected": unexpected,
            "frame_bytes": frame_bytes,
            "other_frames": self.other_frames,
            "last_delivery": self.last_delivery,
        }

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


def _client_main(pipe, specs: list[ClientSpec], stream: str) -> None:
    raise_open_file_limit()
    asyncio.run(ClientGroup(pipe, specs, stream).run())


class Clients:
    """CLIENT_PROCESSES processes sharing `specs` between them (each talks to every server)."""

    def __init__(self, specs: list[ClientSpec], stream: str):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for index in range(CLIENT_PROCESSES):
            ours, theirs = context.Pipe()
            mine = [spec for number, spec in enumerate(specs) if number // 2 % CLIENT_PROCESSES == index]
            process = context.Process(target=_client_main, args=(theirs, mine, stream), daemon=True)
            process.start()
            self.pipes.append(ours)
            self.processes.append(process)

    def ask(self, command: str, argument=None) -> list:
        for pipe in self.pipes:
            pipe.send((command, argument))
        return [pipe.recv() for pipe in self.pipes]

    def connect(self, budget: float = CONNECT_BUDGET_SECONDS) -> dict:
        answers = self.ask("connect", budget)
        return {
            "connected": sum(a["connected"] for a in answers),
            "retries": sum(a["retries"] for a in answers),
            "failures": [f for a in answers for f in a["failures"]],
            "seconds": max(a["seconds"] for a in answers),
        }

    def wait_quiet(self, quiet: float = SETTLE_QUIET_SECONDS, limit: float = 180) -> None:
        """Until no socket got a frame for `quiet` seconds (the presence announcements done)."""
        deadline = time.monotonic() + limit
        while min(self.ask("quiet")) < quiet and time.monotonic() < deadline:
            time.sleep(0.25)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.ask("close")
        for process in self.processes:
            process.join(timeout=20)
            if process.is_alive():
                process.terminate()


# --- the sender ----------------------------------------------------------------------------


def message_body(sequence: int) -> str:
    head = f"{sequence} {time.time():.6f} "
    return head + ("lorem ipsum " * 20)[: BODY_CHARS - len(head)].rstrip()


async def send_messages(spec: ClientSpec, stream: str, *, rate: float, duration: float) -> dict:
    """Send `rate` messages a second for `duration` seconds on one socket, without waiting
    for acknowledgements; return the acknowledged ids and the refusals."""
    connection, _retries = await open_socket_retrying(spec, stream)
    sent_at: dict[str, float] = {}
    acknowledged: dict[str, int] = {}
    ack_latencies: list[float] = []
    refusals: list[dict] = []

    async def read():
        async for text in connection:
            frame = json.loads(text)
            client_id = frame.get("data", {}).get("client_id")
            if frame.get("event") == "message.created" and client_id in sent_at:
                if client_id not in acknowledged:
                    acknowledged[client_id] = frame["data"]["id"]
                    ack_latencies.append(time.time() - sent_at[client_id])
            elif frame.get("event") == "error":
                refusals.append(frame)

    reader = asyncio.create_task(read())
    total = int(rate * duration)
    started = time.time()
    for sequence in range(total):
        await asyncio.sleep(max(0.0, started + sequence / rate - time.time()))
        client_id = str(uuid.uuid4())
        frame = {"action": "send", "stream": stream, "client_id": client_id, "body": message_body(sequence)}
        sent_at[client_id] = time.time()
        await connection.send(json.dumps(frame))
    finished = time.time()
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            while len(acknowledged) + len(refusals) < total:
                await asyncio.sleep(0.05)
    reader.cancel()
    await connection.close()
    return {
        "ids": sorted(acknowledged.values()),
        "ack_latencies": ack_latencies,
        "sent": total,
        "refusals": refusals,
        "started": started,
        "finished": finished,
    }


# --- one measurement -----------------------------------------------------------------------


@dataclass
class Result:
    system: str
    clients: int
    connected: int
    connect_retries: int
    setup_seconds: float
    sent: int
    acknowledged: int
    deliveries: int
    deliveries_per_second: float
    p50_ms: float
    p99_ms: float
    ack_p50_ms: float
    ack_p99_ms: float
    lost: int
    duplicated: int
    unexpected: int
    refused: int
    frame_bytes: float
    other_frames: int
    failures: list[str]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


@dataclass(frozen=True)
class Target:
    """Where the clients connect: a system's WebSocket URLs, and who sends."""

    system: str
    urls: list[str]
    origins: list[str]
    stream: str


def measure(
    target: Target, cookies: list[str], sender_cookie: str, *, rate: float, duration: float
) -> Result:
    specs = [
        ClientSpec(target.urls[n % 2], target.origins[n % 2], cookie) for n, cookie in enumerate(cookies)
    ]
    started = time.monotonic()
    clients = Clients(specs, target.stream)
    try:
        connected = clients.connect()
        clients.wait_quiet()
        setup = time.monotonic() - started
        sender = ClientSpec(target.urls[0], target.origins[0], sender_cookie)
        sent = asyncio.run(send_messages(sender, target.stream, rate=rate, duration=duration))
        # Slow systems get time to drain what they queued, within reason.
        answers = clients.ask("collect", (sent["ids"], time.time() + 30))
    finally:
        clients.close()
    latencies = [value for answer in answers for value in answer["latencies"]]
    # From the first send to the last delivery: a system that falls behind takes longer.
    last_delivery = max(answer["last_delivery"] for answer in answers)
    window = max(sent["finished"], last_delivery) - sent["started"]
    deliveries = len(latencies)
    return Result(
        system=target.system,
        clients=len(cookies),
        connected=connected["connected"],
        connect_retries=connected["retries"],
        setup_seconds=setup,
        sent=sent["sent"],
        acknowledged=len(sent["ids"]),
        deliveries=deliveries,
        deliveries_per_second=deliveries / window if window > 0 else float("nan"),
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        ack_p50_ms=percentile(sent["ack_latencies"], 0.50) * 1000,
        ack_p99_ms=percentile(sent["ack_latencies"], 0.99) * 1000,
        lost=sum(a["lost"] for a in answers),
        duplicated=sum(a["duplicated"] for a in answers),
        unexpected=sum(a["unexpected"] for a in answers),
        refused=len(sent["refusals"]),
        frame_bytes=sum(a["frame_bytes"] for a in answers) / deliveries if deliveries else float("nan"),
        other_frames=sum(a["other_frames"] for a in answers),
        failures=connected["failures"][:3],
    )


# --- idle connections ----------------------------------------------------------------------


async def _open_and_close(spec: ClientSpec, stream: str) -> None:
    connection = await open_socket(spec, stream)
    await connection.close()


def measure_idle(env: dict, log_dir: Path, cookies: list[str]) -> dict:
    """Resident memory of one fresh Daphne before and after len(cookies) members each
    open the socket and follow their `user` stream."""
    with daphne_processes(env, 1, log_dir) as (server,):
        specs = [ClientSpec(server.ws_url, server.origin, cookie) for cookie in cookies]
        asyncio.run(_open_and_close(specs[0], "user"))  # the code paths loaded once (and working)
        time.sleep(1)
        before = server.rss_kib()
        clients = Clients(specs, "user")
        try:
            connected = clients.connect()
            clients.wait_quiet(quiet=2)
            time.sleep(2)
            after = server.rss_kib()
        finally:
            clients.close()
    count = connected["connected"]
    return {
        "sockets": len(cookies),
        "connected": count,
        "connect_seconds": connected["seconds"],
        "before_kib": before,
        "after_kib": after,
        "per_socket_kib": (after - before) / count if count else float("nan"),
        "failures": connected["failures"][:3],
    }


# --- the report ----------------------------------------------------------------------------


def _ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


COLUMNS = (
    f"{'clients':>7}  {'system':<22} {'deliv/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'ratio':>6} "
    f"{'lost':>5} {'dup':>4} {'ack p50':>7} {'ack p99':>7} {'frame B':>7} {'setup s':>7} {'other frames':>12}"
)


def _row(result: Result, baseline: Result | None) -> str:
    rate_ratio = _ratio(result.deliveries_per_second, baseline.deliveries_per_second) if baseline else 1
    p99_ratio = _ratio(result.p99_ms, baseline.p99_ms) if baseline else 1
    return (
        f"{result.clients:>7,}  {result.system:<22} {result.deliveries_per_second:8.0f} {rate_ratio:6.2f} "
        f"{result.p50_ms:7.1f} {result.p99_ms:7.1f} {p99_ratio:6.2f} {result.lost:5d} {result.duplicated:4d} "
        f"{result.ack_p50_ms:7.1f} {result.ack_p99_ms:7.1f} {result.frame_bytes:7.0f} "
        f"{result.setup_seconds:7.1f} {result.other_frames:12,}"
    )


def _problems(result: Result) -> list[str]:
    problems = []
    if result.connected < result.clients:
        missing = result.clients - result.connected
        problems.append(f"{missing} clients could not connect (not counted as lost) {result.failures}")
    if result.connect_retries:
        problems.append(f"{result.connect_retries} connects failed and were retried")
    if result.acknowledged < result.sent:
        problems.append(f"{result.sent - result.acknowledged} of {result.sent} sends not acknowledged")
    if result.refused:
        problems.append(f"{result.refused} sends refused")
    if result.unexpected:
        problems.append(f"{result.unexpected} deliveries of ids never acknowledged")
    return problems


def print_report(results: list[Result], idle: dict | None, *, rate: float, duration: float) -> None:
    one, five, _fifteen = os.getloadavg()
    print(f"\nLoad average at the end: {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores.")
    if results:
        print(
            f"One room, {rate:g} messages/s for {duration:g} s from one sender; clients split over two "
            f"server processes, driven from {CLIENT_PROCESSES} client processes."
        )
        print("Ratios are to the bare relay at the same number of clients.\n")
        print(COLUMNS)
        print("-" * len(COLUMNS))
        baselines = {r.clients: r for r in results if r.system == RELAY}
        for result in results:
            print(_row(result, baselines.get(result.clients)))
        for result in results:
            if problems := _problems(result):
                print(f"  {result.system}, {result.clients:,} clients: " + "; ".join(problems))
        print(
            "\ndeliv/s: message frames that reached a receiver, from the first send to the last delivery."
            "\nlost, dup: per client, against the ids the sender had acknowledged."
            "\nack: from the send to the sender's acknowledgement (the write, before any fan-out)."
            "\nother frames: presence and heartbeats, mostly while the room filled up."
        )
        _print_targets(results, baselines)
    if idle:
        print(
            f"\nIdle: {idle['connected']:,} of {idle['sockets']:,} members connected to one Daphne and "
            f"following their `user` stream (in {idle['connect_seconds']:.0f} s): resident memory "
            f"{idle['before_kib'] / 1024:.0f} MiB before, {idle['after_kib'] / 1024:.0f} MiB after, "
            f"{idle['per_socket_kib']:.1f} KiB per connection."
        )
        if idle["failures"]:
            print(f"  failures: {idle['failures']}")


def _print_targets(results: list[Result], baselines: dict[int, Result]) -> None:
    largest = [r for r in results if r.system == PUENTE and r.clients >= 1000]
    for result in largest:
        baseline = baselines.get(result.clients)
        share = _ratio(result.deliveries_per_second, baseline.deliveries_per_second) if baseline else math.nan
        fast = result.p99_ms < 200
        keeps_up = share >= 0.8
        clean = result.lost == 0 and result.duplicated == 0
        print(
            f"\nTargets at {result.clients:,} clients: p99 {result.p99_ms:.0f} ms < 200 ms: "
            f"{'met' if fast else 'NOT met'}; deliveries/s {share:.2f} of the relay's >= 0.8: "
            f"{'met' if keeps_up else 'NOT met'}; nothing lost or duplicated: {'yes' if clean else 'NO'}"
        )


# --- main ----------------------------------------------------------------------------------

PUENTE = "Puente"
RELAY = "bare relay (baseline)"
TEXTBOOK = "textbook Channels"


def redis_with_database(number: int) -> str:
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    return urlunsplit(urlsplit(base)._replace(path=f"/{number}"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="100,1000", help="receivers per run, comma-separated")
    parser.add_argument("--rate", type=float, default=10.0, help="messages a second from the sender")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of sending per run")
    parser.add_argument("--idle", type=int, default=0, help="idle connections for the memory part (0: skip)")
    parser.add_argument("--textbook", action="store_true", help="also measure the textbook Channels design")
    parser.add_argument("--redis-db", type=int, default=BENCH_REDIS_DB, help="Redis database number")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.clients.split(",") if size.strip()]

    limit = raise_open_file_limit()
    needed = max([*sizes, args.idle]) + 100
    if limit < needed:
        raise SystemExit(f"the open-file limit is {limit}; {needed} sockets need more (ulimit -Hn)")
    database_url = with_database(
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres", BENCH_DATABASE
    )
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench.chat needs PostgreSQL: set DATABASE_URL to a PostgreSQL server")
    redis_url = redis_with_database(args.redis_db)
    prefix = f"puente-bench-chat-{secrets.token_hex(4)}"
    env = server_env(database_url=database_url, redis_url=redis_url, prefix=prefix)

    results: list[Result] = []
    idle = None
    with tempfile.TemporaryDirectory(prefix="puente-bench-chat-") as tmp, fresh_postgres(database_url):
        log_dir = Path(tmp)
        try:
            started = time.monotonic()
            data = populate(env, members=max([*sizes, args.idle]) + 1, rooms=["bench-room"])
            print(
                f"database migrated and {len(data['members']):,} members created in "
                f"{time.monotonic() - started:.0f} s",
                flush=True,
            )
            cookies = [f"{data['cookie_name']}={member['session']}" for member in data["members"]]
            stream = f"chat.room.{data['rooms'][0]}"
            if sizes:
                results = _measure_systems(env, log_dir, redis_url, prefix, stream, cookies, sizes, args)
            if args.idle:
                print(f"... {args.idle:,} idle connections", flush=True)
                idle = measure_idle(env, log_dir, cookies[1 : args.idle + 1])
        finally:
            forget_redis_keys(redis_url, prefix)
    print_report(results, idle, rate=args.rate, duration=args.duration)


def _measure_systems(env, log_dir, redis_url, prefix, stream, cookies, sizes, args) -> list[Result]:
    """Each size against the relay first (the baseline), then Puente (then the textbook)."""
    results = []
    with contextlib.ExitStack() as stack:
        puente = stack.enter_context(daphne_processes(env, 2, log_dir))
        relay = stack.enter_context(relay_processes(redis_url, prefix))
        targets = [
            Target(RELAY, relay, ["http://localhost"] * 2, stream),
            Target(PUENTE, [s.ws_url for s in puente], [s.origin for s in puente], stream),
        ]
        if args.textbook:
            textbook = stack.enter_context(
                daphne_processes(
                    env, 2, log_dir, application="bench.chat:textbook_application", health_path=None
                )
            )
            warm_up([s.ws_url for s in textbook], stream)
            targets.append(
                Target(TEXTBOOK, [s.ws_url for s in textbook], [s.origin for s in textbook], stream)
            )
        sender, receivers = cookies[0], cookies[1:]
        for size in sizes:
            for target in targets:
                print(f"... {target.system}, {size:,} clients", flush=True)
                try:
                    result = measure(target, receivers[:size], sender, rate=args.rate, duration=args.duration)
                except Exception as error:  # the other measurements still count
                    print(f"    FAILED: {type(error).__name__}: {error}", flush=True)
                    for server in puente:
                        print(f"--- daphne on port {server.port} ---\n{server.log_tail()}", flush=True)
                    continue
                results.append(result)
                print(
                    f"    {result.deliveries_per_second:.0f} deliveries/s, p50 {result.p50_ms:.0f} ms, "
                    f"p99 {result.p99_ms:.0f} ms, lost {result.lost}, duplicated {result.duplicated}",
                    flush=True,
                )
    return results


if __name__ == "__main__":
    main()
