"""The index reproduces rank_bm25 0.2.2 BM25Okapi.get_scores (within 1e-9)."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.index.sparse import SearchIndex

TOLERANCE = 1e-9
ALPHABET = ["a", "b", "c", "d", "e"]

tiny_docs = st.lists(
    st.lists(st.sampled_from(ALPHABET), max_size=6), min_size=1, max_size=6
).filter(
    lambda docs: any(docs)  # rank_bm25 divides by zero on a corpus without any token
)
queries = st.lists(st.sampled_from([*ALPHABET, "unknown"]), max_size=6)
params = st.fixed_dictionaries(
    {
        "k1": st.sampled_from([0.5, 0.9, 1.2, 1.5, 2.0]),
        "b": st.sampled_from([0.0, 0.4, 0.75, 0.99]),
        "epsilon": st.sampled_from([0.0, 0.25, 1.0]),
    }
)


@settings(max_examples=120, deadline=None)
@given(docs=tiny_docs, query=queries, bm25=params)
def test_tiny_corpora_score_like_rank_bm25(docs, query, bm25, reference):
    index = SearchIndex.build(docs, **bm25)

    actual = index.scores_for(Counter(query))

    np.testing.assert_allclose(actual, reference(docs, query, **bm25), rtol=0, atol=TOLERANCE)


@settings(max_examples=120, deadline=None)
@given(docs=tiny_docs, query=queries)
def test_tiny_corpora_search_returns_positive_reference_scores_in_order(
    docs, query, reference, brute_force_top
):
    index = SearchIndex.build(docs)
    expected = brute_force_top(index.scores_for(Counter(query)), len(docs))

    actual = index.search(Counter(query), k=len(docs))

    assert actual == expected
    ref = reference(docs, query)
    returned = {pos for pos, _ in actual}
    assert returned >= {pos for pos, score in enumerate(ref) if score > TOLERANCE}
    assert all(abs(score - ref[pos]) <= TOLERANCE for pos, score in actual)
    assert all(ref[p] >= ref[q] - TOLERANCE for (p, _), (q, _) in pairwise(actual))


@pytest.mark.parametrize(
    ("docs", "query", "expected"),
    [
        # N=2, df=1: idf = ln(1.5) - ln(1.5) = 0 exactly, so the term scores nothing (not floored).
        ([["windy", "london"], ["sunny", "paris"]], ["windy"], [0.0, 0.0]),
        # N=4, df=2: idf exactly 0 again.
        ([["x"], ["x"], ["y"], ["z"]], ["x"], [0.0, 0.0, 0.0, 0.0]),
    ],
)
def test_zero_idf_terms_contribute_nothing(docs, query, expected, reference):
    index = SearchIndex.build(docs)

    assert index.scores_for(Counter(query)).tolist() == expected
    assert reference(docs, query).tolist() == expected


def test_negative_idf_is_floored_to_epsilon_times_average_idf(reference):
    docs = [["common", "rare"], ["common"], ["common"], ["other"], ["other", "common"]]
    index = SearchIndex.build(docs)

    # df(common) = 4 > N/2: idf replaced by 0.25 * mean of the unfloored idfs.
    raw = {"common": np.log(1.5) - np.log(4.5), "rare": np.log(4.5) - np.log(1.5)}
    raw["other"] = np.log(3.5) - np.log(2.5)
    expected_idf = 0.25 * (raw["common"] + raw["rare"] + raw["other"]) / 3

    assert index.idf("common") == pytest.approx(expected_idf, abs=1e-15)
    assert index.average_idf == pytest.approx(expected_idf / 0.25, abs=1e-15)
    np.testing.assert_allclose(
        index.scores_for({"common": 1.0}), reference(docs, ["common"]), rtol=0, atol=TOLERANCE
    )


def test_negative_average_idf_gives_negative_scores_that_search_drops(reference):
    docs = [["a", "b"], ["a", "b"], ["a", "c"]]  # a and b in more than half the passages
    index = SearchIndex.build(docs)

    assert index.average_idf < 0
    np.testing.assert_allclose(
        index.scores_for({"a": 1.0}), reference(docs, ["a"]), rtol=0, atol=TOLERANCE
    )
    assert index.search({"a": 1.0}, k=3) == []
    assert [pos for pos, _ in index.search({"a": 1.0, "c": 1.0}, k=3)] == [2]


@pytest.mark.parametrize("seed", range(4))
def test_random_corpora_of_hundreds_of_passages_score_like_rank_bm25(seed, make_corpus, reference):
    docs = make_corpus(seed, 300, 400, 40)
    index = SearchIndex.build(docs)
    rng = np.random.default_rng(seed)

    for _ in range(15):
        query = [f"t{i}" for i in rng.integers(0, 450, size=int(rng.integers(1, 8)))]

        actual = index.scores_for(Counter(query))

        np.testing.assert_allclose(actual, reference(docs, query), rtol=0, atol=TOLERANCE)


def test_weight_two_equals_a_duplicated_query_token(small_corpus, reference):
    index = SearchIndex.build(small_corpus)

    actual = index.scores_for({"kommun": 2.0, "iop": 1.0})

    expected = reference(small_corpus, ["kommun", "iop", "kommun"])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


def test_fractional_weight_scales_the_term_contribution(small_corpus, reference):
    index = SearchIndex.build(small_corpus)

    actual = index.scores_for({"iop": 1.0, "bidrag": 0.5})

    expected = reference(small_corpus, ["iop"]) + 0.5 * reference(small_corpus, ["bidrag"])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


def test_unit_weights_in_query_order_are_bit_identical_to_rank_bm25(make_corpus, reference):
    docs = make_corpus(7, 200, 300, 30)
    index = SearchIndex.build(docs)
    query = ["t3", "t40", "t7", "t150"]

    actual = index.scores_for(dict.fromkeys(query, 1.0))

    assert actual.tolist() == reference(docs, query).tolist()


def test_build_from_ids_equals_build_from_tokens(make_corpus):
    docs = make_corpus(3, 120, 80, 20)
    from_tokens = SearchIndex.build(docs)
    vocabulary = list(from_tokens.vocabulary)
    ids = {term: i for i, term in enumerate(vocabulary)}
    tokens = [ids[token] for doc in docs for token in doc]

    from_ids = SearchIndex.build_from_ids(tokens, [len(doc) for doc in docs], vocabulary)

    query = {"t1": 1.0, "t5": 1.0, "t30": 0.5}
    assert from_ids.scores_for(query).tolist() == from_tokens.scores_for(query).tolist()


def test_build_from_ids_drops_terms_that_never_occur():
    index = SearchIndex.build_from_ids([0, 2, 2], [2, 1], ["a", "unused", "c"])

    assert sorted(index.vocabulary) == ["a", "c"]
    assert index.term_df("unused") == 0
    assert (
        index.scores_for({"a": 1.0}).tolist()
        == SearchIndex.build([["a", "c"], ["c"]]).scores_for({"a": 1.0}).tolist()
    )


def test_building_in_blocks_gives_the_same_index(make_corpus, monkeypatch):
    docs = make_corpus(11, 250, 200, 30)
    whole = SearchIndex.build(docs)
    monkeypatch.setattr("bot.search.index.sparse._BUILD_BLOCK_TOKENS", 37)

    blocked = SearchIndex.build(docs)

    query = {"t0": 1.0, "t2": 1.0, "t90": 1.0}
    assert blocked.scores_for(query).tolist() == whole.scores_for(query).tolist()
    assert blocked.search(query, k=20) == whole.search(query, k=20)
