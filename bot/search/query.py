"""Turn a question into weighted search terms: analysis, accent repair, glossary expansion."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from bot.knowledge import Concept
from bot.knowledge.sentences import abbreviated
from bot.models import LANGUAGES
from bot.search.analysis import Analyzer, folded_variants, stopwords
from bot.search.index.strings import SortedStrings
from bot.search.questions import (
    COUNTRY_ABBREVIATIONS,
    abroad_words,
    articles,
    asker_introductions,
    asker_places,
    asks_count,
    country_hint,
    expansion_languages,
    fact_words,
    function_words,
    is_year,
    names_thing,
    number_words,
    question_words,
    verb_slots,
)
from bot.search.spelling import Speller
from bot.search.text import fold
from bot.search.words import everyday_zipf, rarity_of, restored_zipf

QUERY_TABLES_VERSION = 3
"""Version of :meth:`QueryBuilder.prepared`'s tables: raise it when their making changes, so
cached tables are made again."""
EXPANSION_WEIGHT = 0.4
"""Weight of a glossary synonym relative to a word the user typed."""
MAX_EXPANSIONS_PER_CONCEPT = 8
PART_CREDIT = 0.5
"""At most this share of a compound the documents lack is covered by its cited parts."""
NAME_WEIGHT = 1.0
"""Least weight of a capitalised word inside a question (a name)."""
VERB_FORM = 0.5
"""Weight factor of an English -ed or -ing form the documents lack."""
ADVERB_BASE = 4
"""Least letters of the adjective an English "-ly" adverb is made from."""
ADVERB_BASE_ZIPF = 3.0
"""Least everyday frequency of that adjective: "rough" is a word, "fami" in "family" is not."""
VERB_SLOT = 0.3
"""Weight factor of a word standing where a verb stands (see :func:`verb_slots`)."""
CONTACT_WEIGHT = 0.8
"""Least weight of a word asking for contact details ("phone", "telefonnummer")."""
SELF_INTRODUCTION = 6
"""Most words after "Jag är" that describe the asker ("socialchef i en skånsk kommun")."""
RELATIVE_FACTOR = 0.25
"""Weight factor of a word the documents lack when they use a word of the same root."""
ROOT = 6
"""Letters two words must share at the start to count as the same root."""
INFLECTION_LETTERS = 4
"""Letters by which two forms of one word may differ in length ("redovis", "redovisning");
more is a compound ("kollektiv", "kollektivavtal")."""
EVERYDAY = 0.3
"""Rarity below which a typed word is an everyday word (Zipf frequency about 5 and up)."""
ACCENTED_MAJORITY = 8
"""A typed unaccented term is read with accents when the documents use that spelling this many
times as often ("overenskommelsen" → "överenskommelsen")."""
FOREIGN_RARITY = 0.8
"""Rarity from which a word read in another language names a concept asked about
("samskabelse" in an English question, Zipf about 3), not a chance reading ("take" as "tak")."""
PHRASE_GAP = 2
"""Words that may part two words of a glossary phrase ("följer *vi* upp", "står *IOP* för")."""
CURRENCIES = ("kronor", "krona", "kroner", "krone", "kr", "sek", "dkk", "euro", "eur")
"""Words that make a number an amount of money."""
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
class Unit:
    """One thing a question asks about: a glossary concept or a typed content word."""

    label: str
    """The words as typed ("Stadsmissionen", "idéburet offentligt partnerskap")."""
    terms: frozenset[str]
    """Stems that cover it when a passage contains any of them."""
    weight: float
    """How topical it is: 1 for a domain concept or a rare word, low for everyday words."""
    known: bool
    """Whether any of its terms occurs in the documents at all."""
    concept: str = ""
    """The glossary concept id, for concepts."""
    part_credit: float = 0.0
    """For a compound the documents lack but whose parts they use: the share of the unit its
    cited parts cover, by how topical the parts are ("civilsamhällesorganisationer" much,
    "kollektivavtal" little). 1 for a hyphenated word ("eu-regler"), whose terms are then its
    parts: a passage with all of them covers it."""
    name: bool = False
    """Whether it is a name ("Aarhus", "Stadsmissionen"): what the question is about."""
    topicality: float = 1.0
    """How far it is a topic in itself when the documents cite it: a name by its own
    everyday rarity ("Stadsmissionen" is, "Göteborg" is not), any other unit by its weight."""
    context: bool = False
    """Whether it stands in a sentence before the question ("Vi är ett kommunalt bolag.
    Får bolaget teckna ett IOP?"): it describes the asker rather than what is asked."""
    names: str = ""
    """What a passage covers it by naming, when it asks for a kind of fact: "section" for
    "Vilken *paragraf* …" (a passage citing "19 kap. 25 a § LOU"), "date" for "Från vilket
    *datum* …" (a passage naming a year), "statute" for "SFS" (a statute number) and
    "contact" for "telefonnummer" (a phone number or an e-mail address)."""
    asker: bool = False
    """Whether it describes the asker ("Jag är *socialchef* i en *skånsk* kommun", "vi *i
    forvaltningen*"): context even when the question asks about the situation it is in."""
    abroad: bool = False
    """Whether it names a country the documents do not cover ("i *Norge*", "*Finnish*
    municipalities"): never covered, and the answer is at most partial."""


@dataclass(frozen=True)
class AmountAsked:
    """A question asks for an amount of money: only a passage naming one answers it."""

    label: str
    """The words asking, as typed ("kostar", "pay")."""
    currencies: frozenset[str]
    """Terms of the currency words a passage naming an amount uses ("kron", "euro")."""


@dataclass(frozen=True)
class CountAsked:
    """A question asks how many: only a passage naming a number answers it."""

    label: str
    """The words of what is counted, as typed ("volontärer")."""
    numbers: frozenset[str]
    """Terms of the number words a passage may name a number with ("sju", "six")."""


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
    units: tuple[Unit, ...] = ()
    """What the question asks about, in question order, for deciding whether the documents
    cover it."""
    corrections: tuple[tuple[str, str], ...] = ()
    """Typed words corrected to a vocabulary stem: ``(word as typed, stem)``."""
    amount: AmountAsked | None = None
    """Set when the question asks for an amount of money ("Vad kostar …")."""
    count: CountAsked | None = None
    """Set when the question asks how many ("Hur många volontärer …")."""
    names_thing: bool = True
    """Whether the question's first topical word is likely what it asks for: it opens with
    a phrase asking for a thing ("Vilket …", "Hur mycket …", "What is the …") or is a bare
    keyword query. Not for "how do we …" or yes/no questions, whose first word is a verb."""


@dataclass(frozen=True)
class _Typed:
    """One typed word after analysis: its terms and how they relate to the vocabulary."""

    word: str
    terms: tuple[str, ...]
    known: bool
    corrected: str = ""
    whole: str = ""
    """The stem of the whole word (a compound the documents lack is searched by its parts)."""
    start: int = 0
    """Where the word starts in the question."""


@dataclass(frozen=True)
class _ConceptTerm:
    concept: str
    language: str
    stems: frozenset[str]
    phrase: tuple[str, ...] = ()
    """The term's words in order, when it only matches as a phrase (see :func:`_phrase`)."""


class QueryBuilder:
    """Builds queries against one index vocabulary.

    Args:
        analyzer: The analyzer used for the documents.
        concepts: Glossary concepts.
        vocabulary: Index terms (terms outside it cannot match and are repaired or dropped).
        languages: Languages the documents are written in; None means all.
        prepared: Tables from :meth:`prepared` of an identical builder (a cache), which
            spares analysing every glossary term again.
        rarity: ``(stem, language) → [0, 1]``: how rare a word is in everyday language
            (1 = rare or unknown). Everyday words weigh little in :attr:`Query.units`.
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
        rarity: Callable[[str, str], float] | None = None,
        folded: Mapping[str, tuple[str, ...]] | None = None,
        frequency: Callable[[str], int] | None = None,
        zipf: Callable[[str], float] = everyday_zipf,
    ) -> None:
        self.analyzer = analyzer
        self.frequency = frequency
        self.zipf = zipf
        self.rarity = rarity or (lambda term, language: 1.0)
        self.speller = Speller(vocabulary)
        self._roots: dict[str, frozenset[int]] | None = None
        self._glossary: dict[str, str] | None = None
        self._currency_terms: frozenset[str] | None = None
        self._number_terms: frozenset[str] | None = None
        self._facts: dict[str, dict[str, frozenset[str]]] = {}
        self._own_words: dict[tuple[str, str], frozenset[str]] = {}
        """(concept id, language) → the folded words of its terms (see :meth:`_name_stems`)."""
        self._named_stems: dict[str, frozenset[str]] = {}
        """Concept id → the stems of its words in every language (see :meth:`_named`)."""
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
                    phrase = _phrase(analyzer, term, language, stems)
                    self._terms.append(_ConceptTerm(concept.id, language, stems, phrase))
                    # Inflections of a term already taken (IOP, IOP:er, IOP:s) add nothing new.
                    if distinct < CANONICAL_TERMS and not stems <= set(canonical):
                        distinct += 1
                        canonical.extend(
                            s
                            for s in ordered
                            if s in vocabulary and s not in canonical and not _fragment(s)
                        )
                self._expansions[(concept.id, language)] = tuple(canonical)

    def prepared(self) -> dict[str, Any]:
        """Return the analysed glossary and accent tables as JSON-ready data (for a cache)."""
        tables: dict[str, Any] = {
            "terms": [
                [t.concept, t.language, sorted(t.stems), list(t.phrase)] for t in self._terms
            ],
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
                _ConceptTerm(c, lang, frozenset(stems), tuple(phrase))
                for c, lang, stems, phrase in prepared["terms"]
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

    def _typed(self, text: str, language: str) -> list[_Typed]:
        """Analyse typed words; a compound the corpus lacks is represented by its known parts.

        A word whose terms are all missing from the vocabulary, that is no everyday word, is
        corrected to the nearest vocabulary stem ("kriterer" → kriteri, "idburet" → idébur).
        """
        typed: list[_Typed] = []
        for span in self.analyzer.spans(text, language):
            word = text[span.start : span.end]
            repaired = self._repair(list(span.terms))
            known = [t for t in repaired if t in self.vocabulary]
            if (
                repaired
                and repaired[0] not in self.vocabulary
                and word[:1].isupper()
                and span.start > 0
            ):
                # Names are stemmed by their text's language ("Trine" → trin in Danish,
                # "Alingsås-sagen" → alingså): a capitalised word inside the question may be
                # known in another language.
                for other in LANGUAGES:
                    if other != language:
                        found = self._repair(list(self.analyzer.word_terms(word, other)))
                        if found and found[0] in self.vocabulary:
                            repaired = found
                            known = [t for t in found if t in self.vocabulary]
                            break
            if not repaired:
                continue
            # The whole word's stem: the joined form of a hyphenated word ("F-skattsedel"),
            # else the first term (compound parts follow it).
            head = repaired[-1] if "-" in word.strip("-") else repaired[0]
            whole = head in self.vocabulary
            spelt = self._glossary_word(word) if not known else ""
            if spelt and spelt != word.casefold():
                found = [
                    t for t in self.analyzer.word_terms(spelt, language) if t in self.vocabulary
                ]
                if found:
                    typed.append(_Typed(word, tuple(found), True, "", found[0], span.start))
                    continue
            if not known and self.rarity(head, language) >= 1.0 and not spelt:
                # "skane" in an English question is the documents' "Skåne"; otherwise, in a
                # language the documents are not written in, a near miss is more often a
                # different word than a typo: allow one edit only.
                foreign = language not in self.languages
                edits = 1 if foreign else None
                corrected = self._accented_term(word) or self.speller.correct(
                    head, max_edits=edits
                )
                if corrected is None and word.isalpha():
                    # The stemmer may cut an unaccented name differently ("alingsas" → alings,
                    # "Alingsås" → alingsås): compare the word as typed too.
                    corrected = self.speller.correct(word.casefold(), max_edits=edits)
                if corrected:
                    typed.append(
                        _Typed(word, (corrected,), True, corrected, corrected, span.start)
                    )
                    continue
            terms = tuple(known if len(repaired) > 1 and known else repaired)
            # A compound the documents lack is not covered by its parts: "kollektivavtal" is
            # not "avtal" (the parts still help ranking).
            typed.append(_Typed(word, terms, whole, "", head, span.start))
        return typed

    def _respelt(self, token: str, language: str) -> str:
        """Read a word typed without its letters å, ä, ö, æ or ø as the documents spell it.

        Two cases: "aa", "ae" or "oe" typed for the letter ("paa", "faar"), when only the
        respelt word is a known word ("paaske" stays); and a plain spelling the documents use
        rarely beside the accented one ("overenskommelsen" in two links,
        "överenskommelsen" everywhere).
        """
        word = token.strip(_PUNCTUATION)
        folded = word.casefold()
        if language == "en" or not folded.isascii():
            return token
        respelt = self._accented(folded, language)
        if not respelt and _DIGRAPH.search(folded) and not self._is_word(folded, language):
            digraphs = _DIGRAPHS[language]
            candidate = _DIGRAPH.sub(lambda match: digraphs[match.group(0)], folded)
            respelt = candidate if self._is_word(candidate, language) else ""
        if not respelt:
            return token
        if word[:1].isupper():
            respelt = respelt[:1].upper() + respelt[1:]
        return token.replace(word, respelt, 1)

    def _accented(self, word: str, language: str) -> str:
        """Return a plain word with the accents of its far more frequent spelling, or ""."""
        frequency = self.frequency
        if frequency is None:
            return ""
        terms = self.analyzer.word_terms(word, language)
        stem = terms[0] if terms else ""
        variants = self.folded.get(stem, ())
        if stem not in self.vocabulary or not variants or not word.startswith(stem):
            return ""
        used = max(frequency(stem), 1)
        best = max(variants, key=lambda variant: (frequency(variant), variant))
        if frequency(best) < ACCENTED_MAJORITY * used:
            return ""
        return best + word[len(stem) :]

    def _hyphenated(self, word: str, language: str) -> bool:
        """Tell a hyphenated word whose every part is a word of the documents.

        Such a word says what it is made of ("eu-regler", "steg-för-steg-vägledning"): unlike
        a closed compound ("kollektivavtal"), its parts together are the word. "IOP-samordnare"
        is none when the documents never say "samordnare".
        """
        if "-" not in word.strip("-"):
            return False
        pieces = [
            found
            for piece in word.split("-")
            if (found := self.analyzer.word_terms(piece, language))
        ]
        return len(pieces) > 1 and all(
            any(t in self.vocabulary for t in piece) for piece in pieces
        )

    def _accented_term(self, word: str) -> str:
        """Return the accented term a word typed without accents stands for, or "".

        Read in each document language: "skane" is Swedish "Skåne" (skån) whatever the
        question's language. Only one accented term may fit.
        """
        plain = word.casefold()
        if not plain.isascii() or not plain.isalpha():
            return ""
        for language in sorted(self.languages):
            for term in self.analyzer.word_terms(plain, language)[:1]:
                variants = self.folded.get(term, ())
                if len(variants) == 1:
                    return variants[0]
        return ""

    def _is_word(self, word: str, language: str) -> bool:
        """Tell whether a casefolded word is a stopword, a question word or a known term."""
        if word in stopwords(language) or word in question_words().get(language, ()):
            return True
        terms = self.analyzer.word_terms(word, language)
        return bool(terms) and all(term in self.vocabulary for term in terms)

    def _everyday_rarity(self, word: str) -> float:
        """Return the rarity of a word as typed; a hyphenated compound by its last part.

        The last part of a compound names what it is ("it-system" is a system, "e-post" post),
        so it is no rarer than that part, nor as common as a short first part ("it", "e").
        """
        parts = [part for part in word.casefold().split("-") if part]
        if not parts:
            return 1.0
        return rarity_of(restored_zipf(parts[-1], self.zipf))

    def _glossary_word(self, word: str) -> str:
        """Return the glossary's own spelling of a word ("alingsas" → "alingsås"), or "".

        A glossary word is never spell-corrected; typed without accents it is read as the
        glossary writes it.
        """
        if self._glossary is None:
            self._glossary = {
                fold(part.casefold()): part.casefold()
                for concept in self.concepts.values()
                for values in concept.terms.values()
                for term in values
                for part in term.split()
            }
        return self._glossary.get(fold(word.casefold()), "")

    def _name_stems(
        self, names: list[tuple[str, str]], concept: Concept, language: str
    ) -> set[str]:
        """Return the stems of names that are not written as one of the concept's words.

        Args:
            names: ``(name as typed, folded)`` of the question's names.
            concept: A concept matched in ``language``.
            language: The language its terms are read in.
        """
        key = (concept.id, language)
        own = self._own_words.get(key)
        if own is None:
            own = self._own_words[key] = frozenset(
                fold(word)
                for term in concept.terms.get(language, ())
                for word in term.casefold().split()
            )
        return {
            term
            for name, folded in names
            if folded not in own
            for term in self.analyzer.word_terms(name, language)
        }

    def _named(self, concept_id: str) -> frozenset[str]:
        """Return the stems of a concept's words in every language, not of their parts.

        A compound's parts ("kommun" in "kommunstyrelse") name other things.
        """
        named = self._named_stems.get(concept_id)
        if named is None:
            concept = self.concepts[concept_id]
            named = self._named_stems[concept_id] = frozenset(
                stems[0]
                for language, terms in concept.terms.items()
                for term in terms
                for word in term.split()
                if (stems := self.analyzer.word_terms(word, language))
                and stems[0] in self.vocabulary
            )
        return named

    def _english_adverb(self, word: str) -> bool:
        """Tell an adverb made from an English adjective ("roughly", "easily", "typically").

        Its base is itself a word ("rough", "easy"), unlike "family" or "supply".
        """
        if not word.endswith("ly") or len(word) < ADVERB_BASE + 2:
            return False
        base = word[:-3] + "y" if word.endswith("ily") else word[:-2]
        return len(base) >= ADVERB_BASE and self.zipf(base) >= ADVERB_BASE_ZIPF

    def _has_relative(self, stem: str) -> bool:
        """Tell whether the vocabulary has another form of the word (same start and length).

        "redovisad" beside "redovisning" is; "kollektivavtal" beside "kollektiv" is a compound.
        """
        if len(stem) <= ROOT or not stem.isalpha():
            return False
        vocabulary = self.vocabulary
        if isinstance(vocabulary, SortedStrings):
            # Sorted: the terms starting with the root follow one another from its insertion
            # point. (A table of every root decoded a million-term vocabulary: ~250 MB.)
            root = stem[:ROOT]
            at = vocabulary.insertion_point(root)
            for term in _starting_with(vocabulary, at, root, RELATIVES_SCANNED):
                if abs(len(stem) - len(term)) <= INFLECTION_LETTERS:
                    return True
            return False
        if self._roots is None:
            lengths: dict[str, set[int]] = {}
            for term in self.vocabulary:
                if len(term) >= ROOT:
                    lengths.setdefault(term[:ROOT], set()).add(len(term))
            self._roots = {root: frozenset(found) for root, found in lengths.items()}
        found = self._roots.get(stem[:ROOT], frozenset())
        return any(abs(len(stem) - length) <= INFLECTION_LETTERS for length in found)

    def _typed_terms(self, text: str, language: str) -> list[str]:
        """Return the terms of the typed words (see :meth:`_typed`)."""
        return [term for word in self._typed(text, language) for term in word.terms]

    def build(self, text: str, language: str) -> Query:
        """Analyse a question and expand it with glossary synonyms.

        Args:
            text: The cleaned question.
            language: Its language (sv, da or en).

        Returns:
            The weighted query.
        """
        tokens = [self._respelt(token, language) for token in text.split()]
        text = " ".join(tokens)
        topic = _topic_words(tokens, language)
        words, verbs, clauses, openers = topic.text, topic.verbs, topic.clauses, topic.openers
        typed_words = self._typed(words, language)
        original = list(dict.fromkeys(t for word in typed_words for t in word.terms))
        weights: dict[str, float] = dict.fromkeys(original, 1.0)
        # Concepts are looked for in the whole question: a name may contain a word that is
        # otherwise only a question or country word ("Local Government Denmark").
        by_language = {
            lang: set(self._repair(self.analyzer.terms(text, lang))) for lang in LANGUAGES
        }
        by_language[language].update(w.corrected for w in typed_words if w.corrected)
        # A name read in another language is no term of it ("Trine" is not Danish "trin").
        starts = topic.sentences
        names = [
            (w.word, fold(w.word.casefold()))
            for w in typed_words
            if w.start not in openers and _is_name(w.word)
        ]
        # Every stem a name has in any language: a concept term sharing none of them cannot
        # be a name misread, and is not checked further.
        name_stems = {
            term
            for name, _ in names
            for lang in LANGUAGES
            for term in self.analyzer.word_terms(name, lang)
        }
        sequences = {lang: _word_keys(self.analyzer, text, lang) for lang in LANGUAGES}
        typed_of: dict[str, set[str]] = {}
        read_of: dict[str, set[str]] = {}
        longest: dict[str, int] = {}
        for concept_term in self._terms:
            concept = self.concepts[concept_term.concept]
            if language in concept.not_in:
                continue
            found = by_language[concept_term.language]
            if concept_term.stems & name_stems and (
                concept_term.language != language or concept.generic
            ):
                # "Trine" is no Danish "trin" (step): a name is no everyday word of any language.
                found = found - self._name_stems(names, concept, concept_term.language)
            if concept_term.stems <= found and (
                not concept_term.phrase
                or _in_sequence(concept_term.phrase, sequences[concept_term.language])
            ):
                typed_of.setdefault(concept.id, set()).update(concept_term.stems & set(original))
                read_of.setdefault(concept.id, set()).update(concept_term.stems)
                longest[concept.id] = max(longest.get(concept.id, 0), len(concept_term.stems))

        # The longest match wins: "idéburet offentligt partnerskap" is IOP, not also "partnerskap";
        # "Local Government Denmark" is KL, not also "local government". A concept found only
        # in another language's reading types no stem of the question's language. Read from an
        # everyday word ("take" read as Swedish "tak", ceiling) it is chance and gives way to
        # any typed concept; read from a rare one ("samskabelse" in an English question) it
        # gives way only to a longer match.
        read_rare = {
            cid
            for cid, typed in typed_of.items()
            if not typed
            and not self.concepts[cid].generic
            and any(
                self._everyday_rarity(w.word) >= FOREIGN_RARITY
                for w in typed_words
                for lang in LANGUAGES
                if lang != language and read_of[cid] & set(self.analyzer.word_terms(w.word, lang))
            )
        }

        def within(cid: str, oid: str) -> bool:
            mine, other = typed_of[cid], typed_of[oid]
            if cid in read_rare and other:
                mine, other = read_of[cid], read_of[oid]
            return mine < other or (mine == other and longest[cid] < longest[oid])

        typed_of = {
            cid: typed
            for cid, typed in typed_of.items()
            if not any(within(cid, oid) for oid in typed_of if oid != cid)
        }
        matches: list[ConceptMatch] = []
        targets = expansion_languages(text, language)
        # Without documents in the question's language the synonyms are its translation: they
        # carry the meaning, and the typed words only match by chance ("public" in a Danish text).
        translating = language not in self.languages
        # A Danish question about Sweden ("Hvordan gør svenske kommuner …") is answered by
        # Swedish texts: the Swedish synonyms are its translation.
        crossing = any(lang != language for lang in targets) and language != "en"
        synonym_weight = 1.0 if translating or crossing else EXPANSION_WEIGHT
        for concept_id, typed in typed_of.items():
            added: list[str] = []
            candidates = [
                s
                for lang in targets
                for s in self._expansions.get((concept_id, lang), ())
                if s not in typed
            ]
            # A concept the documents only name in another language ("krisecenter" asked in
            # Danish, the texts say "kvinnojour"): its other names are the translation.
            untranslated = not any(t in self.vocabulary for t in (*typed, *candidates))
            if (translating or untranslated) and not any(c in self.vocabulary for c in candidates):
                # A concept only one language has a word for (samskabelse): use that word.
                candidates = [
                    s
                    for lang in LANGUAGES
                    for s in self._expansions.get((concept_id, lang), ())
                    if s not in typed
                ]
            weight = 1.0 if untranslated else synonym_weight
            for stem in candidates:
                if len(added) >= MAX_EXPANSIONS_PER_CONCEPT:
                    break
                if stem not in weights:
                    weights[stem] = weight
                    added.append(stem)
            if (translating or untranslated) and added:
                # A reference the target languages write the same ("art20") is no chance
                # match: it keeps its weight.
                shared = {
                    s
                    for lang in targets
                    for s in self._expansions.get((concept_id, lang), ())
                    if any(c.isdigit() for c in s)
                }
                for stem in typed - shared:
                    weights[stem] = EXPANSION_WEIGHT
            matches.append(
                ConceptMatch(concept_id, frozenset(typed), frozenset((*typed, *added)), weight)
            )
        asks_thing = names_thing(text, language)
        units = self._units(
            typed_words,
            matches,
            language,
            text,
            openers,
            _asked_spans(words, starts, frozenset(clauses), topic.questioning),
            verbs,
            topic.preamble,
            topic.askers,
        )
        corrections = tuple((w.word, w.corrected) for w in typed_words if w.corrected)
        asking = next(
            (
                unit.label
                for unit in units
                if unit.concept and self.concepts[unit.concept].amount and not unit.context
            ),
            "",
        )
        return Query(
            text,
            language,
            weights,
            tuple(original),
            tuple(matches),
            units,
            corrections,
            AmountAsked(asking, self._currencies()) if asking else None,
            self._count(text, language, units),
            asks_thing,
        )

    def _count(self, text: str, language: str, units: tuple[Unit, ...]) -> CountAsked | None:
        """Return what a question asking how many counts, or None when it asks no count."""
        if not asks_count(text, language):
            return None
        counted = next(
            (unit.label for unit in units if not unit.context and unit.weight >= EVERYDAY), ""
        )
        if not counted:
            return None
        if self._number_terms is None:
            self._number_terms = self._terms_of(
                (word, lang) for lang, words in number_words().items() for word in words
            )
        return CountAsked(counted, self._number_terms)

    def _terms_of(self, words: Iterable[tuple[str, str]]) -> frozenset[str]:
        """Return the terms of ``(word, language)`` pairs ("kronor", "sv" → kron)."""
        return frozenset(
            term for word, language in words for term in self.analyzer.word_terms(word, language)
        )

    def _currencies(self) -> frozenset[str]:
        """Return the terms of currency words in every language ("kronor" → kron)."""
        if self._currency_terms is None:
            self._currency_terms = self._terms_of(
                (word, language) for language in LANGUAGES for word in CURRENCIES
            )
        return self._currency_terms

    def _units(
        self,
        typed: list[_Typed],
        concepts: list[ConceptMatch],
        language: str,
        text: str,
        sentence_starts: frozenset[int] = frozenset({0}),
        question_spans: tuple[tuple[int, int], ...] | None = None,
        verbs: tuple[tuple[int, int], ...] = (),
        preamble: frozenset[int] = frozenset(),
        askers: frozenset[int] = frozenset(),
    ) -> tuple[Unit, ...]:
        """Split the question into what it asks about: its concepts and other typed words.

        A typed word belongs to a concept when its terms are the concept's or when it is
        written as one of the concept's terms in any language ("samskabelse" in an English
        question).
        """
        units: list[tuple[int, Unit]] = []
        spread: dict[int, list[int]] = {}
        """Where each word of a concept unit stands ("skiljer … skillnaden"), by its number."""
        consumed: set[int] = set()
        for match in concepts:
            concept = self.concepts[match.id]
            own = {fold(t.casefold()) for values in concept.terms.values() for t in values}
            own_words = {word for term in own for word in term.split()}
            mine = [
                n
                for n, w in enumerate(typed)
                if w.whole in match.typed or fold(w.word.casefold()) in own_words
            ]
            consumed.update(mine)
            if concept.generic and not mine:
                # An everyday word inside a compound ("IOP-*debatten*") is the compound's part;
                # the compound itself is the unit.
                continue
            words = [typed[n].word for n in mine]
            everyday = max((self.rarity(t, language) for t in match.typed), default=1.0)
            asked = f" {' '.join(fold(text.casefold()).replace('?', ' ').split())} "
            exact = any(fold(w.casefold()) in own for w in words) or any(
                f" {term} " in asked for term in own if " " in term
            )
            # An everyday word that only stems like a glossary term ("brukar" ~ brukare)
            # weighs as the everyday word it is; the concept's own term ("KL") fully.
            # Only a word not among the most common ones can be rare (read wordfreq lazily).
            rare = (
                concept.generic
                and everyday >= 1.0
                and bool(words)
                and min(self._everyday_rarity(word) for word in words) >= 1.0
            )
            if concept.generic and not rare:
                weight = min(everyday, EVERYDAY)
            elif concept.generic:
                # A generic concept's rare word ("treårsgränsen", not "gräns") is what is asked.
                weight = everyday
            else:
                weight = everyday if everyday < EVERYDAY and not exact else 1.0
            if (
                concept.generic
                and mine
                and all(any(a <= typed[n].start < b for a, b in verbs) for n in mine)
            ):
                # "varför *nämns* det": an everyday verb says how the question is asked.
                weight *= VERB_SLOT
            # A concept found inside a compound ("hemlöshetsorganisation") is named as the
            # glossary names it in the question's language, never by its id.
            label = " ".join(words) or next(iter(concept.terms.get(language, ())), concept.id)
            terms = match.stems | {t for n in mine for t in typed[n].terms}
            start = min((typed[n].start for n in mine), default=len(typed) * 1000)
            known = any(t in self.vocabulary for t in terms)
            # A passage in another language covers the concept by its own words for it (a
            # Danish question on SGEI answered by a Swedish text that says "stöd").
            terms |= self._named(concept.id)
            spread[len(units)] = [typed[n].start for n in mine]
            units.append((start, Unit(label, frozenset(terms), weight, known, concept.id)))
        never_topics = function_words()
        abroad = abroad_words(text)
        for number, word in enumerate(typed):
            if number in consumed or word.word.casefold() in never_topics:
                continue
            if _without_possessive(word.word.casefold()) in abroad:
                # Another country's rules ("i Norge", "Finnish municipalities"): no document
                # is about them, whatever passage mentions the country in passing.
                abroad_unit = Unit(
                    word.word, frozenset(), NAME_WEIGHT, False, name=True, abroad=True
                )
                units.append((word.start, abroad_unit))
                continue
            if country_hint(word.word) and (
                word.known or word.word.casefold() in COUNTRY_ABBREVIATIONS
            ):
                # Sweden and Denmark, which the documents cover, steer the search towards one
                # country's texts (see the ranking) and are no topic of their own; nor is
                # the chat abbreviation "dk", which no document uses.
                continue
            # A bare number supports an answer but is no topic of its own, except a year the
            # documents never mention: they say nothing about "budgeten för 2027".
            digits = all(t.isdigit() for t in word.terms)
            weight = 0.0 if digits else self.rarity(word.whole or word.terms[0], language)
            if digits and not word.known and is_year(word.terms[0]):
                weight = 1.0
            # "Chapter 19 Section 25 a", "Article 77": words of a legal reference are no names.
            reference = bool(set(word.terms) & self._fact_words(language)["section"])
            name = (
                word.start not in sentence_starts
                and _is_name(word.word)
                and not digits
                and not reference
            )
            topicality = weight
            if name:
                # A name ("Aarhus", "Tyskland") is what the question is about, however
                # common it is in everyday language.
                weight = max(weight, NAME_WEIGHT)
            elif not word.known and not digits:
                # A word the documents lack is rated by its own everyday frequency, not only
                # by the most frequent words' stems ("undgår", "obligatoriskt" are common).
                weight = min(weight, self._everyday_rarity(word.word))
                if language == "en" and (
                    _ENGLISH_VERB_FORM.fullmatch(word.word.casefold())
                    or self._english_adverb(word.word.casefold())
                ):
                    # "What *happened* …", "how many … *roughly*": an English verb form or
                    # adverb says how the question is asked, not what it is about.
                    weight *= VERB_FORM
            if not name and not digits and any(a <= word.start < b for a, b in verbs):
                # "Får vi *kritisera* …", "Hvordan *undgår* …": a word where a verb stands
                # says how the question is asked, rarely what it is about.
                weight *= VERB_SLOT
            if not name and not word.known and self._has_relative(word.whole):
                # "redovisades", "obligatoriskt": the documents use a word of the same root,
                # so the missing form says little about a missing topic.
                weight *= RELATIVE_FACTOR
            parts = [t for t in word.terms if t in self.vocabulary] if not word.known else []
            credit = PART_CREDIT * min((self.rarity(t, language) for t in parts), default=0.0)
            hyphenated = bool(parts) and self._hyphenated(word.word, language)
            if hyphenated:
                credit = 1.0
            unit = Unit(
                word.word,
                frozenset(parts if hyphenated else word.terms),
                weight,
                word.known,
                "",
                credit,
                name,
                topicality,
                # "*asså* när …", "*btw* how many …": a lead-in the documents lack is chat.
                context=not name
                and ((word.start in preamble and not word.known) or word.start in askers),
                asker=not name and word.start in askers,
            )
            units.append((word.start, unit))
        if question_spans is not None:
            units = [
                (
                    start,
                    unit
                    if any(
                        first <= at < end
                        for first, end in question_spans
                        for at in spread.get(number, [start])
                    )
                    else replace(unit, context=True),
                )
                for number, (start, unit) in enumerate(units)
            ]
        kinds = self._fact_words(language)

        def fact_kind(unit: Unit) -> str:
            return next((kind for kind, stems in kinds.items() if unit.terms & stems), "")

        units = [
            (start, _asking_for(unit, kind) if (kind := fact_kind(unit)) else unit)
            for start, unit in units
        ]
        # In question order: the first topical unit is usually what is asked for.
        return tuple(unit for _, unit in sorted(units, key=lambda item: item[0]))

    def _fact_words(self, language: str) -> dict[str, frozenset[str]]:
        """Return, per kind of fact ("section", "date"), the stems of words asking for it."""
        found = self._facts.get(language)
        if found is None:
            found = self._facts[language] = {
                kind: frozenset(
                    terms[0]
                    for word in words
                    if (terms := self.analyzer.word_terms(word, language))
                )
                for kind, words in fact_words(language).items()
            }
        return found


_CLAUSE_MARKS = frozenset({"–", "—", "-"})
_PUNCTUATION = "?!.,;:()\"'"
_DIGRAPH = re.compile(r"aa|ae|oe")
_DIGRAPHS = {
    "da": {"aa": "å", "ae": "æ", "oe": "ø"},
    "sv": {"aa": "å", "ae": "ä", "oe": "ö"},
}
"""How a keyboard without the letter spells it: Danish "paa" for "på", Swedish "oe" for "ö"."""
_ENGLISH_VERB_FORM = re.compile(r"[a-z]{3,}(ed|ing)")


@dataclass(frozen=True)
class _TopicWords:
    """A question's words without its question and function words, and where things stand."""

    text: str
    """The remaining words joined by spaces."""
    verbs: tuple[tuple[int, int], ...]
    """Spans in :attr:`text` of words standing where a verb stands (:func:`verb_slots`)."""
    clauses: tuple[int, ...]
    """Where a question clause starts after a dash, colon or semicolon."""
    openers: frozenset[int]
    """Where the kept words that open a sentence start: a capital there marks no name, but
    one after a dropped question word does ("Har *Norge* …")."""
    preamble: frozenset[int]
    """Where the words before a sentence's question word start ("*asså* när …", "*btw* how
    many …"): a chat particle leading into the question."""
    sentences: frozenset[int]
    """Where the first kept word of each sentence starts (a sentence may end in a dropped
    word: "… ett IOP med oss. Vi har …")."""
    askers: frozenset[int]
    """Where a word placing the asker starts ("vi *i forvaltningen*", "we at the *council*")."""
    questioning: frozenset[int] = frozenset()
    """Where a sentence that opens with a question word starts ("*Hvordan* samarbejder …")."""


PREAMBLE_WORDS = 2
"""Most words before a question word that can be a lead-in rather than a statement."""


def _topic_words(tokens: list[str], language: str) -> _TopicWords:
    """Drop a question's question and function words, keeping where verbs and clauses stand.

    Args:
        tokens: The question's words, as split on white space.
        language: Its language.
    """
    asking = question_words().get(language, frozenset())
    plain = [_plain_token(token) for token in tokens]
    kept: list[str] = []
    verbs: list[tuple[int, int]] = []
    clauses: list[int] = []
    opens_clause = False
    openers: set[int] = set()
    preamble: set[int] = set()
    askers: set[int] = set()
    questioning: set[int] = set()
    before_question: list[int] | None = []  # kept words of the sentence before a question word
    opens_sentence = True
    sentences: set[int] = set()
    new_sentence = True
    start = 0  # where the next kept word starts in the joined words
    for number, (token, verb) in enumerate(zip(tokens, verb_slots(tokens, language), strict=True)):
        at_start, opens_sentence = opens_sentence, _ends_sentence(tokens, number)
        new_sentence = new_sentence or at_start
        if at_start:
            before_question = []
        if _asks(_without_possessive(token.casefold().strip("?!.,;:")), asking, language):
            if at_start:
                questioning.add(start)
            # "I ett gammalt nämndbeslut står 6 a § – vilken paragraf gäller idag?": a
            # question word after a dash, colon or semicolon opens the question itself.
            if opens_clause and kept:
                clauses.append(start)
            opens_clause = False
            if before_question and len(before_question) <= PREAMBLE_WORDS:
                preamble.update(before_question)
            before_question = None
            if token.endswith("?") and kept and not kept[-1].endswith("?"):
                # "… principerna i överenskommelsen är? behöver dom till ett möte": the
                # question mark of a dropped word still marks its sentence as the question.
                kept[-1] += "?"
                start += 1
            continue
        opens_clause = token in _CLAUSE_MARKS or token[-1:] in ":;"
        if verb:
            verbs.append((start, start + len(token)))
        if at_start:
            openers.add(start)
        if before_question is not None:
            before_question.append(start)
        if _describes_asker(plain, tokens, number, language):
            # "Hvordan kan vi *i forvaltningen* bruge …": where the asker sits, not the topic.
            askers.add(start)
        if new_sentence:
            sentences.add(start)
            new_sentence = False
        kept.append(token)
        start += len(token) + 1
    return _TopicWords(
        " ".join(kept),
        tuple(verbs),
        tuple(clauses),
        frozenset(openers),
        frozenset(preamble),
        frozenset(sentences),
        frozenset(askers),
        frozenset(questioning),
    )


def _describes_asker(plain: list[str], tokens: list[str], number: int, language: str) -> bool:
    """Tell a word of a phrase placing the asker ("vi *i forvaltningen*", "we *at the council*").

    It follows "we"/"vi"/"jeg" and a preposition (and an article), or it is the asker
    introducing themselves (:func:`_introduces_asker`). ``plain`` are the tokens as
    :func:`_plain_token` gives them.
    """
    places = asker_places().get(language)
    if not places:
        return False
    pronouns, prepositions = places
    before = number - 1
    if before >= 0 and plain[before] in articles() and not _ends_clause(tokens[before]):
        before -= 1  # "we at *the* council"
    if (
        before >= 1
        and plain[before] in prepositions
        and plain[before - 1] in pronouns
        and not _ends_clause(tokens[before])
    ):
        return True
    return _introduces_asker(plain, tokens, number, pronouns, prepositions, language)


def _asking_for(unit: Unit, kind: str) -> Unit:
    """Mark a unit asking for a kind of fact; contact details are what is asked for.

    "What is the phone number for Forum?": "phone" is an everyday word, yet the question is
    about it, and no passage naming a phone number or an e-mail address covers it.
    """
    weight = max(unit.weight, CONTACT_WEIGHT) if kind == "contact" else unit.weight
    return replace(unit, names=kind, weight=weight)


def _introduces_asker(
    plain: list[str],
    tokens: list[str],
    number: int,
    pronouns: frozenset[str],
    prepositions: frozenset[str],
    language: str,
) -> bool:
    """Tell a word of the asker introducing their role and workplace.

    "Jag är *socialchef* i en *skånsk* kommun och …", "I'm a *procurement officer* in …": a
    pronoun and "är"/"am", then words up to a conjunction or a comma that place the asker
    (a preposition such as "i", "in", "på"). "I'm looking for the phone number …" places no
    one: its words stay topics.

    Args:
        plain: The question's tokens as :func:`_plain_token` gives them.
        tokens: The tokens as typed.
        number: The word asked about.
        pronouns: The asker's pronouns ("jag", "we").
        prepositions: The prepositions placing the asker ("i", "at").
        language: The question's language.
    """
    introductions, clause_ends = asker_introductions().get(language, (frozenset(), frozenset()))

    def closes(at: int) -> bool:
        return _ends_clause(tokens[at]) or plain[at] in clause_ends

    copula = None
    for at in range(number - 1, max(-1, number - SELF_INTRODUCTION - 2), -1):
        if closes(at):
            return False
        # "Jag är", "I am", or one word that is both ("I'm").
        after_pronoun = at > 0 and plain[at - 1] in pronouns
        if plain[at] in introductions and (after_pronoun or "'" in plain[at]):
            copula = at
            break
    if copula is None:
        return False
    end = copula + 1
    while end < len(tokens) and end - copula <= SELF_INTRODUCTION and not closes(end):
        end += 1
    return any(plain[at] in prepositions for at in range(copula + 1, end))


def _word_keys(analyzer: Analyzer, text: str, language: str) -> tuple[str, ...]:
    """Return each word of ``text`` as its first stem, or folded when it has none ("upp")."""
    words = re.findall(r"[\w§]+(?:[:'-][\w§]+)*", text.casefold())
    return tuple(next(iter(analyzer.word_terms(word, language)), fold(word)) for word in words)


def _phrase(
    analyzer: Analyzer, term: str, language: str, stems: frozenset[str]
) -> tuple[str, ...]:
    """Return the words a glossary term must be written with, in order, or () for any order.

    A term of several words that keeps only one stem ("följa upp" → följ, "står för" → står,
    "sitter i" → sitt) would otherwise match every question using that one everyday word
    ("Vi följer MUCF:s råd"): it matches only as the phrase.
    """
    keys = _word_keys(analyzer, term, language)
    return keys if len(keys) > 1 and len(stems) == 1 else ()


def _in_sequence(phrase: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Tell whether the phrase's words occur in order, each at most PHRASE_GAP words apart.

    A particle verb parts around its subject in a question: "Hur *följer* vi *upp*?",
    "Vad *står* IOP *för*?".
    """

    def rest_from(number: int, after: int) -> bool:
        if number == len(phrase):
            return True
        window = words[after + 1 : after + 2 + PHRASE_GAP]
        return any(
            word == phrase[number] and rest_from(number + 1, after + 1 + offset)
            for offset, word in enumerate(window)
        )

    return any(word == phrase[0] and rest_from(1, at) for at, word in enumerate(words))


def _plain_token(token: str) -> str:
    """Return a question token without case, punctuation and curly apostrophes."""
    return token.casefold().strip(_PUNCTUATION).replace("’", "'")


def _ends_clause(token: str) -> bool:
    """Tell whether a question token ends with a clause's punctuation."""
    return token[-1:] in ",.;:?!"


def _without_possessive(word: str) -> str:
    """Drop an English possessive ending ("Sweden's" is the country word "sweden")."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _ends_sentence(tokens: list[str], number: int) -> bool:
    """Tell whether a question's token ends a sentence ("kap." in "19 kap. 25 §" does not)."""
    token = tokens[number]
    if not token or token[-1] not in ".!?":
        return False
    return not abbreviated(" ".join(tokens[: number + 1]))


def _is_name(word: str) -> bool:
    """Tell a name ("Aarhus", "Stadsmissionen") from an acronym compound ("IOP-debatten")."""
    head = word.split("-", 1)[0]
    return head[:1].isupper() and not head[1:2].isupper()


_LEGAL_FRAGMENTS = frozenset({"kap", "stk", "st", "p", "nr", "art"})


def _fragment(stem: str) -> bool:
    """Tell a piece of a legal reference ("19", "kap", "a") from a searchable synonym.

    The reference itself ("19kap§25a", "§25a") stays a synonym; its pieces would match every
    statute passage.
    """
    return stem.isdigit() or len(stem) <= 1 or stem in _LEGAL_FRAGMENTS


@lru_cache(maxsize=4)
def _folded_function_words(language: str) -> frozenset[str]:
    words = question_words().get(language, frozenset()) | stopwords(language)
    return frozenset(fold(word) for word in words)


def _asks(word: str, asking: frozenset[str], language: str) -> bool:
    """Tell a question or function word, also typed without accents ("vad ar", "nar")."""
    if word in asking:
        return True
    # A single letter may be part of a legal reference ("25 a §").
    return len(word) > 1 and word == fold(word) and word in _folded_function_words(language)


RELATIVES_SCANNED = 256
"""Most terms sharing a root that are compared with a word the documents lack."""


def _starting_with(vocabulary: SortedStrings, at: int, root: str, limit: int) -> list[str]:
    """Return up to ``limit`` sorted terms from position ``at`` that start with ``root``."""
    found: list[str] = []
    while at < len(vocabulary) and len(found) < limit:
        term = vocabulary[at]
        if not term.startswith(root):
            break
        found.append(term)
        at += 1
    return found


def _asked_spans(
    words: str,
    sentences: Collection[int],
    clauses: Collection[int],
    questioning: Collection[int],
) -> tuple[tuple[int, int], ...] | None:
    """Return where the questions themselves stand in a question of several sentences.

    They are the parts with a question mark, else the last part; the sentences around them
    describe the asker or add a request ("Mejla mig."). The parts start at the sentences and
    at a question clause after a dash or colon. A part opening with a question word before
    such a clause asks too: "*Hvordan* samarbejder kommunerne i Finland … – har de noget der
    ligner § 18?". None for one part.
    """
    ordered = sorted({0, *sentences, *clauses})
    if len(ordered) == 1:
        return None
    spans = list(zip(ordered, [*ordered[1:], len(words)], strict=True))
    asking = [
        span
        for span in spans
        if "?" in words[span[0] : span[1]] or (span[0] in questioning and span[1] in clauses)
    ]
    return tuple(asking) or (spans[-1],)
