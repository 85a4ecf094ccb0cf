"""Text analysis shared by documents and questions: tokens, stopwords, stems, compounds, § refs.

One analyzer turns text into index terms. Documents are analysed in their own language;
questions in their detected language. The same function serves both, so a question term can
only match when it was produced the same way as the document term.
"""

from __future__ import annotations

import re
from abc import ABC
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import Stemmer

from bot.data import read_yaml
from bot.search.text import fold

ANALYZER_VERSION = "4"
"""Bump when analysis changes, so cached indexes are rebuilt."""

_STEMMER_NAMES = {"sv": "swedish", "da": "danish", "en": "english"}
_WORD = re.compile(r"\w+(?:[-:'’]\w+)*")
# "4 kap. 18 §", "19 kap. 25 a §": chapter-qualified Swedish references.
_CHAPTER_REF = re.compile(r"(\d+)\s*kap\.?\s*(\d+)\s*([a-z])?\s*§", re.IGNORECASE)
# "18 §", "25 a §" (Swedish order) and "§ 18", "§ 18 a", "§18a" (Danish/English order). In
# "stk. 4 i § 18" the "i" is a preposition: the § belongs to the number after it.
_SECTION_AFTER = re.compile(r"(\d+)\s*(?:([a-z])\s*§(?!\s*\d)|§)", re.IGNORECASE)
_SECTION_BEFORE = re.compile(r"§\s*(\d+)(?:\s?([a-z])\b)?", re.IGNORECASE)
_ARTICLE_REF = re.compile(r"\b(?:art\.?|artikel|article)\s*(\d+)", re.IGNORECASE)
# Everything _ARTICLE_REF matches, found ~3x faster (a literal start, no \b).
_ARTICLE_HINT = re.compile(r"[Aa][Rr][Tt](?:\.|(?i:ikel|icle))?\s*\d")
_LINKING = ("s",)
MIN_SPLIT_WORD = 8
MAX_SPLIT_WORD = 40
"""Longer "words" (hashes, runs of letters) are not compounds; splitting them costs O(n³)."""
MIN_PART = 4
_STEM_CACHE = 100_000
_STARTS_AFTER = 2_000
"""Compound splits before the lexicon's word beginnings are tabulated (see _part_starts)."""


@dataclass(frozen=True)
class WordSpan:
    """A word (or legal reference) in a text with the index terms it produced."""

    start: int
    end: int
    terms: tuple[str, ...]


def _read_lines(name: str) -> list[str]:
    data = resources.files("bot.data").joinpath(name).read_text(encoding="utf-8")
    return data.splitlines()


@cache
def stopwords(language: str) -> frozenset[str]:
    """Return the Snowball stopword list for ``language`` (sv, da or en).

    Args:
        language: A language code.

    Returns:
        The stopwords; an empty set for unknown languages.
    """
    if language not in _STEMMER_NAMES:
        return frozenset()
    words = set()
    for line in _read_lines(f"stopwords/{language}.txt"):
        word = line.split("|", 1)[0].strip()
        if word:
            words.add(word)
    return frozenset(words)


@lru_cache(maxsize=1)
def _overrides() -> dict[str, dict[str, str]]:
    loaded = read_yaml("stem_overrides.yaml")
    return {lang: dict(mapping or {}) for lang, mapping in (loaded or {}).items()}


def stem_overrides() -> dict[str, dict[str, str]]:
    """Return the project's corrections of Snowball stems: language → word → stem."""
    return _overrides()


class FrozenLexicon(Collection[str], ABC):
    """A read-only lexicon made for lookups, which :class:`Analyzer` uses without a copy.

    A stored corpus's lexicon has up to a million stems; copying it into a frozenset would
    cost every start ~0.2 s and ~100 MB.
    """

    def part_starts(self, width: int) -> frozenset[str] | None:
        """Return the first ``width`` letters of every entry (see ``Analyzer._part_starts``).

        None when not known; then compound splitting looks every candidate up.
        """
        return None


def part_starts(lexicon: Collection[str], width: int) -> frozenset[str] | None:
    """Return how the entries of a lexicon begin, for :meth:`FrozenLexicon.part_starts`.

    Args:
        lexicon: Stems.
        width: How many letters.

    Returns:
        The beginnings (with those of words the override map stems to an entry), or None
        when an entry is shorter than ``width``.
    """
    if any(len(entry) < width for entry in lexicon):
        return None
    starts = {entry[:width] for entry in lexicon}
    for mapping in _overrides().values():
        starts.update(word[:width] for word, stem in mapping.items() if stem in lexicon)
    return frozenset(starts)


class Analyzer:
    """Turns text into index terms for BM25.

    Args:
        lexicon: Known stems used to split compounds (the corpus vocabulary). Compound
            parts are added to the whole word, never replacing it.
    """

    def __init__(self, lexicon: Collection[str] = frozenset()) -> None:
        self.lexicon: Collection[str] = (
            lexicon if isinstance(lexicon, frozenset | FrozenLexicon) else frozenset(lexicon)
        )
        # PyStemmer's own cache (10,000 words) thrashes on a corpus vocabulary and makes every
        # call ~5x slower; _stems keeps what compound splitting asks for again (word endings).
        self._stemmers = {lang: Stemmer.Stemmer(name, 0) for lang, name in _STEMMER_NAMES.items()}
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}
        self._stems: dict[str, dict[str, str]] = {lang: {} for lang in _STEMMER_NAMES}
        self._splits = 0
        self._starts: dict[int, frozenset[str] | None] = {}

    def stem(self, word: str, language: str) -> str:
        """Stem one lower-case word with the Snowball stemmer of ``language``.

        Args:
            word: A casefolded word.
            language: sv, da or en (unknown languages fall back to Swedish).

        Returns:
            The stem, after the project's override map for known Snowball misses.
        """
        language = language if language in _STEMMER_NAMES else "sv"
        stems = self._stems[language]
        found = stems.get(word)
        if found is None:
            override = _overrides().get(language, {}).get(word)
            if override:
                found = override
            elif not word.isalpha():
                found = word
            else:
                found = str(self._stemmers[language].stemWord(word))
            if len(stems) >= _STEM_CACHE:
                stems.clear()
            stems[word] = found
        return found

    def word_terms(self, word: str, language: str) -> tuple[str, ...]:
        """Return the index terms of one word as written (case is folded here).

        Hyphenated words give their parts and the joined form ("IOP-avtal" → iop, avtal,
        iopavtal); colon and apostrophe endings are dropped ("IOP:er", "LOU:s" → iop, lou);
        long words also give their compound parts.

        Args:
            word: One token matched by the word pattern.
            language: The language to stem in.

        Returns:
            The terms, possibly empty for stopwords.
        """
        key = (word, language)
        cached = self._cache.get(key)
        if cached is None:
            cached = tuple(self._word_terms(word.casefold(), language))
            if len(self._cache) < 200_000:
                self._cache[key] = cached
        return cached

    def _word_terms(self, word: str, language: str) -> Iterator[str]:
        word = word.replace("’", "'")
        if "-" in word:
            parts = [part for part in word.split("-") if part]
            for part in parts:
                yield from self._word_terms(part, language)
            joined = "".join(parts)
            if len(parts) > 1 and joined.isalnum():
                yield self.stem(joined, language) if joined.isalpha() else joined
            return
        if ":" in word or "'" in word:
            head, _, tail = word.replace("'", ":").partition(":")
            if head.isdigit() and tail.isdigit():
                yield from (head, tail, f"{head}:{tail}")
            elif tail.isalpha() and len(tail) <= 3:
                yield from self._word_terms(head, language)
            else:
                for part in (head, tail):
                    yield from self._word_terms(part, language)
            return
        if not word or word in stopwords(language) or word == "_":
            return
        stem = self.stem(word, language)
        yield stem
        if word.isalpha() and MIN_SPLIT_WORD <= len(word) <= MAX_SPLIT_WORD and self.lexicon:
            for part in self.split_compound(word, language):
                if part != stem:
                    yield part

    def split_compound(self, word: str, language: str, depth: int = 0) -> tuple[str, ...]:
        """Split a compound into stems: "civilsamhällesutredningen" → civilsamhäll, utredning.

        A split is valid when both sides (the head optionally losing a linking -s-) are at least
        four letters and their stems are in the lexicon; the tail may itself be split once more.
        Among valid splits the most balanced one wins.

        Args:
            word: A casefolded alphabetic word.
            language: The language to stem in.
            depth: Recursion depth (internal).

        Returns:
            The stems of the parts, or an empty tuple when the word is not a known compound.
        """
        best: tuple[str, ...] = ()
        best_balance = 0
        stops = stopwords(language)
        starts, width = self._part_starts(language)
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:cut], word[cut:]
            if tail in stops:
                continue
            if starts is not None and tail[:width] not in starts:
                continue  # no lexicon entry begins like this, so no part does either
            tail_parts: tuple[str, ...] = ()
            tail_stem = self.stem(tail, language)
            if tail_stem in self.lexicon:
                tail_parts = (tail_stem,)
            elif depth == 0 and len(tail) >= MIN_SPLIT_WORD:
                tail_parts = self.split_compound(tail, language, depth + 1)
            if not tail_parts:
                continue
            for candidate in (
                head,
                *(head[: -len(link)] for link in _LINKING if head.endswith(link)),
            ):
                if len(candidate) < MIN_PART or candidate in stops:
                    continue
                if starts is not None and candidate[:width] not in starts:
                    continue
                head_stem = self.stem(candidate, language)
                if head_stem in self.lexicon or candidate in self.lexicon:
                    balance = min(len(candidate), len(tail))
                    if balance > best_balance:
                        best, best_balance = (head_stem, *tail_parts), balance
                    break
        return best

    def _part_starts(self, language: str) -> tuple[frozenset[str] | None, int]:
        """Return how lexicon entries begin (their first letters), once many words are split.

        Snowball's Swedish and Danish stems are prefixes of their words, and English stems
        keep at least their first three letters, so a substring whose first four (three)
        letters begin no lexicon entry can be neither a part nor a stem of one. Skipping it
        changes no result; it saves most of the stemming of a large corpus's long words.
        The table is made only for a frozenset lexicon whose entries are all long enough.
        """
        language = language if language in _STEMMER_NAMES else "sv"
        width = 3 if language == "en" else MIN_PART
        found = self._starts.get(width)
        if found is not None or width in self._starts:
            return found, width
        if isinstance(self.lexicon, FrozenLexicon):
            # A stored lexicon knows its beginnings; making them would read all of it.
            self._starts[width] = self.lexicon.part_starts(width)
            return self._starts[width], width
        self._splits += 1
        if self._splits < _STARTS_AFTER:
            return None, width
        self._starts[width] = self._make_starts(width)
        return self._starts[width], width

    def _make_starts(self, width: int) -> frozenset[str] | None:
        if not isinstance(self.lexicon, frozenset):
            return None
        return part_starts(self.lexicon, width)

    def spans(self, text: str, language: str) -> list[WordSpan]:
        """Return every word and legal reference of ``text`` with its terms, in text order.

        Args:
            text: Text in its original form (offsets refer to it).
            language: The language to analyse in.

        Returns:
            Word spans, including those whose terms are empty (stopwords).
        """
        found = [
            WordSpan(match.start(), match.end(), self.word_terms(match.group(), language))
            for match in _WORD.finditer(text)
        ]
        found.extend(legal_references(text))
        found.sort(key=lambda span: (span.start, span.end))
        return found

    def terms(self, text: str, language: str) -> list[str]:
        """Return all index terms of ``text`` in order, repeated as often as they occur."""
        return [term for span in self.spans(text, language) for term in span.terms]


def span_texts(text: str) -> list[str | tuple[str, ...]]:
    """Return what :meth:`Analyzer.spans` analyses, in its order, without analysing it.

    Each word is returned as written (its terms are ``Analyzer.word_terms`` of it), each
    legal reference as its terms. Indexing analyses every distinct word once instead of
    every occurrence.

    Args:
        text: Any text.

    Returns:
        Words and legal-reference terms in text order.
    """
    if "§" not in text and not (_ARTICLE_HINT.search(text) and _ARTICLE_REF.search(text)):
        return list(_WORD.findall(text))
    found: list[tuple[int, int, str | tuple[str, ...]]] = [
        (match.start(), match.end(), match.group()) for match in _WORD.finditer(text)
    ]
    found.extend((span.start, span.end, span.terms) for span in legal_references(text))
    found.sort(key=lambda span: (span[0], span[1]))
    return [span[2] for span in found]


def legal_references(text: str) -> list[WordSpan]:
    """Find legal references and give them exact-match terms.

    "4 kap. 18 §" gives ``§18`` and ``4kap§18``; "§ 18" and "18 §" both give ``§18``;
    "art. 77" gives ``art77``. Numbers stay ordinary terms as well.

    Args:
        text: Any text.

    Returns:
        One span per reference.
    """
    spans: list[WordSpan] = []
    covered: list[tuple[int, int]] = []
    for match in _CHAPTER_REF.finditer(text):
        chapter, section, letter = match.group(1), match.group(2), (match.group(3) or "").lower()
        spans.append(
            WordSpan(
                match.start(),
                match.end(),
                (f"§{section}{letter}", f"{chapter}kap§{section}{letter}"),
            )
        )
        covered.append(match.span())
    for pattern in (_SECTION_AFTER, _SECTION_BEFORE):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in covered):
                continue
            letter = (match.group(2) or "").lower()
            spans.append(WordSpan(match.start(), match.end(), (f"§{match.group(1)}{letter}",)))
            covered.append(match.span())
    for match in _ARTICLE_REF.finditer(text):
        spans.append(WordSpan(match.start(), match.end(), (f"art{match.group(1)}",)))
    return spans


def folded_variants(vocabulary: Collection[str]) -> dict[str, tuple[str, ...]]:
    """Map each accent-free spelling to the vocabulary terms it stands for.

    Args:
        vocabulary: Index terms.

    Returns:
        ``fold(term)`` → terms, only where folding changes something.
    """
    # Folding changes only non-ASCII characters, each on its own (NFD decomposes character by
    # character and every combining mark is dropped), so one translation table does it.
    accented = [term for term in vocabulary if not term.isascii()]
    table = {ord(char): fold(char) for char in set("".join(accented)) if not char.isascii()}
    variants: dict[str, list[str]] = {}
    for term in accented:
        folded = term.translate(table)
        if folded != term:
            variants.setdefault(folded, []).append(term)
    return {key: tuple(sorted(value)) for key, value in variants.items()}
