"""Measure retrieval quality on the project's question sets: hit@k, MRR, abstention."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.answer import AbstainPolicy
from bot.models import Answer, Result
from bot.service import QAService

ALWAYS_ANSWER = AbstainPolicy(0.0, 0.0, 0.0, 0.0)


class EvalSetError(Exception):
    """An evaluation file is malformed."""


@dataclass(frozen=True)
class Gold:
    """What counts as a correct passage for a question."""

    passage: str = ""
    doc: str = ""
    contains: str = ""

    def matches(self, result: Result) -> bool:
        """Return True when ``result`` is this gold passage."""
        if self.passage:
            return result.passage.id == self.passage
        if self.doc and result.citation.doc_id != self.doc:
            return False
        return self.contains.casefold() in result.passage.text.casefold()


@dataclass(frozen=True)
class Case:
    """One evaluation question."""

    question: str
    language: str
    gold: tuple[Gold, ...] = ()
    abstain: bool = False
    source: str = ""


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one case."""

    case: Case
    answered: bool
    rank: int | None
    top: tuple[str, ...] = ()
    evidence: float = 0.0
    coverage: float = 0.0


@dataclass(frozen=True)
class Metrics:
    """Aggregate figures for a list of outcomes."""

    answerable: int
    off_topic: int
    hit1: float
    hit3: float
    mrr: float
    abstention: float
    false_abstention: float
    outcomes: tuple[Outcome, ...] = field(default=(), repr=False)


def load_cases(paths: Iterable[Path]) -> list[Case]:
    """Read evaluation questions from YAML files.

    Args:
        paths: Files with a ``questions`` list.

    Returns:
        The cases in file order.

    Raises:
        EvalSetError: When a file cannot be used.
    """
    cases: list[Case] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise EvalSetError(f"{path}: cannot read ({exc.__class__.__name__})") from None
        entries = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise EvalSetError(f"{path}: expected a 'questions' list")
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict) or not str(entry.get("q") or "").strip():
                raise EvalSetError(f"{path}: question {number} has no 'q'")
            gold = tuple(
                Gold(
                    str(g.get("passage") or ""),
                    str(g.get("doc") or ""),
                    str(g.get("contains") or ""),
                )
                for g in entry.get("gold") or []
                if isinstance(g, dict)
            )
            abstain = bool(entry.get("abstain"))
            if not gold and not abstain:
                raise EvalSetError(
                    f"{path}: question {number} needs gold passages or abstain: true"
                )
            cases.append(
                Case(str(entry["q"]), str(entry.get("lang") or ""), gold, abstain, path.name)
            )
    return cases


def first_hit(answer: Answer, gold: Sequence[Gold]) -> int | None:
    """Return the 1-based rank of the first gold result, or None."""
    for result in answer.results:
        if any(g.matches(result) for g in gold):
            return result.rank
    return None


def observe(service: QAService, case: Case, *, abstain: bool = True) -> Outcome:
    """Ask one case, recording the evidence the abstention decision is based on.

    Args:
        service: The service to evaluate.
        case: The question.
        abstain: False ranks as if the bot always answered (for threshold tuning).

    Returns:
        The outcome.
    """
    composer = service.composer
    query = service.query(case.question)
    hits = composer.ranked(query)
    evidence = composer.evidence(query, hits[0][0]) if hits else None
    answer = composer.compose(query, query.text, policy=None if abstain else ALWAYS_ANSWER)
    return Outcome(
        case,
        answer.answered,
        first_hit(answer, case.gold) if answer.answered else None,
        tuple(r.passage.id for r in answer.results[:3]),
        evidence.evidence if evidence else 0.0,
        evidence.coverage if evidence else 0.0,
    )


def run_cases(service: QAService, cases: Sequence[Case]) -> Metrics:
    """Ask every case and compute the metrics.

    Args:
        service: The service to evaluate.
        cases: Evaluation questions.

    Returns:
        The metrics with every outcome.
    """
    return summarize([observe(service, case) for case in cases])


def summarize(outcomes: Sequence[Outcome]) -> Metrics:
    """Compute hit@1, hit@3, MRR (answerable cases) and abstention accuracy (off-topic ones)."""
    answerable = [o for o in outcomes if not o.case.abstain]
    off_topic = [o for o in outcomes if o.case.abstain]

    def share(items: Sequence[Outcome], condition: Callable[[Outcome], bool]) -> float:
        return sum(1 for o in items if condition(o)) / len(items) if items else 0.0

    return Metrics(
        answerable=len(answerable),
        off_topic=len(off_topic),
        hit1=share(answerable, lambda o: o.rank == 1),
        hit3=share(answerable, lambda o: o.rank is not None and o.rank <= 3),
        mrr=sum(1 / o.rank for o in answerable if o.rank) / len(answerable) if answerable else 0.0,
        abstention=share(off_topic, lambda o: not o.answered),
        false_abstention=share(answerable, lambda o: not o.answered),
        outcomes=tuple(outcomes),
    )


def format_metrics(name: str, metrics: Metrics) -> str:
    """Format one line of the eval table."""
    return (
        f"{name:<34} {metrics.answerable:>4} {metrics.hit1:>6.3f} {metrics.hit3:>6.3f} "
        f"{metrics.mrr:>6.3f} {metrics.off_topic:>4} {metrics.abstention:>6.3f} "
        f"{metrics.false_abstention:>6.3f}"
    )


HEADER = (
    f"{'set':<34} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'off':>4} {'abst':>6} "
    f"{'f.abs':>6}"
)


@dataclass(frozen=True)
class TuneResult:
    """The best abstention thresholds found on the question sets."""

    min_evidence: float
    min_coverage: float
    min_evidence_full: float
    hit3: float
    abstention: float


def tune_policy(
    service: QAService, cases: Sequence[Case], min_abstention: float = 0.9
) -> TuneResult:
    """Grid-search the abstention thresholds on the evaluation questions.

    Each question is answered once without abstaining, so its gold rank and evidence are
    known; every threshold set is then scored without asking again. Among sets that refuse
    at least ``min_abstention`` of the off-topic questions, the one with the best hit@3 wins
    (ties: better abstention, then fewer answerable questions refused, then stricter).

    Args:
        service: The service to tune.
        cases: Evaluation questions.
        min_abstention: Required share of off-topic questions that must be refused.

    Returns:
        The best thresholds and their figures.
    """
    rows = [
        (o.case, o.rank, o.evidence, o.coverage)
        for o in (observe(service, case, abstain=False) for case in cases)
    ]
    answerable = [r for r in rows if not r[0].abstain]
    off_topic = [r for r in rows if r[0].abstain]
    best: TuneResult | None = None
    best_key: tuple[float, float, int, float] = (0.0, 0.0, 0, 0.0)
    for e in [x / 20 for x in range(0, 41)]:
        for c in [x / 20 for x in range(0, 17)]:
            for f in [x / 20 for x in range(0, 9)]:
                policy = AbstainPolicy(e, c, min_evidence_full=f)
                passes = [r for r in answerable if policy.answers(r[2], r[3])]
                hit3 = sum(1 for r in passes if r[1] is not None and r[1] <= 3) / max(
                    len(answerable), 1
                )
                abst = sum(1 for r in off_topic if not policy.answers(r[2], r[3])) / max(
                    len(off_topic), 1
                )
                if abst < min_abstention:
                    continue
                refused = len(answerable) - len(passes)
                # Ties: fewer answerable questions refused, then the stricter thresholds.
                key = (hit3, abst, -refused, e + c + f)
                if best is None or key > best_key:
                    best, best_key = TuneResult(e, c, f, hit3, abst), key
    return best or TuneResult(0.0, 0.0, 0.0, 0.0, 0.0)
