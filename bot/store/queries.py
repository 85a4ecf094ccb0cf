"""Read side of the question log: the report queries and the values they return.

:class:`bot.store.log.QuestionLog` owns the connection and the write path; its report methods
(:meth:`~bot.store.log.QuestionLog.daily_counts`,
:meth:`~bot.store.log.QuestionLog.daily_outcomes`, :meth:`~bot.store.log.QuestionLog.unanswered`,
:meth:`~bot.store.log.QuestionLog.missed`, :meth:`~bot.store.log.QuestionLog.rated`,
:meth:`~bot.store.log.QuestionLog.count_questions`) hand their SQL to the functions here
through a :data:`Read` callable, which runs one query under the log's lock and turns database
errors into :class:`bot.store.log.StoreError`.

Time bounds arrive already formatted as stored UTC text (``YYYY-MM-DD HH:MM:SS``); the log
formats them, so the time format has one owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

Read = Callable[[str, tuple[object, ...]], list[tuple[Any, ...]]]
"""Run one read-only query with its parameters and return all rows."""

COVERAGES = ("full", "partial", "none")
"""Stored coverage values (:data:`bot.models.COVERAGES`)."""
_COVERAGE = "coalesce(q.coverage, CASE WHEN q.answered THEN 'full' ELSE 'none' END)"
"""A row's coverage; rows written without one count by ``answered``."""


@dataclass(frozen=True)
class DayCount:
    """How many questions were asked on one UTC day."""

    day: date
    questions: int
    answered: int
    personal: int
    """Questions refused because they carried a personnummer, samordningsnummer or CPR number."""


@dataclass(frozen=True)
class DayOutcome:
    """Questions of one UTC day split by outcome; the four counts add up to the questions.

    A question whose answer got at least one 👎 counts as ``disliked`` only, whatever its
    coverage: the vote says more than the coverage did.
    """

    day: date
    answered: int
    partial: int
    not_covered: int
    """Not covered by the documents, including refusals for an identity number."""
    disliked: int

    @property
    def questions(self) -> int:
        """All questions of the day."""
        return self.answered + self.partial + self.not_covered + self.disliked


@dataclass(frozen=True)
class MissedQuestion:
    """A partly answered or not covered question with the words the documents lacked."""

    id: int
    asked_at: datetime
    language: str
    question: str
    coverage: str
    """"partial" or "none"."""
    missing: tuple[str, ...]
    """The question's words the documents do not cover, as typed; may be empty."""
    cited: tuple[str, float] | None = None
    """The first passage the answer showed ``(passage_id, score)``, if any."""


@dataclass(frozen=True)
class LoggedQuestion:
    """One stored (already redacted) question with the passages the answer cited."""

    id: int
    asked_at: datetime
    language: str
    question: str
    answered: bool
    passages: tuple[tuple[str, float], ...] = ()
    """Cited ``(passage_id, score)`` pairs, best first."""


@dataclass(frozen=True)
class RatedAnswer:
    """A stored question with its 👍/👎 counts."""

    question: LoggedQuestion
    up: int
    down: int
    comments: tuple[str, ...] = ()
    """What 👎 voters wrote about what was missing (redacted)."""


def daily_counts(read: Read, since: str, until: str) -> list[DayCount]:
    """Count questions per UTC day in ``[since, until)``, days without questions left out.

    Args:
        read: Runs the query on the log.
        since: Lower bound, stored UTC text.
        until: Upper bound (exclusive), stored UTC text.

    Returns:
        One count per day with questions, oldest first.
    """
    rows = read(
        "SELECT substr(asked_at, 1, 10), count(*), sum(answered), sum(personal)"
        " FROM questions WHERE asked_at >= ? AND asked_at < ?"
        " GROUP BY 1 ORDER BY 1",
        (since, until),
    )
    return [
        DayCount(date.fromisoformat(day), total, answered or 0, personal or 0)
        for day, total, answered, personal in rows
    ]


def daily_outcomes(read: Read, since: str, until: str) -> list[DayOutcome]:
    """Count questions per UTC day in ``[since, until)`` by outcome, days without any left out.

    Args:
        read: Runs the query on the log.
        since: Lower bound, stored UTC text.
        until: Upper bound (exclusive), stored UTC text.

    Returns:
        One count per day with questions, oldest first.
    """
    rows = read(
        "SELECT substr(q.asked_at, 1, 10),"
        f" sum(d.id IS NULL AND {_COVERAGE} = 'full'),"
        f" sum(d.id IS NULL AND {_COVERAGE} = 'partial'),"
        f" sum(d.id IS NULL AND {_COVERAGE} NOT IN ('full', 'partial')),"
        " sum(d.id IS NOT NULL)"
        " FROM questions AS q LEFT JOIN"
        " (SELECT DISTINCT question_id AS id FROM feedback WHERE value < 0) AS d ON d.id = q.id"
        " WHERE q.asked_at >= ? AND q.asked_at < ? GROUP BY 1 ORDER BY 1",
        (since, until),
    )
    return [
        DayOutcome(date.fromisoformat(day), full or 0, partial or 0, none or 0, down or 0)
        for day, full, partial, none, down in rows
    ]


def missed(read: Read, since: str, until: str) -> list[MissedQuestion]:
    """Return partial and not-covered questions in ``[since, until)``, newest first.

    Questions refused for carrying an identity number are left out: they are no gap in the
    knowledge base.

    Args:
        read: Runs the query on the log.
        since: Lower bound, stored UTC text.
        until: Upper bound (exclusive), stored UTC text.

    Returns:
        The questions with their missing words (in the order the answer gave them) and the
        first passage shown.
    """
    rows = read(
        f"SELECT q.id, q.asked_at, q.language, q.question, {_COVERAGE},"
        " c.passage_id, c.score, m.word FROM questions AS q"
        " LEFT JOIN citations AS c ON c.question_id = q.id AND c.rank = 1"
        " LEFT JOIN missing_words AS m ON m.question_id = q.id"
        f" WHERE {_COVERAGE} IN ('partial', 'none') AND q.personal = 0"
        " AND q.asked_at >= ? AND q.asked_at < ?"
        " ORDER BY q.asked_at DESC, q.id DESC, m.rank",
        (since, until),
    )
    heads: dict[int, tuple[Any, ...]] = {}
    words: dict[int, list[str]] = {}
    for question_id, asked_at, language, text, coverage, passage_id, score, word in rows:
        cited = None if passage_id is None else (str(passage_id), float(score))
        heads.setdefault(question_id, (asked_at, language, text, coverage, cited))
        found = words.setdefault(question_id, [])
        if word is not None:
            found.append(word)
    return [
        MissedQuestion(
            id=question_id,
            asked_at=_stored_time(asked_at),
            language=language,
            question=text,
            coverage=coverage,
            missing=tuple(words[question_id]),
            cited=cited,
        )
        for question_id, (asked_at, language, text, coverage, cited) in heads.items()
    ]


def unanswered(read: Read, since: str, until: str) -> list[LoggedQuestion]:
    """Return unanswered questions in ``[since, until)``, newest first.

    Questions refused for carrying an identity number are left out: they are no gap in the
    knowledge base.

    Args:
        read: Runs the query on the log.
        since: Lower bound, stored UTC text.
        until: Upper bound (exclusive), stored UTC text.

    Returns:
        The questions with the passages they cited.
    """
    return _questions(
        read,
        "WHERE q.answered = 0 AND q.personal = 0 AND q.asked_at >= ? AND q.asked_at < ?",
        (since, until),
    )


def rated(read: Read, since: str, until: str) -> list[RatedAnswer]:
    """Return questions asked in ``[since, until)`` that got at least one vote.

    Args:
        read: Runs the query on the log.
        since: Lower bound, stored UTC text.
        until: Upper bound (exclusive), stored UTC text.

    Returns:
        The questions with their vote counts, most 👎 first, then newest first.
    """
    votes = read(
        "SELECT q.id, sum(f.value > 0), sum(f.value < 0) FROM questions AS q"
        " JOIN feedback AS f ON f.question_id = q.id"
        " WHERE q.asked_at >= ? AND q.asked_at < ? GROUP BY q.id",
        (since, until),
    )
    counts = {question_id: (up, down) for question_id, up, down in votes}
    if not counts:
        return []
    marks = ",".join("?" * len(counts))
    comments: dict[int, list[str]] = {}
    for question_id, comment in read(
        f"SELECT question_id, comment FROM feedback WHERE question_id IN ({marks})"
        " AND comment != '' ORDER BY given_at",
        tuple(counts),
    ):
        comments.setdefault(question_id, []).append(comment)
    questions = _questions(read, f"WHERE q.id IN ({marks})", tuple(counts))
    found = [
        RatedAnswer(q, *counts[q.id], comments=tuple(comments.get(q.id, ()))) for q in questions
    ]
    return sorted(found, key=lambda r: (-r.down, -r.question.id))


def count_questions(read: Read) -> int:
    """Return the number of stored questions.

    Args:
        read: Runs the query on the log.

    Returns:
        The count.
    """
    return int(read("SELECT count(*) FROM questions", ())[0][0])


def _questions(read: Read, where: str, parameters: tuple[object, ...]) -> list[LoggedQuestion]:
    rows = read(
        "SELECT q.id, q.asked_at, q.language, q.question, q.answered,"
        " c.passage_id, c.score FROM questions AS q"
        f" LEFT JOIN citations AS c ON c.question_id = q.id {where}"
        " ORDER BY q.asked_at DESC, q.id DESC, c.rank",
        parameters,
    )
    heads: dict[int, tuple[Any, ...]] = {}
    passages: dict[int, list[tuple[str, float]]] = {}
    for question_id, asked_at, language, text, answered, passage_id, score in rows:
        heads.setdefault(question_id, (asked_at, language, text, answered))
        cited = passages.setdefault(question_id, [])
        if passage_id is not None:
            cited.append((passage_id, score))
    return [
        LoggedQuestion(
            id=question_id,
            asked_at=_stored_time(asked_at),
            language=language,
            question=text,
            answered=bool(answered),
            passages=tuple(passages[question_id]),
        )
        for question_id, (asked_at, language, text, answered) in heads.items()
    ]


def _stored_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
