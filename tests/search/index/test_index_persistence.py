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


ARRAYS = [
    "indptr.npy",
    "doc_ids.npy",
    "tfs.npy",
    "doc_len.npy",
    "idf.npy",
    "first_off.npy",
    "terms_blob.npy",
    "terms_offsets.npy",
    "terms_prefixes.npy",
]


@pytest.mark.parametrize("name", ["meta.json", *ARRAYS])
def test_missing_file_raises_index_load_error(saved, name):
    (saved / name).unlink()

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)


@pytest.mark.parametrize("name", ARRAYS)
@pytest.mark.parametrize("mmap", [True, False])
def test_truncated_array_raises_index_load_error(saved, name, mmap):
    path = saved / name
    path.write_bytes(path.read_bytes()[:-16])

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved, mmap=mmap)


def test_garbled_json_raises_index_load_error(saved):
    path = saved / "meta.json"
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


@pytest.mark.parametrize(("name", "dtype"), [("idf.npy", np.float32), ("tfs.npy", np.int64)])
def test_wrong_array_dtype_raises_index_load_error(saved, name, dtype):
    array = np.load(saved / name)
    np.save(saved / name, array.astype(dtype))

    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved)


def test_verify_catches_passage_numbers_out_of_range(saved):
    doc_ids = np.load(saved / "doc_ids.npy")
    doc_ids[0] = 10_000
    np.save(saved / "doc_ids.npy", doc_ids)

    SearchIndex.load(saved)  # cheap checks only
    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved, verify=True)


def test_verify_catches_duplicate_terms(saved):
    offsets = np.load(saved / "terms_offsets.npy")
    blob = np.load(saved / "terms_blob.npy")
    first = blob[offsets[0] : offsets[1]]
    second_end = offsets[1] + len(first)
    blob[offsets[1] : second_end] = first  # "t0" twice: "t0", "t0"; "t1" was as long
    np.save(saved / "terms_blob.npy", blob)

    SearchIndex.load(saved)  # cheap checks only
    with pytest.raises(IndexLoadError):
        SearchIndex.load(saved, verify=True)


def test_terms_are_stored_in_code_point_order_and_found_by_lookup(index, saved):
    loaded = SearchIndex.load(saved)

    terms = list(loaded.vocabulary)
    assert terms == sorted(index.vocabulary)
    assert all(term in loaded for term in terms)
    assert "t9999" not in loaded
    assert loaded.term_df("t0") == index.term_df("t0") > 0
