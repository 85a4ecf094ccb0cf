"""Progress bars for long commands, drawn on stderr only when a person is watching it.

A bar is drawn (with tqdm) when stderr is a terminal, the ``CI`` variable is unset or false,
``TERM`` is not ``dumb`` and the command prints no JSON. Otherwise every call here does
nothing, so CI logs, pipes and parsed output never see a bar or a carriage return. A bar is
cleared when its step ends: what stays on the screen is the command's own output.

The lower packages take a :class:`Progress` (default :data:`SILENT`) and wrap their loops in
:meth:`Progress.track` or a countless step in :meth:`Progress.step`; the commands create one
with :meth:`Progress.on_stderr`. tqdm is imported only when a bar is drawn.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

__all__ = ["SILENT", "Progress", "watched"]

T = TypeVar("T")

_OFF = frozenset({"", "0", "false", "no", "off"})
"""Values of ``CI`` that do not mean "running under CI"."""
REFRESH_SECONDS = 0.2
"""Shortest time between two redraws of a bar."""


def watched(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Tell whether progress may be drawn on ``stream``.

    Args:
        stream: Where the bar would go, usually ``sys.stderr``.
        environ: The environment (``os.environ`` when None).

    Returns:
        True when ``stream`` is a terminal, ``CI`` is unset or false and ``TERM`` is not dumb.
    """
    env = os.environ if environ is None else environ
    if env.get("CI", "").strip().lower() not in _OFF or env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # a closed or stand-in stream
        return False


class Progress:
    """Draws progress bars on one stream, or nothing at all (:data:`SILENT`).

    Args:
        stream: Where to draw; None draws nothing.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    @classmethod
    def on_stderr(
        cls, *, json: bool = False, environ: Mapping[str, str] | None = None
    ) -> Progress:
        """Return a progress that draws on stderr when someone watches, else a silent one.

        Args:
            json: The command prints JSON: never draw.
            environ: The environment (``os.environ`` when None), for ``CI`` and ``TERM``.

        Returns:
            The progress.
        """
        stream = sys.stderr
        return cls(stream if not json and watched(stream, environ) else None)

    @property
    def active(self) -> bool:
        """True when bars are drawn."""
        return self._stream is not None

    def track(
        self,
        items: Iterable[T],
        label: str,
        *,
        total: int | None = None,
        unit: str = "it",
        describe: Callable[[T], str] | None = None,
    ) -> Iterator[T]:
        """Yield ``items`` unchanged, advancing a bar named ``label`` by one per item.

        Args:
            items: What the loop goes over.
            label: What is being done, e.g. "passages analysed".
            total: How many items there are; taken from ``len(items)`` when it has one.
            unit: What one item is, e.g. "file" or "page".
            describe: Names the item being worked on, shown after the label while it runs
                (for few, long items such as the benchmark's runs).

        Yields:
            The items, in order.
        """
        if self._stream is None:
            yield from items
            return
        if total is None and isinstance(items, Sized):
            total = len(items)
        bar = self._bar(total=total, desc=label, unit=unit)
        try:
            for item in items:
                if describe is not None:
                    bar.set_description(f"{label}: {describe(item)}")
                yield item
                bar.update(1)
        finally:
            bar.close()

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show ``label`` while a block without countable parts runs, e.g. writing the index.

        Args:
            label: What is being done.

        Yields:
            Nothing; the bar completes when the block ends without an error.
        """
        if self._stream is None:
            yield
            return
        bar = self._bar(total=1, desc=label, bar_format="{desc} … {elapsed}")
        try:
            yield
            bar.update(1)
        finally:
            bar.close()

    def _bar(self, **options: Any) -> Any:
        from tqdm import tqdm

        return tqdm(
            file=self._stream,
            leave=False,
            dynamic_ncols=True,
            mininterval=REFRESH_SECONDS,
            **options,
        )


SILENT = Progress()
"""Draws nothing: the default for every function that takes a progress."""
