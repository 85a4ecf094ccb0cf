"""The gap report as a PNG: drawn from a seeded question log, checked by decoding it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from bot.store.chart import HEIGHT_PX, WIDTH_PX, render_png
from bot.store.log import LOG_FILENAME, QuestionLog
from bot.store.report import Report, build_report
from tests.store.pictures import decoded_shape, png_size
from tests.store.seeded_log import DAYS, seed

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def today() -> datetime:
    return datetime.combine(datetime.now(timezone.utc).date(), time(12), tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def seeded_log(tmp_path_factory: pytest.TempPathFactory, today: datetime) -> Iterator[QuestionLog]:
    """The seeded log, filled once for the module (a few hundred committed writes)."""
    log = QuestionLog.open(tmp_path_factory.mktemp("seeded") / LOG_FILENAME, secret="s")
    assert seed(log, today) > 200
    yield log
    log.close()


@pytest.fixture(scope="module")
def seeded(seeded_log: QuestionLog, today: datetime) -> Report:
    return build_report(seeded_log, days=DAYS, now=today)


def test_the_seeded_report_has_every_outcome_and_missing_words(seeded: Report) -> None:
    periods = seeded.periods
    assert len(periods) == DAYS
    assert sum(stats.questions for stats in periods) == seeded.questions
    for outcome in ("answered", "partial", "not_covered", "disliked"):
        assert sum(getattr(stats, outcome) for stats in periods) > 0, outcome
    assert seeded.missing_words[0].word == "momsfritagelse"
    assert [word.count for word in seeded.missing_words] == sorted(
        (word.count for word in seeded.missing_words), reverse=True
    )


def test_the_picture_is_a_png_of_the_promised_size_that_decodes(seeded: Report) -> None:
    data = render_png(seeded, "sv")

    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1000, 750)
    assert 20_000 < len(data) < 400_000
    assert decoded_shape(data) == (HEIGHT_PX, WIDTH_PX, 4)


@pytest.mark.parametrize("language", ["sv", "da", "en", "xx"])
def test_the_picture_is_drawn_in_every_language(seeded: Report, language: str) -> None:
    assert png_size(render_png(seeded, language)) == (WIDTH_PX, HEIGHT_PX)


def test_an_empty_period_still_gives_a_picture(log: QuestionLog, now: datetime) -> None:
    data = render_png(build_report(log, days=7, now=now), "en")

    assert decoded_shape(data) == (HEIGHT_PX, WIDTH_PX, 4)


def test_a_long_period_is_drawn_per_week(seeded_log: QuestionLog, today: datetime) -> None:
    report = build_report(seeded_log, days=120, now=today)

    assert report.period == "week"
    assert png_size(render_png(report, "da")) == (WIDTH_PX, HEIGHT_PX)


def test_odd_words_from_users_are_drawn_without_warnings(log: QuestionLog, now: datetime) -> None:
    odd = ("🦄", "<b>&amp;</b>", "x" * 300, "漢字")
    for word in odd:
        log.record_question(
            user_id=1,
            chat_type="private",
            language="sv",
            question=f"Vad är {word}?",
            answered=False,
            results=(),
            index_version="v2",
            now=now - timedelta(hours=1),
            coverage="none",
            missing=(word,),
        )
    report = build_report(log, days=1, now=now)
    assert len(report.missing_words) == len(odd)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        data = render_png(report, "sv")

    assert png_size(data) == (WIDTH_PX, HEIGHT_PX)


def test_the_picture_in_the_docs_is_a_stats_picture_the_readme_shows() -> None:
    picture = REPO / "docs" / "stats-example.png"
    readme = (REPO / "README.md").read_text(encoding="utf-8")

    assert png_size(picture.read_bytes()) == (WIDTH_PX, HEIGHT_PX)
    assert "docs/stats-example.png" in readme
