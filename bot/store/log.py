"""Private question log: questions, cited passages and 👍/👎 feedback in one SQLite file.

Nothing is stored raw: questions are redacted with :func:`bot.store.redact.redact` and Telegram ids
are replaced by a keyed hash (:meth:`QuestionLog.user_key`). The file lives in the data
directory (``<data_dir>/questions.sqlite3``, see :data:`LOG_FILENAME`), in WAL mode, with
``secure_delete`` on so that deleted rows are overwritten rather than left in free pages.

Writes on the answer path (:meth:`QuestionLog.record_question`,
:meth:`QuestionLog.record_feedback`) never raise: a locked database or a full disk is logged
and the bot answers anyway. Every write is one short ``BEGIN IMMEDIATE`` transaction, so a
failed write rolls back alone and never touches rows committed earlier.

Question ids come from ``AUTOINCREMENT`` and are never reused, so a 👍/👎 button on an old
message can never attach a vote to a newer question after the old one was purged.
Times are stored as UTC text ``YYYY-MM-DD HH:MM:SS``; days in reports are UTC days.

This module is the write path and owns the connection. Creating the file, its pragmas and
the schema migrations are in :mod:`bot.store.schema`; the report queries behind
:meth:`QuestionLog.daily_counts`, :meth:`QuestionLog.daily_outcomes`,
:meth:`QuestionLog.unanswered`, :meth:`QuestionLog.missed`, :meth:`QuestionLog.rated` and
:meth:`QuestionLog.count_questions`, and the values they return, are in
:mod:`bot.store.queries`.

Each question keeps its coverage (answered, partial or not covered) and the words of it the
documents did not cover, so the gap report can say which text to write next.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from bot.store import queries, schema
from bot.store.queries import (
    COVERAGES,
    DayCount,
    DayOutcome,
    LoggedQuestion,
    MissedQuestion,
    RatedAnswer,
)
from bot.store.redact import redact
from bot.store.schema import (
    SCHEMA_VERSION,
    SECRET_FILENAME,
    StoreError,
    finite_score,
    timestamp,
    upper_bound,
    utc,
)

__all__ = [
    "LOG_FILENAME",
    "PURGE_INTERVAL",
    "SCHEMA_VERSION",  # the file set-up lives in bot.store.schema; these are re-exported here
    "SECRET_FILENAME",
    "DayCount",  # the report values live in bot.store.queries and are re-exported here
    "DayOutcome",
    "LoggedQuestion",
    "MissedQuestion",
    "QuestionLog",
    "RatedAnswer",
    "StoreError",
    "kept_missing_words",
]

logger = logging.getLogger(__name__)

LOG_FILENAME = "questions.sqlite3"
"""Default file name of the log inside the data directory."""
PURGE_INTERVAL = 24 * 60 * 60
"""Seconds between automatic retention purges while the bot runs."""


def kept_missing_words(missing: Sequence[str], redacted: str) -> list[str]:
    """Return the missing words that may be stored beside a redacted question.

    A word is kept only when it occurs as a whole word in the redacted question (case and
    width folded), so a digit group of a masked phone number or identity number never
    reaches the log through this list. Duplicates and blanks are dropped; order is kept.

    Args:
        missing: Words as the answer reported them (:attr:`bot.models.Answer.missing`).
        redacted: The question after :func:`bot.store.redact.redact`.

    Returns:
        The words to store (NFKC-normalised like the question), in their original order.
    """
    folded = _fold(redacted)
    kept: dict[str, str] = {}
    for word in missing:
        text = " ".join(unicodedata.normalize("NFKC", str(word)).split())
        key = _fold(text)
        if not key or key in kept:
            continue
        if re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
            kept[key] = text
    return list(kept.values())


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class Recorder(Protocol):
    """What a channel needs from the question log: record a question and a vote.

    :class:`QuestionLog` is one; channels accept anything shaped like it (tests pass a list).
    """

    def record_question(
        self,
        *,
        user_id: int,
        chat_type: str,
        language: str,
        question: str,
        answered: bool,
        results: list[tuple[str, float]],
        index_version: str,
        coverage: str = ...,
        missing: Sequence[str] = ...,
    ) -> int | None:
        """Store a question; return its row id."""

    def record_feedback(self, question_id: int, *, user_id: int, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) on a question."""


class QuestionLog:
    """The private question log; create it with :meth:`QuestionLog.open`."""

    def __init__(
        self, connection: sqlite3.Connection, *, path: Path, secret: bytes, retention_days: int
    ) -> None:
        self._connection = connection
        self._lock = threading.RLock()
        self._secret = secret
        self._next_purge = time.monotonic() + PURGE_INTERVAL
        self.path = path
        self.retention_days = retention_days

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        secret: str,
        retention_days: int = 90,
        busy_timeout: float = 2.0,
        create: bool = True,
    ) -> QuestionLog:
        """Open (or create) the log at ``path`` and purge rows past retention.

        Creates the parent directory (mode 0700) and the file (mode 0600), switches to WAL,
        applies schema migrations and deletes questions older than ``retention_days``.

        Args:
            path: The SQLite file, usually ``settings.data_dir / LOG_FILENAME``.
            secret: HMAC secret for user keys; when empty, one is generated once and kept in
                ``secret.key`` next to the log so that keys stay stable across restarts.
            retention_days: Questions older than this many days are deleted.
            busy_timeout: Seconds a write waits for a lock before giving up.
            create: False opens only the deployment's existing log, with the secret it was
                written with, and creates nothing (for ``forget``).

        Returns:
            The open log.

        Raises:
            ValueError: When ``retention_days`` is below 1.
            StoreError: When the directory, the secret or the database cannot be set up, or
                the file has a newer schema than this code knows; with ``create=False`` also
                when the log or its secret is missing or the secret is not the log's.
        """
        if retention_days < 1:
            raise ValueError(f"retention_days must be at least 1, got {retention_days}")
        path = Path(path)
        connection, key = schema.connect(
            path, secret=secret, busy_timeout=busy_timeout, create=create
        )
        log = cls(connection, path=path, secret=key, retention_days=retention_days)
        schema.prepare(connection, path, busy_timeout, log._write, key, strict=not create)
        log.purge_expired()
        return log

    def user_key(self, user_id: int) -> str:
        """Return the pseudonymous key for a Telegram user id.

        Args:
            user_id: The raw Telegram user id; it is never stored.

        Returns:
            The first 32 hex digits (128 bits) of HMAC-SHA256(secret, user id).
        """
        digest = hmac.new(self._secret, str(int(user_id)).encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:32]

    def record_question(
        self,
        *,
        user_id: int,
        chat_type: str,
        language: str,
        question: str,
        answered: bool,
        results: Sequence[tuple[str, float]],
        index_version: str,
        now: datetime | None = None,
        coverage: str = "",
        missing: Sequence[str] = (),
    ) -> int | None:
        """Store one question, redacted, with the passages its answer cited.

        Never raises for database or disk errors: they are logged (without the question) and
        None is returned, so the caller answers the user anyway.

        Args:
            user_id: Telegram user id; only its keyed hash is stored.
            chat_type: ``"private"``, ``"group"``, ``"supergroup"``, ``"cli"`` …
            language: Language the question was answered in.
            question: The question as the user wrote it; it is redacted here.
            answered: Whether the bot found an answer.
            results: Cited ``(passage_id, score)`` pairs, best first.
            index_version: Version of the search index that answered.
            now: Time of the question; the current time when None.
            coverage: ``"full"``, ``"partial"`` or ``"none"``
                (:attr:`bot.models.Answer.coverage`); derived from ``answered`` when empty.
            missing: The question's words the documents do not cover, as typed
                (:attr:`bot.models.Answer.missing`). Only words still present in the
                redacted question are kept, so no masked personal data is stored through them.

        Returns:
            The new question id (for feedback buttons), or None when nothing was stored.
        """
        try:
            redaction = redact(question)
            coverage = coverage or ("full" if answered else "none")
            if coverage not in COVERAGES:
                raise ValueError(f"coverage must be one of {COVERAGES}, not {coverage!r}")
            words = kept_missing_words(missing, redaction.text)
            citations = [
                (rank, str(passage_id), finite_score(score))
                for rank, (passage_id, score) in enumerate(results, start=1)
            ]
            user_key = self.user_key(user_id)
            with self._write() as connection:
                cursor = connection.execute(
                    "INSERT INTO questions (asked_at, user_key, chat_type, language, question,"
                    " redacted, personal, answered, index_version, coverage)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        timestamp(now),
                        user_key,
                        str(chat_type),
                        str(language),
                        redaction.text,
                        ",".join(redaction.kinds),
                        int(redaction.personal_id),
                        int(bool(answered)),
                        str(index_version),
                        coverage,
                    ),
                )
                question_id = cursor.lastrowid
                connection.executemany(
                    "INSERT INTO citations (question_id, rank, passage_id, score)"
                    " VALUES (?, ?, ?, ?)",
                    [(question_id, *citation) for citation in citations],
                )
                connection.executemany(
                    "INSERT INTO missing_words (question_id, rank, word) VALUES (?, ?, ?)",
                    [(question_id, rank, word) for rank, word in enumerate(words, start=1)],
                )
        except (sqlite3.Error, OSError) as exc:
            logger.error(
                "Question not logged (%s: %s); the answer was sent anyway",
                type(exc).__name__,
                exc,
            )
            return None
        except (TypeError, ValueError):
            logger.exception("Question not logged: bad arguments; the answer was sent anyway")
            return None
        if time.monotonic() >= self._next_purge:
            self.purge_expired()
        return question_id

    def record_feedback(
        self, question_id: int, *, user_id: int, value: int, now: datetime | None = None
    ) -> bool:
        """Store a 👍 (+1) or 👎 (-1) vote; a later vote by the same user replaces the earlier.

        Never raises: an unknown (or purged) question, a bad value or a database error is
        logged and gives False.

        Args:
            question_id: Id returned by :meth:`record_question`.
            user_id: Telegram id of the voter; only its keyed hash is stored.
            value: +1 or -1.
            now: Time of the vote; the current time when None.

        Returns:
            True when the vote was stored.
        """
        if value not in (1, -1):
            logger.warning("Feedback value %r ignored; expected +1 or -1", value)
            return False
        try:
            row = (int(question_id), self.user_key(user_id), int(value), timestamp(now))
        except (TypeError, ValueError):
            logger.warning("Feedback with a malformed question or user id ignored")
            return False
        try:
            with self._write() as connection:
                connection.execute(
                    "INSERT INTO feedback (question_id, user_key, value, given_at)"
                    " VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (question_id, user_key)"
                    " DO UPDATE SET value = excluded.value, given_at = excluded.given_at",
                    row,
                )
        except sqlite3.IntegrityError:
            logger.info("Feedback for unknown question %s ignored", question_id)
            return False
        except (sqlite3.Error, OSError) as exc:
            logger.error("Feedback not logged (%s: %s)", type(exc).__name__, exc)
            return False
        return True

    def record_comment(
        self, question_id: int, *, user_id: int, comment: str, now: datetime | None = None
    ) -> bool:
        """Keep what a 👎 voter wrote about what was missing, redacted, with their vote.

        Never raises: a missing vote or a database error is logged and gives False.

        Args:
            question_id: The question voted on.
            user_id: Telegram id of the voter; only its keyed hash is used.
            comment: The reply as typed; it is redacted and cut to 500 characters here.
            now: Time of the comment; the current time when None.

        Returns:
            True when the comment was stored with a vote of this user.
        """
        text = " ".join(redact(str(comment)).text.split())[:500]
        if not text:
            return False
        try:
            with self._write() as connection:
                changed = connection.execute(
                    "UPDATE feedback SET comment = ?, given_at = ?"
                    " WHERE question_id = ? AND user_key = ?",
                    (text, timestamp(now), int(question_id), self.user_key(user_id)),
                ).rowcount
        except (sqlite3.Error, OSError, TypeError, ValueError) as exc:
            logger.error("Comment not logged (%s: %s)", type(exc).__name__, exc)
            return False
        return bool(changed)

    def preference_key(self, *, user_id: int | None = None, chat_id: int | None = None) -> str:
        """Return the stored key of a user's (``u:``) or a group's (``c:``) language choice."""
        if user_id is not None:
            return "u:" + self.user_key(user_id)
        if chat_id is None:
            raise ValueError("a preference belongs to a user or a chat")
        return "c:" + self.user_key(chat_id)

    def set_language(
        self, subject: str, language: str | None, now: datetime | None = None
    ) -> None:
        """Store (or, with ``language`` None, delete) the language choice of ``subject``.

        Args:
            subject: From :meth:`preference_key`.
            language: "sv", "da", "en", or None to forget the choice.
            now: Time of the choice; the current time when None.

        Raises:
            StoreError: When the choice could not be stored.
        """
        try:
            with self._write() as connection:
                if language is None:
                    connection.execute("DELETE FROM preferences WHERE subject = ?", (subject,))
                else:
                    connection.execute(
                        "INSERT INTO preferences (subject, language, set_at) VALUES (?, ?, ?)"
                        " ON CONFLICT (subject) DO UPDATE"
                        " SET language = excluded.language, set_at = excluded.set_at",
                        (subject, str(language), timestamp(now)),
                    )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot store a language choice ({exc})") from exc

    def languages(self) -> dict[str, str]:
        """Return every stored language choice, by :meth:`preference_key`.

        Raises:
            StoreError: When the log cannot be read.
        """
        return dict(self._read("SELECT subject, language FROM preferences", ()))

    def purge_expired(self, now: datetime | None = None) -> int:
        """Delete questions (with their citations and votes) older than the retention period.

        Runs at :meth:`open` and then at most once a day from :meth:`record_question`; a
        scheduler may also call it. Never raises: errors are logged and give 0.

        Args:
            now: Reference time; the current time when None.

        Returns:
            The number of questions deleted.
        """
        cutoff = utc(now) - timedelta(days=self.retention_days)
        self._next_purge = time.monotonic() + PURGE_INTERVAL
        try:
            with self._write() as connection:
                deleted = connection.execute(
                    "DELETE FROM questions WHERE asked_at < ?", (timestamp(cutoff),)
                ).rowcount
        except (sqlite3.Error, OSError) as exc:
            logger.error("Retention purge failed (%s: %s)", type(exc).__name__, exc)
            return 0
        if deleted:
            logger.info("Deleted %d questions older than %d days", deleted, self.retention_days)
            self._checkpoint()
        return deleted

    def forget_user(self, user_id: int) -> int:
        """Delete every question and vote of one user, and their language choice.

        Args:
            user_id: The user's Telegram id.

        Returns:
            The number of questions plus votes on other users' questions deleted (the
            language choice is not counted).

        Raises:
            StoreError: When the rows could not be deleted (nothing is deleted then).
        """
        key = self.user_key(user_id)
        try:
            with self._write() as connection:
                votes = connection.execute(
                    "DELETE FROM feedback WHERE user_key = ?", (key,)
                ).rowcount
                questions = connection.execute(
                    "DELETE FROM questions WHERE user_key = ?", (key,)
                ).rowcount
                connection.execute("DELETE FROM preferences WHERE subject = ?", ("u:" + key,))
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot delete the user's rows ({exc})") from exc
        self._checkpoint()
        return questions + votes

    def daily_counts(self, since: datetime, until: datetime | None = None) -> list[DayCount]:
        """Count questions per UTC day in ``[since, until)``, days without questions left out.

        Raises:
            StoreError: When the log cannot be read.
        """
        return queries.daily_counts(self._read, timestamp(since), upper_bound(until))

    def unanswered(self, since: datetime, until: datetime | None = None) -> list[LoggedQuestion]:
        """Return unanswered questions in ``[since, until)``, newest first.

        Questions refused for carrying an identity number are left out: they are no gap in
        the knowledge base.

        Raises:
            StoreError: When the log cannot be read.
        """
        return queries.unanswered(self._read, timestamp(since), upper_bound(until))

    def rated(self, since: datetime, until: datetime | None = None) -> list[RatedAnswer]:
        """Return questions asked in ``[since, until)`` that got at least one vote.

        Sorted by 👎 count (most first), then newest first.

        Raises:
            StoreError: When the log cannot be read.
        """
        return queries.rated(self._read, timestamp(since), upper_bound(until))

    def daily_outcomes(self, since: datetime, until: datetime | None = None) -> list[DayOutcome]:
        """Count questions per UTC day in ``[since, until)`` by outcome (see :class:`DayOutcome`).

        Raises:
            StoreError: When the log cannot be read.
        """
        return queries.daily_outcomes(self._read, timestamp(since), upper_bound(until))

    def missed(self, since: datetime, until: datetime | None = None) -> list[MissedQuestion]:
        """Return partial and not-covered questions in ``[since, until)`` with missing words.

        Questions refused for carrying an identity number are left out. Newest first.

        Raises:
            StoreError: When the log cannot be read.
        """
        return queries.missed(self._read, timestamp(since), upper_bound(until))

    def count_questions(self) -> int:
        """Return the number of stored questions.

        Raises:
            StoreError: When the log cannot be read.
        """
        return queries.count_questions(self._read)

    def writable(self) -> str:
        """Tell whether a write could be committed now (for health checks).

        Takes the write lock in one ``BEGIN IMMEDIATE`` transaction and rolls it back, so
        nothing changes.

        Returns:
            "" when the log can be written, else the reason.
        """
        try:
            with self._lock:
                self._connection.execute("BEGIN IMMEDIATE")
                self._connection.execute("ROLLBACK")
        except sqlite3.Error as exc:
            return f"{self.path}: cannot write ({exc})"
        return ""

    def close(self) -> None:
        """Checkpoint the WAL into the main file and close the connection."""
        with self._lock:
            try:
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                logger.warning("WAL checkpoint at close failed (%s)", exc)
            self._connection.close()

    def __enter__(self) -> QuestionLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    try:
                        connection.execute("ROLLBACK")
                    except sqlite3.Error as exc:
                        logger.warning("Rollback failed (%s)", exc)
                raise

    def _read(self, sql: str, parameters: tuple[object, ...]) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._connection.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot read the question log ({exc})") from exc

    def _checkpoint(self) -> None:
        """Fold the WAL into the main file and truncate it, so deleted text leaves the disk."""
        try:
            with self._lock:
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            logger.warning("WAL checkpoint failed (%s)", exc)
