"""Legal questions get the statute first and the guide paragraph that explains it next.

Two signals in the question, both read from its analysed terms:

- a section reference ("19 kap. 25 a §", "8 §", "§ 18"): a statute passage whose heading is
  that section (in the question's language) goes to rank 1. A chapter-qualified heading
  needs the chapter in the question ("25 a §" alone does not pick 19 kap. 25 a §), and a
  question that names a law ("LOU", "kommunallagen", "2022:900") only picks that law;
- a request for the law's text ("lagtext", "paragraf", or "vad säger lagen"; Danish "hvad
  siger loven"; English "what does the law say"):
  statute passages that also match the question's other words weigh :data:`LAW_WORD_BOOST`
  times more. With no legal signal at all (no section, no law word, no law named) they
  weigh :data:`LAW_DAMPING` times less.

When a statute passage leads, the guide passage that names it as its source
(``<!-- sources: sfs-…#19-kap-25-a-lou -->``) follows at rank 2. Everything else keeps its
order. This module only reorders hits; the answer decision stays in the composer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.knowledge import resolve
from bot.models import Passage
from bot.search import Corpus, Query, passage_index_text
from bot.search.analysis import legal_references
from bot.search.questions import asks_date, names_date

LAW_KIND = "law"
LAW_WORDS = {
    "sv": frozenset({"lagtext", "lagrum", "paragraf", "lagstöd"}),
    "da": frozenset({"lovtekst", "paragraf", "hjemmel", "lovhjemmel"}),
    "en": frozenset({"statut", "legisl"}),
}
"""Stems of words that ask for the text of the law by themselves."""
LAW_REQUESTS = {
    "sv": (frozenset({"lag"}), frozenset({"säg", "står", "stå"})),
    "da": (frozenset({"lov"}), frozenset({"sig", "står"})),
    "en": (frozenset({"law", "act"}), frozenset({"say"})),
}
"""A plain word for the law asks for its text only with a verb of saying: "vad säger lagen om
…" does, "enligt lag 2022:900" does not (there the law is a reference, not the question)."""
GENERIC_NAME_TERMS = frozenset({"lag", "kap"})
LAW_LEAD = 1.1
"""A statute passage named by its section scores this much above the best other hit."""
EXPLAINER_LEAD = 1.04
"""The guide passage explaining the leading statute scores this much above the rest; the
gap to the statute and to the next hit stays over the composer's 3 % "near equal" band."""
LEAD_GAP = 0.96
TOPIC = 0.5
"""Least weight of a question's word for a named statute section to have to cover it."""
LAW_WORD_BOOST = 1.5
LAW_NAME_BOOST = 1.5
"""Further weight for the statute the question names ("Vad säger lagtexten om LOV?")."""
LAW_DAMPING = 0.75
"""Statute passages weigh this much for questions with no legal signal: short and dense in
the question's words, they would otherwise outrank the explanation an everyday question
wants ("Vilka regioner har överenskommelser?" is not asking for "staten, en region …")."""


@dataclass(frozen=True)
class _Section:
    position: int
    language: str
    key: str
    """The heading's most specific reference term: "19kap§25a", or "§8" without a chapter."""
    names: frozenset[str]
    """Terms naming the law in the heading: "lou", "kommunallag", "2022:900"."""
    terms: frozenset[str]


def _position_of(corpus: Corpus, passage: Passage) -> int:
    """Return the index position of a passage of the corpus (-1 when it is not there)."""
    for position in corpus.document_positions(passage.doc_id):
        if corpus.passages[position].id == passage.id:
            return position
    return -1


def law_request(written: set[str], language: str) -> set[str]:
    """Return the terms that ask for the text of the law (empty when none do).

    Args:
        written: Every term of the question as written, question words included ("säger").
        language: The question's language.
    """
    words = set(written & LAW_WORDS.get(language, frozenset()))
    plain, verbs = LAW_REQUESTS.get(language, (frozenset(), frozenset()))
    if written & plain and written & verbs:
        words |= written & (plain | verbs)
    return words


class LegalRanker:
    """Reorders search hits for legal questions over one corpus.

    Args:
        corpus: Passages, documents and index.
        terms: A passage's index terms by position (the composer's cache).
    """

    def __init__(self, corpus: Corpus, terms: Callable[[int], frozenset[str]]) -> None:
        self.corpus = corpus
        self._terms = terms
        analyzer = corpus.analyzer
        self._sections: dict[int, _Section] = {}
        by_doc = corpus.by_document()
        passages = corpus.passages
        for position in corpus.law_positions():
            passage = passages[position]
            document = corpus.documents[passage.doc_id]
            references = [
                term for span in legal_references(passage.heading) for term in span.terms
            ]
            if not references:
                continue
            chaptered = [term for term in references if "kap§" in term]
            heading_terms = set(analyzer.terms(passage.heading, passage.language))
            names = frozenset(
                term
                for term in heading_terms - set(references)
                if (term.isalpha() and term not in GENERIC_NAME_TERMS) or ":" in term
            )
            text = passage_index_text(document, passage)
            self._sections[position] = _Section(
                position,
                passage.language,
                (chaptered or references)[0],
                names,
                frozenset(analyzer.terms(text, passage.language)),
            )
        self._explained_by: dict[int, list[int]] = {}
        for position in corpus.referring_positions():
            for reference in passages[position].refs:
                target = resolve(reference, by_doc)
                if target is None:
                    continue
                found = _position_of(corpus, target)
                if found in self._sections:
                    self._explained_by.setdefault(found, []).append(position)

    def rerank(self, hits: list[tuple[int, float]], query: Query) -> list[tuple[int, float]]:
        """Return the hits with named statute sections first and their explanation second.

        Args:
            hits: ``(position, score)`` best first.
            query: The analysed question.

        Returns:
            The reordered hits (scores raised only for the passages moved up).
        """
        if not hits or not self._sections:
            return hits
        typed = set(query.original)
        named = self._named_sections(typed, query.language)
        scores = dict(hits)
        if not named:
            written = set(self.corpus.analyzer.terms(query.text, query.language))
            words = law_request(written, query.language)
            when = asks_date(query.text, query.language)
            # Glossary synonyms count: an English question matches Swedish statute words.
            topical = set(query.terms) - words
            names = typed & {name for section in self._sections.values() for name in section.names}
            for position, score in hits:
                section = self._sections.get(position)
                if section is None:
                    continue
                if when and not names_date(self.corpus.passages[position].text):
                    # "When did the new Social Services Act enter into force?": a section that
                    # names no date is not the answer.
                    scores[position] = score * LAW_DAMPING
                elif words and section.terms & topical:
                    boost = LAW_WORD_BOOST
                    if names & section.names:
                        boost *= LAW_NAME_BOOST
                    scores[position] = score * boost
                elif not words and not names:
                    scores[position] = score * LAW_DAMPING
            ranked = sorted(scores.items(), key=lambda hit: (-hit[1], hit[0]))
            return self._explanation_next(ranked)
        best = max(scores.values())
        ordered = sorted(named, key=lambda position: (-scores.get(position, 0.0), position))
        # "Gäller treårsgränsen för reservationen i 19 kap. 25 a §?": when the best hit covers
        # what the question asks and the section's text does not, the explanation leads.
        lead = LAW_LEAD if self._covers(ordered[0], hits[0][0], query) else LEAD_GAP
        for offset, position in enumerate(ordered):
            scores[position] = best * lead * (1 - offset * 0.01)
        ranked = sorted(scores.items(), key=lambda hit: (-hit[1], hit[0]))
        return self._explanation_next(ranked)

    def _covers(self, section: int, best: int, query: Query) -> bool:
        """Tell whether a named section covers the question as well as the best hit does.

        Only topics of the question itself count (weight :data:`TOPIC`, not the asker's
        situation); the best hit is read in full only when the section misses one.
        """
        if best == section or best in self._sections:
            return True
        passages = self.corpus.passages
        if (
            asks_date(query.text, query.language)
            and not names_date(passages[section].text)
            and names_date(passages[best].text)
        ):
            # "Sedan vilket datum gäller 19 kap. 25 a § LOU?": the section does not say.
            return False
        asked = [u for u in query.units if u.weight >= TOPIC and not u.context]
        missed = [u for u in asked if not u.terms & self._sections[section].terms]
        if not missed:
            return True
        found = self._terms(best)
        return not any(u.terms & found for u in missed)

    def _named_sections(self, typed: set[str], language: str) -> list[int]:
        """Return the statute passages whose section the question names."""
        asked_names = {name for section in self._sections.values() for name in section.names}
        wanted_laws = typed & asked_names
        found = []
        for position, section in self._sections.items():
            if language != "en" and section.language != language:
                continue
            if section.key not in typed:
                continue
            if wanted_laws and not wanted_laws & section.names:
                continue
            found.append(position)
        return found

    def _explanation_next(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Move the best passage that explains the leading statute passage to rank 2."""
        if len(ranked) < 2 or ranked[0][0] not in self._sections:
            return ranked
        explainers = set(self._explained_by.get(ranked[0][0], ()))
        follower = next((hit for hit in ranked[1:] if hit[0] in explainers), None)
        if follower is None or follower == ranked[1]:
            return ranked
        rest = [hit for hit in ranked[1:] if hit[0] != follower[0]]
        lead = ranked[0]
        # Above the rest and, where the scores allow it, below the statute by more than the
        # composer's "near equal" band; never out of order.
        second = (
            follower[0],
            max(rest[0][1], min(lead[1] * LEAD_GAP, rest[0][1] * EXPLAINER_LEAD)),
        )
        return [lead, second, *rest]
