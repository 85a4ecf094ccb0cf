"""The corpus's distinct words: how often each occurs, how common it is in everyday language.

Everything the index derives from words is computed once per distinct word, not once per
occurrence: the compound lexicon (the stems of all words, which compound parts must belong
to), the everyday frequency (wordfreq's Zipf scale, for the abstention evidence) and the
terms. The :class:`WordTable` keeps the count of every (language, word) pair with its Zipf
value, so that an incremental update can tell which words appeared or vanished and recompute
the lexicon and the rarities without reading the other files again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.analysis import Analyzer, stopwords
from bot.search.index.strings import SortedStrings

ZIPF_LANGUAGES = ("sv", "da", "en")
"""A word common in any of these is generic: English questions meet English fragments."""
MIN_LEXICON_STEM = 4
RARITY_FLOOR = 0.15
SEPARATOR = "\x1f"
# Lower-case Latin letters (ASCII, Latin-1, Latin Extended-A): wordfreq tokenizes a word of
# these alone into itself, so a word missing from its frequency lists has frequency 0.
_PLAIN = re.compile(r"[a-zß-öø-ÿā-ž]+")


def rarity_of(zipf: float) -> float:
    """Map a Zipf frequency to a rarity: ≤3 (rare) → 1, 6 (very common) → the floor."""
    return min(1.0, max(RARITY_FLOOR, (6.0 - zipf) / 3.0))


@cache
def _frequency_lists() -> tuple[Mapping[str, float], ...]:
    from wordfreq import get_frequency_dict

    return tuple(get_frequency_dict(language, "best") for language in ZIPF_LANGUAGES)


def everyday_zipf(word: str) -> float:
    """Return the word's highest wordfreq Zipf frequency in Swedish, Danish or English.

    Exactly ``max(zipf_frequency(word, lang) for lang in ZIPF_LANGUAGES)`` for an alphabetic
    word, and 0 for any other word. Plain lower-case Latin words missing from all three
    frequency lists are answered without calling wordfreq, whose tokenizer costs ~13 µs a
    call.

    Args:
        word: A casefolded word.

    Returns:
        The Zipf frequency (0 for unknown words).
    """
    if not word.isalpha():
        return 0.0
    if _plain(word) and not any(word in frequencies for frequencies in _frequency_lists()):
        return 0.0
    from wordfreq import zipf_frequency

    return max(zipf_frequency(word, language) for language in ZIPF_LANGUAGES)


_ACCENTED = {"a": "aäåæ", "o": "oöø", "e": "eé", "u": "uü"}
MAX_RESTORED = 1024
"""Spellings tried for one word typed without accents: "skattefinansierade" has 432."""


def restored_zipf(word: str, zipf: Callable[[str], float] = everyday_zipf) -> float:
    """Return the Zipf frequency of the word, or of its commonest spelling with accents.

    "overallt" is "överallt" typed without accents: as common as that word, not as rare as
    the misspelling. A plain word is respelt letter by letter (a → ä, å, æ; o → ö, ø;
    e → é; u → ü).

    Args:
        word: A casefolded word.
        zipf: The everyday frequency of a word as spelt (:func:`everyday_zipf`).

    Returns:
        The Zipf frequency (0 when no spelling is known).
    """
    found = zipf(word)
    if not word.isascii() or not _plain(word):
        return found
    spellings = [""]
    for letter in word:
        choices = _ACCENTED.get(letter, letter)
        if len(spellings) * len(choices) > MAX_RESTORED:
            return found
        spellings = [start + choice for start in spellings for choice in choices]
    # Asked through ``zipf``: a stored table answers without loading wordfreq's lists.
    return max([found, *(zipf(spelling) for spelling in spellings[1:])])


def _plain(word: str) -> bool:
    """Return whether wordfreq takes the word as one token of itself (see _PLAIN)."""
    return (
        _PLAIN.fullmatch(word) is not None
        and word == word.casefold()
        and unicodedata.is_normalized("NFC", word)
    )


EVERYDAY_DIR = "everyday"
"""Where a version keeps the everyday frequencies of wordfreq's plain words."""


def save_everyday_table(directory: str) -> None:
    """Write :func:`everyday_zipf` of every plain word in the three lists (a worker task).

    An update then rates its few new words by looking them up here, without loading
    wordfreq (~1 s). All plain words of one list with the same frequency have the same Zipf
    value, so wordfreq is asked once per frequency, about 800 times a language.
    """
    from wordfreq import zipf_frequency

    best: dict[str, float] = {}
    for language, frequencies in zip(ZIPF_LANGUAGES, _frequency_lists(), strict=True):
        zipf_of: dict[float, float] = {}
        for word, frequency in frequencies.items():
            if not _plain(word):
                continue
            zipf = zipf_of.get(frequency)
            if zipf is None:
                zipf = zipf_of[frequency] = zipf_frequency(word, language)
            if zipf > best.get(word, 0.0):
                best[word] = zipf
    words = sorted(best)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for part, values in SortedStrings.from_sorted(words).arrays().items():
        np.save(target / f"words_{part}.npy", values, allow_pickle=False)
    zipf_values = np.asarray([best[word] for word in words], dtype=np.float64)
    np.save(target / "zipf.npy", zipf_values, allow_pickle=False)


def everyday_lookup(directory: Path) -> Callable[[str], float]:
    """Return :func:`everyday_zipf` as read from a stored table, or wordfreq's without one.

    Loading wordfreq's lists takes about half a second: a service answering its first
    question should not pay it when the build wrote the table (large builds do).

    Args:
        directory: Where :func:`save_everyday_table` wrote the table.
    """
    try:
        return EverydayTable(directory).zipf
    except (OSError, ValueError):
        return everyday_zipf


class EverydayTable:
    """The table :func:`save_everyday_table` wrote, memory-mapped.

    Raises:
        OSError, ValueError: When the files are missing or do not fit together.
    """

    def __init__(self, directory: Path) -> None:
        arrays: dict[str, Any] = {
            part: np.load(directory / f"words_{part}.npy", mmap_mode="r")
            for part in ("blob", "offsets", "prefixes")
        }
        self._words = SortedStrings.from_arrays(arrays)
        self._zipf = np.load(directory / "zipf.npy", mmap_mode="r")
        if len(self._zipf) != len(self._words):
            raise ValueError(f"everyday table in {directory} does not fit together")

    def zipf(self, word: str) -> float:
        """Return :func:`everyday_zipf` of a casefolded word."""
        if not word.isalpha():
            return 0.0
        if not _plain(word):
            return everyday_zipf(word)
        position = self._words.index_of(word)
        return float(self._zipf[position]) if position >= 0 else 0.0


def lexicon_stems(analyzer: Analyzer, word: str, language: str) -> tuple[str, ...]:
    """Return the stems a word adds to the compound lexicon.

    Args:
        analyzer: An analyzer without a lexicon.
        word: A casefolded word.
        language: The language of its text.

    Returns:
        Its alphabetic terms of at least four letters.
    """
    if word.isalpha():
        # What word_terms gives a plain word without a lexicon: its stem, or nothing.
        if word in stopwords(language):
            return ()
        stem = analyzer.stem(word, language)
        return (stem,) if stem.isalpha() and len(stem) >= MIN_LEXICON_STEM else ()
    return tuple(
        term
        for term in analyzer.word_terms(word, language)
        if term.isalpha() and len(term) >= MIN_LEXICON_STEM
    )


def term_of(analyzer: Analyzer, word: str, language: str) -> str | None:
    """Return the first term of an alphabetic word (its stem), None for stopwords."""
    if not word or word in stopwords(language):
        return None
    return analyzer.stem(word, language)


def rarities(analyzer: Analyzer, words: Iterable[tuple[str, str, float]]) -> dict[str, float]:
    """Rate each term by the everyday frequency of its most common word.

    Args:
        analyzer: Provides the stemmers.
        words: ``(language, word, zipf)`` of every word in the corpus.

    Returns:
        Term → rarity below 1; terms of rare words are left out (their rarity is 1).
    """
    best: dict[str, float] = {}
    for language, word, zipf in words:
        if rarity_of(zipf) >= 1.0:
            continue
        term = term_of(analyzer, word, language)
        if term is not None and zipf > best.get(term, 0.0):
            best[term] = zipf
    return {term: rarity_of(zipf) for term, zipf in best.items()}


def key(language: str, word: str) -> str:
    """Return the table key of a word in a language."""
    return f"{language}{SEPARATOR}{word}"


def split_key(text: str) -> tuple[str, str]:
    """Return ``(language, word)`` of a table key."""
    language, _, word = text.partition(SEPARATOR)
    return language, word


@dataclass(frozen=True)
class WordTable:
    """Every distinct (language, casefolded word) of a corpus with its count and Zipf value.

    ``stems`` and ``refs`` are the compound lexicon: each stem with the number of distinct
    words that contribute it. Both string tables are :class:`SortedStrings`, so that an
    update touches only the words that changed.
    """

    keys: SortedStrings
    counts: npt.NDArray[np.int64]
    zipf: npt.NDArray[np.float64]
    stems: SortedStrings
    refs: npt.NDArray[np.int64]

    def save(self, directory: Path) -> None:
        """Write the table into ``directory`` (created if needed)."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, table in (("keys", self.keys), ("stems", self.stems)):
            for part, values in table.arrays().items():
                np.save(directory / f"{name}_{part}.npy", values, allow_pickle=False)
        np.save(directory / "counts.npy", self.counts.astype(np.int64), allow_pickle=False)
        np.save(directory / "zipf.npy", self.zipf.astype(np.float64), allow_pickle=False)
        np.save(directory / "refs.npy", self.refs.astype(np.int64), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> WordTable:
        """Read a table written by :meth:`save` (the string tables memory-mapped).

        Raises:
            OSError, ValueError: When the files are missing or do not fit together.
        """
        tables: dict[str, SortedStrings] = {}
        for name in ("keys", "stems"):
            arrays: dict[str, Any] = {
                part: np.load(directory / f"{name}_{part}.npy", mmap_mode="r")
                for part in ("blob", "offsets", "prefixes")
            }
            tables[name] = SortedStrings.from_arrays(arrays)
        counts = np.load(directory / "counts.npy")
        zipf = np.load(directory / "zipf.npy")
        refs = np.load(directory / "refs.npy")
        if not len(tables["keys"]) == len(counts) == len(zipf) or len(refs) != len(
            tables["stems"]
        ):
            raise ValueError(f"word table in {directory} does not fit together")
        return cls(tables["keys"], counts, zipf, tables["stems"], refs)

    def updated(
        self,
        delta: Mapping[str, int],
        base: Analyzer,
        zipf_of: Callable[[str], float] = everyday_zipf,
    ) -> WordUpdate:
        """Apply changes of word counts; return the new table and what changed.

        Args:
            delta: Key (:func:`key`) → change of its count.
            base: An analyzer without a lexicon (for the stems new words contribute).
            zipf_of: Rates a new word (:func:`everyday_zipf`, or a stored table's lookup).

        Returns:
            The new table, and the lexicon stems that were added and removed.
        """
        counts = self.counts.copy()
        fresh: dict[str, int] = {}
        appeared: list[tuple[str, str]] = []
        vanished: list[tuple[str, str]] = []
        for word_key, amount in delta.items():
            if amount == 0:
                continue
            position = self.keys.index_of(word_key)
            if position >= 0:
                before = int(counts[position])
                counts[position] = before + amount
                if before > 0 and counts[position] <= 0:
                    vanished.append(split_key(word_key))
            elif amount > 0:
                fresh[word_key] = amount
                appeared.append(split_key(word_key))
        gone = np.flatnonzero(counts <= 0)
        added = sorted(fresh)
        keys = self.keys.merged(added, gone) if added or len(gone) else self.keys
        at = _positions(self.keys, added, gone)
        new_counts = np.insert(np.delete(counts, gone), at, [fresh[k] for k in added])
        new_zipf = np.insert(
            np.delete(self.zipf, gone), at, [zipf_of(split_key(k)[1]) for k in added]
        )

        stem_change: dict[str, int] = {}
        for sign, words in ((1, appeared), (-1, vanished)):
            for language, word in words:
                for stem in set(lexicon_stems(base, word, language)):
                    stem_change[stem] = stem_change.get(stem, 0) + sign
        refs = self.refs.copy()
        new_stems: dict[str, int] = {}
        for stem, amount in stem_change.items():
            position = self.stems.index_of(stem)
            if position >= 0:
                refs[position] += amount
            elif amount > 0:
                new_stems[stem] = amount
        dropped = np.flatnonzero(refs <= 0)
        added_stems = sorted(new_stems)
        stems = (
            self.stems.merged(added_stems, dropped) if added_stems or len(dropped) else self.stems
        )
        at = _positions(self.stems, added_stems, dropped)
        new_refs = np.insert(np.delete(refs, dropped), at, [new_stems[s] for s in added_stems])
        table = WordTable(
            keys, new_counts.astype(np.int64), new_zipf.astype(np.float64), stems, new_refs
        )
        removed = frozenset(self.stems[int(i)] for i in dropped)
        return WordUpdate(table, frozenset(added_stems), removed)

    def common_words(self) -> Iterable[tuple[str, str, float]]:
        """Yield ``(language, word, zipf)`` of the words common enough to have a rarity."""
        for position in np.flatnonzero(self.zipf > 3.0).tolist():
            language, word = split_key(self.keys[position])
            yield language, word, float(self.zipf[position])


@dataclass(frozen=True)
class WordUpdate:
    """A :class:`WordTable` after :meth:`WordTable.updated`, and how its lexicon changed."""

    table: WordTable
    added: frozenset[str]
    removed: frozenset[str]


def _positions(
    table: SortedStrings, inserted: list[str], deleted: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Return where ``np.insert`` puts new rows after ``np.delete`` of ``deleted``."""
    keep = np.delete(np.arange(len(table)), deleted)
    return np.searchsorted(keep, [table.insertion_point(s) for s in inserted], side="left")


EVERYDAY_WORDS = 5000


def everyday_stems(analyzer: Analyzer) -> dict[str, dict[str, float]]:
    """Rate the stems of each language's most frequent words (wordfreq), for unknown query words.

    Args:
        analyzer: Provides the stemmers.

    Returns:
        Language → stem → rarity below 1.
    """
    try:
        from wordfreq import top_n_list, zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a declared dependency
        return {}
    result: dict[str, dict[str, float]] = {}
    for language in ZIPF_LANGUAGES:
        stems: dict[str, float] = {}
        for word in top_n_list(language, EVERYDAY_WORDS):
            if not word.isalpha():
                continue
            rarity = rarity_of(zipf_frequency(word, language))
            stem = analyzer.stem(word, language)
            stems[stem] = min(stems.get(stem, 1.0), rarity)
        result[language] = {stem: value for stem, value in stems.items() if value < 1.0}
    return result
