"""Rendering answers as Telegram HTML: escaping, citations, splitting, keyboards."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Answer, Citation, Excerpt, Link, Passage, Result, Suggestion
from bot.telegram.render import (
    MAX_VISIBLE,
    marked,
    render_answer,
    render_inline,
    render_no_answer,
    render_passage,
    safe_url,
    source_line,
    visible_length,
)
from tests.fakebotapi import check_telegram_html
from tests.fakebotapi import visible_length as telegram_visible_length


def make_result(
    rank: int,
    text: str = "Reserverade kontrakt gäller vissa tjänster.",
    *,
    marks: tuple[tuple[int, int], ...] = ((0, 11),),
    title: str = "Guide",
    author: str = "Redaktionen",
    published: str = "2024-05-01",
    url: str = "https://example.org/guide",
    notes: tuple[str, ...] = (),
    heading: str = "Rubrik",
) -> Result:
    passage = Passage(id=f"doc#{rank}", doc_id="doc", number=rank, text=text, heading=heading)
    citation = Citation(
        title=title,
        author=author,
        publisher="Förlaget",
        published=published,
        kind="guide",
        url=url,
        passage_id=passage.id,
        doc_id="doc",
    )
    return Result(rank, passage, 1.0 / rank, Excerpt(text, marks), citation, notes)


def make_answer(results: list[Result], language: str = "sv", **kwargs: object) -> Answer:
    return Answer("fråga", language, True, tuple(results), **kwargs)  # type: ignore[arg-type]


def assert_valid(chunks_text: list[str]) -> None:
    for text in chunks_text:
        assert check_telegram_html(text) is None, text
        assert telegram_visible_length(text) <= 4096
        assert visible_length(text) == telegram_visible_length(text)


def test_marks_become_bold_and_everything_else_is_escaped():
    assert marked("a <b> & c", [(0, 1), (8, 9)]) == "<b>a</b> &lt;b&gt; &amp; <b>c</b>"


def test_marks_separated_by_spaces_merge_into_one_entity():
    assert marked("reserverade kontrakt nu", [(0, 11), (12, 20)]) == (
        "<b>reserverade kontrakt</b> nu"
    )


def test_overlapping_and_out_of_range_marks_are_tolerated():
    assert marked("abcdef", [(4, 99), (-3, 2), (1, 3), (5, 5)]) == "<b>abc</b>d<b>ef</b>"


def test_source_line_has_number_title_author_date_and_link():
    line = source_line(4, make_result(4).citation, "sv")
    assert line == (
        '[4] <a href="https://example.org/guide">Guide</a>'
        " — Redaktionen, Förlaget, 2024-05-01, guide"
    )


def test_source_line_skips_missing_parts_and_unsafe_links():
    result = make_result(1, author="", published="", url="javascript:alert(1)")
    assert source_line(1, result.citation, "en") == "[1] Guide — Förlaget, guide"


def test_safe_url_percent_encodes_and_rejects_other_schemes():
    assert safe_url("https://kum.dk/…/nyt charter") is None
    assert safe_url("https://kum.dk/…/nyt") == "https://kum.dk/%E2%80%A6/nyt"
    assert safe_url("ftp://example.org") is None
    assert safe_url('https://example.org/"><script>') == "https://example.org/%22%3E%3Cscript%3E"


def test_answer_page_shows_header_quotes_notes_and_citations():
    answer = make_answer(
        [make_result(1, notes=("Kan vara inaktuellt.",)), make_result(2)],
        notices=("Frågan kortades.",),
    )
    (chunk,) = render_answer(answer, 0, "qid12345")
    assert chunk.text.startswith("<i>Frågan kortades.</i>\nUr källorna (1–2 av 2):\n\n")
    assert "<blockquote expandable><b>Reserverade</b> kontrakt" in chunk.text
    assert "</blockquote>\n<i>Kan vara inaktuellt.</i>\n[1] <a href" in chunk.text
    assert_valid([chunk.text])


def test_second_page_numbers_on_from_the_first():
    answer = make_answer([make_result(rank) for rank in range(1, 8)])
    (chunk,) = render_answer(answer, 1, "qid12345")
    assert chunk.text.startswith("Fler svar (4–6 av 7):")
    assert [line[:3] for line in chunk.text.splitlines() if line.startswith("[")] == [
        "[4]",
        "[5]",
        "[6]",
    ]
    rows = chunk.keyboard.inline_keyboard  # type: ignore[union-attr]
    assert [b.callback_data for b in rows[0]] == ["f:qid12345:4", "f:qid12345:5", "f:qid12345:6"]
    assert [b.callback_data for b in rows[1]] == ["fb:qid12345:+", "fb:qid12345:-", "p:qid12345:2"]


def test_last_page_has_no_more_button_and_pages_past_the_end_are_empty():
    answer = make_answer([make_result(rank) for rank in range(1, 5)])
    (chunk,) = render_answer(answer, 1, "qid12345")
    assert "p:" not in str(chunk.keyboard.to_dict())  # type: ignore[union-attr]
    assert render_answer(answer, 2, "qid12345") == []


def test_long_answers_split_at_result_boundaries_with_buttons_on_the_last():
    long_text = "Ett långt stycke om reserverade kontrakt. " * 60  # ~2,500 characters
    answer = make_answer([make_result(rank, long_text, marks=()) for rank in (1, 2, 3)])
    chunks = render_answer(answer, 0, "qid12345")
    assert len(chunks) == 3
    assert_valid([c.text for c in chunks])
    assert chunks[1].text.startswith("<blockquote expandable>")
    assert chunks[1].text.rstrip().splitlines()[-1].startswith("[2] ")
    assert [c.keyboard is None for c in chunks] == [True, True, False]


def test_a_passage_longer_than_a_message_becomes_several_quotes():
    text = "ord " * 3000 + "slut"
    (result,) = [make_result(1, text, marks=((0, 3), (11990, 11994)))]
    chunks = render_passage(result, "sv")
    assert len(chunks) >= 4
    assert_valid([c.text for c in chunks])
    assert all(c.text.startswith(("<b>Rubrik</b>", "<blockquote>")) for c in chunks)
    assert "<b>slut</b>" in chunks[-1].text or "slut" in chunks[-1].text
    assert chunks[-1].text.rstrip().splitlines()[-1].startswith("[1] <a href")


def test_no_answer_is_short_with_topic_buttons():
    answer = Answer(
        "?",
        "da",
        False,
        suggestions=(Suggestion("iop", "IOP", "Hvad er IOP?"), Suggestion("dk", "Danmark", "?")),
    )
    (chunk,) = render_no_answer(answer)
    assert chunk.text.startswith("Jeg fandt intet")
    assert [row[0].callback_data for row in chunk.keyboard.inline_keyboard] == ["t:iop", "t:dk"]  # type: ignore[union-attr]


def test_inline_result_is_one_message_without_a_number():
    text = render_inline(make_result(3, "x" * 9000, marks=()), "en")
    assert_valid([text])
    assert "[3]" not in text
    assert (
        text.rstrip()
        .splitlines()[-1]
        .startswith('<a href="https://example.org/guide">Guide</a> — Redaktionen')
    )


unicode_text = st.one_of(
    st.text(max_size=300),
    # long runs, so that splitting into several messages and quotes is exercised
    st.builds(
        lambda piece, times: piece * times, st.text(min_size=1, max_size=12), st.integers(50, 600)
    ),
)
spans = st.lists(st.tuples(st.integers(-5, 5100), st.integers(-5, 5100)), max_size=40)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    excerpts=st.lists(st.tuples(unicode_text, spans), min_size=1, max_size=7),
    title=st.text(max_size=600),
    author=st.text(max_size=300),
    published=st.text(max_size=40),
    url=st.one_of(st.text(max_size=80), st.just('https://example.org/a?b=<c>&d="e"')),
    note=st.text(max_size=500),
    heading=st.text(max_size=300),
    page=st.integers(0, 2),
    language=st.sampled_from(["sv", "da", "en", "xx"]),
)
def test_any_unicode_renders_to_valid_messages_within_the_limit(
    excerpts, title, author, published, url, note, heading, page, language
):
    results = [
        make_result(
            rank,
            text,
            marks=tuple(marks),
            title=title,
            author=author,
            published=published,
            url=url,
            notes=(note,),
            heading=heading,
        )
        for rank, (text, marks) in enumerate(excerpts, start=1)
    ]
    answer = make_answer(results, language if language != "xx" else "sv", notices=(note,))
    texts = [c.text for c in render_answer(answer, page, "qid12345", heading=heading)]
    for result in results:
        texts += [c.text for c in render_passage(result, answer.language)]
        texts.append(render_inline(result, answer.language))
    for text in texts:
        assert check_telegram_html(text) is None, text
        assert telegram_visible_length(text) <= MAX_VISIBLE
        assert telegram_visible_length(text) > 0


def test_a_statute_is_cited_by_its_section_linked_to_the_official_text():
    citation = Citation(
        title="Lag (2016:1145) om offentlig upphandling (LOU): reserverad upphandling",
        author="",
        publisher="",
        published="2016-12-01",
        kind="law",
        url="https://rkrattsbaser.gov.se/sfst?bet=2016:1145",
        passage_id="sfs-2016-1145-lou#3",
        doc_id="sfs-2016-1145-lou",
        section="19 kap. 25 a § LOU",
        identifier="SFS 2016:1145",
        version="Lag (2022:902)",
    )
    assert source_line(1, citation, "sv") == (
        '[1] <a href="https://rkrattsbaser.gov.se/sfst?bet=2016:1145">19 kap. 25 a § LOU</a>'
        " — SFS 2016:1145, lydelse enligt Lag (2022:902)"
    )


def test_a_guide_is_cited_by_the_authority_pages_behind_it_and_named_as_explainer():
    citation = Citation(
        title="Reserverad upphandling",
        author="Samverkansboten (redaktionen)",
        publisher="Samverkansboten",
        published="2026-11-25",
        kind="guide",
        url="",
        passage_id="guide#9",
        doc_id="guide",
        links=(
            Link(
                "Reserverad upphandling",
                "https://uhm.example/reserverad",
                "Upphandlingsmyndigheten",
            ),
            Link(
                "Ny möjlighet att reservera", "https://uhm.example/ny", "Upphandlingsmyndigheten"
            ),
            Link("Register", "https://kk.example/register", "Kammarkollegiet"),
        ),
        law=(Link("19 kap. 25 a § LOU", "https://rk.example/lou", "SFS 2016:1145", "lou#3"),),
        explainer="Samverkansboten",
        reviewed="2026-11",
    )
    line = source_line(2, citation, "sv")
    assert line == (
        '[2] <a href="https://uhm.example/reserverad">Upphandlingsmyndigheten: Reserverad'
        ' upphandling</a>, <a href="https://uhm.example/ny">Upphandlingsmyndigheten: Ny möjlighet'
        " att reservera</a> (+1) — förklarat av Samverkansboten, granskad 2026-11"
        " · Lagtext: 19 kap. 25 a § LOU"
    )
    assert "2026-11-25" not in line
    passage = make_result(2)
    full = render_passage(Result(2, passage.passage, 1.0, passage.excerpt, citation), "sv")[0].text
    assert '• <a href="https://rk.example/lou">Lagtext: 19 kap. 25 a § LOU</a>' in full
    assert '• <a href="https://kk.example/register">Kammarkollegiet: Register</a>' in full


def test_an_article_shows_author_publisher_date_and_kind():
    citation = Citation(
        title="Stärkt samverkan är vägen framåt för välfärden",
        author="Staffan Isling",
        publisher="SKR",
        published="2022-09-27",
        kind="column",
        url="",
        passage_id="art#1",
        doc_id="art",
    )
    assert source_line(3, citation, "sv") == (
        "[3] Stärkt samverkan är vägen framåt för välfärden — Staffan Isling, SKR, 2022-09-27,"
        " krönika"
    )


def test_a_partial_answer_says_what_the_sources_lack_and_labels_the_passages(real_service):
    from bot.telegram.render import render_answer

    answer = real_service.ask("Vad är telefonnumret till Stadsmissionen i Malmö?")
    chunks = render_answer(answer, 0, "abcd")
    first = chunks[0].text
    assert "Källorna säger inget om: <i>telefonnumret" in first
    assert "Närliggande läsning, inte ett svar" in first
    assert all(check_telegram_html(chunk.text) is None for chunk in chunks)


def test_a_corrected_question_shows_what_was_searched(real_service):
    from bot.telegram.render import render_answer

    answer = real_service.ask("idburet offentligt partnerskap kriterer")
    assert (
        "Sökte efter: <i>idéburet offentligt partnerskap"
        in render_answer(answer, 0, "abcd")[0].text
    )
