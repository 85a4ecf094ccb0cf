"""Correct a typed word the documents lack to its nearest word in the index vocabulary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from bot.search.index.strings import SortedStrings

MIN_LENGTH = 5
"""Shorter stems are left alone: "moms" → "mom" is one edit from too many words."""


def allowed_edits(length: int) -> int:
    """Return how many edits a stem of ``length`` characters may be away from its correction."""
    return 1 if length < 8 else 2


class Speller:
    """Finds the closest vocabulary stem to a stem the documents lack.

    Candidates are alphabetic stems of nearly the same length that start with the same letter
    (typos rarely hit the first letter, and the restriction keeps a large vocabulary fast).

    Args:
        vocabulary: The index terms.
    """

    def __init__(self, vocabulary: Collection[str]) -> None:
        self._vocabulary = vocabulary
        self._buckets: dict[tuple[str, int], list[str]] | None = None
        self._letters: dict[str, dict[tuple[str, int], list[str]]] = {}

    def _bucketed(self, letter: str) -> dict[tuple[str, int], list[str]]:
        """Return the candidate stems by (first letter, length) of words beginning ``letter``."""
        vocabulary = self._vocabulary
        if isinstance(vocabulary, SortedStrings) and letter < chr(0x10FFFF):
            # The terms that start with the letter are one range of the sorted table: decode
            # that range only (all of a million-term vocabulary took seconds and ~200 MB).
            found = self._letters.get(letter)
            if found is None:
                lo = vocabulary.insertion_point(letter)
                hi = vocabulary.insertion_point(chr(ord(letter) + 1))
                grouped: dict[tuple[str, int], list[str]] = defaultdict(list)
                for position in range(lo, hi):
                    term = vocabulary[position]
                    if term.isalpha() and len(term) >= MIN_LENGTH - 1:
                        grouped[(term[0], len(term))].append(term)
                found = self._letters[letter] = dict(grouped)
            return found
        if self._buckets is None:
            buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
            for term in self._vocabulary:
                if term.isalpha() and len(term) >= MIN_LENGTH - 1:
                    buckets[(term[0], len(term))].append(term)
            self._buckets = dict(buckets)
        return self._buckets

    def correct(self, stem: str, max_edits: int | None = None) -> str | None:
        """Return the nearest vocabulary stem within a few edits, or None.

        Args:
            stem: A stem missing from the vocabulary.
            max_edits: At most this many edits; by default 1 below 8 characters, else 2.

        Returns:
            The correction, or None when the stem is short, not alphabetic or nothing is near.
        """
        if len(stem) < MIN_LENGTH or not stem.isalpha() or stem in self._vocabulary:
            return None
        edits = allowed_edits(len(stem)) if max_edits is None else max_edits
        buckets = self._bucketed(stem[0])
        candidates = [
            term
            for length in range(len(stem) - edits, len(stem) + edits + 1)
            for term in buckets.get((stem[0], length), ())
        ]
        if not candidates:
            return None
        found = extractOne(stem, candidates, scorer=Levenshtein.distance, score_cutoff=edits)
        return str(found[0]) if found else None
