"""Derive the decision thresholds from the dev question sets (never from held-out ones).

The objective may not buy refusals of off-topic questions with core answers: it counts the
answerable dev questions, the glossary sweep and the near-domain questions together, and
the search prints what the chosen thresholds do to each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product
from math import prod

from bot.answer import FULL, AbstainPolicy
from bot.answer.compose import CITED
from bot.answer.decide import decide
from bot.progress import SILENT, Progress
from bot.quality.cases import Case
from bot.quality.sweep import sweep_questions
from bot.search import Query
from bot.service import QAService

FILLERS = (0.2, 0.25, 0.3, 0.35, 0.4)
COVERAGES = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
TOPICS = (0.3, 0.4, 0.5, 0.6, 0.7)
FOREIGN = (0.25, 0.5, 0.75, 1.0)
"""A word the documents cannot contain, being in another language, carries at most half."""
HEADS = (1.0, 1.5, 2.0)
UNCITED = (0.0, 0.25, 0.5, 0.75, 1.0)
ANSWER_WEIGHT = 2.0
"""Answering core questions counts double: refusals must not be bought with answers."""


@dataclass(frozen=True)
class TuneResult:
    """The best thresholds and what they do to each kind of question."""

    policy: AbstainPolicy
    hit3: float
    """Answerable dev questions with a gold passage in the top 3 of a full answer."""
    sweep: float
    """Glossary questions answered in full."""
    near_domain: float
    """Near-domain questions refused (partial or none)."""
    off_topic: float
    """Off-topic questions refused (partial or none)."""


@dataclass(frozen=True)
class _Prepared:
    """One question searched once; only the decision depends on the thresholds."""

    query: Query
    cited: tuple[frozenset[str], ...]
    foreign: bool
    rank: int | None
    klass: str
    abstain: bool


def _prepare(service: QAService, question: str, case: Case | None = None) -> _Prepared:
    composer = service.composer
    query = service.query(question)
    _, kept = composer.decide(query)
    cited = tuple(composer.passage_terms(position) for position, _ in kept[:CITED])
    rank = None
    if case is not None and case.gold:
        passages = service.corpus.passages
        for number, (position, _) in enumerate(kept, 1):
            passage = passages[position]
            if any(g.matches_passage(passage.id, passage.doc_id, passage.text) for g in case.gold):
                rank = number
                break
    foreign = query.language not in {p.language for p in service.corpus.passages}
    klass = case.klass if case else "definitional"
    return _Prepared(query, cited, foreign, rank, klass, bool(case and case.abstain))


def tune_policy(
    service: QAService, cases: Sequence[Case], progress: Progress = SILENT
) -> TuneResult:
    """Grid-search the thresholds; the objective weighs every kind of question equally.

    Objective: twice (hit@3 on answerable questions + the glossary sweep's answered share)
    + the refused share of near-domain questions + the refused share of off-topic questions.
    Ties go to the thresholds closest to the current policy. Each question is searched once; the
    ranking does not depend on the thresholds, only the decision does.

    Args:
        service: The service to tune.
        cases: Dev evaluation questions (no held-out ones).
        progress: Shows the questions prepared and the thresholds tried.

    Returns:
        The best thresholds and their figures.
    """
    unit = "question"
    prepared = [
        _prepare(service, case.question, case)
        for case in progress.track(cases, "tuning: dev questions", unit=unit)
    ]
    sweep = sweep_questions(service)
    swept = [
        _prepare(service, question)
        for _, _, question in progress.track(sweep, "tuning: glossary sweep", unit=unit)
    ]
    answerable = [p for p in prepared if not p.abstain]
    near = [p for p in prepared if p.klass == "near-domain"]
    off = [p for p in prepared if p.klass == "off-topic"]
    best: TuneResult | None = None
    best_key: tuple[float, float] = (-1.0, 0.0)
    current = service.composer.policy
    grid = (FILLERS, COVERAGES, TOPICS, FOREIGN, HEADS, UNCITED)
    size = prod(len(values) for values in grid)
    for filler, coverage, topic, foreign, head, uncited in progress.track(
        product(*grid), "tuning: thresholds", total=size, unit="policy"
    ):
        policy = AbstainPolicy(filler, coverage, topic, foreign, head, uncited)

        def full(item: _Prepared, policy: AbstainPolicy = policy) -> bool:
            return decide(item.query, item.cited, policy, foreign=item.foreign).coverage == FULL

        result = TuneResult(
            policy,
            _share(answerable, lambda p: full(p) and p.rank is not None and p.rank <= 3),
            _share(swept, full),
            _share(near, lambda p: not full(p)),
            _share(off, lambda p: not full(p)),
        )
        score = (
            ANSWER_WEIGHT * (result.hit3 + result.sweep) + result.near_domain + result.off_topic
        )
        closeness = (
            abs(filler - current.filler)
            + abs(coverage - current.min_coverage)
            + abs(topic - current.min_topic)
            + abs(foreign - current.foreign_unknown)
            + abs(head - current.head)
            + abs(uncited - current.uncited)
        )
        key = (round(score, 6), -closeness)
        if best is None or key > best_key:
            best, best_key = result, key
    assert best is not None
    return best


def _share(items: Sequence[_Prepared], condition: Callable[[_Prepared], bool]) -> float:
    return sum(1 for item in items if condition(item)) / len(items) if items else 1.0
