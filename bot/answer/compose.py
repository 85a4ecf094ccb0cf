"""Compose the channel-free Answer: rank, abstain, excerpt, cite, date notes, suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bot.answer.excerpt import make_excerpt
from bot.knowledge import LegalChange
from bot.models import Answer, Citation, Passage, Result, Suggestion, Topic
from bot.search import Corpus, Query, country_hint, passage_index_text

SEARCH_DEPTH = 50
MAX_RESULTS = 12
RELATIVE_CUTOFF = 0.3
"""Results scoring below this share of the best score are not shown."""
NEAR_EQUAL = 0.97
"""Scores within 3% count as equal; the newer source then ranks first."""
DUPLICATE_OVERLAP = 0.75
OTHER_LANGUAGE = 0.8
"""Score factor for passages in another language than the question's (or named country's)."""
FOREIGN_UNKNOWN = 0.5
MIN_UNKNOWN_CHARS = 3
"""Weight of a typed word the corpus lacks when no document is in the question's language:
an English word missing from Swedish texts says little about whether the topic is covered."""
"""Passages sharing this share of their terms are near-duplicates; only the better is shown."""


@dataclass(frozen=True)
class AbstainPolicy:
    """When is the evidence strong enough to answer?

    ``evidence`` is the idf-weighted sum of the query terms found in the best passage;
    ``coverage`` is that evidence over the idf mass of everything the user typed. Words found
    in almost every passage ("kommun", "vad") carry little idf, so they cannot carry an answer
    alone. The thresholds come from the evaluation sets (``python -m bot eval --explain``).
    """

    min_evidence: float = 0.25
    min_coverage: float = 0.35
    full_coverage: float = 0.95
    """Coverage at which a lower evidence suffices: every word asked about was found."""
    min_evidence_full: float = 0.4
    """Evidence needed at full coverage (questions about the bot's core topics, like IOP,
    use words found in many passages and so carry little specificity)."""

    def answers(self, evidence: float, coverage: float) -> bool:
        """Return True when evidence and coverage are strong enough to answer."""
        if coverage >= self.full_coverage and evidence >= self.min_evidence_full:
            return True
        return evidence >= self.min_evidence and coverage >= self.min_coverage


@dataclass(frozen=True)
class Evidence:
    """How well the best passage covers the question."""

    evidence: float
    coverage: float
    matched: tuple[str, ...]


class Composer:
    """Turns search hits into an Answer for one corpus.

    Args:
        corpus: Passages, documents and index.
        topics: Topics offered when the bot cannot answer.
        changes: Legal changes used for "may be outdated" notes.
        policy: Abstention thresholds.
    """

    def __init__(
        self,
        corpus: Corpus,
        topics: Sequence[Topic],
        changes: Sequence[LegalChange],
        policy: AbstainPolicy | None = None,
    ) -> None:
        self.corpus = corpus
        self.topics = tuple(topics)
        self.policy = policy or AbstainPolicy()
        self._changes = [
            (
                change,
                [
                    frozenset(corpus.analyzer.terms(term, lang))
                    for lang in ("sv", "da", "en")
                    for term in change.terms
                ],
            )
            for change in changes
        ]
        self._terms = lru_cache(maxsize=4096)(self._passage_terms)
        self._languages = set(corpus.languages)

    def _passage_terms(self, position: int) -> frozenset[str]:
        passage = self.corpus.passages[position]
        document = self.corpus.documents[passage.doc_id]
        return frozenset(
            self.corpus.analyzer.terms(passage_index_text(document, passage), passage.language)
        )

    def evidence(self, query: Query, position: int) -> Evidence:
        """Measure how well one passage covers the query.

        The question is split into units: each glossary concept it names, and each other word
        typed. A unit weighs its specificity (idf relative to the largest possible idf), so
        words found almost everywhere ("kommun") weigh close to nothing; a typed word the
        corpus never uses weighs 1 and stays unmatched, since it is what the user asked about.
        A concept weighs what its typed word weighs, or, for a word the corpus lacks (English
        questions), the mean specificity of its synonyms.

        Args:
            query: The analysed question.
            position: The passage's index position.

        Returns:
            Evidence (matched weight) and coverage (matched share of the question's weight).
        """
        terms = self._terms(position)
        spec = self.corpus.weight
        index = self.corpus.index
        unknown = 1.0 if query.language in self._languages else FOREIGN_UNKNOWN
        evidence = 0.0
        mass = 0.0
        consumed: set[str] = set()
        for concept in query.concepts:
            consumed |= concept.typed
            # In a translated question a typed word found in the index is a false friend
            # ("organisation" in one Danish passage): the synonyms carry the concept's weight.
            known = (
                [t for t in concept.typed if t in index]
                if query.language in self._languages
                else []
            )
            synonyms = [t for t in sorted(concept.stems) if t in index and t not in concept.typed]
            if known:
                weight = max(spec(t) for t in known)
            elif synonyms:
                weight = sum(spec(t) for t in synonyms) / len(synonyms)
            else:
                continue
            mass += weight
            found = [spec(t) for t in concept.stems if t in terms]
            if found:
                evidence += min(weight, max(found))
        for term in query.original:
            if term in consumed:
                continue
            if term in index:
                weight = spec(term)
            elif len(term) >= MIN_UNKNOWN_CHARS:
                weight = unknown
                if query.language not in self._languages:
                    # Missing from texts in another language, an everyday word ("use", "instead")
                    # is expected; in the texts' own language even "skatt" marks a new topic.
                    weight *= self.corpus.everyday_rarity(term, query.language)
            else:
                continue  # a stray letter ("b" from pasted <b> tags) says nothing
            mass += weight
            if term in terms:
                evidence += weight
        matched = tuple(t for t in query.terms if t in terms)
        return Evidence(evidence, evidence / mass if mass else 0.0, matched)

    def compose(
        self,
        query: Query,
        question: str,
        notices: tuple[str, ...] = (),
        language: str | None = None,
        policy: AbstainPolicy | None = None,
    ) -> Answer:
        """Search and build the answer for an analysed question.

        Args:
            query: The analysed question.
            question: The question as shown back to the user.
            notices: Notes about the question itself.
            language: The reply language (notes, suggestions); the query's language when None.
            policy: Abstention thresholds for this call (evaluation); the composer's when None.

        Returns:
            The answer; ``answered`` is False when the evidence is too weak.
        """
        language = language or query.language
        hits = self.ranked(query)
        top = self.evidence(query, hits[0][0]) if hits else None
        answered = top is not None and (policy or self.policy).answers(top.evidence, top.coverage)
        if not answered:
            return Answer(question, language, False, (), self.suggestions(language), notices)
        best = hits[0][1]
        kept = [(pos, score) for pos, score in hits if score >= RELATIVE_CUTOFF * best]
        kept = self._prefer_newer(kept)
        kept = self._drop_duplicates(kept, MAX_RESULTS)
        results = tuple(
            self._result(rank, pos, score, query, language)
            for rank, (pos, score) in enumerate(kept, 1)
        )
        return Answer(question, language, True, results, (), notices)

    def ranked(self, query: Query) -> list[tuple[int, float]]:
        """Return candidate passages ``(position, score)`` best first, before abstention."""
        hits = self.corpus.index.search(query.terms, SEARCH_DEPTH) if query.terms else []
        hits = self._synonyms_as_one(hits, query)
        return self._language_affinity(hits, query)

    def _synonyms_as_one(
        self, hits: list[tuple[int, float]], query: Query
    ) -> list[tuple[int, float]]:
        """Rescore candidates so a concept's synonyms count once (their best match), not summed.

        Without this, a passage using several spellings of one concept ("IOP", "IOP-avtal",
        "idéburet offentligt partnerskap") outranks one that answers the question.
        """
        if not hits or not query.concepts:
            return hits
        index = self.corpus.index
        positions = [pos for pos, _ in hits]
        typed = {t: w for t, w in query.terms.items() if t in query.original}
        totals = index.scores_at(typed, positions)
        for concept in query.concepts:
            synonyms = [t for t in sorted(concept.stems) if t not in query.original and t in index]
            if synonyms:
                best = np.max(
                    [index.scores_at({term: 1.0}, positions) for term in synonyms], axis=0
                )
                totals += concept.weight * best
        rescored = [
            (pos, float(total)) for pos, total in zip(positions, totals, strict=True) if total > 0
        ]
        return sorted(rescored, key=lambda hit: (-hit[1], hit[0]))

    def _language_affinity(
        self, hits: list[tuple[int, float]], query: Query
    ) -> list[tuple[int, float]]:
        """Prefer passages in the question's language, or of the country the question names.

        A Danish question is usually about Danish rules and a Swedish one about Swedish
        rules; an English question is neutral unless it names Sweden or Denmark.
        """
        hint = country_hint(query.text)
        wanted = hint or (query.language if query.language != "en" else None)
        if wanted is None:
            return hits
        rescored = [
            (
                pos,
                score if self.corpus.passages[pos].language == wanted else score * OTHER_LANGUAGE,
            )
            for pos, score in hits
        ]
        return sorted(rescored, key=lambda hit: (-hit[1], hit[0]))

    def _date(self, position: int) -> str:
        passage = self.corpus.passages[position]
        document = self.corpus.documents[passage.doc_id]
        return document.published or ""

    def _prefer_newer(self, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        ordered = list(hits)
        for _ in range(len(ordered)):
            swapped = False
            for i in range(len(ordered) - 1):
                (a, sa), (b, sb) = ordered[i], ordered[i + 1]
                if sb >= NEAR_EQUAL * sa and self._date(b) > self._date(a):
                    ordered[i], ordered[i + 1] = ordered[i + 1], ordered[i]
                    swapped = True
            if not swapped:
                break
        return ordered

    def _drop_duplicates(
        self, hits: list[tuple[int, float]], limit: int
    ) -> list[tuple[int, float]]:
        kept: list[tuple[int, float]] = []
        for position, score in hits:
            if len(kept) >= limit:
                break
            terms = self._terms(position)
            duplicate = any(
                len(terms & self._terms(other)) / max(len(terms | self._terms(other)), 1)
                >= DUPLICATE_OVERLAP
                for other, _ in kept
            )
            if not duplicate:
                kept.append((position, score))
        return kept

    def _result(
        self, rank: int, position: int, score: float, query: Query, language: str
    ) -> Result:
        passage = self.corpus.passages[position]
        document = self.corpus.documents[passage.doc_id]
        excerpt = make_excerpt(
            passage.text, passage.language, query.terms, self.corpus.analyzer, self.corpus.idf
        )
        citation = Citation(
            title=document.title,
            author=document.author,
            publisher=document.publisher,
            published=document.published,
            kind=document.kind,
            url=document.url,
            passage_id=passage.id,
            doc_id=document.id,
            sources=passage.sources,
        )
        return Result(
            rank,
            passage,
            round(score, 6),
            excerpt,
            citation,
            self._notes(passage, position, language),
        )

    def _notes(self, passage: Passage, position: int, language: str) -> tuple[str, ...]:
        document = self.corpus.documents[passage.doc_id]
        as_of = document.law_as_of or document.published
        notes: list[str] = []
        terms = self._terms(position)
        for change, stems in self._changes:
            if not as_of or as_of >= change.date or change.see == document.id:
                continue
            if any(s and s <= terms for s in stems):
                text = change.note.get(language) or change.note.get("sv") or ""
                see = self.corpus.documents.get(change.see)
                if see is not None:
                    text = f"{text} → {see.title}"
                notes.append(text)
        if document.superseded_by in self.corpus.documents:
            newer = self.corpus.documents[document.superseded_by]
            notes.append(_SUPERSEDED.get(language, _SUPERSEDED["sv"]).format(title=newer.title))
        return tuple(dict.fromkeys(notes))

    def suggestions(self, language: str) -> tuple[Suggestion, ...]:
        """Return one suggestion per topic, in ``language``."""
        return tuple(
            Suggestion(topic.id, topic.label(language), (topic.starters(language) or ("",))[0])
            for topic in self.topics
        )


_SUPERSEDED = {
    "sv": "Ersatt av en nyare text: {title}",
    "da": "Erstattet af en nyere tekst: {title}",
    "en": "Replaced by a newer text: {title}",
}
