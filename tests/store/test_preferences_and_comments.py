"""What the Telegram front end keeps besides questions: 👎 notes, /lang choices, personal cases."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.store import build_report, format_report, personal_case
from bot.store.log import QuestionLog
from bot.store.schema import _MIGRATIONS, SCHEMA_VERSION

USER = 987654321987


def ask(log: QuestionLog, now: datetime, user_id: int = USER) -> int:
    question_id = log.record_question(
        user_id=user_id,
        chat_type="private",
        language="sv",
        question="Hur länge får ett reserverat kontrakt löpa?",
        answered=True,
        results=[("guide#1", 2.0)],
        index_version="v1",
        now=now,
    )
    assert question_id is not None
    return question_id


def test_a_comment_is_kept_redacted_with_the_vote_and_shown_in_the_gap_report(
    log: QuestionLog, db_path: Path, now: datetime
):
    question_id = ask(log, now)
    assert not log.record_comment(question_id, user_id=USER, comment="Ingen röst än")
    assert log.record_feedback(question_id, user_id=USER, value=-1, now=now)
    assert log.record_comment(
        question_id, user_id=USER, comment="Avtalstiden  saknas, ring 070-123 45 67", now=now
    )
    assert not log.record_comment(question_id, user_id=USER + 1, comment="Någon annan")
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT value, comment FROM feedback").fetchall() == [
            (-1, "Avtalstiden saknas, ring [telefon]")
        ]
    report = build_report(log, days=1, now=now + timedelta(hours=1))
    (disliked,) = report.disliked
    assert disliked.comments == ("Avtalstiden saknas, ring [telefon]",)
    assert '     saknades: "Avtalstiden saknas, ring [telefon]"' in format_report(report)


def test_language_choices_are_stored_by_pseudonym_and_forgotten_with_the_user(
    log: QuestionLog, db_path: Path, now: datetime
):
    user = log.preference_key(user_id=USER)
    group = log.preference_key(chat_id=-1001234)
    assert user.startswith("u:")
    assert group.startswith("c:")
    assert str(USER) not in user
    log.set_language(user, "da")
    log.set_language(group, "en")
    log.set_language(user, "sv")
    assert log.languages() == {user: "sv", group: "en"}
    question_id = ask(log, now)
    log.record_feedback(question_id, user_id=USER, value=1, now=now)
    assert log.forget_user(USER) == 2
    assert log.languages() == {group: "en"}
    log.set_language(group, None)
    assert log.languages() == {}
    with pytest.raises(ValueError, match="user or a chat"):
        log.preference_key()


def test_a_version_2_log_is_migrated_keeping_its_rows(db_path: Path, now: datetime):
    db_path.parent.mkdir(mode=0o700)
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER)")
        for version in (1, 2):
            for statement in _MIGRATIONS[version]:
                db.execute(statement)
            db.execute("INSERT INTO schema_version VALUES (?)", (version,))
        db.execute(
            "INSERT INTO questions (asked_at, user_key, chat_type, language, question, answered,"
            " index_version) VALUES (?, 'k', 'private', 'sv', 'Gammal fråga', 1, 'v0')",
            (now.strftime("%Y-%m-%d %H:%M:%S"),),
        )
        db.execute("INSERT INTO feedback VALUES (1, 'k', -1, '2026-01-01 00:00:00')")
    log = QuestionLog.open(db_path, secret="s")
    try:
        assert log.count_questions() == 1
        assert log.languages() == {}
    finally:
        log.close()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT max(version) FROM schema_version").fetchone() == (
            SCHEMA_VERSION,
        )
        assert db.execute("SELECT comment FROM feedback").fetchall() == [("",)]


def test_writable_says_why_when_another_process_holds_the_lock(log: QuestionLog, db_path: Path):
    assert log.writable() == ""
    holder = sqlite3.connect(db_path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert log.writable() == f"{db_path}: cannot write (database is locked)"
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.parametrize(
    "question",
    [
        "Min son behöver stödboende, kan ni hjälpa oss att få plats?",
        "Vår dotter har fått avslag på boendestöd, vad gör vi?",
        "Hur går det med mitt ärende hos socialtjänsten?",
        "Min mor har brug for et botilbud, kan I hjælpe os?",
        "Min sagsbehandler svarer ikke",
        "My mother needs home care, can you help us get a place?",
    ],
)
def test_personal_cases_told_in_words_are_recognised(question: str):
    assert personal_case(question)


@pytest.mark.parametrize(
    "question",
    [
        "Vi behöver hjälp att starta ett IOP med kommunen",
        "Min mamma jobbar i en förening som vill starta ett IOP",
        "Vad är LSS och hur hänger det ihop med IOP?",
        "Hvordan søger vi § 18-midler til vores forening?",
        "Our organisation needs help with reserved contracts",
        "Får kommunen reservera en upphandling för idéburna organisationer?",
    ],
)
def test_questions_about_the_topics_are_no_personal_cases(question: str):
    assert not personal_case(question)
