"""Replies in one chat leave in the order their updates arrived; chats never wait for each other.

The application handles up to eight updates at once (``concurrent_updates``), so two
questions sent quickly in one chat race, and the second answer could overtake the first.
:class:`ChatOrder` keeps, per chat, the updates being handled (registered in arrival order by
:class:`bot.telegram.durable.JournaledApplication` before anything else happens), and
:func:`wait_turn` holds a reply until every earlier update of the same chat has finished.
An update that takes longer than :data:`PATIENCE` no longer holds the others back.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from contextvars import ContextVar
from dataclasses import dataclass

logger = logging.getLogger(__name__)

PATIENCE = 30.0
"""Seconds a reply waits for earlier updates of its chat before it goes out anyway."""


@dataclass(frozen=True)
class Ticket:
    """One update being handled in one chat."""

    chat_id: int
    update_id: int


_CURRENT: ContextVar[tuple[ChatOrder, Ticket] | None] = ContextVar("chat_turn", default=None)
"""The order and ticket of the update the current task is handling."""


class ChatOrder:
    """The updates being handled per chat, in arrival order."""

    def __init__(self, patience: float = PATIENCE) -> None:
        """Create an empty order; replies wait at most ``patience`` seconds for their turn."""
        self.patience = patience
        self._open: dict[int, list[int]] = {}
        self._changed: dict[int, asyncio.Event] = {}

    def begin(self, chat_id: int, update_id: int) -> Ticket:
        """Register an update of ``chat_id``; call it before the handler's first ``await``."""
        bisect.insort(self._open.setdefault(chat_id, []), update_id)
        return Ticket(chat_id, update_id)

    def end(self, ticket: Ticket) -> None:
        """Forget a finished update and wake the replies waiting behind it."""
        waiting = self._open.get(ticket.chat_id)
        if waiting is None or ticket.update_id not in waiting:
            return
        waiting.remove(ticket.update_id)
        event = self._changed.pop(ticket.chat_id, None)
        if event is not None:
            event.set()
        if not waiting:
            del self._open[ticket.chat_id]

    def first(self, ticket: Ticket) -> bool:
        """Tell whether no earlier update of the same chat is still being handled."""
        waiting = self._open.get(ticket.chat_id, [])
        return not waiting or waiting[0] >= ticket.update_id

    async def turn(self, ticket: Ticket) -> None:
        """Wait until every earlier update of the chat has finished (or patience runs out)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        while not self.first(ticket):
            remaining = deadline - loop.time()
            if remaining <= 0:
                logger.warning(
                    "A reply in chat %s waited %.0f s for an earlier one; sending it now",
                    ticket.chat_id,
                    self.patience,
                )
                return
            event = self._changed.setdefault(ticket.chat_id, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                continue

    def pending(self, chat_id: int) -> tuple[int, ...]:
        """Return the update ids of a chat still being handled, oldest first."""
        return tuple(self._open.get(chat_id, ()))


def handling(order: ChatOrder, ticket: Ticket) -> object:
    """Make ``ticket`` the current task's update; returns a token for :func:`done_handling`."""
    return _CURRENT.set((order, ticket))


def done_handling(token: object) -> None:
    """Undo :func:`handling`."""
    _CURRENT.reset(token)  # type: ignore[arg-type]


async def wait_turn() -> None:
    """Hold the current update's reply until earlier updates of its chat have finished."""
    current = _CURRENT.get()
    if current is not None:
        order, ticket = current
        await order.turn(ticket)
