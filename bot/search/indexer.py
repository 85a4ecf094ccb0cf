"""Analyse documents into the BM25 index, touching each passage once and each word once.

Pass A splits every document into passages and turns each passage's index text into a list
of *entries*: its distinct words (per language, casefolded) and legal references, numbered as
they are first seen. Pass B works per entry, not per occurrence: the compound lexicon is the
stems of all words, the terms of an entry are analysed once with that lexicon, and its
everyday frequency is looked up once. The token lists the index needs are then expanded from
the entry numbers with numpy. The output is exactly what analysing every passage with
``Analyzer.terms`` would give, at a fraction of the cost.
"""

from __future__ import annotations

import logging
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.knowledge import split_passages
from bot.models import Document, Passage
from bot.search.analysis import MIN_SPLIT_WORD, Analyzer, span_texts
from bot.search.index import SearchIndex
from bot.search.index.strings import SortedStrings
from bot.search.words import WordTable, everyday_zipf, key, lexicon_stems, rarities

logger = logging.getLogger(__name__)

K1 = 1.5
B = 0.75
INDEX_RECIPE = f"passage-text=author+heading*2+text;k1={K1};b={B};rarity=3"
"""Everything besides the analyzer that shapes the index; part of the cache key."""
_EXPAND_SPANS = 4_000_000
"""Spans expanded to tokens at a time (bounds the temporary arrays)."""


def passage_index_text(document: Document, passage: Passage) -> str:
    """Return the text indexed for a passage: its heading gives context, its author a name.

    The author makes "according to Trine Torp …" find every passage of her column. The
    document title is left out: repeated in every passage of a guide it cannot tell them
    apart, and it made the guide's generic passages (the disclaimer) rank with the answer.
    The heading counts twice: it names what the passage is about ("Vad är ett IOP?",
    "Kriterier för IOP"), a field weighted above the body.
    """
    return "\n".join(
        part for part in (document.author, passage.heading, passage.heading, passage.text) if part
    )


@dataclass
class Entries:
    """The distinct words and legal references of a corpus, numbered as first seen."""

    languages: list[str] = field(default_factory=list)
    """Language of each entry ("" for a legal reference)."""
    texts: list[str | tuple[str, ...]] = field(default_factory=list)
    """The casefolded word, or the legal reference's terms."""
    _raw: dict[str, dict[str | tuple[str, ...], int]] = field(default_factory=dict)
    _folded: dict[tuple[str, str | tuple[str, ...]], int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def number(self, text: str, language: str) -> list[int]:
        """Return the entry numbers of every word and legal reference of ``text``."""
        raw = self._raw.get(language)
        if raw is None:
            raw = self._raw[language] = {}
        spans = span_texts(text)
        for span in set(spans).difference(raw):
            # A word is known by its spelling; a legal reference (a tuple) by its terms.
            if isinstance(span, tuple):
                raw[span] = self._entry("", span)
            else:
                raw[span] = self._entry(language, span.casefold())
        return list(map(raw.__getitem__, spans))

    def add(self, language: str, text: str | tuple[str, ...]) -> int:
        """Return the number of an entry, adding it when new.

        Args:
            language: The word's language ("" for a legal reference).
            text: The casefolded word, or the legal reference's terms.
        """
        return self._entry(language, text)

    def _entry(self, language: str, text: str | tuple[str, ...]) -> int:
        found = self._folded.get((language, text))
        if found is None:
            found = self._folded[(language, text)] = len(self.texts)
            self.languages.append(language)
            self.texts.append(text)
        return found

    def words(self) -> Iterable[tuple[int, str, str]]:
        """Yield ``(number, language, word)`` of every word entry."""
        for number, (language, text) in enumerate(zip(self.languages, self.texts, strict=True)):
            if language and isinstance(text, str):
                yield number, language, text


@dataclass
class Spans:
    """Entry numbers of every passage, concatenated, and how many each passage has."""

    ids: array[int] = field(default_factory=lambda: array("i"))
    counts: array[int] = field(default_factory=lambda: array("q"))

    def add(self, numbers: list[int]) -> None:
        """Append one passage's entry numbers."""
        self.ids.extend(numbers)
        self.counts.append(len(numbers))


@dataclass(frozen=True)
class Analysed:
    """Everything pass B derives from the entries."""

    index: SearchIndex
    lexicon: frozenset[str]
    flags: npt.NDArray[np.uint8]
    """1 for each index term (in index order) that is in the lexicon."""
    rarity: dict[str, float]
    words: WordTable


def read_passages(
    documents: Iterable[Document],
    entries: Entries,
    spans: Spans,
    sink: Callable[[Document, list[Passage]], None],
) -> None:
    """Pass A: split documents into passages and number their words.

    Args:
        documents: The documents in index order.
        entries: Collects the distinct words.
        spans: Collects each passage's entry numbers.
        sink: Receives each document with its passages (to keep or store them).
    """
    for document in documents:
        passages = split_passages(document)
        for passage in passages:
            spans.add(entries.number(passage_index_text(document, passage), document.language))
        sink(document, passages)


def word_info(items: list[tuple[str, str]]) -> list[tuple[float, tuple[str, ...]]]:
    """Return each word's everyday Zipf frequency and lexicon stems (a worker task)."""
    base = Analyzer()
    cache: dict[str, float] = {}
    result = []
    for language, word in items:
        value = cache.get(word)
        if value is None:
            value = cache[word] = everyday_zipf(word)
        result.append((value, tuple(set(lexicon_stems(base, word, language)))))
    return result


def terms_for(
    lexicon: frozenset[str], items: list[tuple[str, str | tuple[str, ...]]]
) -> list[tuple[str, ...]]:
    """Return the terms of each entry, analysed with the lexicon (a worker task)."""
    analyzer = Analyzer(lexicon)
    return [
        text if isinstance(text, tuple) else analyzer.word_terms(text, language)
        for language, text in items
    ]


def _chunks(items: list[Any], count: int) -> list[list[Any]]:
    size = -(-len(items) // max(count, 1)) or 1
    return [items[start : start + size] for start in range(0, len(items), size)]


def word_table(
    entries: Entries, counts: npt.NDArray[np.int64], pool: Mapper
) -> tuple[WordTable, frozenset[str]]:
    """Count the words, rate them and collect the compound lexicon (stems with references)."""
    numbers = [number for number, _, _ in entries.words() if counts[number] > 0]
    items = [(entries.languages[n], str(entries.texts[n])) for n in numbers]
    pending = pool.submit_all(word_info, [(c,) for c in _chunks(items, pool.workers)])
    word_counts = counts[numbers]
    keys = [key(language, word) for language, word in items]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    infos = [info for chunk in pending() for info in chunk]
    refs: dict[str, int] = {}
    for _, stems in infos:
        for stem in stems:
            refs[stem] = refs.get(stem, 0) + 1
    stems_sorted = sorted(refs)
    table = WordTable(
        keys=SortedStrings.from_sorted([keys[i] for i in order]),
        counts=np.asarray(word_counts, dtype=np.int64)[order],
        zipf=np.asarray([zipf for zipf, _ in infos], dtype=np.float64)[order],
        stems=SortedStrings.from_sorted(stems_sorted),
        refs=np.asarray([refs[s] for s in stems_sorted], dtype=np.int64),
    )
    return table, frozenset(refs)


def entry_terms(entries: Entries, lexicon: frozenset[str], pool: Mapper) -> list[tuple[str, ...]]:
    """Return the terms of every entry, analysed once each.

    Only words long enough to be compounds take real work; those go to the workers while
    this process analyses the rest.
    """
    items = list(zip(entries.languages, entries.texts, strict=True))
    long = [
        number
        for number, (_, text) in enumerate(items)
        if isinstance(text, str) and len(text) >= MIN_SPLIT_WORD
    ]
    if pool.workers > 1:
        chunks = _chunks([items[number] for number in long], pool.workers)
        pending = pool.submit_all(terms_for, [(lexicon, chunk) for chunk in chunks])
        done = set(long)
        short = [number for number in range(len(items)) if number not in done]
    else:
        pending, short = None, list(range(len(items)))
    terms: list[tuple[str, ...]] = [()] * len(items)
    for number, found in zip(short, terms_for(lexicon, [items[n] for n in short]), strict=True):
        terms[number] = found
    if pending is not None:
        results = [found for chunk in pending() for found in chunk]
        for number, found in zip(long, results, strict=True):
            terms[number] = found
    return terms


def expand(
    spans: Spans, terms: Sequence[tuple[str, ...]]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], list[str]]:
    """Turn entry numbers into the token ids, lengths and vocabulary of ``build_from_ids``."""
    vocabulary: dict[str, int] = {}
    flat: list[int] = []
    lengths = np.zeros(len(terms), dtype=np.int64)
    for number, entry in enumerate(terms):
        lengths[number] = len(entry)
        for term in entry:
            flat.append(vocabulary.setdefault(term, len(vocabulary)))
    entry_ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(lengths, out=entry_ptr[1:])
    flat_arr = np.asarray(flat, dtype=np.int32)
    ids = np.frombuffer(spans.ids, dtype=np.int32) if len(spans.ids) else np.zeros(0, np.int32)
    span_counts = np.frombuffer(spans.counts, dtype=np.int64)
    passage_lengths = np.zeros(len(span_counts), dtype=np.int64)
    pieces: list[npt.NDArray[np.int32]] = []
    bounds = np.zeros(len(span_counts) + 1, dtype=np.int64)
    np.cumsum(span_counts, out=bounds[1:])
    first = 0
    while first < len(span_counts):
        last = int(np.searchsorted(bounds, bounds[first] + _EXPAND_SPANS, side="right")) - 1
        last = min(max(last, first + 1), len(span_counts))
        chunk = ids[bounds[first] : bounds[last]]
        sizes = lengths[chunk]
        starts = np.repeat(entry_ptr[chunk] - (np.cumsum(sizes) - sizes), sizes)
        pieces.append(flat_arr[starts + np.arange(len(starts))])
        per_span = np.concatenate([[0], np.cumsum(sizes)])
        local = bounds[first : last + 1] - bounds[first]
        passage_lengths[first:last] = np.diff(per_span[local])
        first = last
    tokens = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)
    return tokens, passage_lengths, list(vocabulary)


def lexicon_flags(index: SearchIndex, lexicon: frozenset[str]) -> npt.NDArray[np.uint8]:
    """Return 1 for each index term that is in the lexicon (the lexicon is within the terms)."""
    return np.fromiter(
        (term in lexicon for term in index.terms.to_list()), dtype=np.uint8, count=len(index.terms)
    )


def analyse(
    entries: Entries,
    spans: Spans,
    pool: Mapper | None = None,
    side_task: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
) -> Analysed:
    """Pass B: lexicon, terms, rarities and the index, once per distinct word.

    Args:
        entries: The distinct words of pass A.
        spans: Each passage's entry numbers.
        pool: Spreads the per-word work over worker processes (None: here).
        side_task: A function and its arguments run on a worker while this process
            expands the tokens and builds the index (skipped without workers).

    Raises:
        EmptyIndexError: When there are no passages.
    """
    pool = pool or Mapper(None)
    clock = Stopwatch("pass B")
    counts = np.bincount(
        np.frombuffer(spans.ids, dtype=np.int32) if len(spans.ids) else np.zeros(0, np.int32),
        minlength=len(entries),
    )
    words, lexicon = word_table(entries, counts, pool)
    clock.lap("words")
    analyzer = Analyzer(lexicon)
    terms = entry_terms(entries, lexicon, pool)
    clock.lap("terms")
    side = None
    if side_task is not None and pool.workers > 1:
        side = pool.submit_all(side_task[0], [side_task[1]])
    tokens, lengths, vocabulary = expand(spans, terms)
    clock.lap("expand")
    index = SearchIndex.build_from_ids(tokens, lengths, vocabulary, k1=K1, b=B)
    clock.lap("index")
    rarity = rarities(analyzer, words.common_words())
    flags = lexicon_flags(index, lexicon)
    clock.lap("rarity and lexicon")
    if side is not None:
        side()
        clock.lap("side task")
    return Analysed(index, lexicon, flags, rarity, words)


class Stopwatch:
    """Logs how long each step of a build took (at debug level: ``-v``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.last = time.perf_counter()

    def lap(self, step: str) -> None:
        """Log the time since the previous lap."""
        now = time.perf_counter()
        logger.debug("%s: %s %.2f s", self.name, step, now - self.last)
        self.last = now


class Mapper:
    """Runs a function over task arguments: in worker processes, or here."""

    def __init__(self, pool: ProcessPoolExecutor | None, workers: int = 1) -> None:
        self.pool = pool
        self.workers = workers if pool is not None else 1

    def starmap(self, function: Callable[..., Any], tasks: Iterable[tuple[Any, ...]]) -> list[Any]:
        """Return ``[function(*task) for task in tasks]``, in order."""
        return self.submit_all(function, tasks)()

    def submit_all(
        self, function: Callable[..., Any], tasks: Iterable[tuple[Any, ...]]
    ) -> Callable[[], list[Any]]:
        """Start the tasks; return a function that waits for their results, in order."""
        if self.pool is None:
            results = [function(*task) for task in tasks]
            return lambda: results
        futures = [self.pool.submit(function, *task) for task in tasks]
        return lambda: [future.result() for future in futures]
