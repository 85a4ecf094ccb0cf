"""The gap report: counts per day, answered rate, grouped unanswered questions, 👎 answers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.store.log import QuestionLog
from bot.store.report import (
    DayStats,
    DislikedAnswer,
    Gap,
    PeriodStats,
    Report,
    build_report,
    format_report,
    normalise_question,
)

USER = 1001
VOTER = 2002


def ask(
    log: QuestionLog,
    question: str,
    when: datetime,
    *,
    answered: bool = False,
    results: tuple[tuple[str, float], ...] = (),
    language: str = "sv",
) -> int:
    question_id = log.record_question(
        user_id=USER,
        chat_type="private",
        language=language,
        question=question,
        answered=answered,
        results=results,
        index_version="v1",
        now=when,
    )
    assert question_id is not None
    return question_id


def nearest(question: str) -> tuple[str, float] | None:
    return None if "nothing" in question else ("guide-iop#2", 0.75)


@pytest.fixture
def filled(log: QuestionLog, now: datetime) -> QuestionLog:
    """Ten questions over three days of the last week, plus one too old for the report."""
    today, yesterday, last_week = now, now - timedelta(days=1), now - timedelta(days=6)
    ask(log, "Vad är IOP?", today)
    ask(log, "vad är IOP", today - timedelta(hours=1))
    ask(log, "IOP – vad är?", last_week, language="da")
    ask(log, "Hur söker man bidrag?", yesterday)
    ask(log, "Mitt personnummer är 850709-1234", yesterday)
    good = ask(log, "Vad är ett partnerskap?", today, answered=True, results=(("p#1", 4.0),))
    bad = ask(
        log,
        "Vem äger idén?",
        yesterday,
        answered=True,
        results=(("guide-iop#3", 2.5), ("art-x#1", 1.0)),
    )
    ask(log, "Hur länge gäller avtalet?", last_week, answered=True, results=(("a#1", 1.0),))
    ask(log, "Vad betyder LOU?", last_week, answered=True, results=(("lou#1", 3.0),))
    unanswered_disliked = ask(log, "Ring nothing", today)
    ask(log, "Vad är IOP?", now - timedelta(days=30))
    log.record_feedback(good, user_id=VOTER, value=1)
    log.record_feedback(bad, user_id=VOTER, value=-1)
    log.record_feedback(bad, user_id=USER, value=-1)
    log.record_feedback(unanswered_disliked, user_id=VOTER, value=-1)
    return log


def test_normalised_form_ignores_case_punctuation_spacing_and_word_order() -> None:
    assert normalise_question("  Vad är IOP?") == "iop vad är"
    assert normalise_question("IOP – vad   är!!") == "iop vad är"
    assert normalise_question("ÄR VAD iop") == "iop vad är"
    assert normalise_question("?! 👍") == ""


def test_report_counts_questions_per_day_and_answered_rate(
    filled: QuestionLog, now: datetime
) -> None:
    report = build_report(filled, days=7, now=now)

    assert report.start == (now - timedelta(days=6)).date()
    assert report.end == now.date()
    assert len(report.days) == 7
    assert report.days[0] == DayStats((now - timedelta(days=6)).date(), 3, 2)
    assert report.days[-2] == DayStats((now - timedelta(days=1)).date(), 3, 1)
    assert report.days[-1] == DayStats(now.date(), 4, 1)
    assert [day.questions for day in report.days[1:-2]] == [0, 0, 0, 0]
    assert (report.questions, report.answered, report.personal_cases) == (10, 4, 1)
    assert report.answered_rate == 0.4
    assert (report.thumbs_up, report.thumbs_down) == (1, 3)


def test_unanswered_questions_are_grouped_with_their_nearest_passage(
    filled: QuestionLog, now: datetime
) -> None:
    report = build_report(filled, days=7, now=now, nearest=nearest)

    assert report.gaps[0] == Gap(
        question="Vad är IOP?",
        count=3,
        key="iop vad är",
        languages=("da", "sv"),
        last_asked=now,
        nearest=("guide-iop#2", 0.75),
    )
    assert [gap.question for gap in report.gaps[1:]] == ["Ring nothing", "Hur söker man bidrag?"]
    assert report.gaps[1].nearest is None
    assert all("[personnummer]" not in gap.question for gap in report.gaps)


def test_gaps_and_disliked_answers_are_cut_to_top(filled: QuestionLog, now: datetime) -> None:
    report = build_report(filled, days=7, now=now, top=1)

    assert [gap.count for gap in report.gaps] == [3]
    assert len(report.disliked) == 1


def test_disliked_answers_show_question_cited_passages_and_votes(
    filled: QuestionLog, now: datetime
) -> None:
    report = build_report(filled, days=7, now=now, nearest=nearest)

    first, second = report.disliked
    assert first == DislikedAnswer(
        question_id=first.question_id,
        question="Vem äger idén?",
        asked_at=now - timedelta(days=1),
        answered=True,
        down=2,
        up=0,
        passages=(("guide-iop#3", 2.5), ("art-x#1", 1.0)),
        nearest=None,
    )
    assert (second.question, second.passages, second.nearest) == ("Ring nothing", (), None)


def test_report_without_nearest_callback_leaves_nearest_empty(
    filled: QuestionLog, now: datetime
) -> None:
    report = build_report(filled, days=7, now=now)

    assert all(gap.nearest is None for gap in report.gaps)


def test_report_period_excludes_older_questions(filled: QuestionLog, now: datetime) -> None:
    assert build_report(filled, days=31, now=now).questions == 11


def test_empty_log_gives_an_empty_report(log: QuestionLog, now: datetime) -> None:
    report = build_report(log, days=3, now=now)

    assert report == Report(
        start=(now - timedelta(days=2)).date(),
        end=now.date(),
        days=tuple(DayStats((now - timedelta(days=offset)).date(), 0, 0) for offset in (2, 1, 0)),
        questions=0,
        answered=0,
        personal_cases=0,
        thumbs_up=0,
        thumbs_down=0,
        gaps=(),
        disliked=(),
        period="day",
        periods=tuple(
            PeriodStats(day, day.isoformat())
            for day in ((now - timedelta(days=offset)).date() for offset in (2, 1, 0))
        ),
        missing_words=(),
    )
    assert report.answered_rate is None
    assert format_report(report, "en").endswith("No questions in this period.")


@pytest.mark.parametrize(("days", "top"), [(0, 10), (7, 0)])
def test_report_rejects_empty_periods_and_lists(log: QuestionLog, days: int, top: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        build_report(log, days=days, top=top)


def test_swedish_text_report_lists_everything_an_editor_needs(
    filled: QuestionLog, now: datetime
) -> None:
    text = format_report(build_report(filled, days=7, now=now, nearest=nearest), "sv")

    assert "Frågor: 10 · besvarade: 4 (40 %) · personärenden med personnummer: 1" in text
    assert "Återkoppling: 👍 1 · 👎 3" in text
    today = now.date().isoformat()
    assert f"{today}: 4 frågor: 1 besvarade, 0 delvis, 2 ej täckta, 1 👎" in text
    assert f"{(now - timedelta(days=3)).date().isoformat()}:" not in text
    assert '1. 3 × "Vad är IOP?" [da, sv]' in text
    assert "närmaste passage: guide-iop#2 (0.75)" in text
    assert '1. 👎 2 · 👍 0: "Vem äger idén?"' in text
    assert "citerade passager: guide-iop#3 (2.50), art-x#1 (1.00)" in text
    assert "ingen närliggande passage" in text
    assert "850709" not in text


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("da", ("Spørgsmål: 10 · besvaret: 4 (40 %)", "Hyppigste ubesvarede", "Svar med 👎")),
        ("en", ("Questions: 10 · answered: 4 (40%)", "Most frequent unanswered", "cited")),
        ("xx", ("Frågor: 10", "Vanligaste obesvarade frågor", "Svar med 👎")),
    ],
)
def test_text_report_speaks_the_requested_language(
    filled: QuestionLog, now: datetime, language: str, phrases: tuple[str, ...]
) -> None:
    text = format_report(build_report(filled, days=7, now=now), language)

    for phrase in phrases:
        assert phrase in text


def test_text_report_marks_empty_sections(log: QuestionLog, now: datetime) -> None:
    ask(log, "Vad är IOP?", now, answered=True, results=(("guide-iop#1", 2.0),))

    text = format_report(build_report(log, days=1, now=now), "sv")

    assert text.count("(inga)") == 3
