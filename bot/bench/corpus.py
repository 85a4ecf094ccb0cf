"""Synthetic benchmark data for :mod:`bot.bench.run`: vocabulary, corpus and queries.

Everything is deterministic (seeded): Zipf-Mandelbrot-distributed words from the real
``knowledge/`` vocabulary, padded with generated words, in passages of
lognormal length around :data:`MEAN_LENGTH` tokens, and short queries of mostly mid-frequency
terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

SEED = 20_261_125
VOCABULARY_SIZE = 50_000
"""Real words first (by frequency), then generated ones, as the Zipf ranks."""
ZIPF_EXPONENT = 1.0
ZIPF_OFFSET = 2.7
"""Zipf-Mandelbrot offset: flattens the head, as stopword removal does in real passages."""
MEAN_LENGTH = 80

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
STOPWORD_DIR = Path(__file__).resolve().parents[1] / "data" / "stopwords"
WORD = re.compile(r"[^\W\d_]{2,}")

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Corpus:
    """A synthetic corpus as term ids: ``tokens`` concatenated, ``lengths`` per passage."""

    vocabulary: list[str]
    tokens: npt.NDArray[np.int32]
    lengths: IntArray

    def token_lists(self) -> list[list[str]]:
        """Return the passages as token lists, the input of SearchIndex.build and rank_bm25."""
        words = np.array(self.vocabulary, dtype=object)
        starts = np.zeros(len(self.lengths) + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=starts[1:])
        lists: list[list[str]] = []
        step = 50_000  # bounds the temporary object array
        for first in range(0, len(self.lengths), step):
            last = min(first + step, len(self.lengths))
            chunk = words[self.tokens[starts[first] : starts[last]]]
            bounds = (starts[first : last + 1] - starts[first]).tolist()
            lists.extend(chunk[a:b].tolist() for a, b in pairwise(bounds))
        return lists


def vocabulary(size: int = VOCABULARY_SIZE) -> tuple[list[str], str]:
    """Return the Zipf-ranked vocabulary and a description of where it came from.

    Words of ``knowledge/*.md`` (front matter skipped, lowercased, stopwords dropped) come
    first, most frequent first; deterministic generated words fill up to ``size``.
    """
    counts: Counter[str] = Counter()
    for path in sorted(KNOWLEDGE_DIR.glob("*.md")) if KNOWLEDGE_DIR.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            parts = text.split("\n---", 2)
            text = parts[2] if len(parts) == 3 else text
        counts.update(word.lower() for word in WORD.findall(text))
    stopwords: set[str] = set()
    for path in sorted(STOPWORD_DIR.glob("*.txt")) if STOPWORD_DIR.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split("|", 1)[0].strip()
            if word:
                stopwords.add(word)
    real = [
        w for w, _ in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0])) if w not in stopwords
    ]
    words = real[:size]
    seen = set(words)
    rng = np.random.default_rng(SEED)
    onsets = ["", "b", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v",
              "sk", "st", "sp", "tr", "kr", "fr", "gr", "bl", "fl", "sj", "tj"]  # fmt: skip
    vowels = ["a", "e", "i", "o", "u", "y", "å", "ä", "ö", "ie", "ei"]
    codas = ["", "", "n", "r", "l", "s", "t", "k", "m", "ng", "nd", "rt", "st", "ll"]
    syllables = [o + v + c for o in onsets for v in vowels for c in codas]
    while len(words) < size:
        # A batch of 2-4 syllable words; later duplicates are skipped, so order is stable.
        batch = rng.integers(len(syllables), size=(4096, 4))
        n_syllables = rng.integers(2, 5, size=4096)
        for picks, count in zip(batch.tolist(), n_syllables.tolist(), strict=True):
            word = "".join(syllables[i] for i in picks[:count])
            if word not in seen and len(words) < size:
                seen.add(word)
                words.append(word)
    n_real = min(len(real), size)
    source = f"{n_real} words from {KNOWLEDGE_DIR.name}/*.md + {size - n_real} generated"
    return words, source


def make_corpus(n_passages: int, words: list[str]) -> Corpus:
    """Return a deterministic corpus of ``n_passages`` passages of ~80 Zipf-drawn tokens."""
    rng = np.random.default_rng([SEED, n_passages])
    sigma = 0.45
    draws = rng.lognormal(math.log(MEAN_LENGTH) - sigma**2 / 2, sigma, size=n_passages)
    lengths = np.clip(np.rint(draws), 5, 400).astype(np.int64)
    ranks = np.arange(len(words), dtype=np.float64)
    weights = (ranks + 1 + ZIPF_OFFSET) ** -ZIPF_EXPONENT
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    total = int(lengths.sum())
    tokens = np.empty(total, dtype=np.int32)
    step = 8_000_000
    for start in range(0, total, step):
        stop = min(start + step, total)
        picks = np.searchsorted(cdf, rng.random(stop - start), side="right")
        tokens[start:stop] = np.minimum(picks, len(words) - 1)
    return Corpus(vocabulary=words, tokens=tokens, lengths=lengths)


def make_queries(count: int, words: list[str]) -> list[list[str]]:
    """Return ``count`` deterministic queries of 3-8 distinct terms, mostly mid-frequency.

    Each term comes from ranks 50-5000 (80%), the 5-50 most common words (15%), or the rare
    tail (5%), like a question's content words after stopword removal.
    """
    rng = np.random.default_rng([SEED, 1])
    bands = [(50, 5_000), (5, 50), (5_000, len(words))]
    queries = []
    for _ in range(count):
        n_terms = int(rng.integers(3, 9))
        terms: list[str] = []
        while len(terms) < n_terms:
            low, high = bands[int(rng.choice(3, p=[0.8, 0.15, 0.05]))]
            word = words[int(rng.integers(low, min(high, len(words))))]
            if word not in terms:
                terms.append(word)
        queries.append(terms)
    return queries
