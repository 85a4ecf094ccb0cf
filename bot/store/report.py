"""Gap report for knowledge editors: what was asked, what went unanswered, what got 👎.

:func:`build_report` reads the question log into frozen value objects; :func:`format_report`
renders them as plain text for ``python -m bot report`` and (HTML-escaped) for ``/stats``, and
:func:`bot.store.chart.render_png` draws the same figures as a picture. Days are UTC days,
like the timestamps in the log; periods longer than :data:`WEEKLY_AFTER` days are counted per
ISO week.

Partly answered and unanswered questions are grouped by the words the documents lacked
(:class:`MissingWord`), each with the nearest passage, so an editor reads "12 questions about
*momsfritagelse*, nearest passage guide-organisationer#4" and knows what to write next.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from bot.store.log import DayOutcome, LoggedQuestion, MissedQuestion, QuestionLog

Nearest = Callable[[str], tuple[str, float] | None]
"""Callback giving the closest passage ``(passage_id, score)`` for a question, or None."""

WEEKLY_AFTER = 31
"""Periods longer than this many days are counted per ISO week instead of per day."""


@dataclass(frozen=True)
class DayStats:
    """Questions on one UTC day."""

    day: date
    questions: int
    answered: int


@dataclass(frozen=True)
class Gap:
    """A group of unanswered questions that normalise to the same form."""

    question: str
    """The most frequent wording in the group (most recent on a tie)."""
    count: int
    key: str
    """The normalised form the group shares, see :func:`normalise_question`."""
    languages: tuple[str, ...]
    last_asked: datetime
    nearest: tuple[str, float] | None = None
    """Closest passage ``(passage_id, score)`` from the ``nearest`` callback."""


@dataclass(frozen=True)
class DislikedAnswer:
    """An answer that got at least one 👎."""

    question_id: int
    question: str
    asked_at: datetime
    answered: bool
    down: int
    up: int
    passages: tuple[tuple[str, float], ...] = ()
    """The passages the answer cited, ``(passage_id, score)``, best first."""
    nearest: tuple[str, float] | None = None
    """Closest passage from the callback, looked up only when nothing was cited."""
    comments: tuple[str, ...] = ()
    """What the 👎 voters wrote about what was missing (redacted)."""


@dataclass(frozen=True)
class PeriodStats:
    """Questions of one day or ISO week by outcome, as the picture stacks them.

    The four counts add up to the questions: one whose answer got a 👎 counts as
    ``disliked`` only (see :class:`bot.store.queries.DayOutcome`).
    """

    start: date
    """The first day of the period inside the report."""
    label: str
    """``YYYY-MM-DD`` for a day, ``YYYY-Www`` for an ISO week."""
    answered: int = 0
    partial: int = 0
    not_covered: int = 0
    disliked: int = 0

    @property
    def questions(self) -> int:
        """All questions of the period."""
        return self.answered + self.partial + self.not_covered + self.disliked


@dataclass(frozen=True)
class MissingWord:
    """A word the documents lack, with the partly answered and unanswered questions using it."""

    word: str
    """The most frequent typed form (questions are grouped case-insensitively)."""
    count: int
    """Questions that used it; a question with two missing words counts for both."""
    partial: int
    not_covered: int
    example: str
    """The most frequent wording among those questions (the most recent on a tie)."""
    languages: tuple[str, ...]
    nearest: tuple[str, float] | None = None
    """Closest passage ``(passage_id, score)``: from the ``nearest`` callback for the example,
    or without one, the passage the answers showed first most often."""


@dataclass(frozen=True)
class Report:
    """Everything the gap report shows for one period."""

    start: date
    end: date
    days: tuple[DayStats, ...]
    """Every day of the period, oldest first, including days without questions."""
    questions: int
    answered: int
    personal_cases: int
    """Questions refused because they carried a personnummer, samordningsnummer or CPR."""
    thumbs_up: int
    thumbs_down: int
    gaps: tuple[Gap, ...]
    disliked: tuple[DislikedAnswer, ...]
    period: str = "day"
    """How :attr:`periods` count: ``"day"`` or ``"week"``."""
    periods: tuple[PeriodStats, ...] = ()
    """Every day (or week) of the report, oldest first, including empty ones."""
    missing_words: tuple[MissingWord, ...] = ()
    """The most frequent missing words, most questions first."""

    @property
    def answered_rate(self) -> float | None:
        """Share of questions answered (0–1), or None when nothing was asked."""
        return self.answered / self.questions if self.questions else None


def normalise_question(text: str) -> str:
    """Return the grouping key of a question.

    NFKC and casefold, punctuation and symbols turned into spaces, then the words sorted, so
    "Vad är IOP?" and "iop – vad är" fall into one group.

    Args:
        text: A (redacted) question.

    Returns:
        The sorted words joined by single spaces; "" when no word is left.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    spaced = "".join(" " if unicodedata.category(char)[0] in "PSZC" else char for char in folded)
    return " ".join(sorted(spaced.split()))


def build_report(
    log: QuestionLog,
    *,
    days: int = 30,
    nearest: Nearest | None = None,
    now: datetime | None = None,
    top: int = 10,
) -> Report:
    """Collect the gap report for the last ``days`` UTC days, today included.

    Args:
        log: The question log.
        days: Length of the period in days (at least 1).
        nearest: Finds the closest passage for a question, e.g. a search with no threshold.
        now: End of the period; the current time when None.
        top: How many unanswered groups, missing words and 👎 answers to keep.

    Returns:
        The report.

    Raises:
        ValueError: When ``days`` or ``top`` is below 1.
        bot.store.log.StoreError: When the log cannot be read.
    """
    if days < 1 or top < 1:
        raise ValueError(f"days and top must be at least 1, got days={days}, top={top}")
    moment = _utc(now)
    end = moment.date()
    start = end - timedelta(days=days - 1)
    since = datetime.combine(start, time.min, tzinfo=timezone.utc)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=timezone.utc)

    counts = {count.day: count for count in log.daily_counts(since, until)}
    day_stats = tuple(
        DayStats(day, counts[day].questions, counts[day].answered)
        if day in counts
        else DayStats(day, 0, 0)
        for day in (start + timedelta(days=offset) for offset in range(days))
    )
    rated = log.rated(since, until)
    disliked = [
        DislikedAnswer(
            question_id=answer.question.id,
            question=answer.question.question,
            asked_at=answer.question.asked_at,
            answered=answer.question.answered,
            down=answer.down,
            up=answer.up,
            passages=answer.question.passages,
            nearest=(
                None
                if answer.question.passages or nearest is None
                else nearest(answer.question.question)
            ),
            comments=answer.comments,
        )
        for answer in rated
        if answer.down
    ][:top]
    weekly = days > WEEKLY_AFTER
    return Report(
        start=start,
        end=end,
        days=day_stats,
        questions=sum(count.questions for count in counts.values()),
        answered=sum(count.answered for count in counts.values()),
        personal_cases=sum(count.personal for count in counts.values()),
        thumbs_up=sum(answer.up for answer in rated),
        thumbs_down=sum(answer.down for answer in rated),
        gaps=_gaps(log.unanswered(since, until), nearest=nearest, top=top),
        disliked=tuple(disliked),
        period="week" if weekly else "day",
        periods=_periods(start, days, log.daily_outcomes(since, until), weekly=weekly),
        missing_words=_missing_words(log.missed(since, until), nearest=nearest, top=top),
    )


def report_periods(report: Report) -> tuple[PeriodStats, ...]:
    """Return the report's periods; a report built without them gets one per day from ``days``.

    Args:
        report: A report, from :func:`build_report` or built by hand.

    Returns:
        The periods, oldest first.
    """
    if report.periods:
        return report.periods
    return tuple(
        PeriodStats(
            day.day,
            day.day.isoformat(),
            answered=day.answered,
            not_covered=day.questions - day.answered,
        )
        for day in report.days
    )


def format_report(report: Report, language: str = "sv") -> str:
    """Render a report as plain text.

    Args:
        report: From :func:`build_report`.
        language: ``"sv"``, ``"da"`` or ``"en"``; anything else gets Swedish.

    Returns:
        Plain text (escape it before sending with an HTML parse mode).
    """
    words = _WORDS.get(language, _WORDS["sv"])
    period = words["period"].format(
        start=report.start.isoformat(), end=report.end.isoformat(), days=len(report.days)
    )
    lines = [words["title"].format(period=period), ""]
    if not report.questions:
        lines.append(words["no_questions"])
        return "\n".join(lines)

    rate = report.answered_rate or 0.0
    lines.append(
        words["totals"].format(
            questions=report.questions,
            answered=report.answered,
            rate=_percent(rate, language),
            personal=report.personal_cases,
        )
    )
    lines.append(words["feedback"].format(up=report.thumbs_up, down=report.thumbs_down))

    lines += ["", words[f"per_{report.period}"]]
    for stats in report_periods(report):
        if stats.questions:
            lines.append(
                "  "
                + words["period_line"].format(
                    label=stats.label,
                    questions=stats.questions,
                    answered=stats.answered,
                    partial=stats.partial,
                    not_covered=stats.not_covered,
                    disliked=stats.disliked,
                )
            )

    lines += ["", words["missing"]]
    if not report.missing_words:
        lines.append("  " + words["none"])
    for number, missing in enumerate(report.missing_words, start=1):
        counts = words["missing_line"].format(
            count=missing.count,
            word=missing.word,
            partial=missing.partial,
            not_covered=missing.not_covered,
            languages=", ".join(missing.languages),
        )
        nearest_line = _passage_line(missing.nearest, words["nearest"], words["no_nearest"])
        lines.append(f"  {number}. {counts} · {nearest_line}")
        lines.append(f'     {words["example"]}: "{missing.example}"')

    lines += ["", words["gaps"]]
    if not report.gaps:
        lines.append("  " + words["none"])
    for number, gap in enumerate(report.gaps, start=1):
        languages = ", ".join(gap.languages)
        lines.append(f'  {number}. {gap.count} × "{gap.question}" [{languages}]')
        lines.append("     " + _passage_line(gap.nearest, words["nearest"], words["no_nearest"]))

    lines += ["", words["disliked"]]
    if not report.disliked:
        lines.append("  " + words["none"])
    for number, answer in enumerate(report.disliked, start=1):
        lines.append(f'  {number}. 👎 {answer.down} · 👍 {answer.up}: "{answer.question}"')
        if answer.passages:
            cited = ", ".join(f"{pid} ({score:.2f})" for pid, score in answer.passages)
            lines.append(f"     {words['cited']}: {cited}")
        else:
            lines.append(
                "     " + _passage_line(answer.nearest, words["nearest"], words["no_nearest"])
            )
        lines.extend(f'     {words["comment"]}: "{comment}"' for comment in answer.comments)
    return "\n".join(lines)


_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Samverkansboten – rapport {period}",
        "period": "{start} – {end} ({days} dagar, UTC)",
        "no_questions": "Inga frågor under perioden.",
        "totals": "Frågor: {questions} · besvarade: {answered} ({rate})"
        " · personärenden med personnummer: {personal}",
        "feedback": "Återkoppling: 👍 {up} · 👎 {down}",
        "per_day": "Frågor per dag (besvarade · delvis · ej täckta · 👎; en fråga vars svar fick"
        " 👎 räknas bara där):",
        "per_week": "Frågor per vecka (besvarade · delvis · ej täckta · 👎; en fråga vars svar"
        " fick 👎 räknas bara där):",
        "period_line": "{label}: {questions} frågor: {answered} besvarade, {partial} delvis,"
        " {not_covered} ej täckta, {disliked} 👎",
        "gaps": "Vanligaste obesvarade frågor:",
        "missing": "Ord som dokumenten saknar (från delvis besvarade och obesvarade frågor):",
        "missing_line": '{count} frågor om "{word}" ({partial} delvis, {not_covered} ej täckta)'
        " [{languages}]",
        "example": "t.ex.",
        "disliked": "Svar med 👎:",
        "none": "(inga)",
        "nearest": "närmaste passage",
        "no_nearest": "ingen närliggande passage",
        "cited": "citerade passager",
        "comment": "saknades",
    },
    "da": {
        "title": "Samverkansboten – rapport {period}",
        "period": "{start} – {end} ({days} dage, UTC)",
        "no_questions": "Ingen spørgsmål i perioden.",
        "totals": "Spørgsmål: {questions} · besvaret: {answered} ({rate})"
        " · personsager med CPR-nummer: {personal}",
        "feedback": "Feedback: 👍 {up} · 👎 {down}",
        "per_day": "Spørgsmål pr. dag (besvaret · delvis · ikke dækket · 👎; et spørgsmål hvis"
        " svar fik 👎 tælles kun der):",
        "per_week": "Spørgsmål pr. uge (besvaret · delvis · ikke dækket · 👎; et spørgsmål hvis"
        " svar fik 👎 tælles kun der):",
        "period_line": "{label}: {questions} spørgsmål: {answered} besvaret, {partial} delvis,"
        " {not_covered} ikke dækket, {disliked} 👎",
        "gaps": "Hyppigste ubesvarede spørgsmål:",
        "missing": "Ord som dokumenterne mangler (fra delvist besvarede og ubesvarede spørgsmål):",
        "missing_line": '{count} spørgsmål om "{word}" ({partial} delvis, {not_covered} ikke'
        " dækket) [{languages}]",
        "example": "fx",
        "disliked": "Svar med 👎:",
        "none": "(ingen)",
        "nearest": "nærmeste passage",
        "no_nearest": "ingen nærliggende passage",
        "cited": "citerede passager",
        "comment": "manglede",
    },
    "en": {
        "title": "Samverkansboten – report {period}",
        "period": "{start} – {end} ({days} days, UTC)",
        "no_questions": "No questions in this period.",
        "totals": "Questions: {questions} · answered: {answered} ({rate})"
        " · personal cases with an identity number: {personal}",
        "feedback": "Feedback: 👍 {up} · 👎 {down}",
        "per_day": "Questions per day (answered · partial · not covered · 👎; a question whose"
        " answer got a 👎 counts only there):",
        "per_week": "Questions per week (answered · partial · not covered · 👎; a question whose"
        " answer got a 👎 counts only there):",
        "period_line": "{label}: {questions} questions: {answered} answered, {partial} partial,"
        " {not_covered} not covered, {disliked} 👎",
        "gaps": "Most frequent unanswered questions:",
        "missing": "Words the documents lack (from partly answered and unanswered questions):",
        "missing_line": '{count} questions about "{word}" ({partial} partial, {not_covered} not'
        " covered) [{languages}]",
        "example": "e.g.",
        "disliked": "Answers with 👎:",
        "none": "(none)",
        "nearest": "nearest passage",
        "no_nearest": "no nearby passage",
        "cited": "cited passages",
        "comment": "missing",
    },
}


def _gaps(
    questions: list[LoggedQuestion], *, nearest: Nearest | None, top: int
) -> tuple[Gap, ...]:
    """Group unanswered questions (newest first) by normalised form, largest groups first."""
    groups: dict[str, list[LoggedQuestion]] = {}
    for question in questions:
        key = normalise_question(question.question)
        if key:
            groups.setdefault(key, []).append(question)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), -item[1][0].id, item[0]))
    gaps = []
    for key, members in ranked[:top]:
        wordings = Counter(" ".join(member.question.split()) for member in members)
        # Counter keeps first-seen order on ties, and members are newest first.
        wording = wordings.most_common(1)[0][0]
        gaps.append(
            Gap(
                question=wording,
                count=len(members),
                key=key,
                languages=tuple(sorted({member.language for member in members})),
                last_asked=members[0].asked_at,
                nearest=nearest(wording) if nearest is not None else None,
            )
        )
    return tuple(gaps)


def _periods(
    start: date, days: int, outcomes: list[DayOutcome], *, weekly: bool
) -> tuple[PeriodStats, ...]:
    """Sum the daily outcomes into every day (or ISO week) of the report, empty ones too."""
    by_day = {outcome.day: outcome for outcome in outcomes}
    periods: dict[date, list[int]] = {}
    labels: dict[date, tuple[date, str]] = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        key = day - timedelta(days=day.weekday()) if weekly else day
        if key not in labels:
            year, week, _ = day.isocalendar()
            labels[key] = (day, f"{year}-W{week:02d}" if weekly else day.isoformat())
        sums = periods.setdefault(key, [0, 0, 0, 0])
        outcome = by_day.get(day)
        if outcome is not None:
            for index, value in enumerate(
                (outcome.answered, outcome.partial, outcome.not_covered, outcome.disliked)
            ):
                sums[index] += value
    return tuple(PeriodStats(*labels[key], *sums) for key, sums in periods.items())


def _missing_words(
    questions: list[MissedQuestion], *, nearest: Nearest | None, top: int
) -> tuple[MissingWord, ...]:
    """Group missed questions (newest first) by missing word, most questions first.

    Words are compared case-insensitively. Words that always come together ("Horizon",
    "Europe") make one group, shown as "Horizon, Europe".
    """
    typed: dict[str, list[str]] = {}
    members: dict[str, dict[int, MissedQuestion]] = {}
    for question in questions:
        for word in question.missing:
            key = " ".join(unicodedata.normalize("NFKC", word).casefold().split())
            if key:
                typed.setdefault(key, []).append(" ".join(word.split()))
                members.setdefault(key, {})[question.id] = question
    together: dict[frozenset[int], list[str]] = {}
    for key, by_id in members.items():
        together.setdefault(frozenset(by_id), []).append(key)
    ranked = sorted(together.items(), key=lambda item: (-len(item[0]), -max(item[0]), item[1][0]))
    found = []
    for _, keys in ranked[:top]:
        asked = list(members[keys[0]].values())
        # Counter keeps first-seen order on ties, and questions are newest first.
        word = ", ".join(Counter(typed[key]).most_common(1)[0][0] for key in keys)
        example = Counter(" ".join(q.question.split()) for q in asked).most_common(1)[0][0]
        partial = sum(1 for question in asked if question.coverage == "partial")
        found.append(
            MissingWord(
                word=word,
                count=len(asked),
                partial=partial,
                not_covered=len(asked) - partial,
                example=example,
                languages=tuple(sorted({question.language for question in asked})),
                nearest=nearest(example) if nearest is not None else _most_cited(asked),
            )
        )
    return tuple(found)


def _most_cited(questions: list[MissedQuestion]) -> tuple[str, float] | None:
    """Return the passage shown first most often, with its best score."""
    cited = [question.cited for question in questions if question.cited is not None]
    if not cited:
        return None
    counts = Counter(passage_id for passage_id, _ in cited)
    passage_id = counts.most_common(1)[0][0]
    return passage_id, max(score for pid, score in cited if pid == passage_id)


def _passage_line(passage: tuple[str, float] | None, label: str, missing: str) -> str:
    if passage is None:
        return missing
    passage_id, score = passage
    return f"{label}: {passage_id} ({score:.2f})"


def _percent(rate: float, language: str) -> str:
    value = f"{rate * 100:.0f}"
    return f"{value}%" if language == "en" else f"{value} %"


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
