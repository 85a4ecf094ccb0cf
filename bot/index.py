"""Sparse BM25 impact index: rank_bm25 0.2.2 ``BM25Okapi`` scores without scanning every passage.

``rank_bm25.BM25Okapi.get_scores`` walks every document in Python for every query term, so a
query costs O(terms x passages). This index precomputes, for every (term, passage) pair in the
corpus, the term's whole contribution to the passage's score (its *impact*)::

    impact(t, d) = idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))

with rank_bm25's idf, including its floor: ``idf = ln(N - df + 0.5) - ln(df + 0.5)``; a
*negative* idf (df > N/2) is replaced by ``epsilon * average_idf``, where ``average_idf`` is
the mean of all idfs before flooring. An idf of exactly 0 (df = N/2) stays 0, as in 0.2.2.

The postings are stored by term (CSR): ``indptr`` (int64, one entry per term plus one),
``doc_ids`` (int32, ascending within a term) and ``impacts`` (float64: float32 would lose the
1e-9 agreement with rank_bm25). That is 12 bytes per distinct (term, passage) pair, about
0.86 GB on disk for a million 80-token passages (72M pairs); :meth:`SearchIndex.load`
memory-maps the arrays, so start-up reads only the vocabulary.

A query touches only its terms' postings: it adds them into a reusable dense score buffer,
takes a score floor (the k-th best score among the rarest term's passages is a lower bound
for the k-th best overall), keeps the passages at or above it and sorts those few by
(-score, position). See ``docs/performance.md`` for measurements up to 1M passages.

Every impact is computed with the same float64 operations in the same order as rank_bm25, and
the terms are added in the caller's order, so with weights of 1.0 the scores are usually
bit-identical to ``get_scores``; the promise (and the tests) is agreement within 1e-9.

One deliberate difference: with ``b = 1`` rank_bm25 gives an empty passage the score NaN
(0 / 0); here an empty passage matches nothing.
"""

from __future__ import annotations

import functools
import json
import math
import operator
import os
import shutil
import tempfile
import threading
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["EPSILON", "K1", "B", "EmptyIndexError", "IndexLoadError", "SearchIndex"]

K1 = 1.5
"""Term-frequency saturation (rank_bm25's default)."""
B = 0.75
"""Length normalisation (rank_bm25's default)."""
EPSILON = 0.25
"""Share of the average idf given to terms whose idf is negative (rank_bm25's default)."""

FORMAT = "samverkansboten-bm25-impact-index"
FORMAT_VERSION = 1

_META_FILE = "meta.json"
_VOCAB_FILE = "vocabulary.json"
_ARRAY_FILES = {
    "indptr": np.dtype(np.int64),
    "doc_ids": np.dtype(np.int32),
    "impacts": np.dtype(np.float64),
    "idf": np.dtype(np.float64),
}

# Above 1/16 of the corpus in postings, a query scans the score buffer densely.
_DENSE_FRACTION = 16

# Larger k gains little from the score floor (see SearchIndex._score_floor).
_FLOOR_MAX_K = 1000

# Tokens per block when building: bounds the temporary arrays to ~100 MB (a 1M-passage
# build peaks ~0.4 GB lower than with 4M-token blocks, at the same speed).
_BUILD_BLOCK_TOKENS = 1_000_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class EmptyIndexError(ValueError):
    """The corpus has no passages, so there is nothing to index."""


class IndexLoadError(Exception):
    """A saved index is missing, incomplete or corrupt."""


class SearchIndex:
    """An immutable BM25Okapi index over pre-analysed passages, addressed by position.

    Build it with :meth:`build` (token lists) or :meth:`build_from_ids` (integer token ids),
    query it with :meth:`search`, persist it with :meth:`save` and :meth:`load`.
    Queries are thread-safe (one query at a time uses the shared score buffer).
    """

    def __init__(
        self,
        *,
        vocabulary: Sequence[str],
        indptr: npt.NDArray[np.int64],
        doc_ids: npt.NDArray[np.int32],
        impacts: FloatArray,
        idf: FloatArray,
        size: int,
        avgdl: float,
        k1: float,
        b: float,
        epsilon: float,
        average_idf: float,
    ) -> None:
        """Wrap ready-made arrays; use :meth:`build` or :meth:`load` instead of calling this."""
        self._term_ids: dict[str, int] = dict(zip(vocabulary, range(len(vocabulary)), strict=True))
        self._indptr = indptr
        self._doc_ids = doc_ids
        self._impacts = impacts
        self._idf = idf
        self._size = size
        self._avgdl = avgdl
        self._k1 = k1
        self._b = b
        self._epsilon = epsilon
        self._average_idf = average_idf
        self._lock = threading.Lock()
        self._buffer: FloatArray | None = None

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
        if len(docs) == 0:
            raise EmptyIndexError("cannot index an empty corpus: there are no passages")
        if any(isinstance(doc, str) for doc in docs):
            raise TypeError("each passage must be a sequence of tokens, not a string")
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        # Term ids in order of first occurrence, as rank_bm25's document-frequency dict;
        # the defaultdict assigns the next id to an unseen token without a Python-level call.
        term_ids: defaultdict[str, int] = defaultdict()
        term_ids.default_factory = term_ids.__len__
        tokens = np.fromiter(
            map(term_ids.__getitem__, chain.from_iterable(docs)),
            dtype=np.int32,
            count=int(lengths.sum()),
        )
        return cls.build_from_ids(tokens, lengths, list(term_ids), k1=k1, b=b, epsilon=epsilon)

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

        Terms of ``vocabulary`` that never occur are dropped. The average idf sums the idfs in
        vocabulary order; rank_bm25 sums them in order of first occurrence, so number the
        vocabulary that way for bit-identical scores (any order agrees within 1e-9).

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
        token_arr = np.asarray(tokens)
        doc_len = np.asarray(lengths, dtype=np.int64)
        n_docs = len(doc_len)
        if n_docs == 0:
            raise EmptyIndexError("cannot index an empty corpus: there are no passages")
        if token_arr.ndim != 1 or doc_len.ndim != 1:
            raise ValueError("tokens and lengths must be one-dimensional")
        if n_docs >= 2**31 - 1:
            raise ValueError(f"too many passages for int32 ids: {n_docs}")
        if token_arr.size and not np.issubdtype(token_arr.dtype, np.integer):
            raise ValueError(f"token ids must be integers, not {token_arr.dtype}")
        if np.any(doc_len < 0) or int(doc_len.sum()) != len(token_arr):
            raise ValueError("lengths must be non-negative and sum to the number of tokens")
        n_terms = len(vocabulary)
        if token_arr.size and (int(token_arr.min()) < 0 or int(token_arr.max()) >= n_terms):
            raise ValueError("token ids must lie in range(len(vocabulary))")

        total = int(doc_len.sum())
        # rank_bm25: avgdl = num_doc / corpus_size with Python ints (correctly rounded).
        avgdl = total / n_docs
        starts = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(doc_len, out=starts[1:])
        blocks = _blocks(starts, _BUILD_BLOCK_TOKENS)

        # Pass 1: document frequencies.
        df = np.zeros(n_terms, dtype=np.int64)
        for first, last in blocks:
            terms, _docs, _tf = _block_postings(token_arr, starts, first, last)
            df += np.bincount(terms, minlength=n_terms)

        used = df > 0
        if not np.all(used):
            remap = (np.cumsum(used) - 1).astype(np.int32)
            token_arr = remap[token_arr]
            vocabulary = [t for t, keep in zip(vocabulary, used.tolist(), strict=True) if keep]
            df = df[used]
            n_terms = len(vocabulary)

        idf, average_idf = _okapi_idf(df.tolist(), n_docs, epsilon)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        n_postings = int(indptr[-1])
        doc_ids = np.empty(n_postings, dtype=np.int32)
        impacts = np.empty(n_postings, dtype=np.float64)

        if n_postings:
            # Same operations, same order as rank_bm25's get_scores:
            # idf * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))
            norm = k1 * ((1 - b) + (b * doc_len) / avgdl)
            cursor = indptr[:-1].copy()
            # Pass 2: scatter each block's postings after the previous blocks' (ids ascend).
            for first, last in blocks:
                terms, docs, tf = _block_postings(token_arr, starts, first, last)
                counts = np.bincount(terms, minlength=n_terms)
                block_start = np.cumsum(counts) - counts
                dest = cursor[terms] + (np.arange(len(terms)) - block_start[terms])
                cursor += counts
                doc_ids[dest] = docs
                impacts[dest] = idf[terms] * ((tf * (k1 + 1)) / (tf + norm[docs]))

        return cls(
            vocabulary=vocabulary,
            indptr=indptr,
            doc_ids=doc_ids,
            impacts=impacts,
            idf=idf,
            size=n_docs,
            avgdl=avgdl,
            k1=k1,
            b=b,
            epsilon=epsilon,
            average_idf=average_idf,
        )

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
        """The indexed terms (a read-only view; supports ``in`` and ``len``)."""
        return self._term_ids.keys()

    @property
    def postings(self) -> int:
        """Number of distinct (term, passage) pairs stored."""
        return len(self._doc_ids)

    def __contains__(self, term: object) -> bool:
        return term in self._term_ids

    def term_df(self, term: str) -> int:
        """Return the number of passages containing ``term`` (0 if unknown)."""
        term_id = self._term_ids.get(term)
        if term_id is None:
            return 0
        return int(self._indptr[term_id + 1] - self._indptr[term_id])

    def idf(self, term: str) -> float:
        """Return the term's idf after the epsilon floor, as rank_bm25's ``idf`` (0 if unknown)."""
        term_id = self._term_ids.get(term)
        return 0.0 if term_id is None else float(self._idf[term_id])

    # ------------------------------------------------------------------ querying

    def scores_for(self, terms: Mapping[str, float]) -> FloatArray:
        """Return every passage's score, like ``BM25Okapi.get_scores``.

        Args:
            terms: Query term -> weight; weight 1.0 counts the term once, 2.0 twice.

        Returns:
            A new float64 array of length :attr:`size`.
        """
        scores = np.zeros(self._size, dtype=np.float64)
        for lo, hi, weight in self._plan(terms):
            ids = self._doc_ids[lo:hi].astype(np.intp)
            impacts = self._impacts[lo:hi]
            np.add.at(scores, ids, impacts if weight == 1.0 else weight * impacts)
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
        dense = sum(hi - lo for lo, hi, _ in plan) * _DENSE_FRACTION >= self._size
        with self._lock:
            if self._buffer is None:
                self._buffer = np.zeros(self._size, dtype=np.float64)
            acc = self._buffer  # all zeros between queries
            try:
                term_ids = []
                for number, (lo, hi, weight) in enumerate(plan):
                    # numpy indexes several times faster with intp than with int32 ids.
                    ids = self._doc_ids[lo:hi].astype(np.intp)
                    term_ids.append(ids)
                    impacts = self._impacts[lo:hi]
                    contribution = impacts if weight == 1.0 else weight * impacts
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
                    touched = np.concatenate(term_ids)
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

    def _score_floor(self, acc: FloatArray, plan: list[tuple[int, int, float]], k: int) -> float:
        """Return a score every top-``k`` passage reaches, or 0.0 if none is found cheaply.

        The passages of one term are distinct, so the k-th best final score among them is a
        lower bound for the k-th best overall. The rarest term's passages tend to score
        highest and are the cheapest to look at.
        """
        lo, hi, _ = min(plan, key=lambda entry: entry[1] - entry[0])
        if hi - lo < k or k > _FLOOR_MAX_K:
            return 0.0
        sample = acc[self._doc_ids[lo:hi].astype(np.intp)]
        return float(np.partition(sample, hi - lo - k)[hi - lo - k])

    def _plan(self, terms: Mapping[str, float]) -> list[tuple[int, int, float]]:
        """Return the postings range and weight of each known query term with a weight."""
        plan = []
        for term, weight in terms.items():
            term_id = self._term_ids.get(term)
            if term_id is None or weight == 0 or math.isnan(weight):
                continue
            lo, hi = int(self._indptr[term_id]), int(self._indptr[term_id + 1])
            if hi > lo:
                plan.append((lo, hi, float(weight)))
        return plan

    # ------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` (created or replaced) as ``.npy`` arrays and JSON.

        The files are written to a temporary sibling directory that is then renamed into
        place, so readers see either the old index or the new one, never a partial one.

        Args:
            directory: Target directory; its parent is created if needed.
        """
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = _sibling_dir(directory, ".tmp")
        try:
            os.chmod(tmp, 0o755)
            arrays: dict[str, npt.NDArray[Any]] = {
                "indptr": self._indptr,
                "doc_ids": self._doc_ids,
                "impacts": self._impacts,
                "idf": self._idf,
            }
            for name, array in arrays.items():
                _write_file(tmp / f"{name}.npy", functools.partial(_save_npy, array=array))
            vocabulary = list(self._term_ids)
            _write_file(tmp / _VOCAB_FILE, lambda f: f.write(_json_bytes(vocabulary)))
            meta = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "size": self._size,
                "avgdl": self._avgdl,
                "k1": self._k1,
                "b": self._b,
                "epsilon": self._epsilon,
                "average_idf": self._average_idf,
                "terms": len(vocabulary),
                "postings": self.postings,
            }
            _write_file(tmp / _META_FILE, lambda f: f.write(_json_bytes(meta)))
            old: Path | None = None
            if directory.exists():
                old = _sibling_dir(directory, ".old")
                os.replace(directory, old)
            os.replace(tmp, directory)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = True, verify: bool = False) -> SearchIndex:
        """Read an index written by :meth:`save`.

        Args:
            directory: The index directory.
            mmap: Memory-map the postings (fast start-up, pages read on demand) instead of
                reading them into memory.
            verify: Also check every posting (ids in range, finite impacts); reads all data.

        Returns:
            The index.

        Raises:
            IndexLoadError: If a file is missing, unreadable or inconsistent.
        """
        directory = Path(directory)
        try:
            meta = json.loads((directory / _META_FILE).read_text(encoding="utf-8"))
            vocabulary = json.loads((directory / _VOCAB_FILE).read_text(encoding="utf-8"))
            arrays = {
                name: np.load(directory / f"{name}.npy", mmap_mode="r" if mmap else None)
                for name in _ARRAY_FILES
            }
        except (OSError, ValueError, EOFError) as exc:
            raise IndexLoadError(f"cannot read index in {directory}: {exc}") from exc
        _check_saved(directory, meta, vocabulary, arrays, verify=verify)
        plain = {name: array.view(np.ndarray) for name, array in arrays.items()}
        index = cls(
            vocabulary=vocabulary,
            indptr=plain["indptr"],
            doc_ids=plain["doc_ids"],
            impacts=plain["impacts"],
            idf=plain["idf"],
            size=meta["size"],
            avgdl=float(meta["avgdl"]),
            k1=float(meta["k1"]),
            b=float(meta["b"]),
            epsilon=float(meta["epsilon"]),
            average_idf=float(meta["average_idf"]),
        )
        if len(index.vocabulary) != len(vocabulary):
            raise IndexLoadError(f"corrupt index in {directory}: {_VOCAB_FILE} has duplicates")
        return index


# ---------------------------------------------------------------------- helpers


def _blocks(starts: IntArray, block_tokens: int) -> list[tuple[int, int]]:
    """Split passages into consecutive ranges of about ``block_tokens`` tokens each."""
    n_docs = len(starts) - 1
    bounds = np.searchsorted(starts, np.arange(0, int(starts[-1]), block_tokens), side="right") - 1
    cuts = sorted({0, n_docs, *(int(c) for c in bounds)})
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _block_postings(
    tokens: npt.NDArray[Any], starts: IntArray, first: int, last: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Return (term, passage, tf) of passages ``first..last-1``, sorted by term then passage."""
    n_block = last - first
    block_tokens = tokens[starts[first] : starts[last]].astype(np.int64)
    if not len(block_tokens):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    local_doc = np.repeat(np.arange(n_block, dtype=np.int64), np.diff(starts[first : last + 1]))
    keys = block_tokens * n_block + local_doc
    keys.sort()
    is_first = np.empty(len(keys), dtype=bool)
    is_first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=is_first[1:])
    firsts = np.flatnonzero(is_first)
    tf = np.diff(np.append(firsts, len(keys)))
    unique = keys[firsts]
    return unique // n_block, unique % n_block + first, tf


def _okapi_idf(df: list[int], n_docs: int, epsilon: float) -> tuple[FloatArray, float]:
    """Return rank_bm25 0.2.2's floored idf per term and the average idf before flooring."""
    idf = [math.log(n_docs - freq + 0.5) - math.log(freq + 0.5) for freq in df]
    if not idf:
        return np.zeros(0, dtype=np.float64), 0.0
    # Left-to-right like rank_bm25's loop (built-in sum() compensates from Python 3.12 on).
    average_idf = functools.reduce(operator.add, idf, 0) / len(idf)
    eps = epsilon * average_idf
    return np.array([eps if value < 0 else value for value in idf], dtype=np.float64), average_idf


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


def _sibling_dir(directory: Path, suffix: str) -> Path:
    """Create a fresh hidden directory next to ``directory`` (same file system, for renames)."""
    parent = directory.parent
    return Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=suffix, dir=parent))


def _save_npy(file: Any, *, array: npt.NDArray[Any]) -> None:
    """Write one array in ``.npy`` format, refusing Python objects."""
    np.save(file, array, allow_pickle=False)


def _json_bytes(value: object) -> bytes:
    """Serialise to compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write_file(path: Path, write: Any) -> None:
    """Create ``path``, fill it with ``write(file)`` and flush it to disk."""
    with path.open("wb") as file:
        write(file)
        file.flush()
        os.fsync(file.fileno())


def _check_saved(
    directory: Path,
    meta: Any,
    vocabulary: Any,
    arrays: Mapping[str, npt.NDArray[Any]],
    *,
    verify: bool,
) -> None:
    """Raise IndexLoadError unless the loaded parts form a consistent index."""

    def fail(reason: str) -> IndexLoadError:
        return IndexLoadError(f"corrupt index in {directory}: {reason}")

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise fail(f"{_META_FILE} is not a {FORMAT} file")
    if meta.get("version") != FORMAT_VERSION:
        raise fail(f"format version {meta.get('version')!r}, expected {FORMAT_VERSION}")
    for key in ("size", "terms", "postings"):
        if not isinstance(meta.get(key), int) or meta[key] < 0:
            raise fail(f"{_META_FILE} has no valid {key!r}")
    for key in ("avgdl", "k1", "b", "epsilon", "average_idf"):
        if not isinstance(meta.get(key), (int, float)):
            raise fail(f"{_META_FILE} has no valid {key!r}")
    if meta["size"] < 1:
        raise fail("an index has at least one passage")
    n_terms, n_postings = meta["terms"], meta["postings"]
    if not isinstance(vocabulary, list) or not set(map(type, vocabulary)) <= {str}:
        raise fail(f"{_VOCAB_FILE} is not a list of strings")
    if len(vocabulary) != n_terms:
        raise fail(f"{_VOCAB_FILE} has {len(vocabulary)} terms, not {n_terms}")
    expected_shapes = {
        "indptr": (n_terms + 1,),
        "doc_ids": (n_postings,),
        "impacts": (n_postings,),
        "idf": (n_terms,),
    }
    for name, dtype in _ARRAY_FILES.items():
        array = arrays[name]
        if array.dtype != dtype or array.shape != expected_shapes[name]:
            raise fail(
                f"{name}.npy is {array.dtype}{list(array.shape)}, "
                f"expected {dtype}{list(expected_shapes[name])}"
            )
    indptr = arrays["indptr"]
    if indptr[0] != 0 or indptr[-1] != n_postings or np.any(np.diff(indptr) < 0):
        raise fail("indptr.npy is not a valid postings offset table")
    if verify and n_postings:
        doc_ids = arrays["doc_ids"]
        if int(doc_ids.min()) < 0 or int(doc_ids.max()) >= meta["size"]:
            raise fail("doc_ids.npy has passage numbers out of range")
        if not np.all(np.isfinite(arrays["impacts"])):
            raise fail("impacts.npy has non-finite values")
