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

from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bot.knowledge import split_passages
from bot.models import Document, Passage
from bot.search.analysis import Analyzer, span_texts
from bot.search.index import SearchIndex
from bot.search.words import (
    WordTable,
    everyday_zipf,
    key,
    lexicon_stems,
    rarities,
)

K1 = 1.5
B = 0.75
INDEX_RECIPE = f"passage-text=author+heading+text;k1={K1};b={B};rarity=3"
"""Everything besides the analyzer that shapes the index; part of the cache key."""
_EXPAND_SPANS = 4_000_000
"""Spans expanded to tokens at a time (bounds the temporary arrays)."""


def passage_index_text(document: Document, passage: Passage) -> str:
    """Return the text indexed for a passage: its heading gives context, its author a name.

    The author makes "according to Trine Torp …" find every passage of her column. The
    document title is left out: repeated in every passage of a guide it cannot tell them
    apart, and it made the guide's generic passages (the disclaimer) rank with the answer.
    """
    return "\n".join(part for part in (document.author, passage.heading, passage.text) if part)


@dataclass
class Entries:
    """The distinct words and legal references of a corpus, numbered as first seen."""

    languages: list[str] = field(default_factory=list)
    """Language of each entry ("" for a legal reference)."""
    texts: list[str | tuple[str, ...]] = field(default_factory=list)
    """The casefolded word, or the legal reference's terms."""
    _raw: dict[str, dict[str, int]] = field(default_factory=dict)
    _folded: dict[tuple[str, str | tuple[str, ...]], int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)

    def number(self, text: str, language: str) -> list[int]:
        """Return the entry numbers of every word and legal reference of ``text``."""
        raw = self._raw.get(language)
        if raw is None:
            raw = self._raw[language] = {}
        ids = []
        for span in span_texts(text):
            if isinstance(span, tuple):
                ids.append(self._entry("", span))
                continue
            number = raw.get(span)
            if number is None:
                number = raw[span] = self._entry(language, span.casefold())
            ids.append(number)
        return ids

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


def word_table(
    entries: Entries, counts: npt.NDArray[np.int64], base: Analyzer
) -> tuple[WordTable, frozenset[str]]:
    """Count the words, rate them and collect the compound lexicon (stems with references)."""
    keys: list[str] = []
    word_counts: list[int] = []
    zipf: list[float] = []
    refs: dict[str, int] = {}
    cache: dict[str, float] = {}
    for number, language, word in entries.words():
        if counts[number] <= 0:
            continue
        keys.append(key(language, word))
        word_counts.append(int(counts[number]))
        value = cache.get(word)
        if value is None:
            value = cache[word] = everyday_zipf(word)
        zipf.append(value)
        for stem in set(lexicon_stems(base, word, language)):
            refs[stem] = refs.get(stem, 0) + 1
    order = sorted(range(len(keys)), key=keys.__getitem__)
    stems = sorted(refs)
    table = WordTable(
        keys=[keys[i] for i in order],
        counts=np.asarray(word_counts, dtype=np.int64)[order],
        zipf=np.asarray(zipf, dtype=np.float64)[order],
        stems=stems,
        refs=np.asarray([refs[s] for s in stems], dtype=np.int64),
    )
    return table, frozenset(refs)


def entry_terms(entries: Entries, analyzer: Analyzer, start: int = 0) -> list[tuple[str, ...]]:
    """Return the terms of entries ``start`` on, analysed once each."""
    terms: list[tuple[str, ...]] = []
    for language, text in zip(entries.languages[start:], entries.texts[start:], strict=True):
        terms.append(text if isinstance(text, tuple) else analyzer.word_terms(text, language))
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


def analyse(entries: Entries, spans: Spans) -> Analysed:
    """Pass B: lexicon, terms, rarities and the index, once per distinct word.

    Raises:
        EmptyIndexError: When there are no passages.
    """
    counts = np.bincount(
        np.frombuffer(spans.ids, dtype=np.int32) if len(spans.ids) else np.zeros(0, np.int32),
        minlength=len(entries),
    )
    base = Analyzer()
    words, lexicon = word_table(entries, counts, base)
    analyzer = Analyzer(lexicon)
    terms = entry_terms(entries, analyzer)
    tokens, lengths, vocabulary = expand(spans, terms)
    index = SearchIndex.build_from_ids(tokens, lengths, vocabulary, k1=K1, b=B)
    rarity = rarities(
        analyzer,
        (
            (*_split(word_key), zipf)
            for word_key, zipf in zip(words.keys, words.zipf.tolist(), strict=True)
            if zipf > 3.0
        ),
    )
    return Analysed(index, lexicon, lexicon_flags(index, lexicon), rarity, words)


def _split(word_key: str) -> tuple[str, str]:
    language, _, word = word_key.partition("\x1f")
    return language, word
