"""Updating an index in place gives exactly the index a rebuild would give."""

from __future__ import annotations

import errno
import os
import random

import numpy as np
import pytest

from bot.search.index.sparse import EmptyIndexError, SearchIndex
from bot.search.index.splice import splice


def assert_same_index(actual: SearchIndex, expected: SearchIndex) -> None:
    assert list(actual.vocabulary) == list(expected.vocabulary)
    for name, array in expected.arrays().items():
        assert actual.arrays()[name].tolist() == array.tolist(), name
    assert actual.arrays()["tfs"].dtype == expected.arrays()["tfs"].dtype
    assert actual.facts() == expected.facts()


def edit(docs, rng, vocabulary):
    """Replace, delete and insert a few passages; return the new corpus and the splice input."""
    new_docs = []
    old_to_new = []
    inserted = []
    for doc in docs:
        roll = rng.random()
        if roll < 0.1:  # deleted
            old_to_new.append(-1)
            continue
        if roll < 0.2:  # rewritten
            old_to_new.append(-1)
            fresh = rng.choices(vocabulary, k=rng.randint(0, 12))
            inserted.append((len(new_docs), fresh))
            new_docs.append(fresh)
            continue
        old_to_new.append(len(new_docs))
        new_docs.append(doc)
        if roll > 0.95:  # a new passage after this one
            fresh = rng.choices(vocabulary, k=rng.randint(1, 12))
            inserted.append((len(new_docs), fresh))
            new_docs.append(fresh)
    return new_docs, old_to_new, inserted


@pytest.mark.parametrize("seed", range(6))
def test_spliced_index_equals_a_rebuilt_one(seed, make_corpus):
    rng = random.Random(seed)
    docs = make_corpus(seed, 150, 120, 25)
    vocabulary = [f"t{i}" for i in range(140)] + ["new", "ny", "uusi"]
    index = SearchIndex.build(docs)
    for _ in range(3):
        new_docs, old_to_new, inserted = edit(docs, rng, vocabulary)
        spliced = splice(index, old_to_new, len(new_docs), inserted, new_docs.__getitem__).index
        rebuilt = SearchIndex.build(new_docs)
        assert_same_index(spliced, rebuilt)
        query = {"t1": 1.0, "t7": 1.0, "new": 0.5}
        assert spliced.search(query, k=10) == rebuilt.search(query, k=10)
        result = splice(index, old_to_new, len(new_docs), inserted, new_docs.__getitem__)
        old_terms = list(index.vocabulary)
        new_terms = list(result.index.vocabulary)
        assert [new_terms[i] if i >= 0 else None for i in result.term_map.tolist()] == [
            t if t in set(new_terms) else None for t in old_terms
        ]
        docs, index = new_docs, spliced


def test_splice_that_changes_nothing_keeps_the_index(make_corpus):
    docs = make_corpus(2, 40, 30, 10)
    index = SearchIndex.build(docs)

    same = splice(index, list(range(len(docs))), len(docs), [], docs.__getitem__).index

    assert_same_index(same, index)


def test_removing_the_first_occurrence_of_a_term_moves_it(make_corpus):
    docs = [["a", "b"], ["c", "b", "a"], ["b", "c"]]
    index = SearchIndex.build(docs)
    new_docs = [["c", "b", "a"], ["b", "c"], ["a", "a", "x"]]

    spliced = splice(index, [-1, 0, 1], 3, [(2, new_docs[2])], new_docs.__getitem__).index

    assert_same_index(spliced, SearchIndex.build(new_docs))


def test_long_passages_promote_the_frequency_type():
    docs = [["a"], ["b"]]
    index = SearchIndex.build(docs)
    new_docs = [["a"], ["b"] * 300]

    spliced = splice(index, [0, -1], 2, [(1, new_docs[1])], new_docs.__getitem__).index

    assert spliced.arrays()["tfs"].dtype == np.uint16
    assert_same_index(spliced, SearchIndex.build(new_docs))


def test_positions_must_cover_the_new_corpus(make_corpus):
    index = SearchIndex.build([["a"], ["b"]])

    with pytest.raises(ValueError, match="exactly once"):
        splice(index, [0, 1], 3, [], lambda position: [])
    with pytest.raises(EmptyIndexError):
        splice(index, [-1, -1], 0, [], lambda position: [])


@pytest.mark.parametrize("seed", range(5))
def test_merged_string_table_equals_one_built_from_the_new_strings(seed):
    from bot.search.index.strings import SortedStrings

    rng = random.Random(seed)
    words = sorted({"".join(rng.choices("abcåäö", k=rng.randint(1, 9))) for _ in range(300)})
    table = SortedStrings.from_sorted(words)
    delete = sorted(rng.sample(range(len(words)), 20))
    fresh = sorted({w + "x" for w in rng.sample(words, 15)} - set(words))
    fresh += ["", "ö" * 12] if seed == 0 else []

    merged = table.merged(fresh, delete)

    expected = sorted({w for i, w in enumerate(words) if i not in set(delete)} | set(fresh))
    rebuilt = SortedStrings.from_sorted(expected)
    assert merged.to_list() == expected
    for name, array in rebuilt.arrays().items():
        assert merged.arrays()[name].tolist() == array.tolist(), name
    assert all(merged.index_of(w) == i for i, w in enumerate(expected))


@pytest.mark.parametrize("seed", range(8))
def test_replacing_one_run_of_passages_rebuilds_only_its_terms(seed, make_corpus, monkeypatch):
    import bot.search.index.splice as module

    rng = random.Random(seed)
    docs = make_corpus(seed, 120, 100, 20)
    index = SearchIndex.build(docs)
    vocabulary = [f"t{i}" for i in range(120)] + ["new", "nytt", "t5x"]
    a = rng.randint(0, len(docs))
    b = min(len(docs), a + rng.randint(0, 6))
    fresh = [rng.choices(vocabulary, k=rng.randint(0, 15)) for _ in range(rng.randint(0, 6))]
    if seed == 0:
        fresh = [["t1"] * 300]  # a frequency that needs a wider type
    new_docs = docs[:a] + fresh + docs[b:]
    old_to_new = [
        p if p < a else -1 if p < b else p + len(fresh) - (b - a) for p in range(len(docs))
    ]
    inserted = [(a + i, tokens) for i, tokens in enumerate(fresh)]
    monkeypatch.setattr(module, "_renumber", None)  # the general path must not be taken

    spliced = splice(
        index, old_to_new, len(new_docs), inserted, new_docs.__getitem__, docs.__getitem__
    )

    assert_same_index(spliced.index, SearchIndex.build(new_docs))
    old_terms, new_terms = list(index.vocabulary), list(spliced.index.vocabulary)
    assert [new_terms[i] if i >= 0 else None for i in spliced.term_map.tolist()] == [
        t if t in set(new_terms) else None for t in old_terms
    ]


@pytest.mark.parametrize("seed", range(4))
def test_a_run_replaced_in_place_is_written_file_to_file_and_saved_by_links(
    seed, make_corpus, tmp_path, monkeypatch
):
    if seed % 2:
        # A file system that cannot copy between files: the bytes go through a buffer.
        def refuse(*args: object) -> int:
            raise OSError(errno.EXDEV, "cross-device")

        monkeypatch.setattr(os, "copy_file_range", refuse, raising=False)
    rng = random.Random(seed)
    docs = make_corpus(seed, 200, 150, 20)
    SearchIndex.build(docs).save(tmp_path / "old")
    index = SearchIndex.load(tmp_path / "old")
    a = rng.randint(0, 190)
    fresh = [rng.choices([f"t{i}" for i in range(160)], k=rng.randint(1, 15)) for _ in range(5)]
    new_docs = docs[:a] + fresh + docs[a + 5 :]  # same number of passages: nothing moves
    old_to_new = [-1 if a <= p < a + 5 else p for p in range(len(docs))]
    inserted = [(a + i, tokens) for i, tokens in enumerate(fresh)]

    spliced = splice(
        index, old_to_new, len(new_docs), inserted, new_docs.__getitem__, docs.__getitem__,
        (tmp_path / "old", tmp_path / "stage"),
    ).index  # fmt: skip
    spliced.save(tmp_path / "new")

    assert_same_index(spliced, SearchIndex.build(new_docs))
    assert_same_index(SearchIndex.load(tmp_path / "new"), SearchIndex.build(new_docs))
    for name in ("doc_ids", "tfs"):
        assert (tmp_path / "new" / f"{name}.npy").stat().st_nlink == 2
        assert (tmp_path / "old" / f"{name}.npy").stat().st_nlink == 1


@pytest.mark.parametrize("seed", range(6))
def test_passages_replaced_here_and_there_in_place_rebuild_only_their_terms(
    seed, make_corpus, tmp_path, monkeypatch
):
    import bot.search.index.splice as module

    rng = random.Random(seed)
    docs = make_corpus(seed, 150, 120, 20)
    SearchIndex.build(docs).save(tmp_path / "old")
    index = SearchIndex.load(tmp_path / "old")
    replaced = sorted(rng.sample(range(len(docs)), rng.randint(2, 9)))
    vocabulary = [f"t{i}" for i in range(130)] + ["ny"]
    new_docs = [
        rng.choices(vocabulary, k=rng.randint(0, 15)) if p in replaced else tokens
        for p, tokens in enumerate(docs)
    ]
    old_to_new = [-1 if p in replaced else p for p in range(len(docs))]
    inserted = [(p, new_docs[p]) for p in replaced]
    monkeypatch.setattr(module, "_renumber", None)  # the general path must not be taken
    files = (tmp_path / "old", tmp_path / "stage") if seed % 2 else None

    spliced = splice(
        index, old_to_new, len(new_docs), inserted, new_docs.__getitem__, docs.__getitem__,
        files,
    )  # fmt: skip

    assert_same_index(spliced.index, SearchIndex.build(new_docs))


def test_a_scattered_change_that_moves_passages_takes_the_general_path(make_corpus):
    docs = make_corpus(4, 30, 20, 8)
    index = SearchIndex.build(docs)
    new_docs = [docs[0], *docs[2:10], ["y"], ["z"], *docs[11:]]
    old_to_new = [0, -1, *range(1, 9), -1, *range(11, 30)]
    inserted = [(9, ["y"]), (10, ["z"])]

    spliced = splice(index, old_to_new, 30, inserted, new_docs.__getitem__, docs.__getitem__)

    assert_same_index(spliced.index, SearchIndex.build(new_docs))


def test_a_scattered_change_in_place_equals_a_rebuild(make_corpus):
    docs = make_corpus(4, 30, 20, 8)
    index = SearchIndex.build(docs)
    new_docs = [docs[0], ["x"], *docs[2:10], ["y"], *docs[11:]]
    old_to_new = [0, -1, *range(2, 10), -1, *range(11, 30)]
    inserted = [(1, ["x"]), (10, ["y"])]

    spliced = splice(index, old_to_new, 30, inserted, new_docs.__getitem__, docs.__getitem__)

    assert_same_index(spliced.index, SearchIndex.build(new_docs))


def test_removed_tokens_that_do_not_fit_the_index_fall_back_to_renumbering(make_corpus):
    docs = make_corpus(5, 30, 20, 8)
    index = SearchIndex.build(docs)
    new_docs = [*docs[:3], ["x", "y"], *docs[4:]]
    old_to_new = [0, 1, 2, -1, *range(4, 30)]

    spliced = splice(
        index, old_to_new, 30, [(3, ["x", "y"])], new_docs.__getitem__, lambda p: ["wrong"]
    )

    assert_same_index(spliced.index, SearchIndex.build(new_docs))
