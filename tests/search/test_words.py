"""Word statistics computed once per distinct word equal wordfreq's per-occurrence answers."""

from __future__ import annotations

import random

from wordfreq import top_n_list, zipf_frequency

from bot.search import words
from bot.search.words import (
    ZIPF_LANGUAGES,
    EverydayTable,
    everyday_zipf,
    rarity_of,
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


def test_a_stored_everyday_table_in_use_answers_for_wordfreq(tmp_path, monkeypatch):
    save_everyday_table(str(tmp_path))
    monkeypatch.setattr(words, "_STORED", [])
    words.use_everyday_table(tmp_path)
    # A table whose word "kommun" is made rare shows that the table, not wordfreq, answered.
    table = words._STORED[0]
    monkeypatch.setattr(table, "zipf", lambda word: 1.0 if word == "kommun" else 0.0)

    assert (everyday_zipf("kommun"), everyday_zipf("Kommun!")) == (1.0, 0.0)


def test_a_missing_everyday_table_leaves_wordfreq_in_charge(tmp_path, monkeypatch):
    monkeypatch.setattr(words, "_STORED", [])
    words.use_everyday_table(tmp_path / "none")

    assert (words._STORED, everyday_zipf("kommun")) == ([], zipf_frequency("kommun", "sv"))
