"""Reads of chat: pages of history, what a reconnecting socket replays, and their query
counts, which do not grow with the number of messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import selectors, services

pytestmark = pytest.mark.django_db


def post(user, room, body):
    return services.post_message(user, room, body)[0]


def _fill(room, authors, count):
    messages = []
    for number in range(count):
        message = post(authors[number % len(authors)], room, f"message {number}")
        services.toggle_reaction(authors[(number + 1) % len(authors)], message, "like")
        messages.append(message)
    return messages


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_history_pages_by_id_oldest_first(room, ana, rui, no_rate_limit):
    messages = _fill(room, [ana, rui], 7)
    ids = [m.pk for m in messages]
    assert [m.pk for m in selectors.history(room, limit=3)] == ids[-3:]
    assert [m.pk for m in selectors.history(room, before=ids[-3], limit=3)] == ids[-6:-3]
    assert [m.pk for m in selectors.history(room, after=ids[1], limit=2)] == ids[2:4]


def test_history_and_replay_take_the_same_queries_for_three_or_forty_messages(
    room, ana, rui, no_rate_limit, django_assert_max_num_queries
):
    first = _fill(room, [ana, rui], 3)
    since = first[0].pk
    few_history = _queries(lambda: [selectors.message_payload(m) for m in selectors.history(room)])
    few_replay = _queries(lambda: selectors.room_events_since(rui, room.slug, since))
    more = _fill(room, [ana, rui], 37)
    services.edit_message(ana, first[0], "edited")
    services.delete_message(rui, first[1])
    with django_assert_max_num_queries(few_history):
        payloads = [selectors.message_payload(m) for m in selectors.history(room)]
    assert len(payloads) == 40 and payloads[-1]["reactions"] == {"like": 1}
    with django_assert_max_num_queries(few_replay):
        events = selectors.room_events_since(rui, room.slug, since)
    assert [e["data"]["id"] for e in events if e["event"] == "message.created"] == [
        m.pk for m in first[1:] + more
    ]


def test_a_replay_carries_the_state_of_older_messages_changed_since(room, ana, rui, no_rate_limit):
    old = _fill(room, [ana, rui], 3)
    services.edit_message(ana, old[0], "corrected")
    services.delete_message(rui, old[1])
    events = selectors.room_events_since(rui, room.slug, old[2].pk)
    changed = [(e["event"], e["data"]["id"]) for e in events if e["event"] != "presence"]
    # The last one seen got a reaction after it was written: its state comes along too.
    assert changed == [
        ("message.updated", old[0].pk),
        ("message.deleted", old[1].pk),
        ("message.updated", old[2].pk),
    ]
    assert events[0]["data"]["body"] == "corrected"
    assert events[1]["data"]["body"] == "" and events[1]["data"]["deleted"] is True


def test_a_long_absence_is_replayed_in_parts(room, ana, rui, no_rate_limit, monkeypatch):
    monkeypatch.setattr(selectors, "REPLAY_LIMIT", 4)
    messages = _fill(room, [ana], 10)
    events = selectors.room_events_since(rui, room.slug, messages[0].pk)
    created = [e["data"]["id"] for e in events if e["event"] == "message.created"]
    assert created == [m.pk for m in messages[1:5]]
    partial = next(e for e in events if e["event"] == "replay.partial")
    assert partial["data"] == {"next_since": messages[4].pk}


def test_unread_counts_take_one_query_for_any_number_of_rooms(network, ana, rui, no_rate_limit):
    from chat.models import Room

    for number in range(6):
        room = Room.objects.create(slug=f"room-{number}", kind="network", network=network, name=f"R{number}")
        services.join_room(rui, room)
        post(ana, room, "hello")
    rui.refresh_from_db()  # no cached roles
    selectors.unread_counts(rui)  # roles cached on the instance
    assert _queries(lambda: selectors.unread_counts(rui)) == 1
    assert selectors.unread_total(rui) == 6


def test_searching_a_room_ignores_case_accents_and_deleted_messages(room, ana, no_rate_limit):
    found = post(ana, room, "Plan de Seguridad Turística en Cartagena")
    gone = post(ana, room, "seguridad turistica borrada")
    post(ana, room, "nada que ver")
    services.delete_message(ana, gone)
    assert [m.pk for m in selectors.search_room(room, "SEGURIDAD turistica")] == [found.pk]
    assert selectors.search_room(room, "  ") == []
