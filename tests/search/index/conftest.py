"""Fixtures for the sparse BM25 index tests: random corpora and the rank_bm25 reference."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

Corpus = list[list[str]]


def reference_scores(
    docs: Sequence[Sequence[str]],
    query: Sequence[str],
    *,
    k1: float = 1.5,
    b: float = 0.75,
    epsilon: float = 0.25,
) -> np.ndarray:
    """rank_bm25 0.2.2 BM25Okapi.get_scores, the scores the index must reproduce."""
    return BM25Okapi([list(doc) for doc in docs], k1=k1, b=b, epsilon=epsilon).get_scores(
        list(query)
    )


def expected_top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Brute-force top k: positive scores ordered by (-score, position)."""
    ranked = sorted((-float(s), i) for i, s in enumerate(scores) if s > 0)
    return [(i, -neg) for neg, i in ranked[:k]]


def zipf_corpus(seed: int, n_docs: int, n_terms: int, max_len: int) -> Corpus:
    """A seeded corpus with Zipf-like term frequencies (rare and very common terms)."""
    rng = random.Random(seed)
    vocabulary = [f"t{i}" for i in range(n_terms)]
    weights = [1 / (rank + 1) for rank in range(n_terms)]
    return [
        rng.choices(vocabulary, weights=weights, k=rng.randint(0, max_len)) for _ in range(n_docs)
    ]


@pytest.fixture(scope="session")
def reference() -> Callable[..., np.ndarray]:
    return reference_scores


@pytest.fixture(scope="session")
def brute_force_top() -> Callable[[np.ndarray, int], list[tuple[int, float]]]:
    return expected_top


@pytest.fixture(scope="session")
def make_corpus() -> Callable[[int, int, int, int], Corpus]:
    return zipf_corpus


@pytest.fixture
def small_corpus() -> Corpus:
    return [
        ["samverkan", "kommun", "förening", "samverkan"],
        ["iop", "avtal", "kommun"],
        ["förening", "stöd", "bidrag", "kommun", "region"],
        [],
        ["iop", "partnerskap", "idéburen", "sektor", "iop"],
        ["bidrag", "region", "kommun"],
    ]
