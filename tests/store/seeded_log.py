"""A seeded question log: thirty days of plausible questions, for the report picture tests.

The same seed draws the picture in ``docs/stats-example.png``; to draw it again run, from the
repository root::

    python -m tests.store.seeded_log docs/stats-example.png

which also prints the text report that goes with it (nearest passages from ``knowledge/``).
"""

from __future__ import annotations

import random
import sys
import tempfile
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from bot.store.log import LOG_FILENAME, QuestionLog

DAYS = 30
SEED = 16

ANSWERED = (
    ("sv", "Vad är ett idéburet offentligt partnerskap?", "guide-iop#1"),
    ("sv", "Hur startar en kommun ett IOP?", "guide-iop#12"),
    ("sv", "Vad är reserverade kontrakt?", "guide-reserverade-kontrakt#1"),
    ("sv", "Vilka kriterier gäller för IOP?", "guide-iop#8"),
    ("da", "Hvad er samskabelse?", "guide-danmark#5"),
    ("en", "What is an IOP?", "guide-iop#1"),
)
"""Questions the documents answer: ``(language, question, first passage shown)``."""

GAPS = (
    (
        "da",
        "Gælder momsfritagelse for frivillige foreninger?",
        ("momsfritagelse",),
        "guide-danmark#3",
    ),
    ("da", "Hvornår kan en forening få momsfritagelse?", ("momsfritagelse",), "guide-danmark#3"),
    (
        "sv",
        "Kan en förening få lönebidrag inom ett IOP?",
        ("lönebidrag",),
        "guide-organisationer#1",
    ),
    ("sv", "Vad är telefonnumret till Forum?", ("telefonnumret",), ""),
    ("sv", "Får styrelsen i en ideell förening ta ut arvode?", ("arvode",), "guide-begrepp#3"),
    ("en", "Can an IOP be funded by Horizon Europe?", ("Horizon", "Europe"), "guide-iop#8"),
    (
        "sv",
        "Vilket kollektivavtal gäller för anställda i IOP?",
        ("kollektivavtal",),
        "guide-iop#16",
    ),
    ("sv", "Hur hanterar vi GDPR i ett partnerskap?", ("hanterar", "GDPR"), "guide-begrepp#1"),
)
"""Questions with words the documents lack, as the bundled knowledge answers them:
``(language, question, missing words, first passage shown)``; without a passage the question
is not covered, with one it is partly answered."""

WEIGHTS = (6, 5, 5, 3, 2, 2, 2, 1)
"""How often each gap is asked, relative to the others."""


def seed(log: QuestionLog, now: datetime) -> int:
    """Fill ``log`` with :data:`DAYS` days of questions ending on ``now``'s day.

    Deterministic for a given ``now``: the same questions, outcomes and votes every time.

    Args:
        log: An open, empty question log.
        now: The last day of the period (any time of that UTC day).

    Returns:
        The number of questions stored.
    """
    rng = random.Random(SEED)
    last = datetime.combine(now.astimezone(timezone.utc).date(), time(8), tzinfo=timezone.utc)
    user = 1000
    stored = 0
    for offset in range(DAYS - 1, -1, -1):
        day = last - timedelta(days=offset)
        weekend = day.weekday() >= 5
        for number in range(rng.randint(2, 6) if weekend else rng.randint(8, 22)):
            user += 1
            when = day + timedelta(minutes=17 * number + rng.randint(0, 15))
            draw = rng.random()
            if draw < 0.62:
                language, question, passage = rng.choice(ANSWERED)
                question_id = _ask(log, user, when, language, question, "full", (), passage)
                if rng.random() < 0.08:
                    log.record_feedback(question_id, user_id=user, value=-1, now=when)
                elif rng.random() < 0.3:
                    log.record_feedback(question_id, user_id=user, value=1, now=when)
            elif draw < 0.95:
                language, question, missing, passage = rng.choices(GAPS, weights=WEIGHTS)[0]
                coverage = "partial" if passage else "none"
                question_id = _ask(log, user, when, language, question, coverage, missing, passage)
                if rng.random() < 0.05:
                    log.record_feedback(question_id, user_id=user, value=-1, now=when)
            else:
                _ask(log, user, when, "sv", "Hej!", "none", (), "")
            stored += 1
    return stored


def _ask(
    log: QuestionLog,
    user: int,
    when: datetime,
    language: str,
    question: str,
    coverage: str,
    missing: tuple[str, ...],
    passage: str,
) -> int:
    question_id = log.record_question(
        user_id=user,
        chat_type="private",
        language=language,
        question=question,
        answered=coverage == "full",
        results=((passage, 4.2),) if passage else (),
        index_version="seeded",
        now=when,
        coverage=coverage,
        missing=missing,
    )
    assert question_id is not None
    return question_id


def main(argv: list[str]) -> int:
    """Draw the seeded picture into ``argv[0]`` and print the text report beside it."""
    from bot.service import QAService
    from bot.store.chart import render_png
    from bot.store.report import build_report, format_report

    if len(argv) != 1:
        print("usage: python -m tests.store.seeded_log FILE.png", file=sys.stderr)
        return 2
    now = datetime.now(timezone.utc)
    service = QAService.open(Path(__file__).resolve().parents[2] / "knowledge")
    with tempfile.TemporaryDirectory() as folder:
        log = QuestionLog.open(Path(folder) / LOG_FILENAME, secret="seeded")
        try:
            seed(log, now)
            report = build_report(log, days=DAYS, nearest=service.nearest, now=now)
        finally:
            log.close()
    Path(argv[0]).write_bytes(render_png(report, "sv"))
    print(format_report(report, "sv"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
