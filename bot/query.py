"""Turn a question into weighted search terms: analysis, accent repair, glossary expansion."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from bot.analysis import Analyzer, folded_variants
from bot.knowledge import Concept
from bot.models import LANGUAGES
from bot.text import fold

EXPANSION_WEIGHT = 0.4
"""Weight of a glossary synonym relative to a word the user typed."""
MAX_EXPANSIONS_PER_CONCEPT = 6


@dataclass(frozen=True)
class Query:
    """A question ready for the index."""

    text: str
    language: str
    terms: dict[str, float] = field(hash=False)
    """Search term → weight; typed words weigh 1, glossary synonyms less."""
    original: tuple[str, ...] = ()
    """Distinct terms of the words the user typed (after accent repair)."""
    concepts: tuple[str, ...] = ()
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
        idf: Inverse document frequency of a term, used to pick the most specific synonyms.
    """

    def __init__(
        self,
        analyzer: Analyzer,
        concepts: Collection[Concept],
        vocabulary: Collection[str],
        idf: Callable[[str], float],
    ) -> None:
        self.analyzer = analyzer
        self.vocabulary = vocabulary
        self.idf = idf
        self.folded = folded_variants(vocabulary)
        self.concepts = {concept.id: concept for concept in concepts}
        self._terms: list[_ConceptTerm] = []
        self._expansions: dict[str, tuple[str, ...]] = {}
        for concept in concepts:
            stems_all: set[str] = set()
            for language in LANGUAGES:
                for term in concept.terms.get(language, ()):
                    stems = frozenset(self._repair(analyzer.terms(term, language)))
                    if stems:
                        self._terms.append(_ConceptTerm(concept.id, language, stems))
                        stems_all |= stems
            ranked = sorted((s for s in stems_all if s in vocabulary), key=lambda s: (-idf(s), s))
            self._expansions[concept.id] = tuple(ranked)

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

    def build(self, text: str, language: str) -> Query:
        """Analyse a question and expand it with glossary synonyms.

        Args:
            text: The cleaned question.
            language: Its language (sv, da or en).

        Returns:
            The weighted query.
        """
        original = list(dict.fromkeys(self._repair(self.analyzer.terms(text, language))))
        weights: dict[str, float] = dict.fromkeys(original, 1.0)
        by_language = {
            lang: set(self._repair(self.analyzer.terms(text, lang))) for lang in LANGUAGES
        }
        matched: list[str] = []
        for concept_term in self._terms:
            concept = self.concepts[concept_term.concept]
            if language in concept.not_in or concept.id in matched:
                continue
            if concept_term.stems <= by_language[concept_term.language]:
                matched.append(concept.id)
        for concept_id in matched:
            added = 0
            for stem in self._expansions[concept_id]:
                if added >= MAX_EXPANSIONS_PER_CONCEPT:
                    break
                if stem not in weights:
                    weights[stem] = EXPANSION_WEIGHT
                    added += 1
        return Query(text, language, weights, tuple(original), tuple(matched))

