"""Sparse BM25 index: rank_bm25 0.2.2 ``BM25Okapi`` scores without scanning every passage.

``rank_bm25.BM25Okapi.get_scores`` walks every document in Python for every query term, so a
query costs O(terms x passages). This index stores, for every (term, passage) pair in the
corpus, the passage and the term frequency, by term in CSR arrays (5 bytes a pair for
ordinary text), plus each passage's length (built by :mod:`~bot.search.index.build`, written
and read by :mod:`~bot.search.index.files`). :meth:`SearchIndex.load` memory-maps
everything, the vocabulary included, so start-up parses nothing.

A query touches only its terms' postings: it computes their BM25 contributions, adds them into
a reusable dense score buffer, takes a score floor (the k-th best score among the rarest
term's passages is a lower bound for the k-th best overall), keeps the passages at or above
it and sorts those few by (-score, position). See ``docs/performance.md`` for measurements up
to 1M passages.

Every contribution is computed with the same float64 operations in the same order as
rank_bm25, and the terms are added in the caller's order, so with weights of 1.0 the scores
are bit-identical to ``get_scores``; the promise (and the tests) is agreement within 1e-9.

One deliberate difference: with ``b = 1`` rank_bm25 gives an empty passage the score NaN
(0 / 0); here an empty passage matches nothing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.index import build, files
from bot.search.index.build import EmptyIndexError, FloatArray, IntArray
from bot.search.index.files import FORMAT as FORMAT
from bot.search.index.files import FORMAT_VERSION as FORMAT_VERSION
from bot.search.index.files import IndexLoadError
from bot.search.index.strings import SortedStrings

__all__ = ["EPSILON", "K1", "B", "EmptyIndexError", "IndexLoadError", "SearchIndex"]

K1 = 1.5
"""Term-frequency saturation (rank_bm25's default)."""
B = 0.75
"""Length normalisation (rank_bm25's default)."""
EPSILON = 0.25
"""Share of the average idf given to terms whose idf is negative (rank_bm25's default)."""

# Above 1/16 of the corpus in postings, a query scans the score buffer densely.
_DENSE_FRACTION = 16

# Larger k gains little from the score floor (see SearchIndex._score_floor).
_FLOOR_MAX_K = 1000
# Passages of the rarest term looked at for the score floor, at most.
_FLOOR_SAMPLE = 8192

# Tokens per block when building: bounds the temporary arrays to ~100 MB (a 1M-passage
# build peaks ~0.4 GB lower than with 4M-token blocks, at the same speed). Read here per build.
_BUILD_BLOCK_TOKENS = 1_000_000


class SearchIndex:
    """An immutable BM25Okapi index over pre-analysed passages, addressed by position.

    Build it with :meth:`build` (token lists) or :meth:`build_from_ids` (integer token ids),
    query it with :meth:`search`, persist it with :meth:`save` and :meth:`load`.
    Queries are thread-safe (one query at a time uses the shared score buffer).
    """

    def __init__(
        self,
        *,
        terms: SortedStrings,
        indptr: npt.NDArray[np.int64],
        doc_ids: npt.NDArray[np.int32],
        tfs: npt.NDArray[Any],
        doc_len: npt.NDArray[np.int32],
        first_off: npt.NDArray[np.uint32],
        idf: FloatArray,
        size: int,
        avgdl: float,
        k1: float,
        b: float,
        epsilon: float,
        average_idf: float,
    ) -> None:
        """Wrap ready-made arrays; use :meth:`build` or :meth:`load` instead of calling this."""
        self._terms = terms
        self._indptr = indptr
        self._doc_ids = doc_ids
        self._tfs = tfs
        self._doc_len = doc_len
        self._first_off = first_off
        self._idf = idf
        self._size = size
        self._avgdl = avgdl
        self._k1 = k1
        self._b = b
        self._epsilon = epsilon
        self._average_idf = average_idf
        self._lock = threading.Lock()
        self._buffer: FloatArray | None = None
        self._norm: FloatArray | None = None
        self._scratch_buffers: tuple[FloatArray, FloatArray, FloatArray] | None = None

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        docs: Sequence[Sequence[str]],
        *,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
    ) -> SearchIndex:
        """Index pre-analysed passages; passage ``i`` is ``docs[i]``.

        Args:
            docs: One token list per passage. Tokens are used as given (no analysis here).
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.
            epsilon: Share of the average idf given to terms with negative idf.

        Returns:
            The index.

        Raises:
            EmptyIndexError: If ``docs`` is empty.
            TypeError: If a passage is a string rather than a token list.
        """
        tokens, lengths, vocabulary = build.number_tokens(docs)
        return cls.build_from_ids(tokens, lengths, vocabulary, k1=k1, b=b, epsilon=epsilon)

    @classmethod
    def build_from_ids(
        cls,
        tokens: npt.ArrayLike,
        lengths: npt.ArrayLike,
        vocabulary: Sequence[str],
        *,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
    ) -> SearchIndex:
        """Index passages given as integer token ids, concatenated in passage order.

        Terms of ``vocabulary`` that never occur are dropped. The vocabulary may be in any
        order: the average idf is summed in order of first occurrence, as rank_bm25 does.

        Args:
            tokens: Term ids (``0 <= id < len(vocabulary)``) of all passages, concatenated.
            lengths: Number of tokens of each passage; their sum is ``len(tokens)``.
            vocabulary: The term of each id.
            k1: BM25 term-frequency saturation.
            b: BM25 length normalisation.
            epsilon: Share of the average idf given to terms with negative idf.

        Returns:
            The index.

        Raises:
            EmptyIndexError: If there are no passages.
            ValueError: If the ids or lengths are inconsistent.
        """
        built = build.build_arrays(
            tokens, lengths, vocabulary, epsilon=epsilon, block_tokens=_BUILD_BLOCK_TOKENS
        )
        return cls(**built._asdict(), k1=k1, b=b, epsilon=epsilon)

    # ------------------------------------------------------------------ facts

    @property
    def size(self) -> int:
        """Number of passages (including empty ones)."""
        return self._size

    @property
    def avgdl(self) -> float:
        """Average passage length in tokens."""
        return self._avgdl

    @property
    def k1(self) -> float:
        """BM25 term-frequency saturation."""
        return self._k1

    @property
    def b(self) -> float:
        """BM25 length normalisation."""
        return self._b

    @property
    def epsilon(self) -> float:
        """Share of the average idf given to terms with negative idf."""
        return self._epsilon

    @property
    def average_idf(self) -> float:
        """Mean idf over the vocabulary before flooring (rank_bm25's ``average_idf``)."""
        return self._average_idf

    @property
    def vocabulary(self) -> Collection[str]:
        """The indexed terms in code-point order (supports ``in``, ``len`` and iteration)."""
        return self._terms

    @property
    def terms(self) -> SortedStrings:
        """The indexed terms; a term's position is its id in the postings arrays."""
        return self._terms

    @property
    def doc_lengths(self) -> npt.NDArray[np.int32]:
        """Number of tokens of each passage."""
        return self._doc_len

    @property
    def postings(self) -> int:
        """Number of distinct (term, passage) pairs stored."""
        return len(self._doc_ids)

    def __contains__(self, term: object) -> bool:
        return term in self._terms

    def term_df(self, term: str) -> int:
        """Return the number of passages containing ``term`` (0 if unknown)."""
        term_id = self._terms.index_of(term)
        if term_id < 0:
            return 0
        return int(self._indptr[term_id + 1] - self._indptr[term_id])

    def idf(self, term: str) -> float:
        """Return the term's idf after the epsilon floor, as rank_bm25's ``idf`` (0 if unknown)."""
        term_id = self._terms.index_of(term)
        return 0.0 if term_id < 0 else float(self._idf[term_id])

    def postings_of(self, term: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        """Return the passages containing ``term`` (ascending) and its frequency in each."""
        term_id = self._terms.index_of(term)
        if term_id < 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=self._tfs.dtype)
        lo, hi = int(self._indptr[term_id]), int(self._indptr[term_id + 1])
        return self._doc_ids[lo:hi], self._tfs[lo:hi]

    def _norms(self) -> FloatArray:
        """Return ``k1 * (1 - b + b * dl / avgdl)`` per passage, as rank_bm25 computes it."""
        if self._norm is None:
            # Same operations, same order as rank_bm25's get_scores.
            lengths = self._doc_len.astype(np.float64)
            self._norm = self._k1 * ((1 - self._b) + (self._b * lengths) / self._avgdl)
        return self._norm

    def _contributions(
        self, term_id: int, lo: int, hi: int, ids: npt.NDArray[np.intp], weight: float
    ) -> FloatArray:
        """Return ``weight`` times the term's BM25 score in each of its passages ``ids``."""
        tf = self._tfs[lo:hi]
        # idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))), as rank_bm25.
        impacts = self._idf[term_id] * ((tf * (self._k1 + 1)) / (tf + self._norms()[ids]))
        return impacts if weight == 1.0 else weight * impacts

    def _scratch(self, size: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return three reusable float64 buffers of at least ``size`` (under the lock)."""
        if self._scratch_buffers is None or len(self._scratch_buffers[0]) < size:
            # Fresh large temporaries cost page faults on every query; these are reused.
            room = max(size, 1 << 16)
            self._scratch_buffers = (np.empty(room), np.empty(room), np.empty(room))
        return self._scratch_buffers

    def _add_contributions(
        self,
        term_id: int,
        lo: int,
        hi: int,
        ids: npt.NDArray[np.intp],
        weight: float,
        scratch: tuple[FloatArray, FloatArray, FloatArray],
    ) -> FloatArray:
        """Return :meth:`_contributions` computed in the scratch buffers (a view of one)."""
        n = hi - lo
        numerator, denominator, tf = scratch[0][:n], scratch[1][:n], scratch[2][:n]
        # The same float64 operations as _contributions (tf is converted to float64 there
        # too); only the temporaries are reused. take() with "clip" is not buffered.
        np.copyto(tf, self._tfs[lo:hi])
        np.multiply(tf, self._k1 + 1, out=numerator)
        np.take(self._norms(), ids, out=denominator, mode="clip")
        np.add(tf, denominator, out=denominator)
        np.divide(numerator, denominator, out=numerator)
        np.multiply(self._idf[term_id], numerator, out=numerator)
        if weight != 1.0:
            np.multiply(weight, numerator, out=numerator)
        return numerator

    # ------------------------------------------------------------------ querying

    def scores_for(self, terms: Mapping[str, float]) -> FloatArray:
        """Return every passage's score, like ``BM25Okapi.get_scores``.

        Args:
            terms: Query term -> weight; weight 1.0 counts the term once, 2.0 twice.

        Returns:
            A new float64 array of length :attr:`size`.
        """
        scores = np.zeros(self._size, dtype=np.float64)
        for term_id, lo, hi, weight in self._plan(terms):
            ids = self._doc_ids[lo:hi].astype(np.intp)
            np.add.at(scores, ids, self._contributions(term_id, lo, hi, ids, weight))
        return scores

    def scores_at(self, terms: Mapping[str, float], positions: Sequence[int]) -> FloatArray:
        """Return the scores of the given passages only, touching no other passage.

        Args:
            terms: Query term -> weight, as for :meth:`scores_for`.
            positions: Passage positions.

        Returns:
            A new float64 array, one score per position, equal to ``scores_for(terms)[positions]``.
        """
        wanted = np.asarray(positions, dtype=np.int64)
        scores = np.zeros(len(wanted), dtype=np.float64)
        for term_id, lo, hi, weight in self._plan(terms):
            ids = self._doc_ids[lo:hi]  # ascending within a term
            found = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
            hit = ids[found] == wanted
            rows = found[hit]
            tf = self._tfs[lo:hi][rows]
            norm = self._norms()[wanted[hit]]
            impacts = self._idf[term_id] * ((tf * (self._k1 + 1)) / (tf + norm))
            scores[hit] += weight * impacts
        return scores

    def search(self, terms: Mapping[str, float], k: int) -> list[tuple[int, float]]:
        """Return the best ``k`` passages for a weighted query.

        The score of a passage is ``sum(weight * bm25okapi_term_score(term, passage))``, equal
        (within 1e-9) to rank_bm25 0.2.2's ``get_scores`` over the query tokens when a term
        with weight w stands for w copies of the token. Unknown terms contribute nothing.

        Args:
            terms: Query term -> weight (1.0 for an ordinary token; e.g. 0.5 for expansions).
                Terms are added in this mapping's order.
            k: Maximum number of results.

        Returns:
            Up to ``k`` ``(position, score)`` pairs with score > 0, best first; equal scores
            are ordered by position. Empty if ``k <= 0`` or nothing matches.
        """
        if k <= 0:
            return []
        plan = self._plan(terms)
        if not plan:
            return []
        # Few postings: gather and reset only the touched passages. Many postings: one dense
        # pass over the score buffer is cheaper than gathering them.
        total = sum(hi - lo for _, lo, hi, _ in plan)
        dense = total * _DENSE_FRACTION >= self._size
        with self._lock:
            if self._buffer is None:
                self._buffer = np.zeros(self._size, dtype=np.float64)
            acc = self._buffer  # all zeros between queries
            # Every term's passages, one after the other: the touched passages at the end.
            touched = np.empty(total, dtype=np.intp)
            scratch = self._scratch(max(hi - lo for _, lo, hi, _ in plan))
            try:
                start = 0
                for number, (term_id, lo, hi, weight) in enumerate(plan):
                    # numpy indexes several times faster with intp than with int32 ids.
                    ids = touched[start : start + hi - lo]
                    start += hi - lo
                    ids[...] = self._doc_ids[lo:hi]
                    contribution = self._add_contributions(term_id, lo, hi, ids, weight, scratch)
                    if number == 0:
                        acc[ids] = contribution  # == 0.0 + contribution, one pass fewer
                    else:
                        # One addition per passage (ids are unique within a term), as in
                        # rank_bm25's score += ...; np.add.at is the fastest way to do it.
                        np.add.at(acc, ids, contribution)
                floor = self._score_floor(acc, plan, k)
                if dense:
                    candidates = np.flatnonzero(acc >= floor if floor > 0 else acc > 0)
                    scores = acc[candidates]
                    copies = 1
                else:
                    # A passage appears once per matching term; _top_k deduplicates.
                    candidates = touched
                    scores = acc[candidates]
                    if floor > 0:
                        above = scores >= floor
                        candidates, scores = candidates[above], scores[above]
                    copies = len(plan)
            except BaseException:
                acc.fill(0.0)
                raise
            if dense:
                acc.fill(0.0)
            else:
                acc[touched] = 0.0
        return _top_k(candidates, scores, k, copies)

    def _score_floor(
        self, acc: FloatArray, plan: list[tuple[int, int, int, float]], k: int
    ) -> float:
        """Return a score every top-``k`` passage reaches, or 0.0 if none is found cheaply.

        The passages of one term are distinct, so the k-th best final score among them is a
        lower bound for the k-th best overall. The rarest term's passages tend to score
        highest and are the cheapest to look at. Of a common term only an evenly spread
        share is looked at: the k-th best of some of its passages is a lower bound too, and
        partitioning all of them took longer than scoring them.
        """
        _, lo, hi, _ = min(plan, key=lambda entry: entry[2] - entry[1])
        if hi - lo < k or k > _FLOOR_MAX_K:
            return 0.0
        step = -(-(hi - lo) // max(_FLOOR_SAMPLE, k))
        sample = acc[self._doc_ids[lo:hi:step].astype(np.intp)]
        if len(sample) < k:
            return 0.0
        return float(np.partition(sample, len(sample) - k)[len(sample) - k])

    def _plan(self, terms: Mapping[str, float]) -> list[tuple[int, int, int, float]]:
        """Return the id, postings range and weight of each known query term with a weight."""
        plan = []
        for term, weight in terms.items():
            if weight == 0 or math.isnan(weight):
                continue
            term_id = self._terms.index_of(term)
            if term_id < 0:
                continue
            lo, hi = int(self._indptr[term_id]), int(self._indptr[term_id + 1])
            if hi > lo:
                plan.append((term_id, lo, hi, float(weight)))
        return plan

    # ------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` (created or replaced) as ``.npy`` arrays and JSON.

        The files are written to a temporary sibling directory that is then renamed into
        place, so readers see either the old index or the new one, never a partial one.

        Args:
            directory: Target directory; its parent is created if needed.
        """
        files.write(Path(directory), self.arrays(), self.facts())

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Return the arrays :meth:`save` writes, by file name."""
        terms = {f"terms_{name}": array for name, array in self._terms.arrays().items()}
        return {
            "indptr": self._indptr,
            "doc_ids": self._doc_ids,
            "tfs": self._tfs,
            "doc_len": self._doc_len,
            "idf": self._idf,
            "first_off": self._first_off,
            **terms,
        }

    def facts(self) -> dict[str, Any]:
        """Return the sizes and BM25 parameters :meth:`save` writes to ``meta.json``."""
        return {name: getattr(self, name) for name in files.FACTS}

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = True, verify: bool = False) -> SearchIndex:
        """Read an index written by :meth:`save`.

        Args:
            directory: The index directory.
            mmap: Memory-map the arrays (fast start-up, pages read on demand) instead of
                reading them into memory.
            verify: Also check every posting and term (reads all data).

        Returns:
            The index.

        Raises:
            IndexLoadError: If a file is missing, unreadable or inconsistent.
        """
        parts = files.read(Path(directory), mmap=mmap, verify=verify)
        terms = SortedStrings.from_arrays(
            {name: parts.pop(f"terms_{name}") for name in ("blob", "offsets", "prefixes")}
        )
        return cls(terms=terms, **parts)


# ---------------------------------------------------------------------- helpers


def _top_k(
    candidates: IntArray, scores: FloatArray, k: int, copies: int
) -> list[tuple[int, float]]:
    """Pick the best ``k`` distinct positive candidates, ordered by (-score, position).

    ``candidates`` may hold each passage up to ``copies`` times (always with the same score).
    """
    positive = scores > 0
    candidates, scores = candidates[positive], scores[positive]
    keep = k * copies
    if len(scores) > keep:
        # Every entry >= the keep-th best belongs to a passage; there are >= k of them, and
        # ties at the threshold are all kept so the position tie-break stays exact.
        threshold = np.partition(scores, len(scores) - keep)[len(scores) - keep]
        chosen = scores >= threshold
        candidates, scores = candidates[chosen], scores[chosen]
    if copies > 1:
        candidates, first = np.unique(candidates, return_index=True)
        scores = scores[first]
    order = np.lexsort((candidates, -scores))[:k]
    pairs = zip(candidates[order].tolist(), scores[order].tolist(), strict=True)
    return [(int(pos), float(score)) for pos, score in pairs]
