"""Find the passage that defines a concept, and its defining sentence.

A glossary concept may name its defining passages by anchor (``defined_in``), stable under
edits: ``<doc-id>#<heading-slug>`` is the first passage under that heading. Without an
anchor, a passage defines a concept when one of its sentences opens with a term of the
concept followed by a defining verb ("IOP är …", "Samskabelse er …", "… means …").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.knowledge import Concept, resolve_anchor
from bot.knowledge.sentences import sentence_spans
from bot.search import Corpus
from bot.search.intent import definition_negations, definition_verbs

_BRACKETS = re.compile(r"\([^()]*\)")
OPENING_WORDS = 3
"""The concept's term must be among a sentence's first words (its subject) to define it."""
VERB_WINDOW = 4
"""The defining verb must follow the term within this many words ("IOP (…) är")."""
DEPTH = 20
"""How many top hits are searched for a defining sentence when no anchor names one."""


class DefinitionFinder:
    """Knows, per concept, which passages define it.

    Args:
        corpus: The passages and their analyzer.
        concepts: Glossary concepts, with ``defined_in`` anchors where the editors set them.
        terms: A passage's index terms by position (the composer's cache).
    """

    def __init__(
        self,
        corpus: Corpus,
        concepts: Sequence[Concept],
        terms: Callable[[int], frozenset[str]],
    ) -> None:
        self.corpus = corpus
        self._terms = terms
        self.concepts = {concept.id: concept for concept in concepts}
        self._anchored: dict[str, tuple[int, ...]] = {}
        self._stems: dict[str, dict[str, frozenset[str]]] = {}

    def anchored(self, concept_id: str) -> tuple[int, ...]:
        """Return the positions of the passages the concept's anchors name.

        Resolved when first asked, reading only the named documents' passages: a start-up
        over a million passages reads none.
        """
        if concept_id not in self._anchored:
            concept = self.concepts.get(concept_id)
            found = []
            for anchor in concept.defined_in if concept else ():
                doc_id = anchor.partition("#")[0].partition(": ")[0]
                positions = list(self.corpus.document_positions(doc_id))
                passages = [self.corpus.passages[p] for p in positions]
                passage = resolve_anchor(passages, anchor)
                if passage is not None:
                    found.append(positions[passages.index(passage)])
            self._anchored[concept_id] = tuple(found)
        return self._anchored[concept_id]

    def _concept_stems(self, concept_id: str, language: str) -> frozenset[str]:
        """Return the stems of every term of the concept, analysed in ``language``."""
        cached = self._stems.setdefault(concept_id, {})
        if language not in cached:
            concept = self.concepts.get(concept_id)
            terms = [t for values in concept.terms.values() for t in values] if concept else []
            analyzer = self.corpus.analyzer
            cached[language] = frozenset(
                stem for term in terms for stem in analyzer.terms(term, language)
            )
        return cached[language]

    def defining_sentence(
        self, position: int, concept_id: str, typed: frozenset[str] = frozenset()
    ) -> int | None:
        """Return the index of the sentence of a passage that defines the concept, or None.

        With ``typed`` (the stems of the term the question used), only a sentence defining
        that term counts ("NESGI står för …", not "De minimis … är").
        """
        passage = self.corpus.passages[position]
        stems = typed or self._concept_stems(concept_id, passage.language)
        verbs = definition_verbs(passage.language)
        analyzer = self.corpus.analyzer
        text = passage.text
        for number, (start, end) in enumerate(sentence_spans(text)):
            sentence = text[start:end]
            for word in analyzer.spans(sentence, passage.language)[:OPENING_WORDS]:
                if not set(word.terms) & stems:
                    continue
                # "Samskabelse (… co-creation) betegner …": skip what the brackets add.
                rest = _BRACKETS.sub(" ", sentence[word.end :]).casefold().split()
                written = sentence[word.start : word.end]
                if self._possessive(written, rest, stems, passage.language):
                    continue
                following = " ".join(w.strip(",;:") for w in rest[:VERB_WINDOW])
                if any(f" {verb} " in f" {following} " for verb in verbs) and not _denied(
                    following, verbs, definition_negations(passage.language)
                ):
                    return number
        return None

    def _possessive(
        self, written: str, rest: list[str], stems: frozenset[str], language: str
    ) -> bool:
        """Tell a term in the genitive before a noun ("Charterets nøgleord er …", "IOP:s mål").

        The sentence then defines the noun, not the term.
        """
        folded = written.casefold()
        base = next(
            (folded[: -len(end)] for end in (":s", "'s", "’s", "s") if folded.endswith(end)), ""
        )
        if not base or not rest:
            return False
        verbs = definition_verbs(language)
        if any(verb.split()[0] == rest[0].strip(",;:") for verb in verbs):
            return False
        return bool(set(self.corpus.analyzer.word_terms(base, language)) & stems)

    def first(
        self,
        hits: list[tuple[int, float]],
        concept_id: str,
        language: str | None,
        typed: frozenset[str] = frozenset(),
    ) -> list[tuple[int, float]]:
        """Move the passage defining the concept to the top of the hits.

        Anchored passages come first (those in ``language`` when there are any); otherwise
        the best-scoring hit with a defining sentence. A concept holds several terms
        ("state-aid": de minimis, SGEI, NESGI): an anchored passage that never names the
        term the question used gives way to a hit defining that term.

        Args:
            hits: Ranked hits ``(position, score)``.
            concept_id: The concept asked about.
            language: The language wanted for the answer, or None for any.
            typed: Stems of the term the question used for the concept.

        Returns:
            The hits with the defining passage first, its score raised to the top score.
        """
        if not hits:
            return hits
        anchored = list(self.anchored(concept_id))
        if language is not None:
            preferred = [p for p in anchored if self.corpus.passages[p].language == language]
            anchored = preferred or anchored
        # The typed term counts only where the documents use it: an English question's words
        # are not in the Swedish texts ("local compact").
        typed = typed if any(typed & self._terms(p) for p, _ in hits[:DEPTH]) else frozenset()
        if typed:
            anchored = [p for p in anchored if typed & self._terms(p)]
        chosen = anchored[:1]
        for stems in (typed, frozenset()) if typed else (frozenset(),):
            if chosen:
                break
            chosen = [
                position
                for position, _ in hits[:DEPTH]
                if self.defining_sentence(position, concept_id, stems) is not None
            ][:1]
        if not chosen:
            return hits
        # Just above the best score, so a later re-sort keeps the definition first.
        top = hits[0][1] + abs(hits[0][1]) * 1e-6 + 1e-9
        rest = [(pos, score) for pos, score in hits if pos not in chosen]
        return [(pos, top) for pos in chosen] + rest

    def sentences(
        self, positions: Sequence[int], concept_id: str, typed: frozenset[str] = frozenset()
    ) -> dict[int, int]:
        """Return ``position → defining sentence index`` for the passages that have one.

        A sentence defining the term the question used (``typed``) comes before one defining
        another term of the concept. An anchored passage was chosen by an editor as the
        definition: without a sentence of the defining shape, its first sentence naming the
        concept is read from.
        """
        found = {}
        for position in positions:
            number = self.defining_sentence(position, concept_id, typed) if typed else None
            if number is None:
                number = self.defining_sentence(position, concept_id)
            if number is None and position in self.anchored(concept_id):
                number = self.naming_sentence(position, concept_id)
            if number is not None:
                found[position] = number
        return found

    def naming_sentence(self, position: int, concept_id: str) -> int | None:
        """Return the index of the first sentence of a passage that names the concept."""
        passage = self.corpus.passages[position]
        stems = self._concept_stems(concept_id, passage.language)
        text = passage.text
        for number, (start, end) in enumerate(sentence_spans(text)):
            spans = self.corpus.analyzer.spans(text[start:end], passage.language)
            if any(set(span.terms) & stems for span in spans):
                return number
        return None


def _denied(following: str, verbs: tuple[str, ...], negations: frozenset[str]) -> bool:
    """Tell whether the first definition verb is denied ("IOP er *ikke* reguleret …")."""
    padded = f" {following} "
    found = [(at, verb) for verb in verbs if (at := padded.find(f" {verb} ")) >= 0]
    if not found:
        return False
    at, verb = min(found)
    after = padded[at + len(verb) + 2 :].split()
    return bool(after) and after[0] in negations
