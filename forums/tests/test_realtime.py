"""The forums' WebSocket streams, through the real ASGI application: same permissions as the
pages, live events after commit, replay with `since`, replies over the socket."""

import pytest
from asgiref.sync import sync_to_async

from forums import services
from forums.models import Post, Topic
from tests.ws_helpers import nothing_more, open_socket, receive, session_cookie, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def reply(author, topic, body, **kwargs):
    return services.post_reply(author=author, topic=topic, body=body, **kwargs)


@sync_to_async
def post_count(topic):
    return Post.objects.filter(topic=topic).count()


async def test_only_readers_of_the_category_may_follow_a_topic(topic, public_topic, reader, outsider):
    stream = f"forums.topic.{topic.pk}"
    async with open_socket() as anonymous:
        assert (await subscribe(anonymous, stream))["code"] == "forbidden"
        assert (await subscribe(anonymous, f"forums.topic.{public_topic.pk}"))["event"] == "subscribed"
        assert (await subscribe(anonymous, "forums.category.experiences"))["code"] == "forbidden"
        assert (await subscribe(anonymous, "forums.category.open-questions"))["event"] == "subscribed"
    async with open_socket(await session_cookie(outsider)) as socket:
        assert (await subscribe(socket, stream))["code"] == "forbidden"
        assert (await subscribe(socket, "forums.topic.999999"))["code"] == "forbidden"
    async with open_socket(await session_cookie(reader)) as socket:
        assert await subscribe(socket, stream) == {"stream": stream, "event": "subscribed"}


async def test_a_reply_appears_live_for_readers_of_the_topic(topic, reader, author):
    stream = f"forums.topic.{topic.pk}"
    async with open_socket(await session_cookie(author)) as socket:
        await subscribe(socket, stream)
        post = await reply(reader, topic, "Olá @ana, comecem pelo diagnóstico.")
        frame = await receive(socket)
        assert frame["stream"] == stream and frame["event"] == "post.created"
        assert frame["data"]["id"] == post.pk and frame["data"]["number"] == 2
        assert "comecem pelo diagnóstico" in frame["data"]["html"]
        assert 'class="mention"' in frame["data"]["html"]
        assert frame["data"]["author"] == {"username": "rui", "name": "Rui Leitor"}


async def test_replying_over_the_socket_uses_the_same_checks_and_is_idempotent(topic, reader, author):
    stream = f"forums.topic.{topic.pk}"
    async with (
        open_socket(await session_cookie(author)) as watcher,
        open_socket(await session_cookie(reader)) as socket,
    ):
        await subscribe(watcher, stream)
        await subscribe(socket, stream)
        frame = {"action": "send", "stream": stream, "body": "Por socket", "client_id": "7f1c-resend"}
        await socket.send_json_to(frame)
        sent = await receive(socket)
        assert sent["event"] == "post.created" and sent["data"]["client_id"] == "7f1c-resend"
        assert (await receive(watcher))["data"]["id"] == sent["data"]["id"]
        await socket.send_json_to(frame)  # a resend after a reconnect
        assert await nothing_more(socket)  # the same id: dropped as a repeat
        assert await post_count(topic) == 2
        await socket.send_json_to({"action": "send", "stream": stream, "body": "  ", "client_id": "empty"})
        error = await receive(socket)
        assert (
            error["event"] == "error" and error["code"] == "invalid" and "Write something" in error["detail"]
        )
        assert await post_count(topic) == 2


async def test_a_locked_topic_refuses_replies_over_the_socket(topic, reader):
    await sync_to_async(Topic.objects.filter(pk=topic.pk).update)(is_locked=True)
    stream = f"forums.topic.{topic.pk}"
    async with open_socket(await session_cookie(reader)) as socket:
        await subscribe(socket, stream)
        await socket.send_json_to(
            {"action": "send", "stream": stream, "body": "let me in", "client_id": "x1"}
        )
        error = await receive(socket)
        assert error["event"] == "error" and error["code"] == "forbidden"
        assert "locked" in error["detail"]
    assert await post_count(topic) == 1


async def test_outsiders_cannot_reply_over_the_socket(topic, outsider):
    stream = f"forums.topic.{topic.pk}"
    async with open_socket(await session_cookie(outsider)) as socket:
        await socket.send_json_to({"action": "send", "stream": stream, "body": "hi", "client_id": "o1"})
        assert (await receive(socket))["code"] == "forbidden"
    assert await post_count(topic) == 1


async def test_posting_too_fast_over_the_socket_is_rate_limited_in_the_members_language(
    topic, reader, settings
):
    settings.PUENTE_FORUMS_POSTS_PER_MINUTE = 1
    reader.language = "es"
    await sync_to_async(reader.save)()
    stream = f"forums.topic.{topic.pk}"
    async with open_socket(await session_cookie(reader)) as socket:
        await subscribe(socket, stream)
        await socket.send_json_to({"action": "send", "stream": stream, "body": "uno", "client_id": "r1"})
        assert (await receive(socket))["event"] == "post.created"
        await socket.send_json_to({"action": "send", "stream": stream, "body": "dos", "client_id": "r2"})
        error = await receive(socket)
        assert error["code"] == "rate_limited" and error["detail"]
    assert await post_count(topic) == 2


async def test_a_reconnecting_tab_gets_what_it_missed_with_since(topic, reader, author):
    seen = await reply(reader, topic, "seen")
    first_post = await sync_to_async(lambda: topic.posts.get(number=1))()
    missed = [await reply(reader, topic, f"missed {n}") for n in range(2)]
    await sync_to_async(services.post_edit)(editor=author, post=first_post, body="How do you start? (edited)")
    stream = f"forums.topic.{topic.pk}"
    async with open_socket(await session_cookie(author)) as socket:
        assert (await subscribe(socket, stream, since=seen.pk))["event"] == "subscribed"
        replayed = [await receive(socket) for _ in range(3)]
        assert [(f["event"], f["data"]["id"]) for f in replayed] == [
            ("post.created", missed[0].pk),
            ("post.created", missed[1].pk),
            ("post.updated", first_post.pk),
        ]
        assert "(edited)" in replayed[2]["data"]["html"]
        assert await nothing_more(socket)


async def test_list_pages_hear_of_new_topics(category, reader, author):
    async with open_socket(await session_cookie(reader)) as socket:
        await subscribe(socket, "forums.category.experiences", since=0)
        topic = await sync_to_async(services.topic_create)(
            author=author, category=category, title="Nouveau sujet", body="b", language="fr"
        )
        frame = await receive(socket)
        assert frame["event"] == "topic.created" and frame["data"]["id"] == topic.pk
        assert frame["data"]["title"] == "Nouveau sujet"
