"""Correct a typed word the documents lack to its nearest word in the index vocabulary."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from bot.search.index.strings import SortedStrings

_SIZED_BUCKETS = 64
"""Candidate lists kept (by first letter and length), a few MB at a million terms."""
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
        self._letters: dict[str, tuple[int, npt.NDArray[np.int64]]] = {}
        self._sized: dict[tuple[str, int], list[str]] = {}

    def _candidates(self, letter: str, lengths: range) -> list[str]:
        """Return the candidate stems beginning ``letter``, by length, in vocabulary order."""
        vocabulary = self._vocabulary
        if not isinstance(vocabulary, SortedStrings) or letter >= chr(0x10FFFF):
            buckets = self._bucketed()
            return [term for length in lengths for term in buckets.get((letter, length), ())]
        # The terms beginning with the letter are one range of the sorted table; their lengths
        # come from the bytes, and only the terms of the wanted lengths are decoded (all of a
        # million-term vocabulary took seconds and ~200 MB).
        found = self._letters.get(letter)
        if found is None:
            lo = vocabulary.insertion_point(letter)
            hi = vocabulary.insertion_point(chr(ord(letter) + 1))
            found = self._letters[letter] = (lo, vocabulary.char_lengths(lo, hi))
        lo, sizes = found
        candidates = []
        for length in lengths:
            bucket = self._sized.get((letter, length))
            if bucket is None:
                if len(self._sized) >= _SIZED_BUCKETS:
                    self._sized.clear()
                decoded = (vocabulary[lo + i] for i in np.flatnonzero(sizes == length).tolist())
                bucket = [t for t in decoded if t.isalpha() and len(t) >= MIN_LENGTH - 1]
                self._sized[(letter, length)] = bucket
            candidates.extend(bucket)
        return candidates

    def _bucketed(self) -> dict[tuple[str, int], list[str]]:
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
        candidates = self._candidates(stem[0], range(len(stem) - edits, len(stem) + edits + 1))
        if not candidates:
            return None
        found = extractOne(stem, candidates, scorer=Levenshtein.distance, score_cutoff=edits)
        return str(found[0]) if found else None
