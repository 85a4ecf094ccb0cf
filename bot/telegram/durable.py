"""At-least-once answering: no update is confirmed to Telegram before it is on disk.

python-telegram-bot's ``Updater`` puts a fetched batch in the update queue and at once sends
the next ``getUpdates`` with a higher offset, which tells Telegram to forget the batch; the
handlers answer later. A handler-level record (even in group -100) therefore comes too late:
the batch may already be confirmed when the process dies. Instead:

1. :class:`JournalingRequest` wraps the request object PTB uses for ``getUpdates`` and
   writes every batch to the :class:`~bot.store.journal.UpdateJournal` *before* PTB sees it.
   PTB only confirms what it has seen, so nothing is confirmed unrecorded. If the write
   fails, the call fails as a network error: PTB retries and Telegram keeps the batch.
2. :class:`JournaledApplication` marks an update done when its handlers have finished (the
   reply was sent), and skips an update that is already done or being handled, which
   happens when Telegram redelivers a batch the journal already holds. It also registers
   every update with its chat's :class:`~bot.telegram.order.ChatOrder`, so that replies in
   one chat leave in arrival order.
3. :func:`replay_unfinished` (from ``post_init``) queues whatever a killed process left
   pending, before polling starts; each is tried at most a few start-ups.
4. In webhook mode there is no ``getUpdates``: :class:`JournalingQueue` records each update
   Telegram POSTs before the webhook server answers 200, and a failed write makes it answer
   500, so Telegram delivers the update again.

An update whose reply was sent but not yet marked done when the process died is answered
again after the restart: the window is the time between Telegram's answer to sendMessage and
one SQLite commit.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.error import NetworkError
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.store import StoreError, UpdateJournal
from bot.telegram.order import ChatOrder, done_handling, handling

logger = logging.getLogger(__name__)

_HANDLING: ContextVar[tuple[UpdateJournal, int] | None] = ContextVar("handling", default=None)
"""The journal and update id of the update the current task is handling."""


class JournalingRequest(BaseRequest):
    """A ``getUpdates`` request object that records each batch before returning it."""

    def __init__(self, inner: BaseRequest, journal: UpdateJournal) -> None:
        """Wrap ``inner`` (the request object that talks to the Bot API).

        Args:
            inner: Makes the actual HTTP calls.
            journal: Where each batch of updates is recorded.
        """
        self.inner = inner
        self.journal = journal

    @property
    def read_timeout(self) -> float | None:
        """The inner request's default read timeout."""
        return self.inner.read_timeout

    async def initialize(self) -> None:
        """Initialise the inner request."""
        await self.inner.initialize()

    async def shutdown(self) -> None:
        """Shut the inner request down."""
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Make the call; record the updates of a successful ``getUpdates`` first.

        Raises:
            NetworkError: When the updates could not be recorded (PTB then retries, and
                Telegram keeps them because they are not confirmed).
        """
        status, body = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status == 200 and url.rsplit("/", 1)[-1].lower() == "getupdates":
            updates = _updates(body)
            if updates:
                try:
                    await asyncio.to_thread(self.journal.record, updates)
                except StoreError as exc:
                    logger.error("Updates not recorded, so not confirmed: %s", exc)
                    raise NetworkError("the update journal cannot be written") from exc
        return status, body


def _updates(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except ValueError:
        return []
    result = data.get("result") if isinstance(data, dict) and data.get("ok") else None
    return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []


class JournalingQueue(asyncio.Queue):
    """The update queue of webhook mode: an update is on disk before it is queued.

    PTB's webhook handler answers Telegram's POST only after ``put`` returned, so a failed
    write turns into an HTTP 500 and Telegram delivers the update again later.
    """

    def __init__(self, journal: UpdateJournal) -> None:
        """Record into ``journal``."""
        super().__init__()
        self.journal = journal

    async def put(self, item: Any) -> None:
        """Record an update (other items pass) and queue it.

        Raises:
            StoreError: When the update cannot be recorded.
        """
        # A replayed update is recorded again; the journal keeps the first copy.
        if isinstance(item, Update):
            try:
                await asyncio.to_thread(self.journal.record, [item.to_dict()])
            except StoreError as exc:
                logger.error("Update not recorded, so not accepted: %s", exc)
                raise
        await super().put(item)


class JournaledApplication(Application):
    """An Application that marks each journaled update done once its handlers finished.

    Every update with a chat is also registered with :attr:`order` before anything else
    happens, so that replies in one chat leave in arrival order.
    """

    def __init__(self, *, journal: UpdateJournal | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.journal = journal
        self.order = ChatOrder()
        self._in_flight: set[int] = set()

    async def process_update(self, update: object) -> None:
        """Handle an update once, in its chat's arrival order."""
        if not isinstance(update, Update) or update.effective_chat is None:
            await self._process_once(update)
            return
        # Registered before the first await: update tasks start in arrival order.
        ticket = self.order.begin(update.effective_chat.id, update.update_id)
        token = handling(self.order, ticket)
        try:
            await self._process_once(update)
        finally:
            done_handling(token)
            self.order.end(ticket)

    async def _process_once(self, update: object) -> None:
        """Handle an update once: skip it when already done or being handled here."""
        journal = self.journal
        if journal is None or not isinstance(update, Update):
            await super().process_update(update)
            return
        update_id = update.update_id
        if update_id in self._in_flight:
            logger.info("Update %s is being handled; not answering it twice", update_id)
            return
        # Claimed before the first await, so a second copy arriving meanwhile is turned away.
        self._in_flight.add(update_id)
        try:
            if await asyncio.to_thread(journal.finished, update_id):
                logger.info("Update %s was already handled; not answering it again", update_id)
                return
            token = _HANDLING.set((journal, update_id))
            try:
                await super().process_update(update)
            finally:
                _HANDLING.reset(token)
            # Reached only when the handlers ran to the end (updates without a reply, or
            # whose reply failed); a cancelled update stays pending.
            journal.finish(update_id)
        finally:
            self._in_flight.discard(update_id)


def reply_sent() -> None:
    """Mark the update being handled done, now that its reply has been sent.

    Called by :func:`bot.telegram.core._send` after the last message of a reply. It commits
    on the event loop, not in a worker thread: every millisecond between the reply and this
    commit is a window in which a killed process answers the question again after restart.
    """
    handling = _HANDLING.get()
    if handling is not None:
        journal, update_id = handling
        journal.finish(update_id)


async def replay_unfinished(application: Application) -> int:
    """Queue the updates a previous process received but did not finish.

    Call it before polling starts (``post_init``): they are then handled before new ones.

    Args:
        application: The application; nothing happens unless it is a
            :class:`JournaledApplication` with a journal.

    Returns:
        How many updates were queued.
    """
    journal = getattr(application, "journal", None)
    if not isinstance(journal, UpdateJournal):
        return 0
    pending = await asyncio.to_thread(journal.unfinished)
    queued = 0
    for data in pending:
        try:
            update = Update.de_json(data, application.bot)
        except Exception:  # a stored update PTB can no longer read is given up, not retried
            logger.warning("Dropping unreadable stored update %s", data.get("update_id"))
            await asyncio.to_thread(journal.drop, int(data.get("update_id", 0)))
            continue
        await application.update_queue.put(update)
        queued += 1
    if queued:
        logger.info("Answering %d questions received before the last stop", queued)
    return queued
