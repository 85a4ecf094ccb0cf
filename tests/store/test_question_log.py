"""The private question log: schema, pseudonymous keys, redaction, feedback, retention, faults."""

from __future__ import annotations

import logging
import sqlite3
import stat
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.store.log import SCHEMA_VERSION, SECRET_FILENAME, QuestionLog, StoreError

SECRET = "test-secret"  # the same as the ``log`` fixture's
USER = 987654321987
OTHER = 555000111222


def stored_bytes(path: Path) -> bytes:
    """Everything SQLite keeps on disk for ``path``: the main file plus the WAL, if any."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def ask(
    log: QuestionLog,
    question: str = "Vad är IOP?",
    *,
    user_id: int = USER,
    answered: bool = True,
    results: tuple[tuple[str, float], ...] = (("guide-iop#1", 3.5), ("guide-iop#4", 1.25)),
    now: datetime | None = None,
) -> int | None:
    return log.record_question(
        user_id=user_id,
        chat_type="private",
        language="sv",
        question=question,
        answered=answered,
        results=results,
        index_version="v1-abc",
        now=now,
    )


def rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


EVERY_VERSION = [(version,) for version in range(1, SCHEMA_VERSION + 1)]
"""Each migration is recorded once, in order."""


# Opening --------------------------------------------------------------------------------------


def test_open_creates_private_folder_file_wal_and_schema_version(db_path: Path) -> None:
    QuestionLog.open(db_path, secret=SECRET).close()

    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(db_path, "SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]


def test_reopening_keeps_rows_and_does_not_migrate_twice(db_path: Path, now: datetime) -> None:
    with QuestionLog.open(db_path, secret=SECRET) as log:
        ask(log, now=now)

    with QuestionLog.open(db_path, secret=SECRET) as log:
        assert log.count_questions() == 1
    assert rows(db_path, "SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]


def test_newer_schema_is_refused(db_path: Path) -> None:
    QuestionLog.open(db_path, secret=SECRET).close()
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("INSERT INTO schema_version VALUES (99)")
    connection.close()

    with pytest.raises(StoreError, match="schema version 99"):
        QuestionLog.open(db_path, secret=SECRET)


def test_retention_below_one_day_is_rejected(db_path: Path) -> None:
    with pytest.raises(ValueError, match="retention_days"):
        QuestionLog.open(db_path, secret=SECRET, retention_days=0)


def test_unusable_data_folder_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(StoreError, match="cannot open"):
        QuestionLog.open(blocker / "questions.sqlite3", secret=SECRET)


# Pseudonymous user keys -----------------------------------------------------------------------


def test_user_key_is_hex_stable_and_hides_the_id(db_path: Path) -> None:
    with QuestionLog.open(db_path, secret=SECRET) as log:
        first = log.user_key(USER)
        assert log.user_key(USER) == first
        assert log.user_key(OTHER) != first
    with QuestionLog.open(db_path, secret=SECRET) as log:
        assert log.user_key(USER) == first

    assert len(first) == 32
    assert int(first, 16) >= 0
    assert str(USER) not in first


def test_user_key_depends_on_the_secret(tmp_path: Path) -> None:
    with QuestionLog.open(tmp_path / "a" / "q.sqlite3", secret="one") as log:
        one = log.user_key(USER)
    with QuestionLog.open(tmp_path / "b" / "q.sqlite3", secret="two") as log:
        two = log.user_key(USER)

    assert one != two


def test_missing_secret_is_generated_once_private_and_reused(db_path: Path) -> None:
    with QuestionLog.open(db_path, secret="") as log:
        first = log.user_key(USER)
    secret_file = db_path.parent / SECRET_FILENAME
    generated = secret_file.read_text()

    with QuestionLog.open(db_path, secret="") as log:
        assert log.user_key(USER) == first
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(generated.strip()) == 64
    assert secret_file.read_text() == generated


def test_configured_secret_writes_no_secret_file(db_path: Path) -> None:
    QuestionLog.open(db_path, secret=SECRET).close()

    assert not (db_path.parent / SECRET_FILENAME).exists()


# Recording questions ----------------------------------------------------------------------------


def test_question_is_stored_with_its_citations(
    log: QuestionLog, db_path: Path, now: datetime
) -> None:
    question_id = ask(log, now=now)

    assert question_id == 1
    assert rows(
        db_path,
        "SELECT asked_at, user_key, chat_type, language, question, answered, index_version"
        " FROM questions",
    ) == [
        (
            now.strftime("%Y-%m-%d %H:%M:%S"),
            log.user_key(USER),
            "private",
            "sv",
            "Vad är IOP?",
            1,
            "v1-abc",
        )
    ]
    assert rows(db_path, "SELECT rank, passage_id, score FROM citations") == [
        (1, "guide-iop#1", 3.5),
        (2, "guide-iop#4", 1.25),
    ]


def test_personal_data_never_reaches_the_database_files(log: QuestionLog, db_path: Path) -> None:
    question = (
        "Jag har personnummer 19850709-1234 och cpr 150399-4321, "
        "mejla kalle.anka@ankeborg.se eller ring 070-765 43 21"
    )

    question_id = ask(log, question, answered=False, results=())

    stored = rows(db_path, "SELECT question, redacted, personal FROM questions")
    assert stored == [
        (
            "Jag har personnummer [personnummer] och cpr [cpr], "
            "mejla [e-post] eller ring [telefon]",
            "email,personnummer,cpr,phone",
            1,
        )
    ]
    assert question_id is not None
    on_disk = stored_bytes(db_path)
    for secret in ("19850709", "150399", "kalle.anka", "765 43 21", str(USER)):
        assert secret.encode() not in on_disk
    log.close()
    on_disk = stored_bytes(db_path)
    for secret in ("19850709", "150399", "kalle.anka", "765 43 21", str(USER)):
        assert secret.encode() not in on_disk


def test_question_ids_are_never_reused(log: QuestionLog, now: datetime) -> None:
    first = ask(log, now=now - timedelta(days=200))
    log.purge_expired(now=now)

    assert ask(log, now=now) == (first or 0) + 1


def test_odd_scores_and_ids_do_not_stop_the_answer(log: QuestionLog, db_path: Path) -> None:
    question_id = ask(log, results=(("a#1", float("nan")), ("b#2", float("inf")), ("c#3", 2)))

    assert question_id is not None
    assert rows(db_path, "SELECT passage_id, score FROM citations") == [
        ("a#1", 0.0),
        ("b#2", 0.0),
        ("c#3", 2.0),
    ]


def test_malformed_arguments_are_logged_not_raised(
    log: QuestionLog, caplog: pytest.LogCaptureFixture
) -> None:
    assert ask(log, results=(("a#1", "not a number"),)) is None  # type: ignore[arg-type]
    assert "Question not logged" in caplog.text
    assert log.count_questions() == 0


def test_concurrent_writers_all_get_distinct_ids(log: QuestionLog) -> None:
    ids: list[int | None] = []

    def write() -> None:
        for _ in range(25):
            ids.append(ask(log))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert None not in ids
    assert len(set(ids)) == 100
    assert log.count_questions() == 100


# Feedback ---------------------------------------------------------------------------------------


def test_later_vote_replaces_the_earlier_one(log: QuestionLog, db_path: Path) -> None:
    question_id = ask(log)
    assert question_id is not None

    assert log.record_feedback(question_id, user_id=USER, value=1)
    assert log.record_feedback(question_id, user_id=USER, value=-1)

    assert rows(db_path, "SELECT question_id, user_key, value FROM feedback") == [
        (question_id, log.user_key(USER), -1)
    ]


def test_each_user_has_one_vote(log: QuestionLog, db_path: Path) -> None:
    question_id = ask(log)
    assert question_id is not None

    log.record_feedback(question_id, user_id=USER, value=1)
    log.record_feedback(question_id, user_id=OTHER, value=-1)

    assert rows(db_path, "SELECT value FROM feedback ORDER BY value") == [(-1,), (1,)]


@pytest.mark.parametrize("value", [0, 2, -2])
def test_votes_other_than_plus_or_minus_one_are_ignored(log: QuestionLog, value: int) -> None:
    question_id = ask(log)
    assert question_id is not None

    assert not log.record_feedback(question_id, user_id=USER, value=value)


def test_vote_on_unknown_question_is_ignored(log: QuestionLog, db_path: Path) -> None:
    assert not log.record_feedback(4711, user_id=USER, value=1)
    assert rows(db_path, "SELECT count(*) FROM feedback") == [(0,)]


# Retention and forgetting ------------------------------------------------------------------


def test_purge_deletes_old_questions_with_citations_and_votes(
    log: QuestionLog, db_path: Path, now: datetime
) -> None:
    old = ask(log, "gammal fråga", now=now - timedelta(days=91))
    kept = ask(log, "ny fråga", now=now - timedelta(days=89))
    assert old is not None
    assert kept is not None
    log.record_feedback(old, user_id=OTHER, value=-1)
    log.record_feedback(kept, user_id=OTHER, value=1)

    assert log.purge_expired(now=now) == 1

    assert rows(db_path, "SELECT question FROM questions") == [("ny fråga",)]
    assert rows(db_path, "SELECT DISTINCT question_id FROM citations") == [(kept,)]
    assert rows(db_path, "SELECT question_id FROM feedback") == [(kept,)]


def test_open_purges_rows_past_retention(db_path: Path, now: datetime) -> None:
    with QuestionLog.open(db_path, secret=SECRET, retention_days=30) as log:
        ask(log, now=now - timedelta(days=31))
        ask(log, now=now - timedelta(days=1))

    with QuestionLog.open(db_path, secret=SECRET, retention_days=30) as log:
        assert log.count_questions() == 1


def test_forget_user_deletes_their_questions_and_votes_only(
    log: QuestionLog, db_path: Path
) -> None:
    mine = ask(log, "zebrafråga om samverkan", user_id=USER)
    theirs = ask(log, "annan fråga", user_id=OTHER)
    assert mine is not None
    assert theirs is not None
    log.record_feedback(mine, user_id=OTHER, value=1)
    log.record_feedback(theirs, user_id=USER, value=-1)
    log.record_feedback(theirs, user_id=OTHER, value=1)

    assert log.forget_user(USER) == 2  # one question, one vote on someone else's answer

    assert rows(db_path, "SELECT question FROM questions") == [("annan fråga",)]
    assert rows(db_path, "SELECT question_id, value FROM feedback") == [(theirs, 1)]
    assert rows(db_path, "SELECT DISTINCT question_id FROM citations") == [(theirs,)]
    assert "zebrafråga".encode() not in stored_bytes(db_path)


def test_forget_unknown_user_deletes_nothing(log: QuestionLog) -> None:
    ask(log)

    assert log.forget_user(OTHER) == 0
    assert log.count_questions() == 1


# Faults: locked database, full disk, closed log -------------------------------------------


def test_locked_database_loses_the_write_but_not_earlier_rows(
    log: QuestionLog, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = ask(log, "första")
    assert first is not None
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.ERROR, logger="bot.store.log"):
            assert ask(log, "andra") is None
            assert not log.record_feedback(first, user_id=USER, value=1)
            assert log.purge_expired() == 0
            with pytest.raises(StoreError, match="cannot delete"):
                log.forget_user(USER)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert "database is locked" in caplog.text
    assert "första" not in caplog.text
    assert rows(db_path, "SELECT question FROM questions") == [("första",)]
    assert ask(log, "tredje") is not None


def test_full_disk_loses_the_write_but_not_earlier_rows(
    log: QuestionLog, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(3):
        ask(log, f"fråga {number}")
    # Simulate a full disk: the connection may not grow the file by a single page.
    connection = log._connection
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")

    with caplog.at_level(logging.ERROR, logger="bot.store.log"):
        assert ask(log, "stor fråga " * 5000) is None

    assert "full" in caplog.text
    assert rows(db_path, "SELECT question FROM questions ORDER BY id") == [
        ("fråga 0",),
        ("fråga 1",),
        ("fråga 2",),
    ]
    assert rows(db_path, "SELECT count(*) FROM citations") == [(6,)]
    connection.execute("PRAGMA max_page_count = 1073741823")
    assert ask(log, "stor fråga " * 5000) is not None


def test_closed_log_neither_records_nor_raises(log: QuestionLog) -> None:
    question_id = ask(log)
    assert question_id is not None
    log.close()

    assert ask(log) is None
    assert not log.record_feedback(question_id, user_id=USER, value=1)
    assert log.purge_expired() == 0
