"""What kind of answer a question asks for: a definition, a list (criteria, steps), or other."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.data import read_yaml
from bot.search.analysis import Analyzer
from bot.search.query import Query, Unit
from bot.search.questions import articles
from bot.search.text import fold


@dataclass(frozen=True)
class Intent:
    """The answer shape a question asks for."""

    defines: str = ""
    """The glossary concept the question asks to have defined ("Vad är IOP?", "IOP")."""
    list_terms: frozenset[str] = frozenset()
    """The terms asking for a list of criteria, conditions, principles, goals or steps
    ("kriteri", "mål")."""

    @property
    def lists(self) -> bool:
        """True when it asks for a list."""
        return bool(self.list_terms)


@dataclass(frozen=True)
class _Tables:
    definition: dict[str, re.Pattern[str]]
    verbs: dict[str, tuple[str, ...]]
    negations: dict[str, frozenset[str]]
    lists: dict[str, frozenset[str]]
    hedges: dict[str, frozenset[str]]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data = read_yaml("intents.yaml") or {}
    # Patterns are matched without accents, so "vad ar iop" asks what IOP is.
    definition = {
        lang: re.compile("^(?:" + "|".join(fold(p.casefold()) for p in patterns) + ")")
        for lang, patterns in (data.get("definition") or {}).items()
    }
    verbs = {
        lang: tuple(str(v).casefold() for v in values)
        for lang, values in (data.get("definition_verbs") or {}).items()
    }
    negations = {
        lang: frozenset(str(v).casefold() for v in values)
        for lang, values in (data.get("definition_negations") or {}).items()
    }
    lists = {
        lang: frozenset(str(v).casefold() for v in values)
        for lang, values in (data.get("lists") or {}).items()
    }
    hedges = {
        lang: frozenset(fold(str(v).casefold()) for v in values)
        for lang, values in (data.get("hedges") or {}).items()
    }
    return _Tables(definition, verbs, negations, lists, hedges)


def definition_verbs(language: str) -> tuple[str, ...]:
    """Return the verbs that introduce a definition in ``language`` ("är", "betyder")."""
    return _tables().verbs.get(language, ())


def definition_negations(language: str) -> frozenset[str]:
    """Return the words that deny after a definition verb ("inte", "ikke", "not")."""
    return _tables().negations.get(language, frozenset())


def question_intent(query: Query, analyzer: Analyzer, filler: float = 0.3) -> Intent:
    """Tell what kind of answer a question asks for.

    A question defines a concept when the concept is the only topical thing it names and it
    is either bare ("IOP", "§ 18") or phrased as a definition question ("Vad är …?",
    "Hvad er …?", "What is …?"). It asks for a list when it uses a word such as "kriterier",
    "betingelser" or "steps".

    Args:
        query: The analysed question.
        analyzer: The analyzer (to stem the list words like the question).
        filler: Units weighing less than this do not count as topics.

    Returns:
        The intent.
    """
    tables = _tables()
    language = query.language
    list_stems = {
        stem for word in tables.lists.get(language, ()) for stem in analyzer.terms(word, language)
    }
    # A name is no list word ("Trine" stems like Danish "trin", step).
    names = {term for unit in query.units if unit.name for term in unit.terms}
    list_terms = frozenset(list_stems & set(query.original) - names)
    asks_list = bool(list_terms)
    topical = [unit for unit in query.units if unit.weight >= filler]
    concepts = [unit for unit in topical if unit.concept]
    defines = ""
    hedges = tables.hedges.get(language, frozenset())
    # A chat lead-in before the question ("asså vad är iop") is passed over like a hedge.
    lead_ins = {
        fold(unit.label.casefold()) for unit in query.units if unit.context and not unit.concept
    }
    words = fold(query.text.strip().casefold()).split()
    while words and words[0].strip("?!.,") in lead_ins:
        words = words[1:]
    asked = " ".join(word for word in words if word.strip("?!.,") not in hedges)
    opening = _definition_opening(asked, language)
    if len(concepts) == 1 and len(topical) == 1 and not asks_list:
        bare = len(query.units) == 1 and query.text.strip(" ?!.").casefold() == (
            concepts[0].label.casefold()
        )
        if bare or opening:
            defines = concepts[0].concept
    elif not asks_list and opening:
        # "Vad menas med värdeöverföring när man pratar om reserverad upphandling?": the
        # concept right after a definition opening is what is to be defined; the words after
        # it say where it is asked about. "Vad är skillnaden mellan …" defines nothing.
        defines = _named_next(asked[opening.end() :], query.units)
    return Intent(defines, list_terms)


def _definition_opening(asked: str, language: str) -> re.Match[str] | None:
    """Return the definition opening of a question, in its language or another one.

    "What is idéburet offentligt partnerskap?" reads as Swedish by its words, yet asks in
    English what they mean; no language's opening is an everyday start of another's.
    """
    patterns = _tables().definition
    order = [language, *(lang for lang in patterns if lang != language)]
    for lang in order:
        pattern = patterns.get(lang)
        match = pattern.search(asked) if pattern is not None else None
        if match:
            return match
    return None


def _named_next(rest: str, units: tuple[Unit, ...]) -> str:
    """Return the concept a question names first in ``rest``, or "" when a word comes first.

    Articles and generic concepts ("förkortningen IOP") are passed over.
    """
    first_words = {fold(unit.label.split()[0].casefold()): unit for unit in units if unit.label}
    for word in re.findall(r"[\w§:-]+", rest):
        if word in articles():
            continue
        unit = first_words.get(word)
        if unit is None or not unit.concept:
            return ""
        if unit.weight >= 1.0:
            return unit.concept
    return ""
