"""The gap report as a picture: outcomes per day or week, and the most frequent missing words.

:func:`render_png` draws a :class:`bot.store.report.Report` with matplotlib's Agg renderer: no
display, no ``pyplot`` state, so it is safe in a worker thread of the bot. The top panel stacks
each day's (or week's) questions as answered / partial / not covered / 👎, the bottom panel
ranks the words the documents lack, split into partly answered and unanswered questions.
The figures are exactly those of :func:`bot.store.report.format_report`.

matplotlib is imported on the first call only, so no other command pays for it.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from typing import Any

from bot.store.report import MissingWord, PeriodStats, Report, report_periods

__all__ = ["COLORS", "HEIGHT", "WIDTH", "ChartUnavailable", "render_png"]

WIDTH, HEIGHT, DPI = 10.0, 7.5, 100
"""Figure size in inches and resolution: 1000 × 750 pixels."""
WIDTH_PX, HEIGHT_PX = int(WIDTH * DPI), int(HEIGHT * DPI)
MAX_TICKS = 12
"""At most this many period labels under the bars; the others are left blank."""
MAX_LABEL = 28
"""Longest missing word shown in full; longer ones are cut with "…"."""
COLORS = {
    "answered": "#2e7d32",
    "partial": "#f2a900",
    "not_covered": "#9e9e9e",
    "disliked": "#c62828",
}
"""One colour per outcome, the same in both panels."""
_OUTCOMES = ("answered", "partial", "not_covered", "disliked")


class ChartUnavailable(Exception):
    """The picture cannot be drawn (matplotlib is missing)."""


def render_png(report: Report, language: str = "sv") -> bytes:
    """Draw the report as a PNG picture of :data:`WIDTH_PX` × :data:`HEIGHT_PX` pixels.

    Args:
        report: From :func:`bot.store.report.build_report`.
        language: ``"sv"``, ``"da"`` or ``"en"``; anything else gets Swedish.

    Returns:
        The PNG file's bytes.

    Raises:
        ChartUnavailable: When matplotlib is not installed.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is a declared dependency
        raise ChartUnavailable("the picture needs matplotlib: pip install matplotlib") from exc
    words = _WORDS.get(language, _WORDS["sv"])
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    figure.suptitle(
        words["title"].format(start=report.start.isoformat(), end=report.end.isoformat()),
        fontsize=13,
    )
    _outcomes(top, report_periods(report), words, report.period)
    _missing(bottom, report.missing_words, words)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A word typed by a user may hold characters the bundled font lacks (emoji, CJK):
        # they are drawn as boxes, which is no reason to warn on every /stats.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _outcomes(axes: Any, periods: Sequence[PeriodStats], words: dict[str, str], unit: str) -> None:
    """Stack each period's questions by outcome."""
    from matplotlib.ticker import MaxNLocator

    positions = list(range(len(periods)))
    base = [0] * len(periods)
    for outcome in _OUTCOMES:
        values = [getattr(stats, outcome) for stats in periods]
        axes.bar(
            positions,
            values,
            bottom=base,
            width=0.8,
            color=COLORS[outcome],
            label=words[outcome],
        )
        base = [below + value for below, value in zip(base, values, strict=True)]
    step = max(1, -(-len(periods) // MAX_TICKS))
    axes.set_xticks(positions[::step], [_short(stats, unit) for stats in periods][::step])
    axes.set_xlim(-0.6, max(len(periods), 1) - 0.4)
    axes.set_ylabel(words["questions"])
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(words[f"per_{unit}"], loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    if any(base):
        axes.set_ylim(0, max(base) * 1.18)  # room for the legend above the highest bar
        axes.legend(loc="upper left", ncols=4, frameon=False, fontsize=9)
    else:
        axes.set_ylim(0, 1)
        axes.text(0.5, 0.5, words["no_questions"], transform=axes.transAxes, ha="center")


def _missing(axes: Any, missing: Sequence[MissingWord], words: dict[str, str]) -> None:
    """Rank the missing words, most questions at the top."""
    from matplotlib.ticker import MaxNLocator

    axes.set_title(words["missing"], loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    if not missing:
        axes.set_yticks([])
        axes.set_xticks([])
        axes.text(0.5, 0.5, words["none"], transform=axes.transAxes, ha="center")
        return
    ranked = list(reversed(missing))
    positions = list(range(len(ranked)))
    partial = [item.partial for item in ranked]
    not_covered = [item.not_covered for item in ranked]
    axes.barh(positions, partial, height=0.7, color=COLORS["partial"], label=words["partial"])
    axes.barh(
        positions,
        not_covered,
        left=partial,
        height=0.7,
        color=COLORS["not_covered"],
        label=words["not_covered"],
    )
    axes.set_yticks(positions, [_label(item.word) for item in ranked])
    for position, item in zip(positions, ranked, strict=True):
        axes.text(item.count, position, f" {item.count}", va="center", fontsize=9)
    axes.set_xlim(0, max(item.count for item in ranked) * 1.12 + 0.5)
    axes.set_xlabel(words["questions"])
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="lower right", frameon=False, fontsize=9)


def _short(stats: PeriodStats, unit: str) -> str:
    """Label a period under its bar: ``MM-DD`` for a day, ``Www`` for a week."""
    return stats.label.split("-", 1)[1] if unit == "week" else stats.label[5:]


def _label(word: str) -> str:
    text = " ".join(word.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


# The picture avoids emoji: the font matplotlib bundles has none.
_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Samverkansboten – frågor {start} – {end} (UTC)",
        "per_day": "Frågor per dag",
        "per_week": "Frågor per vecka",
        "questions": "frågor",
        "answered": "besvarade",
        "partial": "delvis",
        "not_covered": "ej täckta",
        "disliked": "tumme ned",
        "missing": "Ord som dokumenten saknar (delvis besvarade och obesvarade frågor)",
        "no_questions": "Inga frågor under perioden.",
        "none": "(inga)",
    },
    "da": {
        "title": "Samverkansboten – spørgsmål {start} – {end} (UTC)",
        "per_day": "Spørgsmål pr. dag",
        "per_week": "Spørgsmål pr. uge",
        "questions": "spørgsmål",
        "answered": "besvaret",
        "partial": "delvis",
        "not_covered": "ikke dækket",
        "disliked": "tommel ned",
        "missing": "Ord som dokumenterne mangler (delvist besvarede og ubesvarede spørgsmål)",
        "no_questions": "Ingen spørgsmål i perioden.",
        "none": "(ingen)",
    },
    "en": {
        "title": "Samverkansboten – questions {start} – {end} (UTC)",
        "per_day": "Questions per day",
        "per_week": "Questions per week",
        "questions": "questions",
        "answered": "answered",
        "partial": "partial",
        "not_covered": "not covered",
        "disliked": "thumbs down",
        "missing": "Words the documents lack (partly answered and unanswered questions)",
        "no_questions": "No questions in this period.",
        "none": "(none)",
    },
}
