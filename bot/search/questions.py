"""The words of a question that are not its topic: question words, stopwords, countries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from bot.data import read_yaml
from bot.models import LANGUAGES
from bot.search.analysis import stopwords

COUNTRY_ABBREVIATIONS = frozenset({"dk"})
"""Chat abbreviations of a country name ("non profit i dk")."""
_COUNTRY_WORDS = {
    "da": r"dan(?:mark|sk\w*|ish)|denmark|dk",
    "sv": r"sverige|svensk\w*|swed(?:en|ish)|sweden",
}
_COUNTRY = {
    language: re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    for language, words in _COUNTRY_WORDS.items()
}
_ABROAD_WORDS = (
    r"norge|norsk\w*|norway|norwegian\w*|finland|finsk\w*|finländsk\w*|finnish|"
    r"tyskland|tysk\w*|germany|german\w*|frankrike|frankrig|fransk\w*|france|french|"
    r"spanien|spain|spansk\w*|spanish|storbritannien|britisk\w*|brittisk\w*|british|"
    r"nederländerna|nederlandene|holland|hollandsk\w*|dutch|netherlands|"
    r"estland|lettland|letland|litauen|polen|polsk\w*|usa|amerikansk\w*|american"
)
"""Countries the documents do not cover: they mention Norway only to compare shares."""
_ABROAD = re.compile(rf"\b(?:{_ABROAD_WORDS})\b", re.IGNORECASE)
_COMPARING = (
    r"\b(?:jämfört med|i jämförelse med|sammenlignet med|i forhold til|compared (?:with|to)|"
    r"than in|än i|end i|unlike|versus|vs\.?)\s+(?:the |det |den |de )?"
)
"""The words before a country named only to compare with ("… jämfört med Danmark")."""
_COMPARED = re.compile(rf"{_COMPARING}(?:{'|'.join(_COUNTRY_WORDS.values())})\b", re.IGNORECASE)
_COMPARED_ABROAD = re.compile(
    rf"{_COMPARING}(?:[\w-]+(?:,| och| og| and| or| eller) )*(?:{_ABROAD_WORDS})\b",
    re.IGNORECASE,
)
"""Another country compared with, also last in a list ("… med Danmark och Norge")."""
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
ASKER_REACH = 40
"""Most characters between the asker's pronoun and the preposition placing them ("Jeg
arbejder *i* en dansk kommune", "I'm a policy officer *in* a Danish municipality")."""


def country_hint(text: str, language: str | None = None) -> str | None:
    """Return "da" or "sv" when the question asks about one country, else None.

    A question naming both asks about the one besides the asker's own workplace ("I'm a
    policy officer in a Danish municipality and we're benchmarking against Sweden"), else
    the one its last sentence naming a country names: "… Which Swedish region was first?"
    asks about Sweden.

    Args:
        text: The question.
        language: Its language, which tells how the asker places themselves; None reads no
            workplace.
    """
    # "… jämfört med Danmark": the country compared with is no topic of its own.
    asked = _COMPARED.sub(" ", text)
    named = _countries(asked)
    if len(named) == 2:
        workplace = _askers_country(language) if language else None
        besides = _countries(workplace.sub(" ", asked)) if workplace else named
        named = (
            besides
            if len(besides) == 1
            else next(found for s in reversed(_SENTENCE.split(asked)) if (found := _countries(s)))
        )
    return named[0] if len(named) == 1 else None


@lru_cache(maxsize=len(LANGUAGES))
def _askers_country(language: str) -> re.Pattern[str] | None:
    """Return the pattern of the asker's workplace with its country ("vi i en svensk …").

    Its words are the question openings' asker pronouns, the prepositions placing them and
    the articles (``question_openings.yaml``).
    """
    places = asker_places().get(language)
    if not places:
        return None
    pronouns, prepositions = places

    def either(words: Iterable[str]) -> str:
        return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))

    determiners = _openings().get(language, {}).get("articles", ())
    return re.compile(
        rf"\b(?:{either(pronouns)})\b[^.?!,;]{{0,{ASKER_REACH}}}?"
        rf"\b(?:{either(prepositions)})\s+(?:{either(determiners)})\s+"
        rf"(?:{'|'.join(_COUNTRY_WORDS.values())})\b",
        re.IGNORECASE,
    )


def abroad_words(text: str) -> frozenset[str]:
    """Return the words naming a country the documents do not cover, as typed, casefolded.

    "Hur fungerar reserverad upphandling i *Norge*?" asks about Norway's rules, which no
    document has; "… i Sverige jämfört med Danmark och Norge" only compares.
    """
    asked = _COMPARED_ABROAD.sub(" ", text)
    return frozenset(match.group(0).casefold() for match in _ABROAD.finditer(asked))


def _countries(text: str) -> list[str]:
    return [language for language, pattern in _COUNTRY.items() if pattern.search(text)]


def country_of(text: str) -> str | None:
    """Return "da" or "sv" for a text about one country: the one it names more often, or None.

    "RSV står i Danmark för … det danska registret … inte förväxlas med det svenska registret"
    is about Denmark.
    """
    counts = {language: len(pattern.findall(text)) for language, pattern in _COUNTRY.items()}
    (first, most), (_, second) = sorted(counts.items(), key=lambda item: -item[1])
    return first if most > second else None


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
    hint = country_hint(text, language)
    if language == "en":
        # A question naming both countries ("Danish municipalities … the Swedish IOP")
        # reaches both languages' texts.
        both = hint is None and all(pattern.search(text) for pattern in _COUNTRY.values())
        return ("en", "sv", "da") if both else ("en", hint or "sv")
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
    loaded = read_yaml("question_words.yaml") or {}
    return {
        lang: frozenset(str(w).casefold() for w in words or ()) for lang, words in loaded.items()
    }


@lru_cache(maxsize=1)
def _openings() -> dict[str, dict[str, tuple[str, ...]]]:
    loaded = read_yaml("question_openings.yaml") or {}
    return {
        lang: {key: tuple(str(w).casefold() for w in words or ()) for key, words in entry.items()}
        for lang, entry in loaded.items()
    }


@lru_cache(maxsize=1)
def articles() -> frozenset[str]:
    """Return the articles of every language ("en", "ett", "the"): they open a noun phrase."""
    return frozenset(word for entry in _openings().values() for word in entry.get("articles", ()))


def _thing_openings() -> dict[str, tuple[str, ...]]:
    return {lang: entry.get("thing", ()) for lang, entry in _openings().items()}


@lru_cache(maxsize=1)
def asker_places() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Return per language the pronouns for the asker and the prepositions placing them."""
    return {
        lang: (frozenset(entry.get("askers", ())), frozenset(entry.get("places", ())))
        for lang, entry in _openings().items()
        if entry.get("askers")
    }


@lru_cache(maxsize=1)
def asker_introductions() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Return per language the words introducing the asker ("är", "I'm") and ending a clause."""
    return {
        lang: (
            frozenset(entry.get("introductions", ())),
            frozenset(entry.get("clause_ends", ())),
        )
        for lang, entry in _openings().items()
    }


FACT_KINDS = ("section", "date", "statute", "contact")


def fact_words(language: str) -> dict[str, tuple[str, ...]]:
    """Return, per kind of fact, the words asking for it ("paragraf", "datum", "SFS")."""
    entry = _openings().get(language, {})
    return {kind: entry.get(kind + "_words", ()) for kind in FACT_KINDS}


def asks_date(question: str, language: str) -> bool:
    """Tell whether a question opens by asking for a date ("Sedan vilket datum …", "When did …").

    Args:
        question: The question as typed.
        language: Its language.
    """
    phrases = _openings().get(language, {}).get("date", ())
    for sentence in re.split(r"[.!?]+\s+", question.casefold()):
        words = re.findall(r"[\w§:-]+", sentence)
        # The phrase opens the sentence ("När trädde …", "Sedan vilket datum …", "asså när
        # …"), not a clause ("Vilken paragraf gäller när man …").
        openings = (" ".join(words[at:]) + " " for at in range(min(2, len(words))))
        if any(opening.startswith(f"{p} ") for opening in openings for p in phrases):
            return True
    return False


def asks_count(question: str, language: str) -> bool:
    """Tell whether a question asks how many ("Hur många volontärer …", "btw how many IOPs").

    Args:
        question: The question as typed.
        language: Its language.
    """
    words = f" {_plain_words(question)} "
    return any(f" {phrase} " in words for phrase in _openings().get(language, {}).get("count", ()))


def _plain_words(question: str) -> str:
    """Return a question's words casefolded, without punctuation, joined by single spaces."""
    return " ".join(re.findall(r"[\w§:-]+", question.casefold()))


def number_words() -> dict[str, tuple[str, ...]]:
    """Return per language the words naming a number ("sju", "seks", "six")."""
    return {lang: tuple(entry.get("numbers", ())) for lang, entry in _openings().items()}


_YEAR = r"(?:1[89]|20)\d\d"
_YEAR_TERM = re.compile(_YEAR)
_STATUTE_TERM = re.compile(rf"{_YEAR}:\d+")
_YEAR_IN_TEXT = re.compile(rf"\b{_YEAR}\b(?!:)")
"""A year, not the year of an SFS number ("2022:900")."""


def is_year(term: str) -> bool:
    """Tell whether an index term is a year ("2023")."""
    return _YEAR_TERM.fullmatch(term) is not None


def is_statute_number(term: str) -> bool:
    """Tell whether an index term is a Swedish statute number ("2025:400")."""
    return _STATUTE_TERM.fullmatch(term) is not None


def names_date(text: str) -> bool:
    """Tell whether a text names a date or year ("den 1 januari 2023", "2019")."""
    return _YEAR_IN_TEXT.search(text) is not None


def verb_slots(words: list[str], language: str) -> list[bool]:
    """Tell which words of a question stand where a verb stands.

    Such a word says how the question is asked ("Får vi *kritisera* …", "Hvordan *undgår* …",
    "Kommer EU att *ändra* …", "Har riksdagen *ställt* …"), rarely what it is about. A verb
    stands after the infinitive mark, after a verb-second question word, and after an
    auxiliary, or after the auxiliary's subject when the auxiliary opens the question.

    Args:
        words: The question's words in order, as split on white space.
        language: The question's language.

    Returns:
        One flag per word.
    """
    entry = _openings().get(language, {})
    infinitive = frozenset(entry.get("infinitive", ()))
    auxiliaries = frozenset(entry.get("auxiliaries", ()))
    second = frozenset(entry.get("verb_second", ()))
    subjects = frozenset(entry.get("subjects", ()))
    choosing = frozenset(entry.get("verb_third", ()))
    determiners = frozenset(entry.get("articles", ()))
    no_verbs = subjects | determiners
    plain = [word.casefold().strip("?!.,;:()\"'") for word in words]
    ends = [not word or word[-1] in ",.;:?!" for word in words]
    slots = [False] * len(plain)

    def mark(at: int) -> None:
        if at < len(plain) and not ends[at - 1] and plain[at] not in no_verbs:
            slots[at] = True

    for number, word in enumerate(plain):
        if ends[number]:
            continue
        if word in infinitive or word in second:
            mark(number + 1)
        if word in choosing and number + 1 < len(plain) and not ends[number + 1]:
            # "Hvilken lov *regulerer* …": the verb follows the question word's noun.
            mark(number + 2)
        if word not in auxiliaries:
            continue
        after = number + 1
        if after < len(plain) and plain[after] in subjects:
            mark(after + 1)
            continue
        opens = number == 0 or ends[number - 1] or plain[number - 1] in second
        if not opens:
            mark(after)
        elif after < len(plain):
            # "Har riksdagen ställt …", "Får en kommun reservera …": an auxiliary opening the
            # question is followed by its subject, then by the verb.
            if plain[after] in determiners and not ends[after]:
                after += 1
            if after < len(plain) and not ends[after]:
                mark(after + 1)
    return slots


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
    words = _plain_words(question)
    thing = _thing_openings().get(language, ())
    if any(words == opening or words.startswith(opening + " ") for opening in thing):
        return True
    first = words.split(" ", 1)[0] if words else ""
    return first not in question_words().get(language, frozenset())
