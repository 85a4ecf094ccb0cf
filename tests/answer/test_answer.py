import itertools
import json

import pytest

from bot.answer.compose import AbstainPolicy
from bot.service import MAX_QUESTION_CHARS, EmptyQuestion, QAService
from bot.views import answer_json


def test_question_is_answered_with_the_passage_that_covers_it(service):
    answer = service.ask("Vilka kriterier gäller för IOP?")
    assert answer.answered
    assert answer.results[0].passage.id == "iop-guide#2"


def test_excerpt_is_verbatim_and_marks_matched_words(service):
    result = service.ask("Vilka kriterier gäller för IOP?").results[0]
    text = result.excerpt.text.removeprefix("… ").removesuffix(" …")
    assert text in result.passage.text
    marked = {result.excerpt.text[a:b].casefold() for a, b in result.excerpt.marks}
    assert {"kriterier", "iop"} <= marked


def test_citation_carries_the_document_metadata(service):
    citation = service.ask("Vilka kriterier gäller för IOP?").results[0].citation
    assert (
        citation.title,
        citation.author,
        citation.publisher,
        citation.published,
        citation.url,
    ) == (
        "Idéburet offentligt partnerskap",
        "Testredaktionen",
        "Testförlaget",
        "2024-05-01",
        "https://example.org/iop",
    )


def test_off_topic_question_abstains_with_topic_suggestions(real_service):
    answer = real_service.ask("Hur mycket kostar en parkeringsplats vid stationen?")
    assert not answer.answered
    assert answer.results == ()
    assert sorted(s.topic_id for s in answer.suggestions) == sorted(
        t.id for t in real_service.topics
    )
    assert all(s.label and s.question for s in answer.suggestions)


@pytest.mark.parametrize(
    "question", ["Vad gör kommunen?", "Hvad gør kommunen?", "What does the municipality do?"]
)
def test_generic_words_alone_do_not_count_as_an_answer(real_service, question):
    assert not real_service.ask(question).answered


def test_english_question_is_answered_from_swedish_text(real_service):
    answer = real_service.ask("What is an idea-driven public partnership?")
    assert (answer.language, answer.answered) == ("en", True)
    assert answer.results[0].citation.doc_id == "guide-iop"


def test_unaccented_question_still_matches(service):
    answer = service.ask("ideburet offentligt partnerskap")
    assert answer.answered
    assert answer.results[0].citation.doc_id == "iop-guide"


def test_glossary_expansion_answers_english_questions_from_swedish_text(service):
    answer = service.ask("What is an idea-driven public partnership?")
    assert answer.language == "en"
    assert answer.answered
    assert answer.results[0].citation.doc_id == "iop-guide"


def test_danish_legal_reference_finds_the_section(service):
    answer = service.ask("Hvordan søger vi § 18-midler?")
    assert answer.language == "da"
    assert answer.results[0].passage.id == "samskabelse#2"


def test_old_passage_about_a_changed_rule_carries_a_dated_note(service):
    answer = service.ask("reserverade kontrakt civilsamhällesutredningen")
    result = answer.results[0]
    assert result.citation.doc_id == "reserverat-2018"
    assert result.notes == (
        "Kan vara inaktuellt: reglerna ändrades 2023. → Idéburet offentligt partnerskap",
    )


def test_notes_follow_the_requested_language(service):
    answer = service.ask("reserverade kontrakt civilsamhällesutredningen", language="en")
    assert answer.results[0].notes[0].startswith("May be outdated:")


def test_empty_question_is_refused(service):
    with pytest.raises(EmptyQuestion):
        service.ask(" \u200b\n ")


def test_long_question_is_cut_with_a_notice(service):
    answer = service.ask("IOP kriterier " * 400)
    assert len(answer.question) <= MAX_QUESTION_CHARS + 2
    assert answer.notices == ("Frågan var lång och har kortats till de första 500 tecknen.",)


DATED = """---
id: {id}
title: "Nyhet"
author: ""
publisher: ""
published: {date}
language: sv
kind: news
url: ""
topics: [iop]
---
{text}
"""


def test_newer_source_ranks_first_on_near_equal_scores(knowledge_copy):
    older = "Kommunen och föreningen tecknade ett partnerskap om läxhjälp för barn i skolåldern."
    newer = "Kommunen och föreningen tecknade ett partnerskap om språkcafé för vuxna nyanlända."
    (knowledge_copy / "old-news.md").write_text(
        DATED.format(id="old-news", date="2015-01-01", text=older), encoding="utf-8"
    )
    (knowledge_copy / "new-news.md").write_text(
        DATED.format(id="new-news", date="2024-01-01", text=newer), encoding="utf-8"
    )
    service = QAService.open(knowledge_copy, policy=AbstainPolicy.always())
    ranked = [
        r.citation.doc_id for r in service.ask("kommunen föreningen tecknade partnerskap").results
    ]
    assert ranked.index("new-news") < ranked.index("old-news")


def test_scores_never_increase_down_the_list_except_for_newer_near_ties(real_service):
    for question in ("Vad är ett IOP?", "reserverade kontrakt LOU", "Hvad er samskabelse?"):
        scores = [r.score for r in real_service.ask(question).results]
        assert all(later <= earlier / 0.97 for earlier, later in itertools.pairwise(scores))


def test_json_view_has_the_documented_fields(service):
    data = answer_json(service.ask("Vilka kriterier gäller för IOP?"))
    assert list(data)[:5] == ["question", "language", "answered", "results", "suggestions"]
    assert set(data["results"][0]) >= {
        "rank",
        "doc_id",
        "passage_id",
        "title",
        "author",
        "publisher",
        "published",
        "kind",
        "url",
        "score",
        "passage",
        "excerpt",
    }
    assert json.loads(json.dumps(data)) == data


def test_broken_document_is_skipped_and_the_rest_still_answers(knowledge_copy):
    (knowledge_copy / "broken.md").write_text("---\nid: [\n---\ntext\n", encoding="utf-8")
    service = QAService.open(knowledge_copy)
    assert service.warnings
    assert "broken.md" in service.warnings[0]
    assert service.ask("Vilka kriterier gäller för IOP?").answered


def test_index_cache_is_reused_until_a_file_changes(knowledge_copy, tmp_path):
    cache = tmp_path / "cache"
    first = QAService.open(knowledge_copy, cache)
    again = QAService.open(knowledge_copy, cache)
    assert again.version == first.version
    assert len(list(cache.iterdir())) == 1
    path = knowledge_copy / "samskabelse.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nEn ny sætning om frivillige.\n", encoding="utf-8"
    )
    changed = QAService.open(knowledge_copy, cache)
    assert changed.version != first.version
    assert len(list(cache.iterdir())) == 2


def test_cached_glossary_tables_give_the_same_queries(knowledge_copy, tmp_path):
    cache = tmp_path / "cache"
    fresh = QAService.open(knowledge_copy, cache)
    cached = QAService.open(knowledge_copy, cache)
    assert list((cache / fresh.version).glob("query-tables-v*.json"))
    for question in ("What is an idea-driven public partnership?", "ideburet partnerskap", "LOV"):
        assert cached.query(question) == fresh.query(question)


def test_parsed_knowledge_cache_equals_a_fresh_parse(knowledge_copy, tmp_path):
    from bot.knowledge.cache import load_knowledge_cached
    from bot.knowledge.load import load_knowledge

    cache = tmp_path / "cache"
    first = load_knowledge_cached(knowledge_copy, cache)
    second = load_knowledge_cached(knowledge_copy, cache)
    assert second == load_knowledge(knowledge_copy)
    assert first == second
    assert len(list(cache.glob("*/*-knowledge-v*.json"))) == 1


def test_nearest_passage_is_found_even_when_the_bot_abstains(real_service):
    question = "Hur mycket kostar en parkeringsplats vid stationen?"
    assert not real_service.ask(question).answered
    passage_id, score = real_service.nearest("Vad är ett IOP?")
    assert real_service.passage(passage_id) is not None
    assert score > 0
    assert real_service.nearest("\u200b") is None


def test_a_dated_note_points_to_the_newer_text_and_only_under_a_quote_naming_the_change(
    service,
):
    answer = service.ask("reserverade kontrakt civilsamhällesutredningen")
    result = answer.results[0]
    (dated,) = result.dated
    assert dated.text == "Kan vara inaktuellt: reglerna ändrades 2023."
    assert dated.short == dated.text  # no short line in this change: the note stands in
    # The newer document says nothing about reserved contracts: its web page stands in.
    assert (dated.see, dated.url) == ("", "https://example.org/iop")
    # The same old document's paragraph on dialogue does not mention the change.
    dialogue = service.ask("dialog föreningslivet en enda väg in i kommunen").results
    from_old = [r for r in dialogue if r.citation.doc_id == "reserverat-2018"]
    assert from_old
    assert [r.notes for r in from_old] == [()] * len(from_old)


def test_excerpts_that_say_the_same_thing_are_shown_once(knowledge_copy):
    fact = (
        "Registreringen hos Kammarkollegiet kostar 12 000 kronor, och den årliga avgiften "
        "är 1 600 kronor för en registrerad idéburen organisation."
    )
    for doc_id, lead in (("fees-a", "Om avgifter."), ("fees-b", "Avgifterna i korthet.")):
        (knowledge_copy / f"{doc_id}.md").write_text(
            DATED.format(id=doc_id, date="2024-01-01", text=f"{lead} {fact}"), encoding="utf-8"
        )
    service = QAService.open(knowledge_copy, policy=AbstainPolicy.always())
    results = service.ask("Vad kostar registreringen hos Kammarkollegiet?").results
    shown = [r.citation.doc_id for r in results if r.citation.doc_id.startswith("fees-")]
    assert len(shown) == 1
    assert [r.rank for r in results] == list(range(1, len(results) + 1))
