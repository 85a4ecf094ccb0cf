"""Top-k selection, ordering and the edge cases of SearchIndex.search."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.search.index.sparse import EmptyIndexError, SearchIndex


def test_results_are_best_first_with_scores(small_corpus, reference):
    index = SearchIndex.build(small_corpus)

    actual = index.search({"iop": 1.0, "kommun": 1.0}, k=10)

    ref = reference(small_corpus, ["iop", "kommun"])
    assert [pos for pos, _ in actual] == [1, 4, 5, 0, 2]
    assert all(abs(score - ref[pos]) <= 1e-9 for pos, score in actual)


def test_equal_scores_are_ordered_by_position():
    docs = [["x", "y"], ["z", "w"], ["x", "y"], ["x", "y"], ["q", "r"], ["s", "t"], ["u", "v"]]
    index = SearchIndex.build(docs)

    actual = index.search({"x": 1.0}, k=10)

    assert [pos for pos, _ in actual] == [0, 2, 3]
    assert len({score for _, score in actual}) == 1


def test_ties_at_the_cut_keep_the_lowest_positions():
    docs = [["filler"]] * 5 + [["x", "pad"]] * 6 + [["x"]] + [["other"]] * 20
    index = SearchIndex.build(docs)

    actual = index.search({"x": 1.0}, k=3)

    assert [pos for pos, _ in actual] == [11, 5, 6]


def test_k_larger_than_the_corpus_returns_every_match(small_corpus):
    index = SearchIndex.build(small_corpus)

    assert len(index.search({"kommun": 1.0}, k=1000)) == 4


@pytest.mark.parametrize("k", [0, -1])
def test_non_positive_k_returns_nothing(small_corpus, k):
    index = SearchIndex.build(small_corpus)

    assert index.search({"kommun": 1.0}, k=k) == []


def test_unknown_terms_contribute_nothing(small_corpus):
    index = SearchIndex.build(small_corpus)

    assert index.search({"okänd": 1.0}, k=5) == []
    assert index.search({"okänd": 1.0, "iop": 1.0}, k=5) == index.search({"iop": 1.0}, k=5)


def test_empty_query_returns_nothing(small_corpus):
    index = SearchIndex.build(small_corpus)

    assert index.search({}, k=5) == []
    assert index.scores_for({}).tolist() == [0.0] * len(small_corpus)


def test_zero_weight_terms_are_ignored(small_corpus):
    index = SearchIndex.build(small_corpus)

    assert index.search({"iop": 1.0, "kommun": 0.0}, k=5) == index.search({"iop": 1.0}, k=5)


@pytest.mark.parametrize("seed", range(6))
def test_sparse_and_dense_candidate_paths_match_brute_force(seed, make_corpus, brute_force_top):
    # 600 passages: rare-term queries touch few postings (sparse path), common-term queries
    # touch more than half the corpus (dense path); equal-length passages make many ties.
    docs = make_corpus(seed, 600, 3000, 12)
    index = SearchIndex.build(docs)
    queries = [
        {"t2000": 1.0, "t900": 1.0, "t2500": 1.0},
        {"t0": 1.0, "t1": 1.0, "t2": 1.0, "t3": 1.0, "t50": 0.5},
        {"t10": 1.0, "t11": 2.0},
        {"t0": 1.0},
    ]
    for query in queries:
        for k in (1, 3, 10, 700):
            assert index.search(query, k=k) == brute_force_top(index.scores_for(query), k)


def test_a_score_floor_from_part_of_a_common_terms_passages_keeps_the_top_exact(
    make_corpus, brute_force_top
):
    # Every query term is in more passages than the floor looks at (8,192), in both paths.
    docs = make_corpus(11, 30_000, 20, 30)
    index = SearchIndex.build(docs)
    queries = [{"t0": 1.0}, {"t0": 1.0, "t1": 1.0}, {"t1": 1.0, "t2": 0.5, "t3": 2.0}]

    for query in queries:
        assert min(index.term_df(term) for term in query) > 8192
        for k in (1, 10, 200):
            assert index.search(query, k=k) == brute_force_top(index.scores_for(query), k)


def test_repeated_searches_do_not_leak_scores_between_queries(make_corpus):
    docs = make_corpus(5, 400, 500, 20)
    index = SearchIndex.build(docs)
    first = index.search({"t7": 1.0}, k=10)

    index.search({"t0": 1.0, "t1": 1.0, "t2": 1.0}, k=10)
    index.search({"t300": 1.0, "t7": 1.0}, k=10)

    assert index.search({"t7": 1.0}, k=10) == first


def test_empty_corpus_is_refused():
    with pytest.raises(EmptyIndexError):
        SearchIndex.build([])


def test_a_string_passage_is_refused():
    with pytest.raises(TypeError):
        SearchIndex.build(["not tokenised"])  # type: ignore[list-item]


def test_corpus_of_empty_passages_matches_nothing():
    index = SearchIndex.build([[], []])

    assert index.size == 2
    assert index.avgdl == 0.0
    assert index.search({"x": 1.0}, k=3) == []


def test_index_reports_size_avgdl_vocabulary_and_df(small_corpus):
    index = SearchIndex.build(small_corpus)

    assert index.size == 6
    assert index.avgdl == 20 / 6
    assert "kommun" in index.vocabulary
    assert "kommun" in index
    assert "okänd" not in index
    assert len(index.vocabulary) == 11
    assert index.term_df("kommun") == 4
    assert index.term_df("iop") == 2
    assert index.term_df("okänd") == 0
    assert index.postings == sum(len(set(doc)) for doc in small_corpus)


def test_long_sequences_of_mixed_queries_match_brute_force(make_corpus, brute_force_top):
    # Rare-term queries take the sparse path with a score floor; each must leave the shared
    # score buffer clean for the next one.
    docs = make_corpus(21, 2000, 6000, 15)
    index = SearchIndex.build(docs)
    rng = random.Random(21)
    for _ in range(100):
        query = {f"t{rng.choice([rng.randrange(5), rng.randrange(6000)])}": 1.0}
        query.update({f"t{rng.randrange(100, 6000)}": 1.0 for _ in range(rng.randint(1, 5))})
        k = rng.choice([1, 2, 5, 10])

        assert index.search(query, k=k) == brute_force_top(index.scores_for(query), k)


def test_concurrent_searches_from_threads_match_sequential_ones(make_corpus):
    docs = make_corpus(8, 1500, 3000, 20)
    index = SearchIndex.build(docs)
    rng = random.Random(8)
    queries = [
        {f"t{rng.randrange(3000 if i % 2 else 20)}": 1.0, f"t{rng.randrange(3000)}": 1.0}
        for i in range(200)
    ]
    expected = [index.search(query, k=5) for query in queries]

    with ThreadPoolExecutor(max_workers=4) as pool:
        actual = list(pool.map(lambda query: index.search(query, k=5), queries))

    assert actual == expected


def test_scores_at_equals_the_dense_scores_of_those_passages():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(40)]
    docs = [[rng.choice(words) for _ in range(rng.randint(0, 30))] for _ in range(200)]
    index = SearchIndex.build(docs)
    terms = {"w1": 1.0, "w7": 0.4, "w33": 2.0, "absent": 1.0}
    positions = [0, 5, 199, 42, 5, 17]
    expected = [float(index.scores_for(terms)[p]) for p in positions]
    assert [float(s) for s in index.scores_at(terms, positions)] == pytest.approx(
        expected, abs=1e-12
    )
