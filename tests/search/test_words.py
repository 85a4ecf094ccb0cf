"""Word statistics computed once per distinct word equal wordfreq's per-occurrence answers."""

from __future__ import annotations

import random

import pytest
from wordfreq import top_n_list, zipf_frequency

from bot.search.analysis import Analyzer
from bot.search.query import QueryBuilder
from bot.search.words import (
    RARITY_FLOOR,
    ZIPF_LANGUAGES,
    EverydayTable,
    everyday_lookup,
    everyday_zipf,
    rarity_of,
    restored_zipf,
    save_everyday_table,
)


def test_everyday_zipf_equals_the_highest_wordfreq_frequency():
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyzåäöæøéüß"
    words = {w for language in ZIPF_LANGUAGES for w in top_n_list(language, 800)}
    words |= {"".join(rng.choices(letters, k=rng.randint(1, 10))) for _ in range(1500)}
    words |= {"ﬁnans", "e\u0301tude", "IOP", "iop-avtal", "2024", "café", "ǆ", "ŉ"}

    for word in sorted(words):
        expected = (
            max(zipf_frequency(word, language) for language in ZIPF_LANGUAGES)
            if word.isalpha()
            else 0.0
        )
        assert everyday_zipf(word) == expected, word


def test_the_stored_everyday_table_rates_words_as_wordfreq(tmp_path):
    save_everyday_table(str(tmp_path))
    table = EverydayTable(tmp_path)
    rng = random.Random(5)
    words = {w for language in ZIPF_LANGUAGES for w in top_n_list(language, 200_000)}
    sample = rng.sample(sorted(words), 3000)
    sample += ["kvarnhjulsx", "IOP", "iop-avtal", "2024", "café", "e\u0301tude", "straße"]

    assert [table.zipf(word) for word in sample] == [everyday_zipf(word) for word in sample]


def test_rarity_runs_from_one_for_rare_words_to_the_floor():
    assert [rarity_of(z) for z in (0.0, 3.0, 4.5, 6.0, 7.5)] == [1.0, 1.0, 0.5, 0.15, 0.15]


def test_a_stored_everyday_table_answers_for_wordfreq(tmp_path):
    save_everyday_table(str(tmp_path))
    lookup = everyday_lookup(tmp_path)

    assert (isinstance(lookup.__self__, EverydayTable), lookup("kommun")) == (
        True,
        everyday_zipf("kommun"),
    )


def test_a_missing_everyday_table_leaves_wordfreq_in_charge(tmp_path):
    assert everyday_lookup(tmp_path / "none") is everyday_zipf


def test_the_query_builder_rates_unknown_words_by_the_frequencies_it_is_given():
    vocabulary = ["iop"]

    def weight(zipf):
        query = QueryBuilder(Analyzer(), [], vocabulary, zipf=zipf).build("iop telefon", "sv")
        return next(unit.weight for unit in query.units if unit.label == "telefon")

    assert (weight(lambda word: 0.0), weight(lambda word: 6.0)) == (1.0, RARITY_FLOOR)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("overallt", "överallt"), ("maske", "måske"), ("nagon", "någon")],
)
def test_a_word_typed_without_accents_is_as_common_as_the_word_meant(typed, meant):
    assert restored_zipf(typed) == everyday_zipf(meant)


@pytest.mark.parametrize("word", ["procurement", "kl", "hvid"])
def test_a_word_with_no_accented_spelling_keeps_its_own_frequency(word):
    assert restored_zipf(word) == everyday_zipf(word)
