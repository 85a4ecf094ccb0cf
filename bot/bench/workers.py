"""The phases of :mod:`bot.bench.run`, each run in a fresh process: build, serve, reference.

:func:`bot.bench.run.main` calls one of :func:`build_worker`, :func:`serve_worker` or
:func:`reference_worker` when started with ``--worker``; each returns what its process
measured, including that process's peak RSS.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.bench.corpus import make_corpus, make_queries
from bot.bench.report import BuildResult, ReferenceResult, ServeResult
from bot.search.index import SearchIndex

TOP_K = 10
TOLERANCE = 1e-9
EXHAUSTIVE_QUERIES = 30
TIMED_PASSES = 3
"""Timed passes over the queries after the warm-up pass; percentiles pool all samples."""
REFERENCE_QUERY_LIMIT = {100_000: 40}
"""At 100k one get_scores call takes ~0.1-0.2 s, so only the first queries are compared."""


def _peak_rss_bytes() -> int:
    """Return this process's peak resident set size (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _current_rss_bytes() -> int:
    """Return this process's current resident set size (0 where /proc is missing)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def _percentile_ms(samples_ns: Sequence[int], q: float) -> float:
    return float(np.percentile(np.asarray(samples_ns, dtype=np.float64), q)) / 1e6


def build_worker(n_passages: int, directory: Path, words: list[str]) -> BuildResult:
    """Generate the corpus, then build and save the index into ``directory``."""
    corpus = make_corpus(n_passages, words)
    docs = corpus.token_lists()
    n_tokens = len(corpus.tokens)
    del corpus
    corpus_rss = _current_rss_bytes()
    start = time.perf_counter()
    index = SearchIndex.build(docs)
    build_s = time.perf_counter() - start
    del docs
    start = time.perf_counter()
    index.save(directory)
    save_s = time.perf_counter() - start
    disk = sum(path.stat().st_size for path in directory.iterdir())
    return BuildResult(
        passages=n_passages,
        tokens=n_tokens,
        terms=len(index.vocabulary),
        postings=index.postings,
        build_s=build_s,
        save_s=save_s,
        disk_bytes=disk,
        peak_rss_bytes=_peak_rss_bytes(),
        corpus_rss_bytes=corpus_rss,
    )


def _timed_search(index: SearchIndex, queries: list[list[str]]) -> list[int]:
    samples = []
    for query in queries:
        terms = dict.fromkeys(query, 1.0)
        start = time.perf_counter_ns()
        index.search(terms, TOP_K)
        samples.append(time.perf_counter_ns() - start)
    return samples


def serve_worker(directory: Path, n_queries: int, words: list[str]) -> ServeResult:
    """Load the saved index memory-mapped and time the queries."""
    queries = make_queries(n_queries, words)
    start = time.perf_counter_ns()
    index = SearchIndex.load(directory, mmap=True)
    load_ns = time.perf_counter_ns() - start
    cold = _timed_search(index, queries)  # first touch of the memory-mapped pages
    warm = [ns for _ in range(TIMED_PASSES) for ns in _timed_search(index, queries)]
    postings = [sum(index.term_df(t) for t in query) for query in queries]
    checked = queries[:EXHAUSTIVE_QUERIES]
    exhaustive_equal = sum(
        index.search(dict.fromkeys(q, 1.0), TOP_K) == _exhaustive_top(index, q) for q in checked
    )
    return ServeResult(
        load_ms=load_ns / 1e6,
        queries=len(queries),
        cold_p50_ms=_percentile_ms(cold, 50),
        p50_ms=_percentile_ms(warm, 50),
        p95_ms=_percentile_ms(warm, 95),
        p99_ms=_percentile_ms(warm, 99),
        max_ms=max(warm) / 1e6,
        mean_postings=float(np.mean(postings)),
        exhaustive_queries=len(checked),
        exhaustive_equal=exhaustive_equal,
        peak_rss_bytes=_peak_rss_bytes(),
    )


def _exhaustive_top(index: SearchIndex, query: list[str]) -> list[tuple[int, float]]:
    """Top 10 by sorting every passage's score: checks the top-k shortcuts of search()."""
    scores = index.scores_for(dict.fromkeys(query, 1.0))
    positive = np.flatnonzero(scores > 0)
    order = np.lexsort((positive, -scores[positive]))[:TOP_K]
    return [(int(i), float(scores[i])) for i in positive[order]]


def _top_matches(
    actual: list[tuple[int, float]], reference: npt.NDArray[np.float64]
) -> tuple[bool, bool, float]:
    """Compare a top-10 with rank_bm25's scores: (equal within 1e-9, same ids, max |diff|).

    Equal means: same length as rank_bm25's positive top 10, every score within 1e-9 of the
    reference's score at that rank, and every returned id has that score in the reference
    (so ids may differ only among passages whose scores tie within 1e-9).
    """
    ranked = sorted((-float(s), i) for i, s in enumerate(reference) if s > 0)[:TOP_K]
    expected = [(i, -neg) for neg, i in ranked]
    if len(actual) != len(expected):
        return False, False, math.inf
    diff = max(
        [abs(a - e) for (_, a), (_, e) in zip(actual, expected, strict=True)]
        + [abs(a - float(reference[i])) for i, a in actual],
        default=0.0,
    )
    same_ids = [i for i, _ in actual] == [i for i, _ in expected]
    return diff <= TOLERANCE, same_ids, diff


def reference_worker(
    n_passages: int, directory: Path, n_queries: int, words: list[str]
) -> ReferenceResult:
    """Run rank_bm25 on the same corpus and compare its top 10 with the index's."""
    from rank_bm25 import BM25Okapi

    queries = make_queries(n_queries, words)[: REFERENCE_QUERY_LIMIT.get(n_passages, n_queries)]
    docs = make_corpus(n_passages, words).token_lists()
    start = time.perf_counter()
    reference = BM25Okapi(docs)
    init_s = time.perf_counter() - start
    del docs
    index = SearchIndex.load(directory, mmap=True)
    _timed_search(index, queries)  # warm up, as in the serve process
    index_ns = _timed_search(index, queries)
    reference_ns: list[int] = []
    equal = identical = 0
    worst = 0.0
    for query in queries:
        start_ns = time.perf_counter_ns()
        scores = reference.get_scores(query)
        reference_ns.append(time.perf_counter_ns() - start_ns)
        ok, same, diff = _top_matches(index.search(dict.fromkeys(query, 1.0), TOP_K), scores)
        equal += ok
        identical += same
        worst = max(worst, diff)
    ref_p50 = _percentile_ms(reference_ns, 50)
    index_p50 = _percentile_ms(index_ns, 50)
    return ReferenceResult(
        queries=len(queries),
        init_s=init_s,
        p50_ms=ref_p50,
        p95_ms=_percentile_ms(reference_ns, 95),
        index_p50_ms=index_p50,
        speedup_p50=ref_p50 / index_p50,
        equal_queries=equal,
        identical_ids_queries=identical,
        max_abs_diff=worst,
        peak_rss_bytes=_peak_rss_bytes(),
    )
