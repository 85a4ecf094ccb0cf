"""The update journal: every Telegram update is on disk before Telegram may forget it.

Telegram keeps an update until a later ``getUpdates`` confirms it, and python-telegram-bot
sends that confirming call as soon as it has queued a batch, long before the handlers have
answered. A process killed in between would lose the whole batch. So the Telegram layer
writes each batch here (one ``synchronous = FULL`` transaction) before it hands the batch to
PTB, marks each update done once it has been handled, and at start-up answers whatever is
still pending, once.

What is stored is only what answering needs: for messages with text, the text with personal
data masked (:func:`bot.store.redact.redact`, entities moved to match), the ids of the user and
chat, the language and the message ids; no names, no quoted messages. Other updates (buttons,
inline queries, media) cannot usefully be answered late and are kept as bare ids, so that a
redelivered one is recognised; a restart drops them. The payload is cleared as soon as an
update is done, and finished rows are deleted after :data:`KEEP_FINISHED`.

Rows are keyed by the bot id and the update id, so one data folder can outlive a change of
token without mixing up the update ids of two bots.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.store.redact import redact
from bot.store.schema import StoreError, private_directory, timestamp, utc

__all__ = [
    "JOURNAL_FILENAME",
    "KEEP_FINISHED",
    "MAX_AGE",
    "MAX_ATTEMPTS",
    "UpdateJournal",
    "replayable",
]

logger = logging.getLogger(__name__)

JOURNAL_FILENAME = "updates.sqlite3"
"""File name of the journal inside the data directory."""
MAX_ATTEMPTS = 3
"""Start-ups that may try a pending update; one that keeps killing the bot is then dropped."""
MAX_AGE = timedelta(hours=24)
"""Pending updates older than this are dropped, not answered (Telegram keeps them as long)."""
KEEP_FINISHED = timedelta(hours=48)
"""How long the ids of finished updates are kept to recognise a redelivery."""

_PENDING, _DONE, _DROPPED = "pending", "done", "dropped"
_SCHEMA = """CREATE TABLE IF NOT EXISTS updates (
    bot TEXT NOT NULL,
    update_id INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    payload TEXT,
    PRIMARY KEY (bot, update_id)
)"""
_MESSAGE_KEYS = ("message", "edited_message")
_KEPT_FIELDS = (
    "message_id",
    "message_thread_id",
    "is_topic_message",
    "date",
    "edit_date",
    "text",
    "entities",
)


class UpdateJournal:
    """Durable record of received updates; create it with :meth:`UpdateJournal.open`."""

    def __init__(self, connection: sqlite3.Connection, *, path: Path, bot: str) -> None:
        self._connection = connection
        self._lock = threading.RLock()
        self.path = path
        self.bot = bot

    @classmethod
    def open(cls, path: Path, *, bot: str, busy_timeout: float = 5.0) -> UpdateJournal:
        """Open (or create) the journal at ``path`` for one bot.

        The directory is created with mode 0700 and the file with mode 0600.

        Args:
            path: The SQLite file, usually ``settings.data_dir / JOURNAL_FILENAME``.
            bot: The bot's id (the part of the token before the colon).
            busy_timeout: Seconds a write waits for a lock before giving up.

        Returns:
            The open journal.

        Raises:
            StoreError: When the directory or the database cannot be set up.
        """
        path = Path(path)
        try:
            private_directory(path.parent)
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            connection = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the update journal ({exc})") from exc
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA secure_delete = ON")
            connection.execute(_SCHEMA)
        except sqlite3.Error as exc:
            connection.close()
            raise StoreError(f"{path}: cannot prepare the update journal ({exc})") from exc
        journal = cls(connection, path=path, bot=str(bot))
        journal.purge()
        return journal

    def record(self, updates: Iterable[Mapping[str, Any]], now: datetime | None = None) -> int:
        """Store a batch of raw updates (as Telegram sent them) durably, in one transaction.

        Updates already known (a redelivery) are left as they are.

        Args:
            updates: Update objects as JSON mappings, each with an ``update_id``.
            now: Time of receipt; the current time when None.

        Returns:
            How many updates were new.

        Raises:
            StoreError: When the batch could not be stored; then it must not be confirmed.
        """
        rows = []
        for update in updates:
            update_id = update.get("update_id")
            if not isinstance(update_id, int):
                continue
            payload = replayable(update)
            rows.append(
                (
                    self.bot,
                    update_id,
                    timestamp(now),
                    _PENDING,
                    None if payload is None else json.dumps(payload, ensure_ascii=False),
                )
            )
        if not rows:
            return 0
        try:
            # FULL syncs the WAL at this commit: the batch survives a power cut, not only a
            # killed process, before Telegram is told it may forget it.
            with self._write(synchronous="FULL") as connection:
                before = connection.total_changes
                connection.executemany(
                    "INSERT OR IGNORE INTO updates (bot, update_id, received_at, state, payload)"
                    " VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
                return connection.total_changes - before
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot record updates ({exc})") from exc

    def finished(self, update_id: int) -> bool:
        """Tell whether an update was already handled (or dropped); False when unknown."""
        try:
            with self._lock:
                row = self._connection.execute(
                    "SELECT state FROM updates WHERE bot = ? AND update_id = ?",
                    (self.bot, int(update_id)),
                ).fetchone()
        except sqlite3.Error as exc:
            logger.warning("Update journal unreadable (%s); handling the update anyway", exc)
            return False
        return row is not None and row[0] != _PENDING

    def finish(self, update_id: int) -> None:
        """Mark an update done and forget its content; never raises."""
        self._settle(update_id, _DONE)

    def drop(self, update_id: int) -> None:
        """Give up on an update (it is not answered again); never raises."""
        self._settle(update_id, _DROPPED)

    def unfinished(
        self,
        *,
        now: datetime | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        max_age: timedelta = MAX_AGE,
    ) -> list[dict[str, Any]]:
        """Return the pending updates to answer now, oldest first, counting this attempt.

        Updates tried ``max_attempts`` times already, or older than ``max_age``, are dropped
        (and logged) instead: an update that kills the bot must not do so forever.

        Args:
            now: Reference time; the current time when None.
            max_attempts: Start-ups allowed per update.
            max_age: Oldest update still answered.

        Returns:
            The stored update objects (as JSON mappings).
        """
        cutoff = timestamp(utc(now) - max_age)
        try:
            with self._write(synchronous="FULL") as connection:
                rows = connection.execute(
                    "SELECT update_id, received_at, attempts, payload FROM updates"
                    " WHERE bot = ? AND state = ? ORDER BY update_id",
                    (self.bot, _PENDING),
                ).fetchall()
                replay: list[dict[str, Any]] = []
                for update_id, received_at, attempts, payload in rows:
                    update = _loads(payload)
                    if update is None or attempts >= max_attempts or received_at < cutoff:
                        logger.log(
                            logging.INFO if payload is None else logging.WARNING,
                            "Dropping update %s received %s (%d earlier attempts)",
                            update_id,
                            received_at,
                            attempts,
                        )
                        connection.execute(
                            "UPDATE updates SET state = ?, payload = NULL"
                            " WHERE bot = ? AND update_id = ?",
                            (_DROPPED, self.bot, update_id),
                        )
                        continue
                    connection.execute(
                        "UPDATE updates SET attempts = attempts + 1"
                        " WHERE bot = ? AND update_id = ?",
                        (self.bot, update_id),
                    )
                    replay.append(update)
        except (sqlite3.Error, OSError) as exc:
            logger.error("Cannot read unfinished updates (%s); none are answered again", exc)
            return []
        return replay

    def counts(self) -> dict[str, int]:
        """Return the number of rows per state (``pending``, ``done``, ``dropped``)."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT state, count(*) FROM updates WHERE bot = ? GROUP BY state", (self.bot,)
            ).fetchall()
        return {_PENDING: 0, _DONE: 0, _DROPPED: 0, **{state: n for state, n in rows}}

    def purge(self, now: datetime | None = None) -> int:
        """Delete finished rows older than :data:`KEEP_FINISHED`; never raises.

        Returns:
            The number of rows deleted.
        """
        cutoff = timestamp(utc(now) - KEEP_FINISHED)
        try:
            with self._write() as connection:
                deleted = connection.execute(
                    "DELETE FROM updates WHERE state != ? AND received_at < ?",
                    (_PENDING, cutoff),
                ).rowcount
            with self._lock:
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except (sqlite3.Error, OSError) as exc:
            logger.warning("Update journal purge failed (%s)", exc)
            return 0
        return deleted

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close the connection."""
        with self._lock:
            try:
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                logger.warning("WAL checkpoint at close failed (%s)", exc)
            self._connection.close()

    def _settle(self, update_id: int, state: str) -> None:
        try:
            # NORMAL: a power cut may forget that an update was answered (it is then answered
            # again), never that it arrived.
            with self._write(synchronous="NORMAL") as connection:
                connection.execute(
                    "UPDATE updates SET state = ?, payload = NULL"
                    " WHERE bot = ? AND update_id = ? AND state = ?",
                    (state, self.bot, int(update_id), _PENDING),
                )
        except (sqlite3.Error, OSError) as exc:
            logger.error("Could not mark update %s %s (%s)", update_id, state, exc)

    @contextmanager
    def _write(self, synchronous: str = "NORMAL") -> Iterator[sqlite3.Connection]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        with self._lock:
            connection = self._connection
            connection.execute(f"PRAGMA synchronous = {synchronous}")
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise


def _loads(payload: str | None) -> dict[str, Any] | None:
    if payload is None:
        return None
    try:
        value = json.loads(payload)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def replayable(update: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return what is kept of an update to answer it later, or None when it is not kept.

    Only messages and edited messages with text are kept: their text with personal data
    masked (entities moved to match or dropped), the sender's id and language, the chat's id
    and type, message and thread ids; and of a replied-to message only who sent it.

    Args:
        update: An update as Telegram sends it.

    Returns:
        A smaller update object with the same ``update_id``, or None.
    """
    for key in _MESSAGE_KEYS:
        message = update.get(key)
        if isinstance(message, Mapping) and isinstance(message.get("text"), str):
            return {"update_id": update["update_id"], key: _message(message)}
    return None


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    kept = {name: message[name] for name in _KEPT_FIELDS if name in message}
    kept["chat"] = _chat(message.get("chat"))
    if isinstance(message.get("from"), Mapping):
        kept["from"] = _user(message["from"])
    reply = message.get("reply_to_message")
    if isinstance(reply, Mapping):
        kept["reply_to_message"] = {
            "message_id": reply.get("message_id", 0),
            "date": reply.get("date", 0),
            "chat": _chat(reply.get("chat")),
            **({"from": _user(reply["from"])} if isinstance(reply.get("from"), Mapping) else {}),
        }
    text, entities = _masked(kept["text"], kept.get("entities"))
    kept["text"] = text
    if entities:
        kept["entities"] = entities
    else:
        kept.pop("entities", None)
    return kept


def _chat(chat: Any) -> dict[str, Any]:
    if not isinstance(chat, Mapping):
        return {"id": 0, "type": "private"}
    kept = {"id": chat.get("id", 0), "type": chat.get("type", "private")}
    if chat.get("is_forum"):
        kept["is_forum"] = True
    return kept


def _user(user: Mapping[str, Any]) -> dict[str, Any]:
    kept = {"id": user.get("id", 0), "is_bot": bool(user.get("is_bot")), "first_name": ""}
    if user.get("language_code"):
        kept["language_code"] = user["language_code"]
    return kept


def _masked(text: str, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    """Mask personal data in ``text``; keep each entity whose text survives, at its new place."""
    if not isinstance(entities, list):
        entities = []
    redaction = redact(text)
    if not redaction.kinds:
        return text, [e for e in entities if isinstance(e, dict)]
    masked = redaction.text
    moved = []
    cursor = 0
    for entity in sorted(
        (e for e in entities if isinstance(e, dict)), key=lambda e: e.get("offset", 0)
    ):
        value = _utf16_slice(text, entity.get("offset", 0), entity.get("length", 0))
        where = masked.find(value, cursor) if value else -1
        if where < 0:
            continue  # the entity covered personal data (an e-mail, a phone number)
        moved.append({**entity, "offset": _utf16_length(masked[:where])})
        cursor = where + len(value)
    return masked, moved


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _utf16_slice(text: str, offset: Any, length: Any) -> str:
    if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length <= 0:
        return ""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * offset : 2 * (offset + length)].decode("utf-16-le", "replace")
