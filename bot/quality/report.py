"""The ``eval`` report: figures per set, class and language, the sweep and the tuning."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bot.progress import SILENT, Progress
from bot.quality.cases import CLASSES, Case
from bot.quality.evaluation import HEADER, Evaluator, Outcome, format_metrics, summarize
from bot.quality.sweep import run_sweep
from bot.quality.tune import tune_policy
from bot.service import QAService


def eval_report(
    service: QAService,
    sets: Sequence[tuple[str, Sequence[Case]]],
    *,
    tune: bool = False,
    explain: str | None = None,
    progress: Progress = SILENT,
) -> Iterator[str]:
    """Yield the lines of the evaluation report.

    Args:
        service: The service to evaluate.
        sets: ``(name, cases)`` per question set; names with "holdout" are held out.
        tune: Also grid-search the thresholds on the dev sets.
        explain: "all" or "misses" to list questions one by one.
        progress: Shows the questions asked; each bar ends before its line is yielded.

    Yields:
        Report lines.
    """
    evaluator = Evaluator(service)
    yield HEADER
    outcomes: list[Outcome] = []
    for name, cases in sets:
        asked = progress.track(cases, name, unit="question")
        metrics = summarize([evaluator.observe(case) for case in asked])
        outcomes.extend(metrics.outcomes)
        yield format_metrics(name, metrics)
    yield format_metrics("ALL", summarize(outcomes))
    dev = [o for o in outcomes if "holdout" not in o.case.source and not _held_out(o, sets)]
    if len(dev) != len(outcomes):
        yield format_metrics("dev (without held-out)", summarize(dev))
    for klass in CLASSES:
        subset = [o for o in outcomes if o.case.klass == klass]
        if subset:
            yield format_metrics(f"  class {klass}", summarize(subset))
    for language in ("sv", "da", "en"):
        subset = [o for o in outcomes if o.case.language == language]
        if subset:
            yield format_metrics(f"  language {language}", summarize(subset))
    partial = [o for o in outcomes if o.coverage == "partial"]
    yield f"partial answers: {len(partial)} of {len(outcomes)} questions"
    sweep = run_sweep(service, progress)
    yield (
        f"glossary sweep: {sweep.answered} of {sweep.asked} questions about non-generic "
        f"concepts answered with a passage naming the concept ({sweep.share:.3f})"
    )
    if explain:
        for miss in sweep.misses:
            yield f"SWEEP {miss.coverage:<7} {miss.question!r} ({miss.concept}) -> {miss.top}"
    if tune:
        dev_cases = [case for name, cases in sets if "holdout" not in name for case in cases]
        best = tune_policy(service, dev_cases, progress)
        policy = best.policy
        yield (
            f"best thresholds: filler={policy.filler} min_coverage={policy.min_coverage} "
            f"min_topic={policy.min_topic} foreign_unknown={policy.foreign_unknown} "
            f"head={policy.head} uncited={policy.uncited} -> answerable hit@3 {best.hit3:.3f}, "
            f"glossary sweep "
            f"{best.sweep:.3f}, near-domain refused {best.near_domain:.3f}, off-topic refused "
            f"{best.off_topic:.3f}"
        )
    if explain:
        for outcome in outcomes:
            ok = (
                not outcome.answered
                if outcome.case.abstain
                else outcome.rank is not None and outcome.rank <= 3
            )
            if explain == "misses" and ok:
                continue
            yield (
                f"{'ok  ' if ok else 'MISS'} {outcome.coverage:<7} share={outcome.share:4.2f} "
                f"rank={outcome.rank} bm25={outcome.base_rank} [{outcome.case.klass}] "
                f"{outcome.case.question!r} -> {', '.join(outcome.top)}"
            )


def _held_out(outcome: Outcome, sets: Sequence[tuple[str, Sequence[Case]]]) -> bool:
    return any("holdout" in name and outcome.case in cases for name, cases in sets)
