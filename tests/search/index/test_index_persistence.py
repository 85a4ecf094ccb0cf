"""Saving and loading the index: identical results, atomic replacement, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.search.index.sparse import IndexLoadError, SearchIndex

QUERIES = [{"t1": 1.0, "t40": 1.0}, {"t3": 2.0, "t99": 0.5}, {"t0": 1.0}, {"nope": 1.0}]


@pytest.fixture
def index(make_corpus):
    return SearchIndex.build(make_corpus(1, 200, 300, 25))


@pytest.fixture
def saved(index, tmp_path):
    directory = tmp_path / "index"
    index.save(directory)
    return directory


@pytest.mark.parametrize("mmap", [True, False])
def test_loaded_index_gives_identical_results(index, saved, mmap):
    loaded = SearchIndex.load(saved, mmap=mmap)

    for query in QUERIES:
        assert loaded.search(query, k=15) == index.search(query, k=15)
        assert loaded.scores_for(query).tolist() == index.scores_for(query).tolist()
    assert (loaded.size, loaded.avgdl, loaded.average_idf) == (
        index.size,
        index.avgdl,
        index.average_idf,
    )
    assert list(loaded.vocabulary) == list(index.vocabulary)
    assert loaded.term_df("t1") == index.term_df("t1")
    assert (loaded.k1, loaded.b, loaded.epsilon) == (index.k1, index.b, index.epsilon)


def test_save_replaces_an_existing_index_and_leaves_no_temporary_files(saved, tmp_path):
    other = SearchIndex.build([["ny"], ["text", "ny"]])

    other.save(saved)

    assert SearchIndex.load(saved).search({"text": 1.0}, k=5) == other.search({"text": 1.0}, k=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


def test_save_creates_missing_parent_directories(index, tmp_path):
    directory = tmp_path / "a" / "b" / "index"

    index.save(directory)

    assert SearchIndex.load(directory).size == index.size


def test_missing_directory_raises_index_load_error(tmp_path):
    with pytest.raises(IndexLoadError):
        SearchIndex.load(tmp_path / "nowhere")


@pytest.mark.parametrize(
    "name", ["meta.json", "vocabulary.json", "indptr.npy", "doc_ids.npy", "impacts.npy", "idf.npy"]
)
def test_missing_file_raises_index_load_error(saved, name):
    (saved / name).unlink()

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)


@pytest.mark.parametrize("name", ["indptr.npy", "doc_ids.npy", "impacts.npy", "idf.npy"])
@pytest.mark.parametrize("mmap", [True, False])
def test_truncated_array_raises_index_load_error(saved, name, mmap):
    path = saved / name
    path.write_bytes(path.read_bytes()[:-16])

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved, mmap=mmap)


@pytest.mark.parametrize("name", ["meta.json", "vocabulary.json"])
def test_garbled_json_raises_index_load_error(saved, name):
    path = saved / name
    path.write_bytes(path.read_bytes()[:10])

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)


@pytest.mark.parametrize(
    ("key", "value"),
    [("version", 99), ("format", "other"), ("terms", 3), ("postings", 1), ("size", 0)],
)
def test_inconsistent_metadata_raises_index_load_error(saved, key, value):
    path = saved / "meta.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta[key] = value
    path.write_text(json.dumps(meta), encoding="utf-8")

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)


def test_wrong_array_dtype_raises_index_load_error(saved):
    impacts = np.load(saved / "impacts.npy")
    np.save(saved / "impacts.npy", impacts.astype(np.float32))

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)


def test_verify_catches_passage_numbers_out_of_range(saved):
    doc_ids = np.load(saved / "doc_ids.npy")
    doc_ids[0] = 10_000
    np.save(saved / "doc_ids.npy", doc_ids)

    SearchIndex.load(saved)  # cheap checks only
    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved, verify=True)


def test_duplicate_vocabulary_terms_raise_index_load_error(saved):
    path = saved / "vocabulary.json"
    vocabulary = json.loads(path.read_text(encoding="utf-8"))
    vocabulary[1] = vocabulary[0]
    path.write_text(json.dumps(vocabulary), encoding="utf-8")

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)
