"""Retrieval quality on the project's question sets: per class and language, beside plain BM25.

Offers :func:`load_cases` (:class:`Case`, :data:`CLASSES`), :class:`Evaluator`,
:func:`run_cases`, :func:`summarize`, :func:`format_metrics` (:data:`HEADER`), the glossary
sweep (:func:`run_sweep`) and threshold tuning (:func:`tune_policy`).
"""

from bot.quality.cases import CLASSES, Case, EvalSetError, load_cases
from bot.quality.evaluation import (
    HEADER,
    Evaluator,
    Metrics,
    Outcome,
    format_metrics,
    run_cases,
    summarize,
)
from bot.quality.sweep import SweepResult, run_sweep
from bot.quality.tune import TuneResult, tune_policy

__all__ = [
    "CLASSES",
    "HEADER",
    "Case",
    "EvalSetError",
    "Evaluator",
    "Metrics",
    "Outcome",
    "SweepResult",
    "TuneResult",
    "format_metrics",
    "load_cases",
    "run_cases",
    "run_sweep",
    "summarize",
    "tune_policy",
]
