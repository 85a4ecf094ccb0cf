"""Sentence boundaries that know legal and everyday abbreviations ("1 kap. 2 a §", "t.ex.")."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

# A boundary: end punctuation, optional closing quotes, space, then an upper-case letter, a
# digit or an opening quote; or a line break.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”»)]*[ \t]+(?=[\"“”«(]?[A-ZÅÄÖÆØÉ0-9–-])|\n+")
_LAST_WORD = re.compile(r"(\S+)\.[\"”»)]*$")


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Return the abbreviations (without their final period) that do not end a sentence."""
    text = resources.files("bot.data").joinpath("abbreviations.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def abbreviated(before: str) -> bool:
    """Tell whether text ending in a period ends with a known abbreviation ("19 kap.")."""
    match = _LAST_WORD.search(before)
    if match is None:
        return False
    word = match.group(1).casefold().lstrip('("“«')
    return word in abbreviations()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences (and lines) of ``text``.

    A period after an abbreviation ("kap.", "stk.", "t.ex.", "prop.") does not end a
    sentence, so an excerpt is never cut inside "19 kap. 25 a § LOU".

    Args:
        text: A paragraph or passage.

    Returns:
        Non-empty spans in order, trimmed of surrounding whitespace.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if "\n" not in match.group() and abbreviated(text[start : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = []
    for begin, end in spans:
        piece = text[begin:end]
        if piece.strip():
            left = len(piece) - len(piece.lstrip())
            right = len(piece.rstrip())
            trimmed.append((begin + left, begin + right))
    return trimmed


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, keeping each sentence's exact characters.

    Args:
        text: A paragraph.

    Returns:
        Sentences; joined with single spaces or newlines they give back the text's words.
    """
    return [text[start:end] for start, end in sentence_spans(text)]
