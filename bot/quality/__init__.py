"""Retrieval quality on the project's question sets: hit@k, MRR, abstention, threshold tuning.

Offers :func:`load_cases`, :func:`run_cases`, :func:`summarize`, :func:`format_metrics`,
:func:`tune_policy` and :class:`EvalSetError`.
"""

from bot.quality.evaluation import (
    HEADER,
    EvalSetError,
    Outcome,
    format_metrics,
    load_cases,
    run_cases,
    summarize,
    tune_policy,
)

__all__ = [
    "HEADER",
    "EvalSetError",
    "Outcome",
    "format_metrics",
    "load_cases",
    "run_cases",
    "summarize",
    "tune_policy",
]
