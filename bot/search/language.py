"""Guess whether a question is Swedish, Danish or English.

Three signals are added up: the stopwords and frequent marker words of each language (and
the letters æ/ø or ä/ö), the domain words of the glossary (a term only one language uses,
such as "udbudsloven" or "idéburet"), and a statistical detector that is good on short text
(lingua, limited to the three languages). No signal decides alone: "Vad är IOP?" reads as
Danish to the detector, "udbudsloven reserverede kontrakter" has no marker word at all.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from bot.search.analysis import stopwords
from bot.search.text import fold

LANGUAGE_CODES = ("sv", "da", "en")
SHARED = "*"
"""Key of :func:`domain_words` for the glossary words of every language together."""
MAX_DOMAIN_WORDS = 2
"""Domain words count for at most two words per language: the question's own function words
("hvad", "er") say more about its language than the topic it names."""
MIN_FUZZY = 6
"""Shorter words must match a domain word exactly."""
DETECTOR_WEIGHT = 2.0
"""What the detector's confidence (0–1) counts against one marker word (1.5)."""
DOMAIN_WEIGHT = 1.0
"""What one glossary word used by only one language counts (a misspelt one too): less than
a function word, since a Danish concept named in an English question is still English."""

_WORD = re.compile(r"[^\W\d_]+")
# Frequent words that tell the two Scandinavian languages apart (beyond the stopword lists).
_MARKERS = {
    "sv": frozenset(
        "och är inte också vilka vilken hur kan får måste ska kommunen kommuner regionen "
        "föreningar förening idéburen idéburna idéburet upphandling avtal överenskommelsen "
        "vad gäller skillnaden mellan enligt finns".split()
    ),
    "da": frozenset(
        "og ikke også hvordan hvilke hvad kan må skal kommunen kommuner foreninger forening "
        "frivillige frivillig samarbejde samskabelse udbud aftale hvornår efter gælder er "
        "mellem ifølge findes".split()
    ),
    "en": frozenset(
        "the and what how which can may must municipality municipalities organisation "
        "organisations organization partnership procurement reserved contract agreement "
        "is are does do of for with between".split()
    ),
}


@lru_cache(maxsize=1)
def _detector() -> Any:
    """Build the statistical detector once (its models load on first use, ~30 ms)."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - lingua is a declared dependency
        return None
    languages = (Language.SWEDISH, Language.DANISH, Language.ENGLISH)
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


_CODES = {"SWEDISH": "sv", "DANISH": "da", "ENGLISH": "en"}


def detector_confidence(text: str) -> dict[str, float]:
    """Return the statistical detector's confidence per language (empty without it)."""
    detector = _detector()
    text = text.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates cannot be read
    if detector is None or not text.strip():
        return {}
    return {
        _CODES[value.language.name]: float(value.value)
        for value in detector.compute_language_confidence_values(text)
        if value.language.name in _CODES
    }


def _near(word: str, words: frozenset[str]) -> bool:
    """Tell whether ``word`` is one of ``words`` or a likely misspelling of one."""
    if word in words:
        return True
    if len(word) < MIN_FUZZY:
        return False
    edits = 1 if len(word) < 8 else 2
    return extractOne(word, words, scorer=Levenshtein.distance, score_cutoff=edits) is not None


def domain_words(terms: Mapping[str, Collection[str]]) -> dict[str, frozenset[str]]:
    """Return, per language, the folded glossary words no other language uses.

    Args:
        terms: Language → glossary terms (single or multi-word).

    Returns:
        Language → words that point to that language.
    """
    words = {
        language: {
            fold(w.casefold()) for term in values for w in _WORD.findall(term) if len(w) > 2
        }
        for language, values in terms.items()
    }
    exclusive = {
        language: frozenset(
            own - set().union(*(other for lang, other in words.items() if lang != language))
        )
        for language, own in words.items()
    }
    # Words every language shares ("offentligt") are kept apart: they point nowhere, and
    # are no misspelling of another language's word either.
    exclusive[SHARED] = frozenset(set().union(*words.values()))
    return exclusive


def detect_language(
    text: str, default: str = "sv", domain: Mapping[str, frozenset[str]] | None = None
) -> str:
    """Guess the language of a short question.

    Args:
        text: The question.
        default: Returned when nothing points anywhere.
        domain: Language → glossary words only that language uses (:func:`domain_words`).

    Returns:
        "sv", "da" or "en".
    """
    words = [word.casefold() for word in _WORD.findall(text)]
    scores = {language: 0.0 for language in ("sv", "da", "en")}
    domain_hits = dict.fromkeys(scores, 0)
    domain = domain or {}
    for word in words:
        for language in scores:
            if word in stopwords(language):
                scores[language] += 1.0
            if word in _MARKERS[language]:
                scores[language] += 1.5
        if any(letter in word for letter in "æø"):
            scores["da"] += 2.0
        if any(letter in word for letter in "äö"):
            scores["sv"] += 2.0
        folded = fold(word)
        if folded in domain.get(SHARED, ()) and not any(
            folded in own for lang, own in domain.items() if lang != SHARED
        ):
            continue
        exact = [lang for lang, own in domain.items() if lang != SHARED and folded in own]
        # A word one language spells exactly ("partnerskap") is not also a near miss of
        # another's ("partnerskab").
        near = exact or [
            lang for lang, own in domain.items() if lang != SHARED and _near(folded, own)
        ]
        for language in near:
            if language in scores and domain_hits[language] < MAX_DOMAIN_WORDS:
                domain_hits[language] += 1
                scores[language] += DOMAIN_WEIGHT
    if len(words) >= 2:  # on a single word ("LOU", "IOP") the detector only guesses
        for language, confidence in detector_confidence(text).items():
            scores[language] += DETECTOR_WEIGHT * confidence
    best = max(scores, key=lambda language: (scores[language], language == default))
    return best if scores[best] > 0 else default
