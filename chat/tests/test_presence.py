"""Presence entries (on Redis when REDIS_URL is set, else in the process) and the
throttle on `presence` announcements."""

import secrets
import time

import pytest

from chat import presence
from chat import realtime as chat_realtime


@pytest.fixture
def room_key():
    return f"presence-{secrets.token_hex(4)}"


def test_a_member_is_online_while_any_of_their_sockets_is(room_key):
    assert presence.joined(room_key, 1, "tab-a") is True
    assert presence.joined(room_key, 1, "tab-b") is False  # already online
    assert presence.joined(room_key, 2, "tab-c") is True
    assert presence.online_user_ids(room_key) == [1, 2]
    assert presence.left(room_key, 1, "tab-a") is False  # tab-b still open
    assert presence.left(room_key, 1, "tab-b") is True
    assert presence.online_user_ids(room_key) == [2]


def test_a_heartbeat_changes_nothing_until_a_socket_died_without_closing(room_key, settings):
    settings.PUENTE_CHAT_PRESENCE_TTL = 1
    presence.joined(room_key, 1, "lost-phone")
    presence.joined(room_key, 2, "desk")
    assert presence.refresh(room_key, 2, "desk") is False
    time.sleep(1.1)  # the phone's entry expires; the desk's refresh notices
    assert presence.refresh(room_key, 2, "desk") is True
    assert presence.online_user_ids(room_key) == [2]


def test_announcements_of_a_room_go_out_at_most_once_per_interval(monkeypatch, settings, room_key):
    settings.PUENTE_CHAT_PRESENCE_INTERVAL_MS = 300
    sent = []

    def record(key):
        sent.append((key, time.monotonic()))

    monkeypatch.setattr(chat_realtime, "_broadcast_presence", record)
    start = time.monotonic()
    for _ in range(50):  # a room filling up
        chat_realtime.announce_presence(room_key)
    chat_realtime.announce_presence(f"{room_key}-other")
    assert [key for key, _at in sent] == [room_key, f"{room_key}-other"]  # at once, each room
    time.sleep(0.5)
    assert [key for key, _at in sent] == [room_key, f"{room_key}-other", room_key]  # the rest, once
    assert sent[2][1] - start >= 0.29
    time.sleep(0.35)
    chat_realtime.announce_presence(room_key)  # quiet for an interval: at once again
    assert len(sent) == 4
