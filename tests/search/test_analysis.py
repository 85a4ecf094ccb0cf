import pytest

from bot.search.analysis import Analyzer, legal_references, stopwords
from bot.search.language import detect_language
from bot.search.text import clean, fold


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.mark.parametrize(
    ("forms", "language"),
    [
        (["idéburen", "idéburet", "idéburna"], "sv"),
        (["civilsamhälle", "civilsamhället", "civilsamhällets"], "sv"),
        (["samverka", "samverkan"], "sv"),
        (["kommun", "kommuner", "kommunerna"], "sv"),
        (["förening", "föreningar"], "sv"),
        (["överenskommelse", "överenskommelsen", "överenskommelser"], "sv"),
        (["samskabelse", "samskabelsen"], "da"),
    ],
)
def test_inflected_domain_words_share_one_stem(analyzer, forms, language):
    stems = {analyzer.stem(form, language) for form in forms}
    assert len(stems) == 1


def test_hyphenated_words_are_indexed_split_and_joined(analyzer):
    assert analyzer.terms("IOP-avtal", "sv") == ["iop", "avtal", "iopavtal"]


def test_colon_and_genitive_endings_are_dropped(analyzer):
    assert analyzer.terms("IOP:er LOU:s", "sv") == ["iop", "lou"]


def test_sfs_numbers_stay_findable_as_one_term(analyzer):
    assert "2022:900" in analyzer.terms("lag (2022:900)", "sv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 kap. 18 § LOU", {"§18", "4kap§18"}),
        ("19 kap. 25 a §", {"§25a", "19kap§25a"}),
        ("servicelovens § 18", {"§18"}),
        ("enligt 18 §", {"§18"}),
        ("art. 77", {"art77"}),
        # "i" is a preposition here, not a section letter ("25 a §").
        ("stk. 4 i § 18", {"§18"}),
        ("stk 4 i §18", {"§18"}),
        ("18 § 2 st.", {"§18"}),
    ],
)
def test_legal_references_get_exact_terms(text, expected):
    terms = {term for span in legal_references(text) for term in span.terms}
    assert terms == expected


def test_swedish_and_danish_section_order_match(analyzer):
    assert "§18" in analyzer.terms("§ 18", "da")
    assert "§18" in analyzer.terms("18 §", "sv")


def test_compounds_add_their_parts_to_the_whole_word():
    lexicon = set(Analyzer().terms("civilsamhälle utredningen välfärd sektorn", "sv"))
    terms = Analyzer(lexicon).terms("civilsamhällesutredningen", "sv")
    assert terms[0] == "civilsamhällesutredning"
    assert set(terms[1:]) == {"civilsamhäll", "utredning"}


def test_words_without_known_parts_are_not_split():
    assert Analyzer({"välfärd"}).split_compound("föreningsliv", "sv") == ()


def test_stopwords_are_the_short_snowball_lists():
    assert (len(stopwords("sv")), len(stopwords("da"))) == (114, 94)
    assert "beslut" not in stopwords("sv")


def test_swedish_stopwords_do_not_remove_content_words(analyzer):
    assert analyzer.terms("och det att IOP", "sv") == ["iop"]


def test_clean_removes_invisible_characters_and_keeps_letters():
    assert clean("IOP\u200b\u202e och\x00 välfärd\ufeff") == "IOP och välfärd"


def test_fold_strips_accents_for_unaccented_input():
    assert fold("överenskommelsen idéburet æblegrød") == "overenskommelsen ideburet aeblegrod"


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Hur startar vi ett IOP?", "sv"),
        ("Hvordan søger vores forening § 18-midler?", "da"),
        ("What is an idea-driven public partnership?", "en"),
        ("Må kommunen forbeholde et udbud til non-profit?", "da"),
        ("reserverade kontrakt", "sv"),
    ],
)
def test_question_language_is_detected(question, language):
    assert detect_language(question) == language


def test_folded_variants_equal_folding_each_term():
    from bot.search.analysis import folded_variants

    vocabulary = [
        "överenskommelse", "samskabelse", "idéburen", "Ångström", "café", "naïve", "straße",
        "æble", "øre", "łódź", "ñandú", "e\u0301tude", "a\u0308\u0323", "ǅemal", "ﬁnans", "plain",
    ]  # fmt: skip
    expected: dict[str, list[str]] = {}
    for term in vocabulary:
        if fold(term) != term:
            expected.setdefault(fold(term), []).append(term)

    assert folded_variants(vocabulary) == {k: tuple(sorted(v)) for k, v in expected.items()}


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_span_texts_analysed_give_the_terms_of_the_text(analyzer, language):
    from bot.search.analysis import span_texts

    text = (
        "Enligt 4 kap. 18 § LOU och art. 77 (artikel 5, Article 6) får IOP-avtal och LOU:s "
        "regler, 19 kap. 25 a § samt § 18 a, tillämpas. Art77b och 2022:900 gäller; "
        "Kommunerna's ARTIKEL 12 är ny."
    )

    terms = [
        term
        for span in span_texts(text)
        for term in (span if isinstance(span, tuple) else analyzer.word_terms(span, language))
    ]

    assert terms == analyzer.terms(text, language)


def _knowledge_words() -> list[str]:
    import re
    from pathlib import Path

    words: set[str] = set()
    for path in sorted((Path(__file__).resolve().parents[2] / "knowledge").glob("*.md")):
        words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", path.read_text("utf-8")))
    return sorted(words)


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_stems_keep_the_beginning_that_compound_splitting_relies_on(analyzer, language):
    width = 3 if language == "en" else 4
    for word in _knowledge_words():
        stem = analyzer.stem(word, language)
        if len(stem) >= width:
            assert stem[:width] == word[:width], (word, stem)


def test_the_word_beginnings_table_changes_no_compound_split(monkeypatch):
    import random

    words = _knowledge_words()
    lexicon = frozenset(
        t for t in Analyzer().terms(" ".join(words), "sv") if t.isalpha() and len(t) >= 4
    )
    rng = random.Random(5)
    pairs = zip(rng.sample(words, 400), rng.sample(words, 400), strict=True)
    compounds = [a + link + b for a, b in pairs for link in ("", "s")]
    monkeypatch.setattr("bot.search.analysis._STARTS_AFTER", 0)
    plain = Analyzer(lexicon)
    monkeypatch.setattr(plain, "_make_starts", lambda width: None)
    filtered = Analyzer(lexicon)

    for language in ("sv", "da", "en"):
        for word in compounds + words:
            assert filtered.word_terms(word, language) == plain.word_terms(word, language)
    assert filtered._starts[4]  # the tables were used
    assert filtered._starts[3]
    assert sum(bool(filtered.split_compound(w, "sv")) for w in compounds) > 100
