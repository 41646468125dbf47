"""The chat stream on the platform's WebSocket, through the real ASGI stack: acknowledgements,
idempotent resends, replay after a reconnect, edits and deletes, refusals that store
nothing, revocation, presence and typing."""

import asyncio
import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from chat import selectors, services
from chat.models import Message, Report
from tests.ws_helpers import nothing_more, open_socket, receive, session_cookie, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

STREAM = "chat.room.general"


def in_worker(function):
    """`sync_to_async` that leaves no database session open in asgiref's worker thread
    (PostgreSQL refuses to drop a test database someone is still connected to)."""

    @sync_to_async
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return run


@in_worker
def post(user, room, body):
    return services.post_message(user, room, body)[0]


@in_worker
def message_count():
    return Message.objects.count()


def send_frame(body="hola", stream=STREAM, **extra):
    return {"action": "send", "stream": stream, "body": body, "client_id": str(uuid.uuid4()), **extra}


async def frames_until(socket, predicate, limit=10) -> list[dict]:
    """Frames received up to and including the first one `predicate` accepts."""
    frames = []
    for _attempt in range(limit):
        frame = await receive(socket)
        frames.append(frame)
        if predicate(frame):
            return frames
    raise AssertionError(f"no matching frame in {frames}")


async def subscribed(socket, me: str, stream=STREAM, since=None) -> list[dict]:
    """Subscribe and read the replay (it ends with the presence state) up to the live
    presence event that shows `me` online."""
    assert (await subscribe(socket, stream, since=since))["event"] == "subscribed"
    return await frames_until(
        socket, lambda frame: frame.get("event") == "presence" and me in online(frame), limit=60
    )


def online(frame) -> set[str]:
    return {member["username"] for member in frame["data"]["members"]}


async def test_a_sent_message_is_acknowledged_with_its_id_and_reaches_the_room(room, ana, rui):
    async with (
        open_socket(await session_cookie(ana)) as sender,
        open_socket(await session_cookie(rui)) as watcher,
    ):
        await subscribed(watcher, "rui")
        await subscribed(sender, "ana")
        frame = send_frame("¿Alguien en línea?")
        await sender.send_json_to(frame)
        ack = await frames_until(sender, lambda f: f.get("event") == "message.created")
        data = ack[-1]["data"]
        assert data["client_id"] == frame["client_id"] and isinstance(data["id"], int)
        assert data["body_html"] == "<p>¿Alguien en línea?</p>" and data["author"]["username"] == "ana"
        live = await frames_until(watcher, lambda f: f.get("event") == "message.created")
        assert live[-1]["data"]["id"] == data["id"]


async def test_a_resend_after_a_reconnect_gets_the_same_id_and_others_get_nothing_new(room, ana, rui):
    frame = send_frame("una vez")
    async with open_socket(await session_cookie(rui)) as watcher:
        await subscribed(watcher, "rui")
        async with open_socket(await session_cookie(ana)) as sender:
            await sender.send_json_to(frame)
            first = await frames_until(sender, lambda f: f.get("event") == "message.created")
        await frames_until(watcher, lambda f: f.get("event") == "message.created")
        async with open_socket(await session_cookie(ana)) as reconnected:
            await reconnected.send_json_to(frame)  # the acknowledgement was lost: send again
            again = await receive(reconnected)
            assert again["event"] == "message.created"
            assert again["data"]["id"] == first[-1]["data"]["id"]
        assert await nothing_more(watcher)
    assert await message_count() == 1


async def test_subscribing_with_since_replays_exactly_the_missed_messages_in_order(room, ana, rui):
    seen = await post(ana, room, "seen")
    missed = [await post(ana, room, f"missed {n}") for n in range(3)]
    async with open_socket(await session_cookie(rui)) as socket:
        frames = await subscribed(socket, "rui", since=seen.pk)
        created = [f["data"]["id"] for f in frames if f["event"] == "message.created"]
        assert created == [m.pk for m in missed]
        assert await nothing_more(socket)


async def test_a_long_absence_is_replayed_in_parts_with_replay_partial(
    room, ana, rui, monkeypatch, no_rate_limit
):
    monkeypatch.setattr(selectors, "REPLAY_LIMIT", 3)
    seen = await post(ana, room, "seen")
    missed = [await post(ana, room, f"missed {n}") for n in range(5)]
    async with open_socket(await session_cookie(rui)) as socket:
        frames = await subscribed(socket, "rui", since=seen.pk)
        assert [f["data"]["id"] for f in frames if f["event"] == "message.created"] == [
            m.pk for m in missed[:3]
        ]
        partial = next(f for f in frames if f["event"] == "replay.partial")
        frames = await subscribed(socket, "rui", since=partial["data"]["next_since"])
        assert [f["data"]["id"] for f in frames if f["event"] == "message.created"] == [
            m.pk for m in missed[3:]
        ]
        assert not any(f["event"] == "replay.partial" for f in frames)


async def test_edits_deletes_and_reactions_arrive_live_and_in_a_replay(room, ana, rui):
    message = await post(ana, room, "borrador")
    async with (
        open_socket(await session_cookie(ana)) as author,
        open_socket(await session_cookie(rui)) as watcher,
    ):
        await subscribed(author, "ana")
        await subscribed(watcher, "rui")
        await author.send_json_to(
            {"action": "send", "stream": STREAM, "type": "edit", "id": message.pk, "body": "final"}
        )
        updated = await frames_until(watcher, lambda f: f.get("event") == "message.updated")
        assert updated[-1]["data"]["body"] == "final" and updated[-1]["data"]["edited_at"]
        await watcher.send_json_to(
            {"action": "send", "stream": STREAM, "type": "react", "id": message.pk, "reaction": "like"}
        )
        reacted = await frames_until(author, lambda f: f.get("event") == "message.reactions")
        assert reacted[-1]["data"]["reactions"] == {"like": 1}
        await author.send_json_to({"action": "send", "stream": STREAM, "type": "delete", "id": message.pk})
        deleted = await frames_until(watcher, lambda f: f.get("event") == "message.deleted")
        assert deleted[-1]["data"]["deleted"] is True and deleted[-1]["data"]["body_html"] == ""
    async with open_socket(await session_cookie(rui)) as later:
        frames = await subscribed(later, "rui", since=message.pk)
        assert [(f["event"], f["data"]["id"]) for f in frames if f["event"] != "presence"] == [
            ("message.deleted", message.pk)
        ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "invalid"),
        (json.dumps({"action": "shout", "stream": STREAM}), "invalid"),
        (json.dumps(["a", "list"]), "invalid"),
        (json.dumps(send_frame("x" * 70_000)), "invalid"),  # over PUENTE_WS_MAX_FRAME_BYTES
        (json.dumps(send_frame(type="shout")), "invalid"),
        (json.dumps(send_frame("")), "invalid"),
        (json.dumps({"action": "send", "stream": STREAM, "type": "edit", "id": "1", "body": "x"}), "invalid"),
        (json.dumps(send_frame(stream="chat.room.elsewhere")), "forbidden"),
        (json.dumps(send_frame(client_id="not-a-uuid")), "invalid"),
    ],
)
async def test_bad_frames_get_an_error_and_store_nothing(room, ana, text, code):
    async with open_socket(await session_cookie(ana)) as socket:
        await socket.send_to(text_data=text)
        error = await receive(socket)
        assert error["event"] == "error" and error["code"] == code and error["detail"]
        await socket.send_json_to({"action": "ping"})
        assert (await receive(socket))["event"] == "pong"  # the socket stays usable
    assert await message_count() == 0


async def test_members_of_other_networks_and_anonymous_sockets_are_refused(room, otto):
    async with open_socket() as anonymous:
        assert (await subscribe(anonymous, STREAM))["code"] == "forbidden"
        await anonymous.send_json_to(send_frame())
        assert (await receive(anonymous))["code"] == "forbidden"
    async with open_socket(await session_cookie(otto)) as socket:
        assert (await subscribe(socket, STREAM))["code"] == "forbidden"
        assert (await subscribe(socket, "chat.room.does-not-exist"))["code"] == "forbidden"
        await socket.send_json_to(send_frame())
        assert (await receive(socket))["code"] == "forbidden"
    assert await message_count() == 0


def _elsewhere(function, *args):
    """Run `function` the way a request thread of the site would, outside this test's
    asgiref context, and close its database connection afterwards."""

    def run():
        try:
            return function(*args)
        finally:
            connection.close()

    return asyncio.to_thread(run)


async def _removed_member_stops_receiving(group, ana, rui, remove):
    stream = group.stream
    async with open_socket(await session_cookie(rui)) as socket:
        await subscribed(socket, "rui", stream)
        await remove(services.remove_member, ana, group, rui)
        revoked = await frames_until(socket, lambda f: f.get("event") == "unsubscribed")
        assert revoked[-1] == {"stream": stream, "event": "unsubscribed", "data": {"reason": "revoked"}}
        await post(ana, group, "after rui left")
        assert await nothing_more(socket)
        assert (await subscribe(socket, stream))["code"] == "forbidden"


async def test_a_member_removed_from_a_group_stops_receiving_it_at_once(group, ana, rui):
    await _removed_member_stops_receiving(group, ana, rui, _elsewhere)


async def test_a_member_removed_from_a_group_by_a_sync_call_of_this_process_stops_receiving_it(
    group, ana, rui
):
    await _removed_member_stops_receiving(
        group, ana, rui, lambda function, *args: sync_to_async(function)(*args)
    )


async def test_presence_shows_who_has_the_room_open(room, ana, rui):
    async with open_socket(await session_cookie(ana)) as first:
        mine = await subscribed(first, "ana")
        assert online(mine[-1]) == {"ana"}
        async with open_socket(await session_cookie(rui)) as second:
            await subscribed(second, "rui")
            both = await frames_until(first, lambda f: f.get("event") == "presence" and "rui" in online(f))
            assert online(both[-1]) == {"ana", "rui"} and both[-1]["data"]["count"] == 2
        gone = await frames_until(first, lambda f: f.get("event") == "presence")
        assert online(gone[-1]) == {"ana"}


async def test_typing_is_announced_at_most_once_every_few_seconds(room, ana, rui):
    async with (
        open_socket(await session_cookie(ana)) as typist,
        open_socket(await session_cookie(rui)) as watcher,
    ):
        await subscribed(typist, "ana")
        await subscribed(watcher, "rui")
        await typist.send_json_to({"action": "send", "stream": STREAM, "type": "typing"})
        typing = await frames_until(watcher, lambda f: f.get("event") == "typing")
        assert typing[-1]["data"]["user"]["username"] == "ana"
        await typist.send_json_to({"action": "send", "stream": STREAM, "type": "typing"})
        assert await nothing_more(watcher)


async def test_sending_too_fast_gets_rate_limited_with_retry_after(room, ana, settings):
    settings.PUENTE_CHAT_MESSAGES_PER_WINDOW = 1
    async with open_socket(await session_cookie(ana)) as socket:
        await subscribed(socket, "ana")
        await socket.send_json_to(send_frame("uno"))
        await frames_until(socket, lambda f: f.get("event") == "message.created")
        await socket.send_json_to(send_frame("dos"))
        error = await frames_until(socket, lambda f: f.get("event") == "error")
        assert error[-1]["code"] == "rate_limited" and error[-1]["retry_after"] >= 1
        assert error[-1]["stream"] == STREAM
    assert await message_count() == 1


async def test_a_message_can_be_reported_over_the_socket(room, ana, rui):
    message = await post(ana, room, "buy cheap watches")
    async with open_socket(await session_cookie(rui)) as socket:
        await socket.send_json_to(
            {
                "action": "send",
                "stream": STREAM,
                "type": "report",
                "id": message.pk,
                "reason": "spam",
                "note": "ad",
            }
        )
        answer = await receive(socket)
        assert answer["event"] == "report.received" and answer["data"]["message"] == message.pk
        await socket.send_json_to(
            {"action": "send", "stream": STREAM, "type": "report", "id": message.pk, "reason": "spam"}
        )
        again = await receive(socket)
        assert again["event"] == "error" and "already reported" in again["detail"]
    assert await in_worker(Report.objects.filter(message=message, reason="spam").count)() == 1


async def test_a_silenced_member_is_refused_over_the_socket_and_the_room_hears_of_it(room, ana, rui, mod):
    from datetime import timedelta

    from django.utils import timezone

    from chat.moderation.services import silence_member

    async with (
        open_socket(await session_cookie(ana)) as socket,
        open_socket(await session_cookie(rui)) as watcher,
    ):
        await subscribed(socket, "ana")
        await subscribed(watcher, "rui")
        until = timezone.now() + timedelta(hours=1)
        await _elsewhere(lambda: silence_member(mod, room, ana, until=until, reason="Off topic"))
        event = await frames_until(watcher, lambda f: f.get("event") == "member.silenced")
        assert event[-1]["data"] == {"user": ana.pk, "until": until.isoformat()}
        await socket.send_json_to(send_frame("still here?"))
        error = await frames_until(socket, lambda f: f.get("event") == "error")
        assert error[-1]["code"] == "forbidden" and "Off topic" in error[-1]["detail"]
    assert await message_count() == 0
