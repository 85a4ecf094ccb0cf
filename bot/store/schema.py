"""The question log's SQLite file: creating it, its pragmas, its schema and its value formats.

:meth:`bot.store.log.QuestionLog.open` calls :func:`connect` and then :func:`prepare`;
:data:`SCHEMA_VERSION`, :data:`SECRET_FILENAME` and :class:`StoreError` are re-exported from
:mod:`bot.store.log`, which owns the connection afterwards.

The file is created with mode 0600 in a 0700 directory, switched to WAL with
``synchronous = FULL``, ``foreign_keys`` and ``secure_delete`` on, and brought to
:data:`SCHEMA_VERSION` by the statements in ``_MIGRATIONS`` (one tuple per version, applied
in order inside the caller's write transaction and recorded in ``schema_version``).
Times are stored as UTC text (:func:`timestamp`) and scores as finite floats.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import secrets
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path

from bot.config import private_directory

__all__ = [
    "SCHEMA_VERSION",
    "SECRET_FILENAME",
    "StoreError",
    "connect",
    "finite_score",
    "prepare",
    "private_directory",
    "timestamp",
    "upper_bound",
    "utc",
]

logger = logging.getLogger(__name__)

SECRET_FILENAME = "secret.key"
"""File next to the log holding the generated HMAC secret when none is configured."""
SCHEMA_VERSION = 4
KEY_CHECK = b"samverkansboten user-key check"
"""HMAC'd with the user-key secret and kept in the log, to notice a different secret later."""

_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            asked_at TEXT NOT NULL,
            user_key TEXT NOT NULL,
            chat_type TEXT NOT NULL,
            language TEXT NOT NULL,
            question TEXT NOT NULL,
            redacted TEXT NOT NULL DEFAULT '',
            personal INTEGER NOT NULL DEFAULT 0,
            answered INTEGER NOT NULL,
            index_version TEXT NOT NULL
        )""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        "CREATE INDEX questions_user_key ON questions (user_key)",
        """CREATE TABLE citations (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            passage_id TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (question_id, rank)
        )""",
        """CREATE TABLE feedback (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            user_key TEXT NOT NULL,
            value INTEGER NOT NULL CHECK (value IN (-1, 1)),
            given_at TEXT NOT NULL,
            PRIMARY KEY (question_id, user_key)
        )""",
        "CREATE INDEX feedback_user_key ON feedback (user_key)",
    ),
    2: ("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",),
    # 3: how far each answer covered its question, and the question's words it left out.
    # Version-1 rows learn their coverage from ``answered``; they have no missing words.
    3: (
        "ALTER TABLE questions ADD COLUMN coverage TEXT",
        "UPDATE questions SET coverage = CASE WHEN answered THEN 'full' ELSE 'none' END",
        """CREATE TABLE missing_words (
            question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            word TEXT NOT NULL,
            PRIMARY KEY (question_id, rank)
        )""",
    ),
    4: (
        # What a 👎 voter wrote about what was missing (redacted), kept with the vote.
        "ALTER TABLE feedback ADD COLUMN comment TEXT NOT NULL DEFAULT ''",
        # /lang choices of users ("u:<user key>") and groups ("c:<chat key>").
        """CREATE TABLE preferences (
            subject TEXT PRIMARY KEY,
            language TEXT NOT NULL,
            set_at TEXT NOT NULL
        )""",
    ),
}

Write = Callable[[], AbstractContextManager[sqlite3.Connection]]
"""Open one write transaction (``QuestionLog._write``) and yield the connection."""


class StoreError(Exception):
    """The question log cannot be opened, read or changed."""


def connect(
    path: Path, *, secret: str, busy_timeout: float, create: bool = True
) -> tuple[sqlite3.Connection, bytes]:
    """Create the directory, the secret and the file as needed, and connect to the file.

    Args:
        path: The SQLite file.
        secret: HMAC secret for user keys; when empty, the one in ``secret.key`` next to the
            log is used (generated on first use).
        busy_timeout: Seconds a write waits for a lock before giving up.
        create: False to open only an existing log with an existing secret, creating nothing.

    Returns:
        The connection (autocommit, usable from any thread) and the secret as bytes.

    Raises:
        StoreError: When the directory, the secret or the database cannot be set up, or,
            with ``create=False``, when the log or its secret does not exist.
    """
    if not create:
        if not path.is_file():
            raise StoreError(f"{path}: no question log here (is --data the bot's data folder?)")
        if not secret and not (path.parent / SECRET_FILENAME).is_file():
            raise StoreError(
                f"{path.parent / SECRET_FILENAME}: no user-key secret; set BOT_HMAC_SECRET "
                "to the secret the bot runs with"
            )
    try:
        private_directory(path.parent)
        key = secret.encode("utf-8") if secret else _load_or_create_secret(path.parent)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        connection = sqlite3.connect(
            str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open the question log ({exc})") from exc
    return connection, key


def prepare(
    connection: sqlite3.Connection,
    path: Path,
    busy_timeout: float,
    write: Write,
    key: bytes = b"",
    strict: bool = False,
) -> None:
    """Set the pragmas, migrate the schema and check the secret; close the connection on failure.

    The first secret that opens a log is remembered (as an HMAC of :data:`KEY_CHECK`). A later
    different secret would make every user key differ: with ``strict`` that is an error,
    otherwise a warning.

    Raises:
        StoreError: When the database cannot be prepared, has a newer schema than this code,
            or (``strict``) was written with another secret.
    """
    try:
        _configure(connection, path, busy_timeout)
        _migrate(write, path)
        if key:
            _check_key(write, path, key, strict)
    except StoreError:
        connection.close()
        raise
    except (OSError, sqlite3.Error) as exc:
        connection.close()
        raise StoreError(f"{path}: cannot prepare the question log ({exc})") from exc


def _configure(connection: sqlite3.Connection, path: Path, busy_timeout: float) -> None:
    connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        logger.warning("%s: WAL mode unavailable, using %s", path, mode)
    # FULL syncs the WAL at every commit: a committed question survives a power cut.
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA secure_delete = ON")


def _migrate(write: Write, path: Path) -> None:
    with write() as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        current = row[0] or 0
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: schema version {current} is newer than {SCHEMA_VERSION}; update the bot"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for statement in _MIGRATIONS[version]:
                connection.execute(statement)
            connection.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))


def _check_key(write: Write, path: Path, key: bytes, strict: bool) -> None:
    check = hmac.new(key, KEY_CHECK, hashlib.sha256).hexdigest()
    with write() as connection:
        row = connection.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
        if row is None:
            connection.execute("INSERT INTO meta (name, value) VALUES ('key_check', ?)", (check,))
            return
    if hmac.compare_digest(row[0], check):
        return
    message = (
        f"{path}: the user-key secret differs from the one this log was written with "
        "(BOT_HMAC_SECRET or secret.key), so stored users cannot be found"
    )
    if strict:
        raise StoreError(message)
    logger.error("%s; new questions get keys that do not match the old ones", message)


def _load_or_create_secret(directory: Path) -> bytes:
    """Read ``secret.key`` from ``directory``, creating it (mode 0600) on first use."""
    path = directory / SECRET_FILENAME
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if secret:
            return secret.encode("ascii")
        # An empty file means a crash between creating and writing it: no key was used yet.
        descriptor = os.open(path, os.O_WRONLY | os.O_TRUNC)
    secret = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    logger.info("Generated a new user-key secret in %s", path)
    return secret.encode("ascii")


# ---------------------------------------------------------------------- stored values


def utc(moment: datetime | None) -> datetime:
    """Return ``moment`` in UTC (naive times count as UTC), or now."""
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def upper_bound(moment: datetime | None) -> str:
    """Upper bound for a time range; None means no bound."""
    return "9999-12-31 23:59:59" if moment is None else timestamp(moment)


def finite_score(score: float) -> float:
    """Return ``score`` as a finite float (0.0 for NaN or infinity)."""
    value = float(score)
    return value if math.isfinite(value) else 0.0


def timestamp(moment: datetime | None) -> str:
    """Format a time as sortable UTC text, ``YYYY-MM-DD HH:MM:SS``."""
    return utc(moment).strftime("%Y-%m-%d %H:%M:%S")
