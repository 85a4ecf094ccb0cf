"""Callback data, the answer cache, the per-user rate limit and the retrying limiter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.models import Answer
from bot.ratelimit import SlidingWindowLimiter
from bot.telegram.callback_data import (
    FEEDBACK_PATTERN,
    MORE_PATTERN,
    TOPIC_PATTERN,
    AnswerCache,
    AnswerEntry,
    feedback_data,
    full_data,
    more_data,
    starter_data,
    topic_data,
    topic_key,
)
from bot.telegram.retry import RetryingRateLimiter


def entry() -> AnswerEntry:
    return AnswerEntry(Answer("q", "sv", False))


def test_answer_cache_forgets_the_least_recently_used():
    cache = AnswerCache(maxsize=2)
    a, b = cache.put(entry()), cache.put(entry())
    cache.get(a)
    c = cache.put(entry())
    assert cache.get(b) is None
    assert cache.get(a) is not None
    assert cache.get(c) is not None
    assert len(cache) == 2


def test_cache_keys_are_short_and_unique():
    cache = AnswerCache()
    keys = {cache.put(entry()) for _ in range(500)}
    assert len(keys) == 500
    assert all(MORE_PATTERN.match(more_data(key, 12)) for key in keys)


@given(st.text(min_size=1, max_size=300))
def test_topic_buttons_fit_any_topic_id(topic_id: str):
    data = topic_data(topic_id)
    assert len(data.encode()) <= 64
    assert TOPIC_PATTERN.match(data)
    assert topic_key(topic_id) == topic_key(topic_id)
    assert len(starter_data(topic_id, 9).encode()) <= 64


def test_button_data_formats():
    assert more_data("abcdEFGH", 1) == "p:abcdEFGH:1"
    assert full_data("abcdEFGH", 12) == "f:abcdEFGH:12"
    assert feedback_data("abcdEFGH", False) == "fb:abcdEFGH:-"
    assert FEEDBACK_PATTERN.match(feedback_data("ab-_cdEF", True))


def test_rate_limit_is_a_sliding_window_per_user():
    now = [0.0]
    limiter = SlidingWindowLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.hit("a").allowed
    assert limiter.hit("a").allowed
    refused = limiter.hit("a")
    assert not refused.allowed
    assert refused.notify
    assert refused.wait_seconds == 60
    assert not limiter.hit("a").notify  # told once
    assert limiter.hit("b").allowed
    now[0] = 30.0
    assert limiter.hit("a").wait_seconds == 30
    now[0] = 60.5  # both hits at 0 s have left the window
    assert limiter.hit("a").allowed
    assert limiter.hit("a").allowed
    assert limiter.hit("a").notify


def test_rate_limit_memory_is_bounded():
    now = [0.0]
    limiter = SlidingWindowLimiter(1, 60.0, clock=lambda: now[0], max_keys=10)
    for user in range(100):
        now[0] += 1
        assert limiter.hit(user).allowed
    assert len(limiter._hits) <= 10


class Flaky:
    """A Bot API call that fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, *args: object, **kwargs: object) -> bool:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return True


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []

    async def no_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr("bot.telegram.retry.asyncio.sleep", no_sleep)
    return recorded


async def test_network_errors_are_retried_with_growing_backoff(waits):
    call = Flaky(NetworkError("Bad Gateway (502)"), TimedOut(), NetworkError("x"))
    limiter = RetryingRateLimiter(backoff=0.5)
    assert await limiter.process_request(call, (), {}, "sendMessage", {}, None) is True
    assert call.calls == 4
    assert waits == [0.5, 1.0, 2.0]


async def test_flood_control_waits_as_long_as_telegram_asks(waits):
    call = Flaky(RetryAfter(7))
    assert await RetryingRateLimiter().process_request(call, (), {}, "sendMessage", {}, None)
    assert waits == [pytest.approx(7.1)]


async def test_bad_requests_and_exhausted_retries_raise(waits):
    with pytest.raises(BadRequest):
        await RetryingRateLimiter().process_request(
            Flaky(BadRequest("Message is too long")), (), {}, "sendMessage", {}, None
        )
    call = Flaky(*[NetworkError("down")] * 5)
    with pytest.raises(NetworkError):
        await RetryingRateLimiter(attempts=3).process_request(call, (), {}, "x", {}, None)
    assert call.calls == 3
