"""The sliding-window send limit: the same verdict on either side of a window boundary."""

import pytest
from django.core.cache import cache

from network import ratelimit


@pytest.fixture
def clock(monkeypatch):
    cache.clear()
    now = {"t": 1_000_000.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    return now


def send(times: int, name: str = "chat") -> None:
    for _ in range(times):
        ratelimit.count(name, 7, window=10, limit=3)


def wait(name: str = "chat") -> int:
    return ratelimit.seconds_until_allowed(name, 7, limit=3, window=10)


@pytest.mark.parametrize("start", [1_000_000.0, 1_000_009.9])  # window start, just before its end
def test_three_in_a_row_then_the_fourth_is_refused_wherever_the_clock_stands(clock, start):
    clock["t"] = start
    send(2)
    clock["t"] += 0.2  # the third send may land in the next fixed window
    send(1)
    assert wait() > 0


def test_the_limit_frees_up_as_the_sends_age(clock):
    send(1)
    clock["t"] += 4
    send(2)
    assert wait() == 6  # until the first send is ten seconds old
    clock["t"] += 6
    assert wait() == 0
    send(1)
    assert wait() == 4  # now the two sent together have to age


def test_members_and_limits_are_counted_apart(clock):
    send(3)
    assert ratelimit.seconds_until_allowed("chat", 8, limit=3, window=10) == 0
    assert wait("forums-post") == 0
    assert ratelimit.seconds_until_allowed("chat", 7, limit=0, window=10) == 0
