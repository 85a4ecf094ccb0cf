"""A vocabulary stored as a sorted table corrects and relates words as a plain one does."""

from __future__ import annotations

import random

from bot.search.analysis import Analyzer
from bot.search.index.strings import SortedStrings
from bot.search.query import QueryBuilder
from bot.search.spelling import Speller


def vocabulary() -> list[str]:
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyzåäöé"
    words = {"".join(rng.choices(letters, k=rng.randint(3, 12))) for _ in range(6000)}
    words |= {"samverkan", "samverkar", "överenskomm", "ideell", "idéburen", "a1b2c", "ﬁnans"}
    return sorted(words)


def typos(words: list[str]) -> list[str]:
    dropped = [word[1:] for word in words[400:600]]
    return [w[:-1] + "x" for w in words[:400]] + dropped + ["samverkn", "överenskom", "zzzzzzz"]


def test_a_sorted_vocabulary_gives_the_corrections_of_a_plain_one():
    words = vocabulary()
    plain, stored = Speller(list(words)), Speller(SortedStrings.from_sorted(words))

    typed = typos(words)

    assert [stored.correct(t) for t in typed] == [plain.correct(t) for t in typed]
    assert sum(plain.correct(t) is not None for t in typed) > 100


def test_a_sorted_vocabulary_finds_the_same_relatives_as_a_plain_one():
    words = vocabulary()
    plain = QueryBuilder(Analyzer(), [], list(words))
    stored = QueryBuilder(Analyzer(), [], SortedStrings.from_sorted(words))

    stems = typos(words) + words[:300] + ["samverkansavtal", "idéburna", "överens"]

    found = [plain._has_relative(stem) for stem in stems]
    assert [stored._has_relative(stem) for stem in stems] == found
    assert any(found)
    assert not all(found)


def test_character_lengths_are_read_from_the_bytes():
    words = vocabulary()
    table = SortedStrings.from_sorted(words)

    assert table.char_lengths(0, len(words)).tolist() == [len(word) for word in words]
    assert table.char_lengths(5, 5).tolist() == []
