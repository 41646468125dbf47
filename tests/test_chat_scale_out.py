"""Chat over two Daphne processes sharing PostgreSQL and Redis, as deployed when scaled out.

Two members of the same rooms talk through real WebSockets, each connected to a different
process: messages, resends, replays after a reconnect, a removal from a private group and
presence must all cross from one process to the other.

The servers run on a database of their own (a copy of the migrated test database, on the
PostgreSQL server of DATABASE_URL) with keys, groups and the fan-out channel under a
prefix of their own in REDIS_URL's Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
import textwrap
import uuid
from urllib.parse import urlsplit

import pytest

pytestmark = [
    pytest.mark.redis,
    # The test process itself reads and writes nothing; the marker makes pytest-django set up
    # the migrated test database, which the servers' database is copied from.
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="scale-out needs REDIS_URL and a PostgreSQL DATABASE_URL (two processes share them)",
    ),
]

FRAME_TIMEOUT = 10  # seconds for a frame that must arrive (the machine may be busy)
QUIET = 1.5  # seconds of silence that count as "nothing more arrived"
ROOMS = ["talk", "revoke", "presence"]


# --- the servers ---------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(url: str, template: str):
    """A new database for the servers, dropped afterwards: a copy of the migrated test
    database when nothing else is connected to it (seconds), else an empty one."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    maintenance = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        try:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        except psycopg.errors.ObjectInUse:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory, request):
    """Two Daphne processes on one fresh, migrated database; two members (the first owns
    every room). The processes are stopped, the database dropped and the Redis keys
    removed afterwards."""
    from django.db import connections

    from bench.chat import daphne_processes, forget_redis_keys, populate, server_env, with_database

    with django_db_blocker.unblock():
        test_database = connections["default"].settings_dict["NAME"]
        connections.close_all()
    run = secrets.token_hex(4)
    database_url = with_database(os.environ["DATABASE_URL"], f"puente_scale_{run}")
    prefix = f"puente-scale-{run}"
    env = server_env(
        database_url=database_url,
        redis_url=os.environ["REDIS_URL"],
        prefix=prefix,
        settings_module="config.settings.test",
    )
    env["PUENTE_CHAT_PRESENCE_INTERVAL_MS"] = "500"  # the throttle as in production
    log_dir = tmp_path_factory.mktemp("scale-out")
    try:
        with scratch_database(database_url, template=test_database):
            data = populate(env, members=2, rooms=ROOMS)  # migrates first (a no-op on a copy)
            with daphne_processes(env, 2, log_dir) as servers:
                yield Cluster(env, servers, data)
                if request.session.testsfailed:
                    for server in servers:
                        sys.stderr.write(f"\n--- daphne on port {server.port} ---\n{server.log_tail()}\n")
    finally:
        forget_redis_keys(os.environ["REDIS_URL"], prefix)


class Cluster:
    def __init__(self, env: dict, servers: list, data: dict):
        self.env = env
        self.servers = servers
        self.cookie_name = data["cookie_name"]
        self.owner, self.member = data["members"]

    def cookie(self, member: dict) -> str:
        return f"{self.cookie_name}={member['session']}"

    def manage_shell(self, code: str) -> dict:
        from bench.forums import shell

        return shell(self.env, textwrap.dedent(code))


# --- a member's socket ---------------------------------------------------------------------


def stream(room: str) -> str:
    return f"chat.room.{room}"


class Socket:
    """One member's WebSocket to one process, subscribed to one room."""

    def __init__(self, connection, room: str):
        self.connection = connection
        self.stream = stream(room)

    async def next(self, event: str, timeout: float = FRAME_TIMEOUT, where=lambda frame: True) -> dict:
        """The next frame of `event` (and matching `where`); other frames are skipped."""
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.connection.recv())
                if frame.get("event") == event and where(frame):
                    return frame

    async def next_message(self) -> dict:
        return (await self.next("message.created"))["data"]

    async def rest(self, quiet: float = QUIET) -> list[dict]:
        """Every frame that arrives until `quiet` seconds pass without one."""
        frames = []
        while True:
            try:
                async with asyncio.timeout(quiet):
                    frames.append(json.loads(await self.connection.recv()))
            except TimeoutError:
                return frames

    async def send(self, body: str, client_id: str | None = None) -> str:
        client_id = client_id or str(uuid.uuid4())
        frame = {"action": "send", "stream": self.stream, "body": body, "client_id": client_id}
        await self.connection.send(json.dumps(frame))
        return client_id

    async def subscribe(self, since=None) -> dict:
        await self.connection.send(json.dumps({"action": "subscribe", "stream": self.stream, "since": since}))
        async with asyncio.timeout(FRAME_TIMEOUT):
            while True:
                frame = json.loads(await self.connection.recv())
                if frame.get("event") in ("subscribed", "error"):
                    return frame

    async def close(self) -> None:
        await self.connection.close()


async def join(server, cookie: str, room: str, since=None) -> Socket:
    """Connect to `server` with the member's session and subscribe to the room."""
    from websockets.asyncio.client import connect
    from websockets.typing import Origin

    connection = await connect(
        server.ws_url,
        origin=Origin(server.origin),
        additional_headers={"Cookie": cookie},
        compression=None,
        open_timeout=FRAME_TIMEOUT,
    )
    socket = Socket(connection, room)
    answer = await socket.subscribe(since)
    assert answer["event"] == "subscribed", answer
    return socket


def messages(frames: list[dict]) -> list[dict]:
    return [frame["data"] for frame in frames if frame.get("event") == "message.created"]


@pytest.fixture
async def sockets():
    """Sockets a test opens; all closed at its end."""
    opened: list[Socket] = []

    async def open_socket(server, cookie: str, room: str, since=None) -> Socket:
        socket = await join(server, cookie, room, since)
        opened.append(socket)
        return socket

    yield open_socket
    await asyncio.gather(*(socket.close() for socket in opened), return_exceptions=True)


# --- the tests -----------------------------------------------------------------------------


async def test_messages_cross_between_the_processes_once_with_the_same_ids(cluster, sockets):
    one, two = cluster.servers
    alice = await sockets(one, cluster.cookie(cluster.owner), "talk")
    bruno = await sockets(two, cluster.cookie(cluster.member), "talk")

    sent = await alice.send("Hello from the first process")
    acknowledged = await alice.next_message()
    received = await bruno.next_message()
    assert acknowledged["client_id"] == sent
    assert received["id"] == acknowledged["id"]
    assert received["body"] == "Hello from the first process"

    sent = await bruno.send("Hello back from the second")
    acknowledged = await bruno.next_message()
    received = await alice.next_message()
    assert acknowledged["client_id"] == sent
    assert received["id"] == acknowledged["id"]
    assert received["body"] == "Hello back from the second"

    assert messages(await alice.rest()) == []
    assert messages(await bruno.rest()) == []


async def test_a_resend_with_the_same_client_id_returns_the_same_message_and_nothing_new(cluster, sockets):
    one, two = cluster.servers
    alice = await sockets(one, cluster.cookie(cluster.owner), "talk")
    bruno = await sockets(two, cluster.cookie(cluster.member), "talk")
    client_id = await alice.send("Sent once, acknowledged never")
    first = await alice.next_message()
    assert (await bruno.next_message())["id"] == first["id"]

    # The acknowledgement was lost with the connection: Alice reconnects (to the other
    # process) and sends the same message again.
    await alice.close()
    alice = await sockets(two, cluster.cookie(cluster.owner), "talk", since=first["id"])
    await alice.send("Sent once, acknowledged never", client_id=client_id)
    again = await alice.next_message()

    assert again["id"] == first["id"]
    assert again["client_id"] == client_id
    assert messages(await bruno.rest()) == []


async def test_a_member_who_reconnects_to_the_other_process_gets_exactly_what_they_missed(cluster, sockets):
    one, two = cluster.servers
    alice = await sockets(one, cluster.cookie(cluster.owner), "talk")
    bruno = await sockets(two, cluster.cookie(cluster.member), "talk")
    await alice.send("Before Bruno goes")
    await alice.next_message()
    last_seen = (await bruno.next_message())["id"]
    await bruno.close()

    missed = []
    for number in range(1, 6):
        await alice.send(f"While Bruno is away, {number}")
        missed.append(await alice.next_message())

    bruno = await sockets(one, cluster.cookie(cluster.member), "talk", since=last_seen)
    replayed = messages(await bruno.rest())

    assert [m["id"] for m in replayed] == [m["id"] for m in missed]
    assert [m["body"] for m in replayed] == [f"While Bruno is away, {n}" for n in range(1, 6)]


async def test_a_member_removed_from_a_private_group_stops_receiving_it_at_once(cluster, sockets):
    one, two = cluster.servers
    alice = await sockets(one, cluster.cookie(cluster.owner), "revoke")
    bruno = await sockets(two, cluster.cookie(cluster.member), "revoke")
    await alice.send("Still among us")
    await alice.next_message()
    assert (await bruno.next_message())["body"] == "Still among us"

    await asyncio.to_thread(
        cluster.manage_shell,
        f"""
        import json
        from chat import services
        from chat.models import Room
        from network.models import User

        room = Room.objects.get(slug="revoke")
        owner = User.objects.get(pk={cluster.owner["id"]})
        member = User.objects.get(pk={cluster.member["id"]})
        services.remove_member(owner, room, member)
        print(json.dumps({{"removed": member.pk}}))
        """,
    )
    revoked = await bruno.next("unsubscribed", where=lambda frame: frame.get("stream") == bruno.stream)
    assert revoked["data"] == {"reason": "revoked"}

    await alice.send("After Bruno left")
    assert (await alice.next_message())["body"] == "After Bruno left"
    assert [frame for frame in await bruno.rest() if frame.get("stream") == bruno.stream] == []
    refused = await bruno.subscribe()
    assert refused["event"] == "error"
    assert refused["code"] == "forbidden"


async def test_presence_shows_a_member_of_the_other_process_until_their_socket_closes(cluster, sockets):
    one, two = cluster.servers
    alice = await sockets(one, cluster.cookie(cluster.owner), "presence")
    bruno_id = cluster.member["id"]

    def online(frame) -> set[int]:
        return {member["id"] for member in frame["data"]["members"]}

    bruno = await sockets(two, cluster.cookie(cluster.member), "presence")
    await alice.next("presence", where=lambda frame: bruno_id in online(frame))

    await bruno.close()
    gone = await alice.next("presence", timeout=5, where=lambda frame: bruno_id not in online(frame))
    assert online(gone) == {cluster.owner["id"]}
