"""The words of a question that are not its topic: question words, stopwords, countries."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from bot.models import LANGUAGES
from bot.search.analysis import stopwords

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
def function_words() -> frozenset[str]:
    """Question words and stopwords of every language: never a topic ("Hvad" in Swedish)."""
    words: set[str] = set()
    for language in LANGUAGES:
        words |= question_words().get(language, frozenset()) | stopwords(language)
    return frozenset(words)


@lru_cache(maxsize=1)
def question_words() -> dict[str, frozenset[str]]:
    """Words that make a sentence a question but say nothing about its topic."""
    data = resources.files("bot.data").joinpath("question_words.yaml").read_text("utf-8")
    loaded = yaml.safe_load(data) or {}
    return {
        lang: frozenset(str(w).casefold() for w in words or ()) for lang, words in loaded.items()
    }


@lru_cache(maxsize=1)
def _thing_openings() -> dict[str, tuple[str, ...]]:
    data = resources.files("bot.data").joinpath("question_openings.yaml").read_text("utf-8")
    loaded = yaml.safe_load(data) or {}
    return {
        lang: tuple(str(w).casefold() for w in entry.get("thing") or ())
        for lang, entry in loaded.items()
    }


def names_thing(question: str, language: str) -> bool:
    """Tell whether a question's first content word is probably the thing it asks for.

    True for questions opening with a phrase that asks for a thing ("Vilket kollektivavtal
    …", "Hur mycket moms …", "What is the phone number …") and for bare keyword queries;
    False for questions opening with another question word ("Hur startar vi …", "Får vi …"),
    whose first content word is usually a verb.

    Args:
        question: The question as typed.
        language: Its language.

    Returns:
        Whether the first topical word should weigh as what is asked for.
    """
    words = " ".join(re.findall(r"[\w§:-]+", question.casefold()))
    thing = _thing_openings().get(language, ())
    if any(words == opening or words.startswith(opening + " ") for opening in thing):
        return True
    first = words.split(" ", 1)[0] if words else ""
    return first not in question_words().get(language, frozenset())
