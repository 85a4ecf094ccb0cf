"""Turn a question into weighted search terms: analysis, accent repair, glossary expansion."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.knowledge import Concept
from bot.models import LANGUAGES
from bot.search.analysis import Analyzer, folded_variants
from bot.search.text import fold

EXPANSION_WEIGHT = 0.4
"""Weight of a glossary synonym relative to a word the user typed."""
MAX_EXPANSIONS_PER_CONCEPT = 8
CANONICAL_TERMS = 3
"""Only the first distinct terms listed per language (the canonical forms) become synonyms."""


@dataclass(frozen=True)
class ConceptMatch:
    """A glossary concept found in a question: the typed terms it covers and its synonyms."""

    id: str
    typed: frozenset[str]
    stems: frozenset[str]
    weight: float = 0.4
    """Weight of the synonyms: a translation (no documents in the question's language) weighs 1."""


@dataclass(frozen=True)
class Query:
    """A question ready for the index."""

    text: str
    language: str
    terms: dict[str, float] = field(hash=False)
    """Search term → weight; typed words weigh 1, glossary synonyms less."""
    original: tuple[str, ...] = ()
    """Distinct terms of the words the user typed (after accent repair)."""
    concepts: tuple[ConceptMatch, ...] = ()
    """Glossary concepts recognised in the question."""


@dataclass(frozen=True)
class _ConceptTerm:
    concept: str
    language: str
    stems: frozenset[str]


class QueryBuilder:
    """Builds queries against one index vocabulary.

    Args:
        analyzer: The analyzer used for the documents.
        concepts: Glossary concepts.
        vocabulary: Index terms (terms outside it cannot match and are repaired or dropped).
        languages: Languages the documents are written in; None means all.
        prepared: Tables from :meth:`prepared` of an identical builder (a cache), which
            spares analysing every glossary term again.
        folded: The vocabulary's accent-free spellings (``folded_variants``), when the
            corpus stores them; they are then neither computed nor part of :meth:`prepared`.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        concepts: Collection[Concept],
        vocabulary: Collection[str],
        languages: Collection[str] | None = None,
        prepared: dict[str, Any] | None = None,
        folded: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.languages = frozenset(languages or LANGUAGES)
        self.vocabulary = vocabulary
        self.concepts = {concept.id: concept for concept in concepts}
        self._terms: list[_ConceptTerm] = []
        self._expansions: dict[tuple[str, str], tuple[str, ...]] = {}
        self._stored_folded = folded
        self.folded: Mapping[str, tuple[str, ...]] = {}
        if prepared is not None and self._load(prepared):
            return
        self.folded = folded if folded is not None else folded_variants(vocabulary)
        for concept in concepts:
            for language in LANGUAGES:
                canonical: list[str] = []
                distinct = 0
                for term in concept.terms.get(language, ()):
                    ordered = list(dict.fromkeys(self._repair(analyzer.terms(term, language))))
                    stems = frozenset(ordered)
                    if not stems:
                        continue
                    self._terms.append(_ConceptTerm(concept.id, language, stems))
                    # Inflections of a term already taken (IOP, IOP:er, IOP:s) add nothing new.
                    if distinct < CANONICAL_TERMS and not stems <= set(canonical):
                        distinct += 1
                        canonical.extend(
                            s for s in ordered if s in vocabulary and s not in canonical
                        )
                self._expansions[(concept.id, language)] = tuple(canonical)

    def prepared(self) -> dict[str, Any]:
        """Return the analysed glossary and accent tables as JSON-ready data (for a cache)."""
        tables: dict[str, Any] = {
            "terms": [[t.concept, t.language, sorted(t.stems)] for t in self._terms],
            "expansions": [
                [c, lang, list(stems)] for (c, lang), stems in self._expansions.items()
            ],
        }
        if self._stored_folded is None:
            tables["folded"] = {key: list(value) for key, value in self.folded.items()}
        return tables

    def _load(self, prepared: dict[str, Any]) -> bool:
        """Adopt cached tables; False when they do not fit (the caller then rebuilds them)."""
        try:
            folded: Mapping[str, tuple[str, ...]] | None = self._stored_folded
            if folded is None:
                folded = {str(k): tuple(v) for k, v in prepared["folded"].items()}
            terms = [
                _ConceptTerm(c, lang, frozenset(stems)) for c, lang, stems in prepared["terms"]
            ]
            expansions = {(c, lang): tuple(stems) for c, lang, stems in prepared["expansions"]}
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        if any(term.concept not in self.concepts for term in terms):
            return False
        self.folded, self._terms, self._expansions = folded, terms, expansions
        return True

    def _repair(self, terms: list[str]) -> list[str]:
        """Map terms missing from the vocabulary to their accented spelling when one exists."""
        repaired: list[str] = []
        for term in terms:
            if term in self.vocabulary:
                repaired.append(term)
                continue
            variants = self.folded.get(fold(term))
            if variants:
                repaired.extend(variants)
            else:
                repaired.append(term)
        return repaired

    def _typed_terms(self, text: str, language: str) -> list[str]:
        """Analyse typed words; a compound the corpus lacks is represented by its known parts."""
        terms: list[str] = []
        for span in self.analyzer.spans(text, language):
            repaired = self._repair(list(span.terms))
            known = [t for t in repaired if t in self.vocabulary]
            word = text[span.start : span.end]
            if repaired and not known and word[:1].isupper() and span.start > 0:
                # Names are stemmed by their text's language ("Trine" → trin in Danish): a
                # capitalised word inside the question may be known in another language.
                for other in LANGUAGES:
                    if other != language:
                        found = self._repair(list(self.analyzer.word_terms(word, other)))
                        known = [t for t in found if t in self.vocabulary]
                        if known:
                            repaired = known
                            break
            terms.extend(known if len(repaired) > 1 and known else repaired)
        return terms

    def build(self, text: str, language: str) -> Query:
        """Analyse a question and expand it with glossary synonyms.

        Args:
            text: The cleaned question.
            language: Its language (sv, da or en).

        Returns:
            The weighted query.
        """
        question_words = _question_words().get(language, frozenset())
        words = " ".join(
            w for w in text.split() if w.casefold().strip("?!.,;:") not in question_words
        )
        original = list(dict.fromkeys(self._typed_terms(words, language)))
        weights: dict[str, float] = dict.fromkeys(original, 1.0)
        by_language = {
            lang: set(self._repair(self.analyzer.terms(words, lang))) for lang in LANGUAGES
        }
        typed_of: dict[str, set[str]] = {}
        for concept_term in self._terms:
            concept = self.concepts[concept_term.concept]
            if language in concept.not_in:
                continue
            if concept_term.stems <= by_language[concept_term.language]:
                typed_of.setdefault(concept.id, set()).update(concept_term.stems & set(original))
        # The longest match wins: "idéburet offentligt partnerskap" is IOP, not also "partnerskap".
        typed_of = {
            cid: typed
            for cid, typed in typed_of.items()
            if not any(typed < other for oid, other in typed_of.items() if oid != cid)
        }
        matches: list[ConceptMatch] = []
        targets = expansion_languages(text, language)
        # Without documents in the question's language the synonyms are its translation: they
        # carry the meaning, and the typed words only match by chance ("public" in a Danish text).
        translating = language not in self.languages
        synonym_weight = 1.0 if translating else EXPANSION_WEIGHT
        for concept_id, typed in typed_of.items():
            added: list[str] = []
            candidates = [
                s
                for lang in targets
                for s in self._expansions.get((concept_id, lang), ())
                if s not in typed
            ]
            if translating and not candidates:
                # A concept only one language has a word for (samskabelse): use that word.
                candidates = [
                    s
                    for lang in LANGUAGES
                    for s in self._expansions.get((concept_id, lang), ())
                    if s not in typed
                ]
            for stem in candidates:
                if len(added) >= MAX_EXPANSIONS_PER_CONCEPT:
                    break
                if stem not in weights:
                    weights[stem] = synonym_weight
                    added.append(stem)
            if translating and added:
                for stem in typed:
                    weights[stem] = EXPANSION_WEIGHT
            matches.append(
                ConceptMatch(
                    concept_id, frozenset(typed), frozenset((*typed, *added)), synonym_weight
                )
            )
        return Query(text, language, weights, tuple(original), tuple(matches))


_COUNTRY = {
    "da": re.compile(r"\b(dan(mark|sk\w*|ish)|denmark)\b", re.IGNORECASE),
    "sv": re.compile(r"\b(sverige|svensk\w*|swed(en|ish)|sweden)\b", re.IGNORECASE),
}


def country_hint(text: str) -> str | None:
    """Return "da" or "sv" when the question names only that country, else None."""
    named = [language for language, pattern in _COUNTRY.items() if pattern.search(text)]
    return named[0] if len(named) == 1 else None


def expansion_languages(text: str, language: str) -> tuple[str, ...]:
    """Choose the languages whose synonyms expand a question.

    Synonyms stay within the question's language, since a Danish term in a Swedish question
    would pull in Danish texts on a different legal system. English has no documents, so
    English questions expand into Swedish, or Danish when only Denmark is named.

    Args:
        text: The question.
        language: Its language.

    Returns:
        Target languages in order of preference.
    """
    hint = country_hint(text)
    if language == "en":
        return ("en", hint or "sv")
    return (language,) if hint in (None, language) else (language, hint)


@lru_cache(maxsize=1)
def _question_words() -> dict[str, frozenset[str]]:
    """Words that make a sentence a question but say nothing about its topic."""
    data = resources.files("bot.data").joinpath("question_words.yaml").read_text("utf-8")
    loaded = yaml.safe_load(data) or {}
    return {
        lang: frozenset(str(w).casefold() for w in words or ()) for lang, words in loaded.items()
    }
