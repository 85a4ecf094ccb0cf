"""Building a :class:`~bot.search.index.SearchIndex`: term numbering, postings and idf.

:meth:`SearchIndex.build <bot.search.index.SearchIndex.build>` numbers the tokens with
:func:`number_tokens`;
:meth:`SearchIndex.build_from_ids <bot.search.index.SearchIndex.build_from_ids>`
checks the ids and computes the arrays with :func:`build_arrays`. Both stay the public entry
points; this module is the machinery behind them.

The index stores, per (term, passage) pair, only the passage and the term frequency; the
passage lengths are stored once. The BM25 arithmetic happens at query time, with the same
float64 operations in the same order as rank_bm25 0.2.2's ``get_scores``::

    score(t, d) = idf(t) * (tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)))

with rank_bm25's idf, including its floor: ``idf = ln(N - df + 0.5) - ln(df + 0.5)``; a
*negative* idf (df > N/2) is replaced by ``epsilon * average_idf``, where ``average_idf`` is
the mean of all idfs before flooring, summed (as rank_bm25 does) in order of each term's
first occurrence in the corpus. An idf of exactly 0 (df = N/2) stays 0, as in 0.2.2.

Terms are numbered in code-point order (the vocabulary is a
:class:`~bot.search.index.strings.SortedStrings`), so an index built at once and one updated
in place (:mod:`~bot.search.index.splice`) have the same layout. The corpus is processed in
blocks of about ``block_tokens`` tokens, twice: pass 1 counts the document frequencies and
finds each term's first occurrence, pass 2 scatters each block's (term, passage, tf)
postings into the CSR arrays, so passages stay ascending within every term.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, pairwise
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from bot.search.index.strings import SortedStrings

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

OFFSET_BITS = 32
"""A term's first occurrence sorts as ``passage << 32 | offset within the passage``."""


class EmptyIndexError(ValueError):
    """The corpus has no passages, so there is nothing to index."""


class BuiltArrays(NamedTuple):
    """What :func:`build_arrays` computed: the ``SearchIndex`` constructor's data arguments."""

    terms: SortedStrings
    indptr: npt.NDArray[np.int64]
    doc_ids: npt.NDArray[np.int32]
    tfs: npt.NDArray[Any]
    doc_len: npt.NDArray[np.int32]
    first_off: npt.NDArray[np.uint32]
    idf: FloatArray
    size: int
    avgdl: float
    average_idf: float


def tf_dtype(max_tf: int) -> np.dtype[Any]:
    """Return the smallest unsigned type that holds every term frequency."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_tf <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    raise ValueError(f"a term occurs {max_tf} times in one passage")


def number_tokens(
    docs: Sequence[Sequence[str]],
) -> tuple[npt.NDArray[np.int32], IntArray, list[str]]:
    """Turn token lists into concatenated term ids, passage lengths and the vocabulary.

    Raises:
        EmptyIndexError: If ``docs`` is empty.
        TypeError: If a passage is a string rather than a token list.
    """
    if len(docs) == 0:
        raise EmptyIndexError("cannot index an empty corpus: there are no passages")
    if any(isinstance(doc, str) for doc in docs):
        raise TypeError("each passage must be a sequence of tokens, not a string")
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    # The defaultdict assigns the next id to an unseen token without a Python-level call.
    term_ids: defaultdict[str, int] = defaultdict()
    term_ids.default_factory = term_ids.__len__
    tokens = np.fromiter(
        map(term_ids.__getitem__, chain.from_iterable(docs)),
        dtype=np.int32,
        count=int(lengths.sum()),
    )
    return tokens, lengths, list(term_ids)


def build_arrays(
    tokens: npt.ArrayLike,
    lengths: npt.ArrayLike,
    vocabulary: Sequence[str],
    *,
    epsilon: float,
    block_tokens: int,
) -> BuiltArrays:
    """Check term ids and lengths and compute the index arrays (see ``build_from_ids``).

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
    if n_docs and int(doc_len.max()) >= 2**OFFSET_BITS:
        raise ValueError("a passage has too many tokens")
    n_terms = len(vocabulary)
    if token_arr.size and (int(token_arr.min()) < 0 or int(token_arr.max()) >= n_terms):
        raise ValueError("token ids must lie in range(len(vocabulary))")

    total = int(doc_len.sum())
    # rank_bm25: avgdl = num_doc / corpus_size with Python ints (correctly rounded).
    avgdl = total / n_docs
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(doc_len, out=starts[1:])
    blocks = _blocks(starts, block_tokens)

    # Pass 1: document frequencies and each term's first occurrence (global token number).
    df = np.zeros(n_terms, dtype=np.int64)
    first = np.full(n_terms, np.iinfo(np.int64).max, dtype=np.int64)
    max_tf = 0
    for block_first, block_last in blocks:
        lo, hi = int(starts[block_first]), int(starts[block_last])
        block = token_arr[lo:hi].astype(np.int64)
        np.minimum.at(first, block, np.arange(lo, hi, dtype=np.int64))
        terms, _docs, tf = _block_postings(block, starts, block_first, block_last)
        df += np.bincount(terms, minlength=n_terms)
        if len(tf):
            max_tf = max(max_tf, int(tf.max()))

    used = np.flatnonzero(df > 0)
    words = [vocabulary[i] for i in used.tolist()]
    order = sorted(range(len(words)), key=words.__getitem__)
    # old id -> position in code-point order (ids that never occur are never looked up)
    remap = np.zeros(n_terms, dtype=np.int64)
    remap[used[order]] = np.arange(len(order), dtype=np.int64)
    terms_table = SortedStrings.from_sorted([words[i] for i in order])
    df = df[used][order]
    first = first[used][order]
    first_doc = np.searchsorted(starts, first, side="right") - 1
    first_off = (first - starts[first_doc]).astype(np.uint32)
    n_terms = len(order)

    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    n_postings = int(indptr[-1])
    doc_ids = np.empty(n_postings, dtype=np.int32)
    tfs = np.empty(n_postings, dtype=tf_dtype(max_tf))
    if n_postings:
        cursor = indptr[:-1].copy()
        # Pass 2: scatter each block's postings after the previous blocks' (ids ascend).
        for block_first, block_last in blocks:
            lo, hi = int(starts[block_first]), int(starts[block_last])
            block = remap[token_arr[lo:hi]]
            terms, docs, tf = _block_postings(block, starts, block_first, block_last)
            counts = np.bincount(terms, minlength=n_terms)
            block_start = np.cumsum(counts) - counts
            dest = cursor[terms] + (np.arange(len(terms)) - block_start[terms])
            cursor += counts
            doc_ids[dest] = docs
            tfs[dest] = tf

    idf, average_idf = okapi_idf(df, n_docs, epsilon, first_key(first_doc, first_off))
    return BuiltArrays(
        terms=terms_table,
        indptr=indptr,
        doc_ids=doc_ids,
        tfs=tfs,
        doc_len=doc_len.astype(np.int32),
        first_off=first_off,
        idf=idf,
        size=n_docs,
        avgdl=avgdl,
        average_idf=average_idf,
    )


def first_key(first_doc: npt.ArrayLike, first_off: npt.ArrayLike) -> IntArray:
    """Return sortable first-occurrence keys: passage, then offset within the passage."""
    return (np.asarray(first_doc, dtype=np.int64) << OFFSET_BITS) | np.asarray(
        first_off, dtype=np.int64
    )


def _blocks(starts: IntArray, block_tokens: int) -> list[tuple[int, int]]:
    """Split passages into consecutive ranges of about ``block_tokens`` tokens each."""
    n_docs = len(starts) - 1
    bounds = np.searchsorted(starts, np.arange(0, int(starts[-1]), block_tokens), side="right") - 1
    cuts = sorted({0, n_docs, *(int(c) for c in bounds)})
    return [(a, b) for a, b in pairwise(cuts) if b > a]


def _block_postings(
    block_tokens: IntArray, starts: IntArray, first: int, last: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Return (term, passage, tf) of passages ``first..last-1``, sorted by term then passage."""
    n_block = last - first
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


def okapi_idf(
    df: npt.ArrayLike, n_docs: int, epsilon: float, first_keys: npt.ArrayLike
) -> tuple[FloatArray, float]:
    """Return rank_bm25 0.2.2's floored idf per term and the average idf before flooring.

    Args:
        df: Document frequency of each term.
        n_docs: Number of passages.
        epsilon: Share of the average idf given to terms with negative idf.
        first_keys: Each term's first occurrence (:func:`first_key`): rank_bm25 sums the
            idfs in that order, so the average is bit-identical to its ``average_idf``.

    Returns:
        The idf array (float64) and the average idf.
    """
    df_arr = np.asarray(df, dtype=np.int64)
    if not len(df_arr):
        return np.zeros(0, dtype=np.float64), 0.0
    # math.log per distinct df: the same values as rank_bm25's per-term math.log calls.
    table = np.zeros(int(df_arr.max()) + 1, dtype=np.float64)
    for freq in np.flatnonzero(np.bincount(df_arr)).tolist():
        table[freq] = math.log(n_docs - freq + 0.5) - math.log(freq + 0.5)
    raw = table[df_arr]
    in_order = raw[np.argsort(np.asarray(first_keys), kind="stable")]
    # Left to right like rank_bm25's loop: a cumulative sum adds one term at a time (a plain
    # sum adds pairwise, and built-in sum() compensates from Python 3.12 on).
    average_idf = float(np.cumsum(in_order)[-1]) / len(in_order)
    eps = epsilon * average_idf
    return np.where(raw < 0, eps, raw), average_idf
