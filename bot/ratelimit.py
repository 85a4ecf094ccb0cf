"""A per-user sliding-window limit on questions; knows nothing about Telegram."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import NamedTuple


class Verdict(NamedTuple):
    """The outcome of one attempt."""

    allowed: bool
    retry_after: float = 0.0
    """Seconds until the next attempt would be allowed (0 when allowed)."""
    notify: bool = False
    """True for the first refusal in a row, so the user is told once, not on every message."""

    @property
    def wait_seconds(self) -> int:
        """``retry_after`` rounded up to whole seconds, at least 1."""
        return max(1, math.ceil(self.retry_after))


class SlidingWindowLimiter:
    """Allow each key at most ``limit`` attempts in any ``window`` seconds."""

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        """Create a limiter.

        Args:
            limit: Attempts allowed per window (at least 1).
            window: Window length in seconds.
            clock: Monotonic clock, replaceable in tests.
            max_keys: Keys remembered at most; idle keys are forgotten first.
        """
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[Hashable, deque[float]] = {}
        self._refused: set[Hashable] = set()

    def hit(self, key: Hashable) -> Verdict:
        """Count an attempt by ``key`` if it is allowed, and say whether it was."""
        now = self._clock()
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= self._max_keys:
                self._forget_idle(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            self._refused.discard(key)
            return Verdict(True)
        notify = key not in self._refused
        self._refused.add(key)
        return Verdict(False, retry_after=hits[0] + self.window - now, notify=notify)

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window
        ]:
            del self._hits[key]
            self._refused.discard(key)
        while len(self._hits) >= self._max_keys:
            oldest = min(self._hits, key=lambda k: self._hits[k][-1] if self._hits[k] else 0.0)
            del self._hits[oldest]
            self._refused.discard(oldest)
