"""How a question opens tells what it asks for."""

from __future__ import annotations

import pytest

from bot.search.questions import (
    asks_date,
    country_hint,
    country_of,
    expansion_languages,
    names_date,
    names_thing,
    verb_slots,
)


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Vilket kollektivavtal gäller för anställda på en kvinnojour?", "sv", True),
        ("What is the phone number of Forum?", "en", True),
        ("Hvor mange § 18-midler har Aarhus Kommune afsat?", "da", True),
        ("Hur startar vi ett IOP med kommunen?", "sv", False),
        ("Får vi kritisera kommunen offentligt?", "sv", False),
        ("telefonnummer stadsmissionen", "sv", True),
    ],
)
def test_a_question_names_the_thing_it_asks_for_after_a_thing_asking_opening(
    question, language, expected
):
    assert names_thing(question, language) == expected


@pytest.mark.parametrize(
    ("question", "language", "verbs"),
    [
        ("Får vi kritisera kommunen offentligt?", "sv", ["kritisera"]),
        ("Kommer EU att ändra reglerna?", "sv", ["ändra"]),
        ("Har riksdagen ställt sig bakom principerna?", "sv", ["ställt"]),
        ("Får en kommun reservera upphandlingen?", "sv", ["reservera"]),
        ("Hvordan undgår kommunen det?", "da", ["undgår"]),
        ("Hvordan kan vi bruge samskabelse?", "da", ["kan", "bruge"]),
        ("How do we start an IOP?", "en", ["start"]),
        ("Vilken moms gäller för ett IOP?", "sv", ["gäller"]),
        ("Hvilken lov regulerer socialøkonomiske virksomheder?", "da", ["regulerer"]),
        ("Kan vi, moms och IOP?", "sv", []),
    ],
)
def test_words_standing_where_a_verb_stands_are_found(question, language, verbs):
    words = question.split()
    found = [word for word, verb in zip(words, verb_slots(words, language), strict=True) if verb]
    assert found == verbs


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("RSV står i Danmark för … det danska registret, inte det svenska registret.", "da"),
        ("I Sverige er et IOP en aftale, som i Danmark svarer til § 18.", None),
        ("Kammarkollegiet för registret över idéburna organisationer.", None),
    ],
)
def test_a_text_is_about_the_country_it_names_most(text, country):
    assert country_of(text) == country


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        (
            "How do Danish municipalities fund voluntary work, and what is the Swedish IOP?",
            ("en", "sv", "da"),
        ),
        # The country compared with is no topic of its own.
        ("How do Danish municipalities fund care, unlike the Swedish IOP?", ("en", "da")),
        ("How do Danish municipalities fund voluntary work?", ("en", "da")),
        ("What is an IOP?", ("en", "sv")),
    ],
)
def test_an_english_question_expands_into_the_languages_of_the_countries_it_names(text, languages):
    assert expansion_languages(text, "en") == languages


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Sedan vilket datum gäller 19 kap. 25 a § LOU?", "sv", True),
        ("Hvornår trådte loven i kraft?", "da", True),
        ("When did the act enter into force?", "en", True),
        ("Vad säger 19 kap. 25 a § LOU?", "sv", False),
        ("Vilken paragraf gäller när man vill reservera en upphandling?", "sv", False),
        ("asså när började lagen gälla?", "sv", True),
    ],
)
def test_a_question_asking_when_asks_for_a_date(question, language, expected):
    assert asks_date(question, language) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Sedan den 1 januari 2023 får …", True), ("Lag (2022:900).", False), ("3 §", False)],
)
def test_a_year_names_a_date_but_an_sfs_number_does_not(text, expected):
    assert names_date(text) is expected


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("I work for a Danish region. Which Swedish region signed first?", "sv"),
        ("Vi er en dansk kommune med svenske kolleger. Har vi noget lignende i Danmark?", "da"),
        ("Hur skiljer sig Sverige och Danmark?", None),
        ("hvor mange foreninger får § 18-midler i dk?", "da"),
        ("Hur stor andel av välfärden drivs av idéburna jämfört med Danmark?", None),
        ("Svenska kommuner har IOP. Hur gör danska kommuner jämfört med Sverige?", "da"),
        ("Vad är IOP?", None),
    ],
)
def test_a_question_naming_both_countries_asks_about_the_one_its_last_sentence_names(
    text, country
):
    assert country_hint(text) == country


@pytest.mark.parametrize(
    ("text", "language", "country"),
    [
        ("I'm a policy officer in a Danish municipality and we compare with Sweden.", "en", "sv"),
        (
            "Jeg arbejder i en dansk kommune og skal besøge en svensk kommune. Hvad er IOP?",
            "da",
            "sv",
        ),
        ("Jag är socialchef i en svensk kommun och undrar hur danska kommuner gör?", "sv", "da"),
        ("Jeg arbejder i en dansk kommune. Hvad er § 18?", "da", "da"),
    ],
)
def test_the_askers_own_workplace_does_not_decide_which_country_is_asked_about(
    text, language, country
):
    assert country_hint(text, language) == country
