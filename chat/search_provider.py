"""Chat messages in the site search (registered in `ChatConfig.ready()`) and in a room's
own search.

Matching runs on `Message.search_text`, the body folded with `network.search.normalise`
when it is written, so "seguridad turistica" finds "Seguridad Turística" on SQLite and
PostgreSQL alike without a regular expression. Only messages of the rooms
`chat.selectors.readable_rooms` gives the searcher are counted or listed: never for a
visitor, never a deleted message. A hit leads to the message in its room
(`/chat/<room>/?around=<id>`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.search import (
    SearchHit,
    SearchProvider,
    highlight,
    normalise,
    query_terms,
    register_search_provider,
)


def search_text(body: str) -> str:
    """What is stored in `Message.search_text` for `body`."""
    return normalise(body)


def matching(messages: QuerySet, query: str) -> QuerySet:
    """The not-deleted `messages` holding every word of `query` (none for an empty query)."""
    terms = query_terms(query)
    if not terms:
        return messages.none()
    messages = messages.filter(deleted_at=None)
    for term in terms:
        messages = messages.filter(search_text__contains=term)
    return messages


def searchable_messages(user) -> QuerySet:
    from chat import selectors
    from chat.models import Message

    return Message.objects.filter(room__in=selectors.readable_rooms(user).values("pk"))


def count_chat(user, query: str, filters: dict) -> int:
    return matching(searchable_messages(user), query).order_by().count()


def message_url(message) -> str:
    return f"{reverse('chat:room', args=[message.room.slug])}?around={message.pk}"


def _room_label(message) -> str:
    room = message.room
    if room.kind == "direct":
        return gettext("Direct messages")
    return room.name or room.slug


def search_chat(user, query: str, filters: dict, limit: int = 20, offset: int = 0) -> list[SearchHit]:
    messages = (
        matching(searchable_messages(user), query)
        .select_related("room", "author")
        .order_by("-created_at", "-pk")[offset : offset + limit]
    )
    terms = query_terms(query)
    return [
        SearchHit(
            title=f"{_room_label(message)} · {message.author or ''}".rstrip(" ·"),
            url=message_url(message),
            snippet=highlight(message.body, terms),
            kind=_("Chat message"),
            date=message.created_at,
            members_only=True,
        )
        for message in messages
    ]


chat_search_provider = SearchProvider(
    key="chat",
    label=_("Chat"),
    search=search_chat,
    count=count_chat,
    order=40,
)


def register() -> None:
    register_search_provider(chat_search_provider)
