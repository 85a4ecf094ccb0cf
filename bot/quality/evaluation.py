"""Measure retrieval quality on the project's question sets, beside a plain BM25 baseline.

For answerable questions: hit@1, hit@3 and MRR of the bot (a question it does not answer in
full counts as a miss and as a false refusal) and of plain BM25. For questions that should
not be answered (near-domain, off-topic): the share answered in full anyway (false answers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.answer import FULL, AbstainPolicy
from bot.models import Answer
from bot.quality.baseline import PlainBM25
from bot.quality.cases import Case, Gold
from bot.service import QAService


def first_hit(answer: Answer, gold: Sequence[Gold]) -> int | None:
    """Return the 1-based rank of the first gold result, or None."""
    for result in answer.results:
        if any(g.matches(result) for g in gold):
            return result.rank
    return None


@dataclass(frozen=True)
class Outcome:
    """What the bot (and the baseline) did with one case."""

    case: Case
    coverage: str
    rank: int | None
    """Rank of the first gold passage in a full answer (None when not answered in full)."""
    top: tuple[str, ...] = ()
    base_rank: int | None = None
    """Rank of the first gold passage in plain BM25's top 10."""
    share: float = 0.0
    topic: float = 0.0
    searched: tuple[tuple[int | None, float, float], ...] = field(default=(), compare=False)

    @property
    def answered(self) -> bool:
        """True when the bot answered in full."""
        return self.coverage == FULL


@dataclass(frozen=True)
class Metrics:
    """Aggregate figures for a list of outcomes."""

    answerable: int
    off_topic: int
    hit1: float
    hit3: float
    mrr: float
    abstention: float
    """Share of should-not-answer questions not answered in full (partial or none)."""
    false_abstention: float
    """Share of answerable questions not answered in full."""
    base_hit1: float = 0.0
    base_hit3: float = 0.0
    base_mrr: float = 0.0
    outcomes: tuple[Outcome, ...] = field(default=(), repr=False)


class Evaluator:
    """Asks the evaluation questions of one service, with a plain BM25 baseline beside it.

    Args:
        service: The service to evaluate.
    """

    def __init__(self, service: QAService) -> None:
        self.service = service
        self.baseline = PlainBM25(service.corpus)

    def observe(self, case: Case, policy: AbstainPolicy | None = None) -> Outcome:
        """Ask one case.

        Args:
            case: The question.
            policy: Thresholds for this call; the service's when None.

        Returns:
            The outcome.
        """
        composer = self.service.composer
        query = self.service.query(case.question)
        answer = composer.compose(query, query.text, policy=policy)
        decision, _ = composer.decide(query, policy)
        base_rank = None
        if case.gold:
            passages = self.service.corpus.passages
            for rank, position in enumerate(self.baseline.ranked(case.question), 1):
                passage = passages[position]
                document = self.service.corpus.documents[passage.doc_id]
                if any(
                    g.matches_passage(passage.id, document.id, passage.text) for g in case.gold
                ):
                    base_rank = rank
                    break
        return Outcome(
            case,
            answer.coverage,
            first_hit(answer, case.gold) if answer.answered else None,
            tuple(r.passage.id for r in answer.results[:3]),
            base_rank,
            decision.share,
            decision.topic,
        )

    def run(self, cases: Sequence[Case], policy: AbstainPolicy | None = None) -> Metrics:
        """Ask every case and compute the metrics."""
        return summarize([self.observe(case, policy) for case in cases])


def run_cases(service: QAService, cases: Sequence[Case]) -> Metrics:
    """Ask every case and compute the metrics (see :class:`Evaluator`)."""
    return Evaluator(service).run(cases)


def summarize(outcomes: Sequence[Outcome]) -> Metrics:
    """Compute hit@1, hit@3, MRR (answerable cases) and refusal shares, bot and baseline."""
    answerable = [o for o in outcomes if not o.case.abstain]
    off_topic = [o for o in outcomes if o.case.abstain]

    def share(items: Sequence[Outcome], condition: Callable[[Outcome], bool]) -> float:
        return sum(1 for o in items if condition(o)) / len(items) if items else 0.0

    def mrr(ranks: Sequence[int | None]) -> float:
        return sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0

    return Metrics(
        answerable=len(answerable),
        off_topic=len(off_topic),
        hit1=share(answerable, lambda o: o.rank == 1),
        hit3=share(answerable, lambda o: o.rank is not None and o.rank <= 3),
        mrr=mrr([o.rank for o in answerable]),
        abstention=share(off_topic, lambda o: not o.answered),
        false_abstention=share(answerable, lambda o: not o.answered),
        base_hit1=share(answerable, lambda o: o.base_rank == 1),
        base_hit3=share(answerable, lambda o: o.base_rank is not None and o.base_rank <= 3),
        base_mrr=mrr([o.base_rank for o in answerable]),
        outcomes=tuple(outcomes),
    )


HEADER = (
    f"{'set':<30} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} │ {'bm25@1':>6} {'bm25@3':>6} "
    f"{'bMRR':>6} │ {'f.ref':>6} │ {'off':>4} {'refus':>6} {'f.ans':>6}"
)
"""Columns: the bot; plain BM25; answerable questions not answered in full; questions that
should not be answered, the share refused (partial or none) and the share answered in full."""


def format_metrics(name: str, metrics: Metrics) -> str:
    """Format one line of the eval table."""
    if metrics.answerable:
        answered = (
            f"{metrics.hit1:>6.3f} {metrics.hit3:>6.3f} {metrics.mrr:>6.3f} │ "
            f"{metrics.base_hit1:>6.3f} {metrics.base_hit3:>6.3f} {metrics.base_mrr:>6.3f} │ "
            f"{metrics.false_abstention:>6.3f}"
        )
    else:
        answered = f"{'':>6} {'':>6} {'':>6} │ {'':>6} {'':>6} {'':>6} │ {'':>6}"
    refused = (
        f"{metrics.off_topic:>4} {metrics.abstention:>6.3f} {1 - metrics.abstention:>6.3f}"
        if metrics.off_topic
        else f"{metrics.off_topic:>4} {'':>6} {'':>6}"
    )
    return f"{name:<30} {metrics.answerable:>4} {answered} │ {refused}"
