"""Pick the 1–3 verbatim sentences of a passage that best match a question."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.knowledge.sentences import sentence_spans
from bot.models import Excerpt
from bot.search import Analyzer

MAX_SENTENCES = 3
MAX_WORDS = 70
ELLIPSIS = "…"


def make_excerpt(
    text: str,
    language: str,
    terms: Mapping[str, float],
    analyzer: Analyzer,
    idf: Callable[[str], float],
    *,
    focus: int | None = None,
) -> Excerpt:
    """Choose the best contiguous 1–3 sentences and mark the matched words.

    Sentences are scored by the idf-weighted query terms they contain, with a bonus for
    matching several distinct terms (Tombros & Sanderson). The window grows around the best
    sentence towards the better neighbour while it stays within ~70 words.

    Args:
        text: The passage text (quoted verbatim).
        language: The passage language.
        terms: Query terms with weights.
        analyzer: The analyzer that produced the index terms.
        idf: Inverse document frequency of a term.
        focus: A sentence the excerpt must start from (the sentence that defines what the
            question asks about); the window then grows forwards.

    Returns:
        The excerpt, with "…" where the passage was trimmed.
    """
    spans = sentence_spans(text)
    if not spans:
        return Excerpt(text.strip())
    words = analyzer.spans(text, language)
    scores = []
    for start, end in spans:
        matched = {t for w in words if start <= w.start < end for t in w.terms if t in terms}
        weight = sum(terms[t] * max(idf(t), 0.1) for t in sorted(matched))
        scores.append(weight * (1 + len(matched) ** 2 / max(len(terms), 1)))
    best = max(range(len(spans)), key=lambda i: (scores[i], -i)) if any(scores) else 0
    if focus is not None and 0 <= focus < len(spans):
        best = focus
    first = last = best

    def size(a: int, b: int) -> int:
        return len(text[spans[a][0] : spans[b][1]].split())

    while last - first + 1 < MAX_SENTENCES:
        before = scores[first - 1] if first > 0 else -1.0
        after = scores[last + 1] if last + 1 < len(spans) else -1.0
        if before < 0 and after < 0:
            break
        if focus is not None and first == focus:
            before = -1.0  # a definition is read from its first sentence on
        if after >= before and after >= 0 and size(first, last + 1) <= MAX_WORDS:
            last += 1
        elif before >= 0 and size(first - 1, last) <= MAX_WORDS:
            first -= 1
        else:
            break
    start, end = spans[first][0], spans[last][1]
    body = text[start:end]
    prefix = f"{ELLIPSIS} " if first > 0 else ""
    suffix = f" {ELLIPSIS}" if last < len(spans) - 1 else ""
    marks = tuple(
        (w.start - start + len(prefix), w.end - start + len(prefix))
        for w in words
        if start <= w.start and w.end <= end and any(t in terms for t in w.terms)
    )
    return Excerpt(prefix + body + suffix, _merge(marks))


def _merge(marks: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Drop marks that overlap an earlier one (legal references overlap their numbers)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(marks):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)
