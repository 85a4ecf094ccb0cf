"""Compose the channel-free Answer: rank, abstain, excerpt, cite, date notes, suggestions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache

import numpy as np

from bot.answer.cite import Citer
from bot.answer.decide import (
    FULL,
    NONE,
    AbstainPolicy,
    Decision,
    coverage_shares,
    decide,
)
from bot.answer.define import DefinitionFinder
from bot.answer.excerpt import make_excerpt
from bot.answer.legal import LegalRanker
from bot.knowledge import Concept, LegalChange, Source
from bot.models import Answer, DatedNote, Passage, Result, Suggestion, Topic
from bot.search import Corpus, Query, Unit, country_hint, country_of, passage_index_text
from bot.search.intent import question_intent
from bot.search.questions import expansion_languages

SEARCH_DEPTH = 50
MAX_RESULTS = 12
CITED = 3
"""The passages shown first; the decision asks whether they cover the question."""
RELATED = 3
"""Passages shown as related reading in a partial answer."""
RELATIVE_CUTOFF = 0.3
"""Results scoring below this share of the best score are not shown."""
NEAR_EQUAL = 0.97
"""Scores within 3% count as equal; the newer source then ranks first."""
DUPLICATE_OVERLAP = 0.75
"""Passages sharing this share of their terms are near-duplicates; only the better is shown."""
TWIN_OVERLAP = 0.6
"""Excerpts sharing this share of their terms say the same thing (two guides retelling one
fact); only the better is shown."""
OTHER_LANGUAGE = 0.8
"""Score factor for passages in another language than the question's (or named country's)."""
COVERS_MORE = 0.3
"""Share of the question's topical weight by which a cited passage must cover more than the
best hit to lead instead."""
QUALIFIER = 0.6
"""Weight from which a word beside a defined concept narrows the question ("… under
Article 20")."""
QUALIFIER_SHARE = 0.1
"""A narrowing word is specific: found in at most this share of the passages ("Article 20",
not "welfare")."""
LIST_BOOST = 1.5
"""Score factor for list passages (or list headings) when the question asks for criteria."""
LIST_ITEM_SHARE = 0.5
"""Share of a list passage's score that depends on how much of its match its best item holds."""
LIST_ITEMS_JUDGED = 20
"""Hits read item by item (the rest cannot reach the answer's top)."""
MIN_LIST_ITEMS = 3
"""Least list lines that make a passage a list judged by its items."""


class Composer:
    """Turns search hits into an Answer for one corpus.

    Args:
        corpus: Passages, documents and index.
        topics: Topics offered when the bot cannot answer.
        changes: Legal changes used for "may be outdated" notes.
        policy: Abstention thresholds.
        sources: Titled pages (``sources.yaml``) for citations.
        concepts: Glossary concepts (their defining passages come first when asked).
    """

    def __init__(
        self,
        corpus: Corpus,
        topics: Sequence[Topic],
        changes: Sequence[LegalChange],
        policy: AbstainPolicy | None = None,
        sources: Sequence[Source] = (),
        concepts: Sequence[Concept] = (),
    ) -> None:
        self.corpus = corpus
        self.citer = Citer(corpus, sources)
        self._terms = lru_cache(maxsize=4096)(self._passage_terms)
        self.legal = LegalRanker(corpus, self._terms)
        self.definitions = DefinitionFinder(corpus, concepts, self._terms)
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
        self._country = lru_cache(maxsize=4096)(self._passage_country)
        self._items = lru_cache(maxsize=4096)(self._passage_items)
        self._languages = set(corpus.languages)
        self._newer: dict[str, str] = {}
        """Change id → the newer text's passage, found when a note first needs it (finding it
        reads every passage of that document, which a start-up should not)."""

    def passage_terms(self, position: int) -> frozenset[str]:
        """Return the index terms of a passage (its heading and author included)."""
        return self._terms(position)

    def _passage_terms(self, position: int) -> frozenset[str]:
        passage = self.corpus.passages[position]
        document = self.corpus.documents[passage.doc_id]
        return frozenset(
            self.corpus.analyzer.terms(passage_index_text(document, passage), passage.language)
        )

    def _passage_country(self, position: int) -> str | None:
        return country_of(self.corpus.passages[position].text)

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
        policy = policy or self.policy
        decision, kept = self.decide(query, policy)
        searched = self.searched_for(query, kept)
        if decision.coverage == NONE:
            return Answer(
                question,
                language,
                False,
                (),
                self.suggestions(language, kept),
                notices,
                coverage=NONE,
                missing=decision.missing,
                searched_for=searched,
            )
        shown = kept if decision.coverage == FULL else kept[:RELATED]
        focus = self._focus(query, shown)
        results = self._without_twins(
            [
                self._result(rank, pos, score, query, language, focus.get(pos))
                for rank, (pos, score) in enumerate(shown, 1)
            ]
        )
        suggestions = () if decision.coverage == FULL else self.suggestions(language, kept)
        return Answer(
            question,
            language,
            decision.coverage == FULL,
            results,
            suggestions,
            notices,
            coverage=decision.coverage,
            missing=decision.missing,
            searched_for=searched,
        )

    def decide(
        self, query: Query, policy: AbstainPolicy | None = None
    ) -> tuple[Decision, list[tuple[int, float]]]:
        """Rank, pick the passages to show and decide whether they answer the question.

        Args:
            query: The analysed question.
            policy: Thresholds for this call (evaluation); the composer's when None.

        Returns:
            The decision and the passages to show ``(position, score)``, best first.
        """
        policy = policy or self.policy
        hits = self.ranked(query)
        if not hits:
            return Decision(NONE), []
        kept = self._keep(hits)
        cited = [self._terms(pos) for pos, _ in kept[:CITED]]
        foreign = query.language not in self._languages
        decision = decide(query, cited, policy, foreign=foreign)
        # The statute named by a legal question leads; the decision above stays with the best
        # match for the whole question, which the law's bare words seldom are.
        return decision, self._keep(self.legal.rerank(hits, query))

    def _keep(self, hits: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Keep the hits worth showing: near the best score, newer first on ties, no twins."""
        best = hits[0][1]
        kept = [(pos, score) for pos, score in hits if score >= RELATIVE_CUTOFF * best]
        kept = self._prefer_newer(kept)
        return self._drop_duplicates(kept, MAX_RESULTS)

    def searched_for(self, query: Query, kept: list[tuple[int, float]]) -> str:
        """Return the question with corrected words spelled as the documents spell them."""
        if not query.corrections:
            return ""
        text = query.text
        for typed, stem in query.corrections:
            text = text.replace(typed, self._surface(stem, kept) or stem, 1)
        return text

    def _surface(self, stem: str, kept: list[tuple[int, float]]) -> str:
        """Find a word in the shown passages whose stem is ``stem`` (for "Searched for")."""
        analyzer = self.corpus.analyzer
        for position, _ in kept[:MAX_RESULTS]:
            passage = self.corpus.passages[position]
            for span in analyzer.spans(passage.text, passage.language):
                if span.terms[:1] == (stem,):
                    return passage.text[span.start : span.end].casefold()
        return ""

    def ranked(self, query: Query) -> list[tuple[int, float]]:
        """Return candidate passages ``(position, score)`` best first, before abstention.

        A question that asks what a concept is gets the passage defining it first; one that
        asks for criteria or steps gets list passages first; otherwise a cited passage that
        covers clearly more of the question leads, judged with the composer's own thresholds
        (the ranking does not change with the thresholds an evaluation tries).
        """
        terms = self._monotone(query.terms)
        hits = self.corpus.index.search(terms, SEARCH_DEPTH) if terms else []
        hits = self._synonyms_as_one(hits, query)
        hits = self._language_affinity(hits, query)
        hits = self._items_apart(hits, query)
        intent = question_intent(query, self.corpus.analyzer)
        if intent.lists:
            hits = self._lists_first(hits, intent.list_terms)
        elif not intent.defines:
            hits = self._section_opening_first(hits, query)
        if intent.defines:
            defined = self.definitions.first(
                hits, intent.defines, self._wanted_language(query), _typed(query, intent.defines)
            )
            hits = hits if self._narrower(query, intent.defines, defined, hits) else defined
        else:
            hits = self._best_covering_first(hits, query)
        return hits

    def _best_covering_first(
        self, hits: list[tuple[int, float]], query: Query
    ) -> list[tuple[int, float]]:
        """Lead with the passage that covers clearly more of the question than the best hit.

        Of the passages that would be cited, each is judged as the decision judges it: the
        share of the question's topical weight it covers on its own. "Vilka begränsningar
        sätter kommunallagen när kommunen ingår ett IOP?": the passage on what the Local
        Government Act requires covers it, a list of IOP criteria only the IOP.
        """
        cited = hits[:CITED]
        if len(cited) < 2:
            return hits
        foreign = query.language not in self._languages
        shares = coverage_shares(
            query, [self._terms(pos) for pos, _ in cited], self.policy, foreign=foreign
        )
        best = max(range(len(shares)), key=lambda number: (shares[number], -number))
        if shares[best] <= shares[0] + COVERS_MORE:
            return hits
        lead = (hits[best][0], hits[0][1] + abs(hits[0][1]) * 1e-6 + 1e-9)
        return [lead, *(hit for number, hit in enumerate(hits) if number != best)]

    def _narrower(
        self,
        query: Query,
        concept_id: str,
        defined: list[tuple[int, float]],
        hits: list[tuple[int, float]],
    ) -> bool:
        """Tell whether the best hit answers a narrower question than the concept's definition.

        "What is a reserved contract under *Article 20* …?" asks for the concept as Article 20
        shapes it: the general definition, which never names the article, gives way to the
        best hit that names both.
        """
        if not defined or not hits or defined[0][0] == hits[0][0]:
            return False
        chosen, best = self._terms(defined[0][0]), self._terms(hits[0][0])
        qualifiers = [
            unit
            for unit in query.units
            if unit.concept != concept_id
            and not unit.context
            and unit.known
            and unit.weight >= QUALIFIER
        ]
        # The best hit names the concept as typed ("IOP"), or as the documents name it
        # when they never use the typed words (an English question).
        typed = _typed(query, concept_id)
        named = (
            typed
            if typed & (chosen | best)
            else frozenset().union(
                *(unit.terms for unit in query.units if unit.concept == concept_id)
            )
        )
        index = self.corpus.index
        rare = QUALIFIER_SHARE * index.size

        def narrows(unit: Unit) -> bool:
            shared = unit.terms & best
            return (
                bool(shared)
                and not unit.terms & chosen
                and any(index.term_df(term) <= rare for term in shared)
            )

        return bool(named & best) and any(narrows(unit) for unit in qualifiers)

    def _section_opening_first(
        self, hits: list[tuple[int, float]], query: Query
    ) -> list[tuple[int, float]]:
        """Put a section's first passage first when the question is the section's heading.

        "Hur startar vi ett IOP?" is the heading "Hur startar man ett IOP?": its first
        paragraph introduces the answer, a later one goes on from it.
        """
        if not hits:
            return hits
        passages = self.corpus.passages
        top = passages[hits[0][0]]
        asked = set(query.original)
        heading = set(self.corpus.analyzer.terms(top.heading, top.language))
        if not asked or not asked <= heading:
            return hits
        opening = next(
            (
                position
                for position in self.corpus.document_positions(top.doc_id)
                if passages[position].heading == top.heading
            ),
            hits[0][0],
        )
        if opening == hits[0][0] or all(position != opening for position, _ in hits):
            return hits
        lead = (opening, hits[0][1] + abs(hits[0][1]) * 1e-6 + 1e-9)
        return [lead, *(hit for hit in hits if hit[0] != opening)]

    def _items_apart(self, hits: list[tuple[int, float]], query: Query) -> list[tuple[int, float]]:
        """Judge a list passage by its best item, not by words gathered from several items.

        "MUCF …, UHM …, Kammarkollegiet …": a list of agencies matches a question naming
        three of them without any item answering it. A list passage keeps the share of its
        score that its introduction and best item hold of its matched question weight.
        """
        rescored = []
        for number, (position, score) in enumerate(hits):
            items = self._items(position) if number < LIST_ITEMS_JUDGED else None
            if items is not None:
                introduction, parts = items
                matched = [
                    sum(w for t, w in query.terms.items() if t in terms)
                    for terms in (introduction.union(*parts), *(introduction | p for p in parts))
                ]
                if matched[0] > 0:
                    best = max(matched[1:]) / matched[0]
                    score *= 1 - LIST_ITEM_SHARE + LIST_ITEM_SHARE * best
            rescored.append((position, score))
        return sorted(rescored, key=lambda hit: (-hit[1], hit[0]))

    def _passage_items(
        self, position: int
    ) -> tuple[frozenset[str], tuple[frozenset[str], ...]] | None:
        """Return a list passage's introduction terms and each item's, or None for prose."""
        passage = self.corpus.passages[position]
        lines = passage.text.split("\n")
        listed = [line for line in lines if _LIST_LINE.match(line)]
        if len(listed) < MIN_LIST_ITEMS:
            return None
        analyzer = self.corpus.analyzer
        introduction = " ".join(line for line in lines if not _LIST_LINE.match(line))
        return (
            frozenset(analyzer.terms(introduction, passage.language)),
            tuple(frozenset(analyzer.terms(line, passage.language)) for line in listed),
        )

    def _wanted_language(self, query: Query) -> str | None:
        hint = country_hint(query.text, query.language)
        if hint or query.language != "en":
            return hint or query.language
        targets = expansion_languages(query.text, query.language)
        return targets[1] if len(targets) == 2 else None

    def _lists_first(
        self, hits: list[tuple[int, float]], asked: frozenset[str]
    ) -> list[tuple[int, float]]:
        """Boost passages that list things (or sit under a heading naming the asked list)."""
        rescored = []
        for position, score in hits:
            passage = self.corpus.passages[position]
            heading = set(self.corpus.analyzer.terms(passage.heading, passage.language))
            lists = _is_list(passage.text) or bool(heading & asked)
            rescored.append((position, score * LIST_BOOST if lists else score))
        return sorted(rescored, key=lambda hit: (-hit[1], hit[0]))

    def _focus(self, query: Query, shown: list[tuple[int, float]]) -> dict[int, int]:
        """Return, for passages that define the asked concept, the defining sentence."""
        intent = question_intent(query, self.corpus.analyzer)
        if not intent.defines:
            return {}
        return self.definitions.sentences(
            [pos for pos, _ in shown[:1]], intent.defines, _typed(query, intent.defines)
        )

    def _monotone(self, terms: Mapping[str, float]) -> dict[str, float]:
        """Weigh each term as if its idf were at least rank_bm25's floor.

        rank_bm25 gives a term found in more than half the passages ``epsilon *
        average_idf``, but one found in just under half its smaller Robertson–Spärck Jones
        idf: "idéburen", in 89 of 180 passages, weighed 0.02 while "organisation", in 101,
        weighed 1.03. The index keeps rank_bm25's scores; the ranking lifts every idf to the
        floor, so that a rarer word never counts less than a commoner one.
        """
        index = self.corpus.index
        floor = index.epsilon * index.average_idf
        lifted = {}
        for term, weight in terms.items():
            idf = index.idf(term)
            lifted[term] = weight * floor / idf if 0 < idf < floor else weight
        return lifted

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
        totals = index.scores_at(self._monotone(typed), positions)
        for concept in query.concepts:
            synonyms = [t for t in sorted(concept.stems) if t not in query.original and t in index]
            if synonyms:
                best = np.max(
                    [index.scores_at(self._monotone({term: 1.0}), positions) for term in synonyms],
                    axis=0,
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
        rules. An English question prefers the language its synonyms were taken from, the
        one of the country it names, else Swedish; naming both countries, it is neutral.
        """
        wanted = self._wanted_language(query)
        if wanted is None:
            return hits
        passages = self.corpus.passages

        def other(pos: int) -> bool:
            if passages[pos].language != wanted:
                return True
            # A Swedish passage mostly about Denmark (the glossary's paragraph on the Danish
            # register, RSV) is Danish matter. Danish texts explain the Swedish models to
            # Danish readers, so they stay Danish.
            return wanted == "sv" and self._country(pos) == "da"

        rescored = [(pos, score * OTHER_LANGUAGE if other(pos) else score) for pos, score in hits]
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

    def _without_twins(self, results: list[Result]) -> tuple[Result, ...]:
        """Drop results whose excerpt says what a better one already shows; number the rest."""
        kept: list[tuple[Result, frozenset[str]]] = []
        for result in results:
            terms = frozenset(
                self.corpus.analyzer.terms(result.excerpt.text, result.passage.language)
            )
            twin = any(
                len(terms & other) / max(len(terms | other), 1) >= TWIN_OVERLAP
                for _, other in kept
            )
            if not twin:
                kept.append((result, terms))
        return tuple(replace(result, rank=rank) for rank, (result, _) in enumerate(kept, 1))

    def _result(
        self,
        rank: int,
        position: int,
        score: float,
        query: Query,
        language: str,
        focus: int | None = None,
    ) -> Result:
        passage = self.corpus.passages[position]
        excerpt = make_excerpt(
            passage.text,
            passage.language,
            query.terms,
            self.corpus.analyzer,
            self.corpus.idf,
            focus=focus,
        )
        # A dated note belongs under a quote that mentions the changed rule, not under any
        # quote from a passage that does somewhere else.
        shown = frozenset(self.corpus.analyzer.terms(excerpt.text, passage.language))
        notes, dated = self._notes(passage, shown, language)
        return Result(
            rank, passage, round(score, 6), excerpt, self.citer.cite(passage), notes, dated
        )

    def _notes(
        self, passage: Passage, terms: frozenset[str], language: str
    ) -> tuple[tuple[str, ...], tuple[DatedNote, ...]]:
        """Return the notes for a quote with ``terms``, and the legal changes among them."""
        document = self.corpus.documents[passage.doc_id]
        as_of = document.law_as_of or document.published
        notes: list[str] = []
        dated: dict[str, DatedNote] = {}
        for change, stems in self._changes:
            if not as_of or as_of >= change.date or change.see == document.id:
                continue
            if any(s and s <= terms for s in stems):
                note = change.note.get(language) or change.note.get("sv") or ""
                see = self.corpus.documents.get(change.see)
                notes.append(f"{note} → {see.title}" if see is not None else note)
                short = change.short.get(language) or change.short.get("sv") or note
                dated.setdefault(
                    short,
                    DatedNote(short, note, self._newer_for(change, stems), see.url if see else ""),
                )
        if document.superseded_by in self.corpus.documents:
            newer = self.corpus.documents[document.superseded_by]
            notes.append(_SUPERSEDED.get(language, _SUPERSEDED["sv"]).format(title=newer.title))
        return tuple(dict.fromkeys(notes)), tuple(dated.values())

    def _newer_for(self, change: LegalChange, stems: list[frozenset[str]]) -> str:
        """Return (and remember) the passage of a change's newer text."""
        if change.id not in self._newer:
            self._newer[change.id] = self._newer_text(change.see, stems)
        return self._newer[change.id]

    def _newer_text(self, doc_id: str, stems: list[frozenset[str]]) -> str:
        """Return the passage of ``doc_id`` that says most about a change (its newer text)."""
        best, best_count = "", 0
        for position in self.corpus.document_positions(doc_id):
            passage = self.corpus.passages[position]
            terms = self._terms(position)
            count = sum(1 for s in stems if s and s <= terms)
            if count > best_count:
                best, best_count = passage.id, count
        return best

    def suggestions(
        self, language: str, hits: Sequence[tuple[int, float]] = ()
    ) -> tuple[Suggestion, ...]:
        """Return one suggestion per topic, in ``language``, the closest to ``hits`` first.

        A topic's closeness is the summed score of the hits from documents filed under it,
        counted in full for a document's first topic and less for later ones.
        """
        closeness: dict[str, float] = {}
        for position, score in hits:
            document = self.corpus.documents[self.corpus.passages[position].doc_id]
            # A document's first topic is what it is about; later ones count less.
            for rank, topic in enumerate(document.topics, 1):
                closeness[topic] = closeness.get(topic, 0.0) + score / rank
        order = sorted(
            range(len(self.topics)), key=lambda i: (-closeness.get(self.topics[i].id, 0.0), i)
        )
        return tuple(
            Suggestion(
                self.topics[i].id,
                self.topics[i].label(language),
                (self.topics[i].starters(language) or ("",))[0],
                self.topics[i].short_label(language),
            )
            for i in order
        )


_SUPERSEDED = {
    "sv": "Ersatt av en nyare text: {title}",
    "da": "Erstattet af en nyere tekst: {title}",
    "en": "Replaced by a newer text: {title}",
}


_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)


def _is_list(text: str) -> bool:
    """Tell whether a passage is (mostly) a list of items."""
    return len(_LIST_LINE.findall(text)) >= 2


def _typed(query: Query, concept_id: str) -> frozenset[str]:
    """Return the stems of the term a question used for a concept (empty when none)."""
    return next((match.typed for match in query.concepts if match.id == concept_id), frozenset())
