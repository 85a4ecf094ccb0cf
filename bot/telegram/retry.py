"""Retry Bot API calls after flood control (429), network errors and server errors (5xx).

PTB routes every Bot API call except ``getUpdates`` through the bot's rate limiter, so
retrying there covers sendMessage, editMessageText, answerCallbackQuery and the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def retry_seconds(exc: RetryAfter) -> float:
    """Return the wait Telegram asked for, in seconds."""
    # The public ``retry_after`` int is deprecated (and warns); PTB itself reads this timedelta.
    delay = getattr(exc, "_retry_after", None)
    return delay.total_seconds() if isinstance(delay, timedelta) else 1.0


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Wrap an optional inner rate limiter and retry failed calls with backoff.

    ``RetryAfter`` waits the delay Telegram asks for; ``NetworkError`` (which includes
    timeouts and Bot API 5xx answers, but not ``BadRequest``) waits ``backoff``, doubling.
    """

    def __init__(
        self,
        inner: BaseRateLimiter[Any] | None = None,
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        """Create the limiter.

        Args:
            inner: A throttling limiter such as ``AIORateLimiter``, or None.
            attempts: Tries per call in total, at least 1.
            backoff: First delay after a network error, in seconds.
            max_delay: Longest wait after a network error, in seconds (flood-control waits
                are always as long as Telegram asks).
        """
        self.inner = inner
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_delay = max_delay

    async def initialize(self) -> None:
        """Initialise the inner limiter."""
        if self.inner is not None:
            await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the inner limiter down."""
        if self.inner is not None:
            await self.inner.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        """Make the call through the inner limiter, retrying transient failures."""
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                if self.inner is None:
                    return await callback(*args, **kwargs)
                return await self.inner.process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except RetryAfter as exc:
                if attempt == self.attempts:
                    raise
                wait = retry_seconds(exc) + 0.1  # never sooner than Telegram asks
                logger.info("Flood control on %s; retrying in %.1f s", endpoint, wait)
            except BadRequest:
                raise
            except NetworkError as exc:
                if attempt == self.attempts:
                    raise
                wait = min(self.max_delay, delay)
                delay *= 2
                logger.info("%s failed (%s); retry %d in %.1f s", endpoint, exc, attempt, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
