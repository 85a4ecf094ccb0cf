"""Rendering answers as Telegram HTML: escaping, citations, splitting, keyboards."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import (
    Answer,
    Citation,
    DatedNote,
    Excerpt,
    Link,
    Passage,
    Result,
    Suggestion,
    Topic,
)
from bot.telegram.render import (
    MAX_VISIBLE,
    Votes,
    answer_keyboard,
    marked,
    render_answer,
    render_inline,
    render_newer,
    render_no_answer,
    render_passage,
    render_topic,
    safe_url,
    short_source,
    source_line,
    topics_keyboard,
    visible_length,
    with_votes,
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
    doc_id: str = "doc",
    kind: str = "guide",
    dated: tuple[DatedNote, ...] = (),
) -> Result:
    passage = Passage(
        id=f"{doc_id}#{rank}", doc_id=doc_id, number=rank, text=text, heading=heading
    )
    citation = Citation(
        title=title,
        author=author,
        publisher="Förlaget",
        published=published,
        kind=kind,
        url=url,
        passage_id=passage.id,
        doc_id=doc_id,
    )
    return Result(rank, passage, 1.0 / rank, Excerpt(text, marks), citation, notes, dated)


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


def test_answer_page_shows_header_quotes_notes_and_one_line_sources():
    answer = make_answer(
        [make_result(1, notes=("Kan vara inaktuellt.",)), make_result(2)],
        notices=("Frågan kortades.",),
    )
    (chunk,) = render_answer(answer, 0, "qid12345")
    assert chunk.text.startswith("<i>Frågan kortades.</i>\nUr källorna (1 dokument):\n\n")
    assert "<blockquote expandable><b>Reserverade</b> kontrakt" in chunk.text
    assert "</blockquote>\n<i>Kan vara inaktuellt.</i>\n[1] <a href" in chunk.text
    lines = [line for line in chunk.text.splitlines() if line.startswith("[")]
    assert lines == [
        '[1] <a href="https://example.org/guide">Guide</a>, 2024 · Redaktionen, guide',
        "[2] ↑ samma källa",
    ]
    assert_valid([chunk.text])


def test_the_header_counts_documents_and_pages_not_the_cap():
    results = [make_result(rank, doc_id=f"doc{rank % 3}") for rank in range(1, 8)]
    answer = make_answer(results)
    (first,) = render_answer(answer, 0, "qid12345")
    (last,) = render_answer(answer, 2, "qid12345")
    assert first.text.startswith("Ur källorna (3 dokument · sida 1/3):")
    assert last.text.startswith("Ur källorna (3 dokument · sida 3/3):")
    english = make_answer(results[:2], "en")
    (chunk,) = render_answer(english, 0, "qid12345")
    assert chunk.text.startswith(
        "From the sources (2 documents):\n"
        "The sources are in Swedish or Danish; quotes are not translated.\n"
    )


def test_second_page_numbers_on_and_flips_both_ways():
    answer = make_answer([make_result(rank) for rank in range(1, 8)])
    (chunk,) = render_answer(answer, 1, "qid12345", heading="Fråga?")
    assert chunk.text.startswith("<b>Fråga?</b>\nUr källorna (1 dokument · sida 2/3):")
    assert [line[:3] for line in chunk.text.splitlines() if line.startswith("[")] == [
        "[4]",
        "[5]",
        "[6]",
    ]
    rows = chunk.keyboard.inline_keyboard  # type: ignore[union-attr]
    assert [b.text for b in rows[0]] == ["📄 Hela [4]", "📄 Hela [5]", "📄 Hela [6]"]
    assert [b.callback_data for b in rows[0]] == ["f:qid12345:4", "f:qid12345:5", "f:qid12345:6"]
    assert [(b.text, b.callback_data) for b in rows[1]] == [
        ("👍", "fb:qid12345:+"),
        ("👎", "fb:qid12345:-"),
        ("◂ Förra", "p:qid12345:0"),
        ("Fler ▸", "p:qid12345:2"),
    ]


def test_last_page_has_no_more_button_and_pages_past_the_end_are_empty():
    answer = make_answer([make_result(rank) for rank in range(1, 5)])
    (chunk,) = render_answer(answer, 1, "qid12345")
    assert "p:qid12345:2" not in str(chunk.keyboard.to_dict())  # type: ignore[union-attr]
    assert "p:qid12345:0" in str(chunk.keyboard.to_dict())  # type: ignore[union-attr]
    assert render_answer(answer, 2, "qid12345") == []


def test_votes_show_on_the_keyboard_mine_in_private_counts_in_groups():
    answer = make_answer([make_result(1)])
    mine = answer_keyboard(answer, 0, "qid12345", Votes(up=1, mine=1))
    assert [b.text for b in mine.inline_keyboard[-1]] == ["👍 ✓", "👎"]
    group = with_votes(mine, "qid12345", Votes(up=2, down=1, mine=-1, counts=True))
    assert [b.text for b in group.inline_keyboard[-1]] == ["👍 2", "👎 1"]
    assert group.inline_keyboard[0] == mine.inline_keyboard[0]


def test_a_dated_note_is_one_short_line_with_a_button_to_the_newer_text():
    note = DatedNote(
        "Sedan 2023 får upphandlingar reserveras.", "Kan vara inaktuellt: lång.", "g#2"
    )
    result = make_result(1, notes=("Kan vara inaktuellt: lång. → Guide",), dated=(note,))
    (chunk,) = render_answer(make_answer([result]), 0, "qid12345")
    assert (
        "</blockquote>\n⚠️ Kan vara inaktuellt: <i>Sedan 2023 får upphandlingar reserveras.</i>"
        "\n[1] " in chunk.text
    )
    assert "lång" not in chunk.text
    rows = chunk.keyboard.inline_keyboard  # type: ignore[union-attr]
    assert [(b.text, b.callback_data) for b in rows[1]] == [("⚠️ Nyare [1]", "u:qid12345:1")]
    passage = Passage("g#2", "g", 2, "Nu gäller 19 kap. 25 a § LOU.", heading="Ny regel")
    (newer,) = render_newer((note,), passage, make_result(2).citation, "sv")
    assert newer.text.startswith("⚠️ <i>Kan vara inaktuellt: lång.</i>\n<b>Ny regel</b>\n")
    assert_valid([chunk.text, newer.text])


def test_topic_buttons_use_short_labels_and_starters_are_a_numbered_list():
    topic = Topic(
        "iop",
        {"sv": "Idéburet offentligt partnerskap (IOP)"},
        {"sv": ("Hur startar vi ett IOP?", "Vad är skillnaden mellan IOP och upphandling?")},
        {"sv": "IOP"},
    )
    keyboard = topics_keyboard([topic], "sv")
    assert [row[0].text for row in keyboard.inline_keyboard] == ["IOP"]  # type: ignore[union-attr]
    chunk = render_topic(topic, "sv")
    assert chunk.text == (
        "<b>Idéburet offentligt partnerskap (IOP)</b>\n"
        "Tryck på en siffra, eller skriv en egen fråga:\n"
        "1. Hur startar vi ett IOP?\n"
        "2. Vad är skillnaden mellan IOP och upphandling?"
    )
    assert [(b.text, b.callback_data) for b in chunk.keyboard.inline_keyboard[0]] == [  # type: ignore[union-attr]
        ("1", "q:iop:0"),
        ("2", "q:iop:1"),
    ]


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


def test_inline_result_is_one_message_headed_by_the_passage_heading():
    text = render_inline(make_result(3, "x" * 9000, marks=()), "en")
    assert_valid([text])
    assert "[3]" not in text
    assert text.startswith("<b>Rubrik</b>\n<blockquote expandable>")
    assert text.rstrip().splitlines()[-1] == (
        '<a href="https://example.org/guide">Guide</a>, 2024 · Redaktionen, guide'
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
    assert short_source(1, citation, "sv") == (
        '[1] <a href="https://rkrattsbaser.gov.se/sfst?bet=2016:1145">19 kap. 25 a § LOU</a>, 2022'
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
    assert short_source(2, citation, "sv") == (
        '[2] Reserverad upphandling, 2026 · <a href="https://uhm.example/reserverad">'
        "Upphandlingsmyndigheten</a>"
    )
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
    from dataclasses import replace

    short = replace(citation, short_title="Stärkt samverkan (SKR)")
    assert (
        short_source(3, short, "sv")
        == "[3] Stärkt samverkan (SKR), 2022 · Staffan Isling, krönika"
    )
    assert short_source(3, citation, "sv") == (
        "[3] Stärkt samverkan är vägen…, 2022 · Staffan Isling, krönika"
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


def test_every_button_of_the_bundled_knowledge_fits_a_phone(real_service):
    from bot.telegram.render import MAX_BUTTON_LABEL

    for language in ("sv", "da", "en"):
        keyboard = topics_keyboard(real_service.topics, language)
        labels = [b.text for row in keyboard.inline_keyboard for b in row]  # type: ignore[union-attr]
        labels += [
            b.text
            for topic in real_service.topics
            for row in render_topic(topic, language).keyboard.inline_keyboard  # type: ignore[union-attr]
            for b in row
        ]
        answer = real_service.ask("Får kommunen reservera en upphandling?", language=language)
        for page in range(answer.page_count):
            (chunk,) = render_answer(answer, page, "qid12345")
            labels += [b.text for row in chunk.keyboard.inline_keyboard for b in row]  # type: ignore[union-attr]
        assert max(len(label) for label in labels) <= MAX_BUTTON_LABEL == 30
        assert [label for label in labels if label.endswith("…")] == []


def test_the_phone_view_of_an_answer_fits_one_screen(real_service):
    """The issue's measure: the first message, quotes collapsed, in about 20 phone lines."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "phone_view.py"
    spec = importlib.util.spec_from_file_location("phone_view", path)
    phone_view = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(phone_view)  # type: ignore[union-attr]
    for question in (
        "Får kommunen reservera en upphandling för idéburna organisationer?",
        "Vad är NOD?",
        "Hvad er § 18?",
    ):
        (chunk,) = render_answer(real_service.ask(question), 0, "qid12345")
        collapsed, expanded, sources = phone_view.phone_lines(chunk.text, 38)
        assert len(collapsed) <= 22, (question, len(collapsed))
        assert sources <= 6, (question, sources)
        assert len(expanded) > len(collapsed)
