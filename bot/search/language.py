"""Guess whether a question is Swedish, Danish or English."""

from __future__ import annotations

import re

from bot.search.analysis import stopwords

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


def detect_language(text: str, default: str = "sv") -> str:
    """Guess the language of a short question.

    Counts stopwords and marker words per language, with the letters æ/ø pointing to Danish
    and ä/ö to Swedish.

    Args:
        text: The question.
        default: Returned when nothing points anywhere.

    Returns:
        "sv", "da" or "en".
    """
    words = [word.casefold() for word in _WORD.findall(text)]
    scores = {language: 0.0 for language in ("sv", "da", "en")}
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
    best = max(scores, key=lambda language: (scores[language], language == default))
    return best if scores[best] > 0 else default
