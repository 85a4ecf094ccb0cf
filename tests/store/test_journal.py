"""The update journal: durable receipt, done marks, replay at start-up, nothing personal kept."""

from __future__ import annotations

import json
import sqlite3
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.store import JOURNAL_FILENAME, StoreError, UpdateJournal
from bot.store.journal import MAX_ATTEMPTS, replayable


def message(update_id: int, text: str, *, user: int = 1001, **extra: object) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 7,
            "date": 1,
            "chat": {"id": user, "type": "private", "first_name": "Anna", "username": "anna"},
            "from": {
                "id": user,
                "is_bot": False,
                "first_name": "Anna",
                "last_name": "Svensson",
                "username": "anna",
                "language_code": "sv",
            },
            "text": text,
            **extra,
        },
    }


@pytest.fixture
def journal(tmp_path: Path):
    opened = UpdateJournal.open(tmp_path / "data" / JOURNAL_FILENAME, bot="123")
    yield opened
    opened.close()


def test_the_folder_and_file_are_private(journal: UpdateJournal, tmp_path: Path):
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600


def test_recorded_updates_are_pending_until_finished(journal: UpdateJournal):
    assert journal.record([message(1, "Vad är IOP?"), message(2, "Och LOU?")]) == 2
    assert journal.finished(1) is False
    journal.finish(1)
    assert journal.finished(1) is True
    assert [u["update_id"] for u in journal.unfinished()] == [2]
    assert journal.counts() == {"pending": 1, "done": 1, "dropped": 0}


def test_a_redelivered_update_is_recorded_once_and_stays_done(journal: UpdateJournal):
    journal.record([message(1, "Vad är IOP?")])
    journal.finish(1)
    assert journal.record([message(1, "Vad är IOP?")]) == 0
    assert journal.finished(1) is True


def test_pending_updates_survive_a_reopen(tmp_path: Path):
    path = tmp_path / JOURNAL_FILENAME
    first = UpdateJournal.open(path, bot="123")
    first.record([message(5, "Vad är IOP?")])
    # No close: the process dies with the connection open.
    second = UpdateJournal.open(path, bot="123")
    assert [u["update_id"] for u in second.unfinished()] == [5]
    assert UpdateJournal.open(path, bot="999").unfinished() == []  # another bot's ids


def test_an_update_that_keeps_failing_is_dropped_after_max_attempts(journal: UpdateJournal):
    journal.record([message(1, "Vad är IOP?")])
    for _ in range(MAX_ATTEMPTS):
        assert len(journal.unfinished()) == 1
    assert journal.unfinished() == []
    assert journal.counts()["dropped"] == 1


def test_old_pending_updates_are_dropped_not_answered(journal: UpdateJournal):
    past = datetime.now(timezone.utc) - timedelta(days=2)
    journal.record([message(1, "Vad är IOP?")], now=past)
    assert journal.unfinished() == []
    assert journal.counts()["dropped"] == 1


def test_buttons_and_inline_queries_are_kept_as_bare_ids(journal: UpdateJournal):
    inline = {"update_id": 3, "inline_query": {"id": "9", "query": "070-123 45 67"}}
    journal.record([inline])
    with sqlite3.connect(journal.path) as db:
        assert db.execute("SELECT payload FROM updates").fetchall() == [(None,)]
    assert journal.unfinished() == []  # nothing to answer late


def test_finished_updates_leave_no_text_behind(journal: UpdateJournal):
    journal.record([message(1, "Vad är IOP?")])
    journal.finish(1)
    with sqlite3.connect(journal.path) as db:
        assert db.execute("SELECT payload FROM updates").fetchall() == [(None,)]


def test_unwritable_journal_raises_store_error(journal: UpdateJournal):
    journal.close()
    with pytest.raises(StoreError):
        journal.record([message(1, "x")])


def test_personal_data_is_masked_and_entities_follow(journal: UpdateJournal):
    text = "@samverkan_test_bot mitt nr 850709-9805, ring 070-123 45 67 #iop"
    entities = [
        {"type": "mention", "offset": 0, "length": 19},
        {"type": "phone_number", "offset": 30, "length": 13},
        {"type": "hashtag", "offset": 60, "length": 4},
    ]
    kept = replayable(message(1, text, entities=entities))
    stored = kept["message"]
    assert stored["text"] == "@samverkan_test_bot mitt nr [personnummer], ring [telefon] #iop"
    assert [(e["type"], e["offset"]) for e in stored["entities"]] == [
        ("mention", 0),
        ("hashtag", 59),
    ]
    assert stored["text"][59:63] == "#iop"
    assert stored["from"] == {"id": 1001, "is_bot": False, "first_name": "", "language_code": "sv"}
    assert stored["chat"] == {"id": 1001, "type": "private"}
    journal.record([message(1, text, entities=entities)])
    raw = journal.path.read_bytes() + Path(f"{journal.path}-wal").read_bytes()
    for secret in (b"850709", b"070-123", b"Svensson", b"anna"):
        assert secret not in raw


def test_a_quoted_message_keeps_only_its_sender(journal: UpdateJournal):
    reply = {
        "message_id": 3,
        "date": 1,
        "chat": {"id": -5, "type": "group", "title": "Grupp"},
        "from": {"id": 42, "is_bot": True, "first_name": "Bot", "username": "x_bot"},
        "text": "anna@example.org",
    }
    stored = replayable(message(1, "och LOU?", reply_to_message=reply))["message"]
    assert stored["reply_to_message"] == {
        "message_id": 3,
        "date": 1,
        "chat": {"id": -5, "type": "group"},
        "from": {"id": 42, "is_bot": True, "first_name": ""},
    }
    assert json.dumps(stored).find("example.org") == -1
