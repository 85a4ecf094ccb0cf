"""Legal questions on the bundled knowledge: the statute first, its explanation next."""

from __future__ import annotations

import pytest

from bot.views import answer_text


def ids(answer, k=3):
    return [result.passage.id for result in answer.results[:k]]


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("19 kap. 25 a §", "sfs-2016-1145-lou#3"),
        ("Vad säger 19 kap. 25 § LOU?", "sfs-2016-1145-lou#2"),
        ("Vad står i 1 kap. 2 a § LOV?", "sfs-2008-962-lov#1"),
        ("Vad säger 8 § lagen (2022:900) om värdeöverföringar?", "sfs-2022-900#8"),
        ("Vad säger 2 kap. 1 § kommunallagen?", "sfs-2017-725-kommunallagen#1"),
    ],
)
def test_a_named_section_answers_first(real_service, question, section):
    assert ids(real_service.ask(question), 1) == [section]


def test_a_question_the_section_text_does_not_cover_gets_the_explanation_first(real_service):
    answer = real_service.ask(
        "Gäller treårsgränsen också för reservationen till idéburna organisationer "
        "i 19 kap. 25 a §?"
    )
    top = ids(answer)
    assert (top[0].startswith("guide-"), "sfs-2016-1145-lou#3" in top) == (True, True)


def test_the_guide_paragraph_explaining_the_section_follows_it(real_service):
    answer = real_service.ask("Vad står det i 19 kap. 25 a § LOU?")
    second = answer.results[1].citation
    assert second.kind == "guide"
    assert "sfs-2016-1145-lou#3" in [link.passage_id for link in second.law]


def test_a_danish_section_number_never_picks_a_swedish_statute(real_service):
    answer = real_service.ask("Hvad står der i § 18?")
    assert answer.results[0].citation.doc_id == "guide-danmark"
    assert all(r.citation.kind != "law" for r in answer.results[:3])


@pytest.mark.parametrize(
    ("question", "doc"),
    [
        ("Vad säger lagen om reserverade kontrakt?", "sfs-2016-1145-lou"),
        ("Vad säger lagen om att reservera ett valfrihetssystem?", "sfs-2008-962-lov"),
        ("Vad säger lagen om registrering av idéburna organisationer?", "sfs-2022-900"),
    ],
)
def test_what_does_the_law_say_puts_the_statute_in_the_top_three(real_service, question, doc):
    assert doc in [r.citation.doc_id for r in real_service.ask(question).results[:3]]


def test_a_law_cited_in_passing_is_not_a_request_for_its_text(real_service):
    answer = real_service.ask(
        "Kan vårt aktiebolag räknas som idéburen organisation enligt lag 2022:900?"
    )
    assert answer.results[0].citation.kind == "guide"


def test_a_statute_citation_carries_section_number_and_wording(real_service):
    by_id = {r.passage.id: r.citation for r in real_service.ask("19 kap. 25 a §").results}
    lou = by_id["sfs-2016-1145-lou#3"]
    assert (lou.section, lou.identifier, lou.version) == (
        "19 kap. 25 a § LOU",
        "SFS 2016:1145",
        "Lag (2022:902)",
    )
    assert lou.url == "https://rkrattsbaser.gov.se/sfst?bet=2016:1145"
    lov = real_service.ask("Vad står i 1 kap. 2 a § LOV?").results[0].citation
    assert lov.version == "Lag (2022:901)"


def test_a_guide_is_cited_by_its_authority_pages_and_review_date(real_service):
    answer = real_service.ask("Vad står det i 19 kap. 25 a § LOU?")
    guide = answer.results[1].citation
    assert guide.explainer == "Samverkansboten"
    assert guide.reviewed == "2026-11"
    assert guide.links[0].publisher == "Upphandlingsmyndigheten"
    assert all(link.url.startswith("https://") for link in guide.links)
    text = answer_text(answer)
    assert "Lagtext: 19 kap. 25 a § LOU (SFS 2016:1145) · sfs-2016-1145-lou#3" in text
    assert "förklarat av Samverkansboten, granskad 2026-11 (guide: " in text


def test_a_paragraph_retelling_an_article_cites_the_article(real_service):
    answer = real_service.ask(
        "Vad efterfrågar idéburna organisationer när de ska kontakta kommunen?"
    )
    cited = [
        link.passage_id
        for result in answer.results
        if result.citation.doc_id == "guide-organisationer"
        for link in result.citation.links
    ]
    assert "art-soderberg-dialog-2018#5" in cited


def test_a_question_for_the_date_of_a_named_section_gets_the_text_that_names_it(real_service):
    answer = real_service.ask(
        "Sedan vilket datum går det att reservera enligt 19 kap. 25 a § LOU?"
    )
    assert "1 januari 2023" in answer.results[0].passage.text


def test_a_question_asking_when_a_law_came_into_force_gets_a_text_naming_the_date(real_service):
    answer = real_service.ask(
        "When did Sweden's new Social Services Act enter into force, and does it say anything "
        "about working with civil society?"
    )
    assert "2025" in answer.results[0].passage.text
