"""Building a :class:`~bot.search.index.SearchIndex`: term numbering, postings, idf and impacts.

:meth:`SearchIndex.build <bot.search.index.SearchIndex.build>` numbers the tokens with
:func:`number_tokens`;
:meth:`SearchIndex.build_from_ids <bot.search.index.SearchIndex.build_from_ids>`
checks the ids and computes the arrays with :func:`build_arrays`. Both stay the public entry
points; this module is the machinery behind them.

The corpus is processed in blocks of about ``block_tokens`` tokens, twice: pass 1 counts the
document frequencies, pass 2 scatters each block's (term, passage, tf) postings into the CSR
arrays, so passages stay ascending within every term and the temporary arrays stay small.
Every impact is computed with the same float64 operations, in the same order, as
rank_bm25 0.2.2's ``get_scores``::

    impact(t, d) = idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))

with rank_bm25's idf, including its floor: ``idf = ln(N - df + 0.5) - ln(df + 0.5)``; a
*negative* idf (df > N/2) is replaced by ``epsilon * average_idf``, where ``average_idf`` is
the mean of all idfs before flooring. An idf of exactly 0 (df = N/2) stays 0, as in 0.2.2.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, pairwise
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class EmptyIndexError(ValueError):
    """The corpus has no passages, so there is nothing to index."""


class BuiltArrays(NamedTuple):
    """What :func:`build_arrays` computed: the ``SearchIndex`` constructor's data arguments."""

    vocabulary: Sequence[str]
    indptr: npt.NDArray[np.int64]
    doc_ids: npt.NDArray[np.int32]
    impacts: FloatArray
    idf: FloatArray
    size: int
    avgdl: float
    average_idf: float


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
    # Term ids in order of first occurrence, as rank_bm25's document-frequency dict;
    # the defaultdict assigns the next id to an unseen token without a Python-level call.
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
    k1: float,
    b: float,
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
    n_terms = len(vocabulary)
    if token_arr.size and (int(token_arr.min()) < 0 or int(token_arr.max()) >= n_terms):
        raise ValueError("token ids must lie in range(len(vocabulary))")

    total = int(doc_len.sum())
    # rank_bm25: avgdl = num_doc / corpus_size with Python ints (correctly rounded).
    avgdl = total / n_docs
    starts = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(doc_len, out=starts[1:])
    blocks = _blocks(starts, block_tokens)

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

    return BuiltArrays(
        vocabulary=vocabulary,
        indptr=indptr,
        doc_ids=doc_ids,
        impacts=impacts,
        idf=idf,
        size=n_docs,
        avgdl=avgdl,
        average_idf=average_idf,
    )


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
