"""Fixtures for the question log, redaction and gap report tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timezone
from pathlib import Path

import pytest

from bot.store.log import LOG_FILENAME, QuestionLog

SECRET = "test-secret"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the log file goes, inside a data folder that does not exist yet."""
    return tmp_path / "data" / LOG_FILENAME


@pytest.fixture
def log(db_path: Path) -> Iterator[QuestionLog]:
    """An open question log that gives up on a lock after 0.1 s."""
    opened = QuestionLog.open(db_path, secret=SECRET, busy_timeout=0.1)
    yield opened
    opened.close()


@pytest.fixture
def now() -> datetime:
    """Noon UTC today: recent enough to survive the purge at open, far from midnight."""
    return datetime.combine(datetime.now(timezone.utc).date(), time(12), tzinfo=timezone.utc)
