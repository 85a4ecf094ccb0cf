"""How a question opens tells what it asks for."""

from __future__ import annotations

import pytest

from bot.search.questions import names_thing


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
