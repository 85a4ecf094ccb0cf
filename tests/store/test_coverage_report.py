"""Coverage and missing words in the question log, the schema migration, and the report on them."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.store.log import SCHEMA_VERSION, QuestionLog, kept_missing_words
from bot.store.queries import DayOutcome
from bot.store.report import MissingWord, PeriodStats, build_report, format_report

SECRET = "test-secret"
VOTER = 2002


def ask(
    log: QuestionLog,
    question: str,
    when: datetime,
    *,
    coverage: str = "none",
    missing: tuple[str, ...] = (),
    results: tuple[tuple[str, float], ...] = (),
    language: str = "sv",
    user_id: int = 1001,
) -> int:
    question_id = log.record_question(
        user_id=user_id,
        chat_type="private",
        language=language,
        question=question,
        answered=coverage == "full",
        results=results,
        index_version="v2",
        now=when,
        coverage=coverage,
        missing=missing,
    )
    assert question_id is not None
    return question_id


def rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# Recording ------------------------------------------------------------------------------------


def test_coverage_and_missing_words_are_stored_in_order(log: QuestionLog, now: datetime) -> None:
    ask(log, "Gäller momsfritagelse och GDPR?", now, coverage="partial", missing=("GDPR", "moms"))
    ask(log, "Hur söker man momsfritagelse?", now, missing=("momsfritagelse",))

    partial, missing_only = log.missed(now - timedelta(hours=1))[::-1]

    assert (partial.coverage, partial.missing) == ("partial", ("GDPR",))
    assert (missing_only.coverage, missing_only.missing) == ("none", ("momsfritagelse",))


def test_coverage_follows_answered_when_not_given(log: QuestionLog, now: datetime) -> None:
    for answered in (True, False):
        log.record_question(
            user_id=1,
            chat_type="cli",
            language="sv",
            question="Vad är IOP?",
            answered=answered,
            results=(),
            index_version="v2",
            now=now,
        )

    assert log.daily_outcomes(now - timedelta(hours=1)) == [DayOutcome(now.date(), 1, 0, 1, 0)]


def test_an_unknown_coverage_is_not_stored(
    log: QuestionLog, now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    question_id = log.record_question(
        user_id=1,
        chat_type="private",
        language="sv",
        question="Vad är IOP?",
        answered=True,
        results=(),
        index_version="v2",
        now=now,
        coverage="most",
    )

    assert question_id is None
    assert log.count_questions() == 0
    assert "Question not logged: bad arguments" in caplog.text


@pytest.mark.parametrize(
    ("missing", "redacted", "kept"),
    [
        # the digits of a masked phone number never reach the log through the missing words
        (("070", "123", "lönebidrag"), "Ring [telefon] om lönebidrag", ["lönebidrag"]),
        (("anna@example.se", "arvode"), "Skriv till [e-post] om arvode", ["arvode"]),
        (("8507091234",), "Mitt [personnummer] och IOP", []),
        # case and width folded, duplicates and blanks dropped, the typed case kept
        (("GDPR", "gdpr", " ", "Ｍoms"), "Hur hanterar vi gdpr och moms?", ["GDPR", "Moms"]),
        # a word carrying invisible characters is not in the cleaned question: dropped
        (("\u202eevil", "arvode"), "Vad är evil arvode?", ["arvode"]),
        # whole words only: "IOP" is not the "IO" of a longer word
        (("IO", "Horizon Europe"), "Kan IOP få Horizon  Europe?", ["Horizon Europe"]),
    ],
)
def test_only_words_left_in_the_redacted_question_are_kept(
    missing: tuple[str, ...], redacted: str, kept: list[str]
) -> None:
    assert kept_missing_words(missing, redacted) == kept


def test_a_phone_number_in_a_question_leaves_no_digits_in_the_log(
    log: QuestionLog, db_path: Path, now: datetime
) -> None:
    ask(log, "Ring 070-123 45 67 om lönebidrag", now, missing=("070-123", "45", "lönebidrag"))

    assert rows(db_path, "SELECT word FROM missing_words") == [("lönebidrag",)]


def test_forgetting_a_user_and_retention_remove_their_missing_words(
    log: QuestionLog, db_path: Path, now: datetime
) -> None:
    ask(log, "Vad kostar lönebidrag?", now, missing=("lönebidrag",), user_id=5)
    ask(log, "Vad är arvode?", now - timedelta(days=200), missing=("arvode",), user_id=6)
    ask(log, "Gäller GDPR?", now, missing=("GDPR",), user_id=7)

    log.forget_user(5)
    log.purge_expired(now)

    assert rows(db_path, "SELECT word FROM missing_words") == [("GDPR",)]


# Migration ------------------------------------------------------------------------------------

VERSION_1 = (
    """CREATE TABLE questions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, asked_at TEXT NOT NULL, user_key TEXT NOT NULL,
        chat_type TEXT NOT NULL, language TEXT NOT NULL, question TEXT NOT NULL,
        redacted TEXT NOT NULL DEFAULT '', personal INTEGER NOT NULL DEFAULT 0,
        answered INTEGER NOT NULL, index_version TEXT NOT NULL)""",
    "CREATE INDEX questions_asked_at ON questions (asked_at)",
    "CREATE INDEX questions_user_key ON questions (user_key)",
    """CREATE TABLE citations (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        rank INTEGER NOT NULL, passage_id TEXT NOT NULL, score REAL NOT NULL,
        PRIMARY KEY (question_id, rank))""",
    """CREATE TABLE feedback (
        question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
        user_key TEXT NOT NULL, value INTEGER NOT NULL CHECK (value IN (-1, 1)),
        given_at TEXT NOT NULL, PRIMARY KEY (question_id, user_key))""",
    "CREATE INDEX feedback_user_key ON feedback (user_key)",
    "CREATE TABLE schema_version (version INTEGER)",
    "INSERT INTO schema_version (version) VALUES (1)",
)
"""A question log as the first released version wrote it."""


@pytest.fixture
def old_log(db_path: Path, now: datetime) -> Path:
    """A version-1 log with an answered question (👎), an unanswered one and a personal case."""
    db_path.parent.mkdir(mode=0o700)
    asked = now.strftime("%Y-%m-%d %H:%M:%S")
    connection = sqlite3.connect(db_path)
    with connection:
        for statement in VERSION_1:
            connection.execute(statement)
        connection.executemany(
            "INSERT INTO questions (asked_at, user_key, chat_type, language, question,"
            " personal, answered, index_version) VALUES (?, 'k', 'private', 'sv', ?, ?, ?, 'v1')",
            [
                (asked, "Vad är IOP?", 0, 1),
                (asked, "Hur söker man lönebidrag?", 0, 0),
                (asked, "Mitt [personnummer]", 1, 0),
            ],
        )
        connection.execute("INSERT INTO citations VALUES (1, 1, 'guide-iop#1', 3.5)")
        connection.execute("INSERT INTO feedback VALUES (1, 'k', -1, ?)", (asked,))
    connection.close()
    return db_path


def test_an_old_log_opens_migrated_and_keeps_its_rows(old_log: Path, now: datetime) -> None:
    with QuestionLog.open(old_log, secret=SECRET) as log:
        assert log.count_questions() == 3
        assert log.daily_outcomes(now - timedelta(hours=1)) == [
            DayOutcome(now.date(), answered=0, partial=0, not_covered=2, disliked=1)
        ]
        (missed,) = log.missed(now - timedelta(hours=1))
        assert (missed.question, missed.coverage, missed.missing) == (
            "Hur söker man lönebidrag?",
            "none",
            (),
        )
        ask(log, "Vad är arvode?", now, coverage="partial", missing=("arvode",))
        report = build_report(log, days=1, now=now)

    assert rows(old_log, "SELECT version FROM schema_version") == [
        (version,) for version in range(1, SCHEMA_VERSION + 1)
    ]
    assert rows(old_log, "SELECT id, coverage FROM questions ORDER BY id") == [
        (1, "full"),
        (2, "none"),
        (3, "none"),
        (4, "partial"),
    ]
    assert [(word.word, word.count) for word in report.missing_words] == [("arvode", 1)]
    assert report.periods == (PeriodStats(now.date(), now.date().isoformat(), 0, 1, 2, 1),)


def test_a_migrated_log_opens_again_without_migrating(old_log: Path) -> None:
    QuestionLog.open(old_log, secret=SECRET).close()
    QuestionLog.open(old_log, secret=SECRET).close()

    assert rows(old_log, "SELECT count(*) FROM schema_version") == [(SCHEMA_VERSION,)]


# Outcomes per day and week --------------------------------------------------------------------


def test_each_question_counts_once_and_a_thumbs_down_wins(log: QuestionLog, now: datetime) -> None:
    good = ask(log, "Vad är IOP?", now, coverage="full")
    ask(log, "Vad är ett partnerskap?", now, coverage="full")
    partial = ask(log, "Gäller arvode?", now, coverage="partial", missing=("arvode",))
    ask(log, "Vem är du?", now, coverage="none")
    refused = ask(log, "Hur söker man lönebidrag?", now, missing=("lönebidrag",))
    for question_id in (good, partial, refused):
        log.record_feedback(question_id, user_id=VOTER, value=-1)
        log.record_feedback(question_id, user_id=VOTER + 1, value=-1)
    log.record_feedback(partial, user_id=VOTER + 2, value=1)

    (day,) = log.daily_outcomes(now - timedelta(hours=1))

    assert day == DayOutcome(now.date(), answered=1, partial=0, not_covered=1, disliked=3)
    assert day.questions == 5


def test_a_month_is_counted_per_day_and_longer_periods_per_iso_week(
    log: QuestionLog, now: datetime
) -> None:
    for offset in range(40):
        ask(log, "Vad är IOP?", now - timedelta(days=offset), coverage="full")
    ask(log, "Gäller arvode?", now, coverage="partial", missing=("arvode",))

    daily = build_report(log, days=31, now=now)
    weekly = build_report(log, days=40, now=now)

    assert (daily.period, len(daily.periods)) == ("day", 31)
    assert daily.periods[-1] == PeriodStats(now.date(), now.date().isoformat(), 1, 1, 0, 0)
    assert weekly.period == "week"
    assert sum(stats.questions for stats in weekly.periods) == 41
    assert weekly.periods[0].start == weekly.start
    assert all(stats.start.weekday() == 0 for stats in weekly.periods[1:])
    year, week, _ = now.date().isocalendar()
    assert weekly.periods[-1].label == f"{year}-W{week:02d}"
    assert len(weekly.periods) in (6, 7)


def test_week_labels_follow_the_iso_calendar(log: QuestionLog) -> None:
    # 2026-12-28 is a Monday in ISO week 53 of 2026; 2027-01-04 starts week 1 of 2027
    end = datetime(2027, 1, 5, 12, tzinfo=timezone.utc)

    report = build_report(log, days=40, now=end)

    assert [stats.label for stats in report.periods[-2:]] == ["2026-W53", "2027-W01"]
    assert report.periods[-1].start == date(2027, 1, 4)


# Missing words --------------------------------------------------------------------------------


@pytest.fixture
def gaps(log: QuestionLog, now: datetime) -> QuestionLog:
    """Questions missing "momsfritagelse" (3), "Horizon Europe" (2), "GDPR" (1), and noise."""
    earlier = now - timedelta(hours=3)
    ask(
        log,
        "Gælder momsfritagelse?",
        earlier,
        coverage="partial",
        missing=("momsfritagelse",),
        results=(("guide-danmark#3", 6.0),),
        language="da",
    )
    ask(log, "Hvornår gælder Momsfritagelse?", now, missing=("Momsfritagelse",), language="da")
    ask(
        log,
        "Gælder momsfritagelse?",
        now,
        coverage="partial",
        missing=("momsfritagelse",),
        results=(("guide-danmark#3", 7.5),),
        language="da",
    )
    for when in (earlier, now):
        ask(
            log,
            "Can Horizon Europe fund an IOP?",
            when,
            coverage="partial",
            missing=("Horizon", "Europe"),
            results=(("guide-iop#8", 2.0),),
            language="en",
        )
    ask(log, "Gäller GDPR?", earlier, missing=("GDPR",))
    ask(log, "Hej!", now)  # refused, nothing topical: no missing word
    ask(log, "Vad är IOP?", now, coverage="full")
    log.record_question(
        user_id=1,
        chat_type="private",
        language="sv",
        question="Mitt personnummer är 850709-1234, gäller GDPR?",
        answered=False,
        results=(),
        index_version="v2",
        now=now,
        missing=("GDPR",),
    )
    return log


def nearest(question: str) -> tuple[str, float] | None:
    return None if "Horizon" in question else ("guide-danmark#4", 1.5)


def test_missed_questions_are_grouped_by_missing_word_with_the_nearest_passage(
    gaps: QuestionLog, now: datetime
) -> None:
    report = build_report(gaps, days=1, now=now, nearest=nearest)

    assert report.missing_words == (
        MissingWord(
            word="momsfritagelse",
            count=3,
            partial=2,
            not_covered=1,
            example="Gælder momsfritagelse?",
            languages=("da",),
            nearest=("guide-danmark#4", 1.5),
        ),
        MissingWord(
            word="Horizon, Europe",
            count=2,
            partial=2,
            not_covered=0,
            example="Can Horizon Europe fund an IOP?",
            languages=("en",),
            nearest=None,
        ),
        MissingWord(
            word="GDPR",
            count=1,
            partial=0,
            not_covered=1,
            example="Gäller GDPR?",
            languages=("sv",),
            nearest=("guide-danmark#4", 1.5),
        ),
    )


def test_without_a_search_the_passage_shown_most_often_is_the_nearest(
    gaps: QuestionLog, now: datetime
) -> None:
    report = build_report(gaps, days=1, now=now, top=2)

    assert [(word.word, word.nearest) for word in report.missing_words] == [
        ("momsfritagelse", ("guide-danmark#3", 7.5)),
        ("Horizon, Europe", ("guide-iop#8", 2.0)),
    ]


def test_the_text_report_names_the_words_to_write_about(gaps: QuestionLog, now: datetime) -> None:
    swedish = format_report(build_report(gaps, days=1, now=now, nearest=nearest), "sv")
    english = format_report(build_report(gaps, days=1, now=now), "en")

    assert "Ord som dokumenten saknar (från delvis besvarade och obesvarade frågor):" in swedish
    assert (
        '  1. 3 frågor om "momsfritagelse" (2 delvis, 1 ej täckta) [da]'
        " · närmaste passage: guide-danmark#4 (1.50)"
    ) in swedish
    assert '     t.ex.: "Gælder momsfritagelse?"' in swedish
    assert '2. 2 frågor om "Horizon, Europe" (2 delvis, 0 ej täckta) [en]' in swedish
    assert "ingen närliggande passage" in swedish
    assert (
        '  1. 3 questions about "momsfritagelse" (2 partial, 1 not covered) [da]'
        " · nearest passage: guide-danmark#3 (7.50)"
    ) in english
    today = now.date().isoformat()
    assert f"{today}: 9 questions: 1 answered, 4 partial, 4 not covered, 0 👎" in english
    assert "850709" not in swedish + english
