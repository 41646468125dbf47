"""The one WebSocket of a tab (`/ws/`), driven through the real ASGI application."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import translation

from config.asgi import application
from network import realtime
from network.models import Notification
from network.registry import Stream, StreamError, registry
from network.selectors import notification_text
from network.services import notify
from tests.factories import UserFactory
from tests.ws_helpers import (
    TIMEOUT,
    nothing_more,
    open_socket,
    receive,
    session_cookie,
    socket_headers,
    subscribe,
)

pytestmark = pytest.mark.django_db(transaction=True)

create_user = sync_to_async(UserFactory)


@sync_to_async
def announce(user, title: str, actor=None) -> Notification:
    return notify(user=user, verb="network.announcement", actor=actor, params={"title": title})


@sync_to_async
def english_text(notification: Notification) -> str:
    with translation.override("en"):
        return notification_text(notification)


async def member_socket_cookie(**fields):
    member = await create_user(**fields)
    return member, await session_cookie(member)


# --- who may connect and follow what ---------------------------------------------------------


async def test_a_socket_from_a_foreign_site_is_refused_and_gets_nothing():
    _member, cookie = await member_socket_cookie()
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=socket_headers(cookie, origin="http://evil.example")
    )
    try:
        connected, _code = await communicator.connect(timeout=TIMEOUT)
        assert connected is False
        assert await nothing_more(communicator)
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def test_a_socket_from_our_own_site_is_accepted():
    _member, cookie = await member_socket_cookie()
    async with open_socket(cookie) as socket:
        await socket.send_json_to({"action": "ping"})
        assert await receive(socket) == {"event": "pong"}


async def test_an_anonymous_visitor_may_connect_but_not_follow_the_member_stream():
    async with open_socket() as socket:
        answer = await subscribe(socket, "user")
        assert answer["event"] == "error"
        assert answer["code"] == "forbidden"
        assert answer["detail"]
        assert await nothing_more(socket)


async def test_a_member_following_their_stream_is_told_their_unread_count():
    member, cookie = await member_socket_cookie()
    await announce(member, "First")
    await announce(member, "Second")
    async with open_socket(cookie) as socket:
        assert await subscribe(socket, "user") == {"stream": "user", "event": "subscribed"}
        assert await receive(socket) == {
            "stream": "user",
            "event": "unread.count",
            "data": {"unread_count": 2},
        }
        assert await nothing_more(socket)


# --- live notifications and replay ---------------------------------------------------------


async def test_a_new_notification_reaches_the_member_live_and_no_one_else():
    member, cookie = await member_socket_cookie()
    other = await create_user()
    actor = await create_user(display_name="Dana Lopez")
    async with open_socket(cookie) as socket:
        await subscribe(socket, "user")
        assert (await receive(socket))["event"] == "unread.count"

        await announce(other, "Not for you", actor=actor)
        notification = await announce(member, "Road safety week", actor=actor)

        frame = await receive(socket)
        assert frame["stream"] == "user"
        assert frame["event"] == "notification.created"
        assert frame["data"]["id"] == notification.id
        assert frame["data"]["text"] == "Announcement from Dana Lopez: Road safety week"
        assert frame["data"]["text"] == await english_text(notification)
        assert frame["data"]["unread_count"] == 1
        assert await nothing_more(socket)


async def test_a_member_who_reconnects_with_since_gets_exactly_what_they_missed_in_order():
    member, cookie = await member_socket_cookie()
    async with open_socket(cookie) as socket:
        await subscribe(socket, "user")
        await receive(socket)  # unread.count
        seen = [await announce(member, f"Seen {n}") for n in range(3)]
        live = [await receive(socket) for _ in seen]
        assert [frame["data"]["id"] for frame in live] == [n.id for n in seen]

    missed = [await announce(member, f"Missed {n}") for n in range(2)]

    async with open_socket(cookie) as socket:
        assert await subscribe(socket, "user", since=seen[-1].id) == {"stream": "user", "event": "subscribed"}
        replayed = [await receive(socket) for _ in missed]
        assert [frame["event"] for frame in replayed] == ["notification.created"] * 2
        assert [frame["data"]["id"] for frame in replayed] == [n.id for n in missed]
        assert ["Missed 0" in replayed[0]["data"]["text"], "Missed 1" in replayed[1]["data"]["text"]] == [
            True
        ] * 2
        assert await receive(socket) == {
            "stream": "user",
            "event": "unread.count",
            "data": {"unread_count": 5},
        }
        assert await nothing_more(socket)


# --- bad frames get a clear refusal and the socket stays usable --------------------------


async def expect_invalid(socket, frame=None, text=None) -> dict:
    if text is not None:
        await socket.send_to(text_data=text)
    else:
        await socket.send_json_to(frame)
    answer = await receive(socket)
    assert answer["event"] == "error", answer
    assert answer["code"] == "invalid", answer
    assert answer["detail"], answer
    return answer


async def still_open(socket) -> bool:
    await socket.send_json_to({"action": "ping"})
    return await receive(socket) == {"event": "pong"}


async def test_an_unknown_action_is_refused_and_the_socket_stays_open():
    async with open_socket() as socket:
        await expect_invalid(socket, {"action": "dance"})
        assert await still_open(socket)


async def test_malformed_json_is_refused():
    async with open_socket() as socket:
        answer = await expect_invalid(socket, text='{"action": "ping"')
        assert answer["detail"] == "Frames must be valid JSON."
        assert await still_open(socket)


async def test_a_json_array_is_refused():
    async with open_socket() as socket:
        answer = await expect_invalid(socket, text='[{"action": "ping"}]')
        assert answer["detail"] == "Frames must be JSON objects."
        assert await still_open(socket)


async def test_an_oversized_frame_is_refused_even_if_it_is_a_valid_request():
    padding = "x" * (settings.PUENTE_WS_MAX_FRAME_BYTES + 1)
    async with open_socket() as socket:
        answer = await expect_invalid(socket, {"action": "ping", "padding": padding})
        assert answer["detail"] == "Frame too large."
        assert await still_open(socket)


async def test_subscribing_to_an_unknown_stream_is_refused():
    _member, cookie = await member_socket_cookie()
    async with open_socket(cookie) as socket:
        answer = await expect_invalid(socket, {"action": "subscribe", "stream": "no.such.stream"})
        assert answer["stream"] == "no.such.stream"
        assert answer["detail"] == "Unknown stream."
        assert await still_open(socket)


@pytest.mark.parametrize(
    "since", ["5", -1, True, 1.5, [1]], ids=["string", "negative", "bool", "float", "list"]
)
async def test_a_since_that_is_not_a_message_id_is_refused(since):
    _member, cookie = await member_socket_cookie()
    async with open_socket(cookie) as socket:
        await expect_invalid(socket, {"action": "subscribe", "stream": "user", "since": since})
        # The refused subscription did not happen: no replay, no unread count follows.
        assert await nothing_more(socket)
        assert await still_open(socket)


async def test_sending_on_the_member_stream_is_refused():
    _member, cookie = await member_socket_cookie()
    async with open_socket(cookie) as socket:
        answer = await expect_invalid(socket, {"action": "send", "stream": "user", "body": "hello"})
        assert answer["detail"] == "This stream does not accept messages."
        assert await still_open(socket)


async def test_errors_are_explained_in_the_members_language():
    with translation.override("es"):
        spanish = translation.gettext("Unknown stream.")
    _en_member, en_cookie = await member_socket_cookie(language="en")
    _es_member, es_cookie = await member_socket_cookie(language="es")
    frame = {"action": "subscribe", "stream": "no.such.stream"}
    async with open_socket(en_cookie) as socket:
        english_detail = (await expect_invalid(socket, frame))["detail"]
    async with open_socket(es_cookie) as socket:
        spanish_detail = (await expect_invalid(socket, frame))["detail"]
    assert english_detail == "Unknown stream."
    assert spanish_detail == spanish
    assert spanish_detail != english_detail, "no Spanish translation of 'Unknown stream.' (compilemessages?)"


# --- logout ------------------------------------------------------------------------------


async def test_logging_out_closes_the_members_open_sockets():
    member = await create_user()
    client = Client()
    await sync_to_async(client.force_login)(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    other_cookie = await session_cookie(await create_user())
    async with open_socket(cookie) as socket, open_socket(other_cookie) as bystander:
        await subscribe(socket, "user")
        await receive(socket)  # unread.count
        await subscribe(bystander, "user")
        await receive(bystander)

        response = await sync_to_async(client.post)("/accounts/logout/")
        assert response.status_code == 302

        assert await receive(socket) == {"event": "closing", "reason": "logged_out"}
        closed = await socket.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": 4001}
        # Another member's socket is untouched.
        assert await nothing_more(bystander)
        assert await still_open(bystander)


# --- streams that other apps register ------------------------------------------------------

ECHO_PREFIX = "test.echo."
ECHO_HISTORY = [
    {"event": "message.created", "data": {"id": 1, "body": "first"}},
    {"event": "message.created", "data": {"id": 2, "body": "second"}},
    {"event": "room.state", "data": {"members": 2}},
]


def echo_replay(user, key, since):
    return [
        event
        for event in ECHO_HISTORY
        if since is None or "id" not in event["data"] or event["data"]["id"] > since
    ]


def echo_send(user, key, content):
    body = content.get("body")
    if not isinstance(body, str) or not body:
        raise StreamError("invalid", "Empty message.")
    return {
        "event": "message.created",
        "data": {"id": 3, "body": body, "client_id": content.get("client_id")},
    }


@pytest.fixture
def echo_stream():
    stream = Stream(
        prefix=ECHO_PREFIX,
        can_subscribe=lambda user, key: key == "open",
        replay=echo_replay,
        on_send=echo_send,
    )
    registry.register_stream(stream)
    try:
        yield stream
    finally:
        registry.streams.pop(ECHO_PREFIX, None)


@sync_to_async
def broadcast_after_commit(stream: str, event: str, data: dict) -> None:
    with transaction.atomic():
        realtime.broadcast(stream, event, data)


async def test_a_stream_registered_by_another_app_is_checked_replayed_and_deduplicated(echo_stream):
    _member, cookie = await member_socket_cookie()
    async with open_socket(cookie) as socket:
        refused = await subscribe(socket, "test.echo.closed")
        assert (refused["event"], refused["code"]) == ("error", "forbidden")

        assert await subscribe(socket, "test.echo.open") == {
            "stream": "test.echo.open",
            "event": "subscribed",
        }
        replayed = [await receive(socket) for _ in ECHO_HISTORY]
        assert replayed == [{"stream": "test.echo.open", **event} for event in ECHO_HISTORY]

        await socket.send_json_to(
            {"action": "send", "stream": "test.echo.open", "body": "hello", "client_id": "c-1"}
        )
        assert await receive(socket) == {
            "stream": "test.echo.open",
            "event": "message.created",
            "data": {"id": 3, "body": "hello", "client_id": "c-1"},
        }

        # The broadcast of the same message reaches this socket too, but is not shown twice.
        await broadcast_after_commit("test.echo.open", "message.created", {"id": 3, "body": "hello"})
        assert await nothing_more(socket)
        # A newer message does arrive through the same path.
        await broadcast_after_commit("test.echo.open", "message.created", {"id": 4, "body": "later"})
        assert await receive(socket) == {
            "stream": "test.echo.open",
            "event": "message.created",
            "data": {"id": 4, "body": "later"},
        }
