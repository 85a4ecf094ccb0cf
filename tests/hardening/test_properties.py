"""Property tests: text handling and rendering never raise on arbitrary Unicode.

The renderer's own property test on synthetic results lives in tests/telegram/test_render.py;
these add the text pipeline (clean, language detection, the analyzer), real answers from
:meth:`QAService.ask` rendered end to end, and the other renderers (sources, topics, interface
strings, the admin report and reload problems).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date, datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import LANGUAGES, Answer, Document, Suggestion, Topic
from bot.search.language import detect_language
from bot.search.text import clean
from bot.service import EmptyQuestion, QAService
from bot.store.report import DayStats, DislikedAnswer, Gap, Report, format_report
from bot.telegram.admin import render_lines, render_problems
from bot.telegram.callback_data import MAX_CALLBACK_BYTES
from bot.telegram.render import (
    MAX_VISIBLE,
    Chunk,
    language_keyboard,
    render_answer,
    render_inline,
    render_no_answer,
    render_passage,
    render_sources,
    render_topic,
    topics_keyboard,
)
from bot.telegram.texts import _TEXTS, text
from bot.views import answer_json, answer_text
from tests.fakebotapi import check_telegram_html, visible_length
from tests.hardening.catalogue import QUESTIONS

FAST = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

HOSTILE = (
    "\x00\x01\x08\x0b\x1b\x7f\x85\x9b\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202e\u2060\u2066\u2069\ufeff\ufffe\uffff\ud800\udfff\u0301\u0308\u3000\u00a0"
    "<>&\"'`*_[]()~#|{}%§$\\/\n\r\t 0123456789aäåöæøAÄÅÖÆØ-:.,?!🙂👨‍👩🇸🇪ｒＩ𝖨"
)
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)

any_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=200),  # lone surrogates
    st.text(alphabet=st.sampled_from(HOSTILE), max_size=300),
    st.builds(
        lambda base, noise, at: base[:at] + noise + base[at:],
        st.sampled_from(sorted(QUESTIONS.values(), key=len)[:-4]),
        st.text(alphabet=st.sampled_from(HOSTILE), max_size=20),
        st.integers(0, 400),
    ),
)
questions = st.one_of(
    any_text,
    st.sampled_from(
        [
            "Vad är ett IOP?",
            "Får kommunen reservera kontrakt?",
            "Hvad er samskabelse efter § 18?",
            "What is a reserved contract?",
        ]
    ).flatmap(lambda q: st.builds(lambda n: q + n, st.text(max_size=40))),
)
languages = st.sampled_from([*LANGUAGES, "xx", ""])


def assert_telegram_valid(chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert check_telegram_html(chunk.text) is None, chunk.text
        assert 0 < visible_length(chunk.text) <= MAX_VISIBLE
        if chunk.keyboard is not None:
            for row in chunk.keyboard.inline_keyboard:
                for button in row:
                    assert button.text
                    data = button.callback_data
                    assert isinstance(data, str)
                    assert 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES


# --------------------------------------------------------------------------- text pipeline


@FAST
@given(any_text)
def test_clean_never_raises_and_leaves_no_invisible_characters(value: str):
    cleaned = clean(value)
    assert INVISIBLE.search(cleaned) is None
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert "\r" not in cleaned


@FAST
@given(any_text, st.sampled_from(LANGUAGES))
def test_detect_language_always_names_a_supported_language(value: str, default: str):
    assert detect_language(value, default=default) in LANGUAGES


# Compound splitting is slow on long letter runs (see the hardening notes), so the analyzer
# gets shorter texts than the rest.
short_text = st.one_of(
    st.text(max_size=120),
    st.text(alphabet=st.characters(exclude_categories=()), max_size=120),
    st.text(alphabet=st.sampled_from(HOSTILE), max_size=200),
)


@FAST
@given(short_text, languages)
def test_analyzer_spans_lie_inside_the_text_in_order(
    service: QAService, value: str, language: str
):
    analyzer = service.corpus.analyzer
    spans = analyzer.spans(value, language)
    assert spans == sorted(spans, key=lambda span: (span.start, span.end))
    for span in spans:
        assert 0 <= span.start < span.end <= len(value)
        assert all(isinstance(term, str) and term for term in span.terms)
    assert analyzer.terms(value, language) == [term for span in spans for term in span.terms]


def test_clean_is_idempotent_and_returns_nfc():
    value = clean("ide\u200b\u0301buren")
    assert value == unicodedata.normalize("NFC", value) == "idéburen"
    assert clean(value) == value


# --------------------------------------------------------------------------- real answers


@SLOW
@given(questions, st.sampled_from([None, *LANGUAGES]))
def test_any_question_gets_an_answer_that_renders_as_valid_telegram_html(
    service: QAService, question: str, language: str | None
):
    try:
        answer = service.ask(question, language=language)
    except EmptyQuestion:
        assert clean(question) == ""
        return
    assert clean(question) != ""
    assert answer.language in LANGUAGES
    assert [result.rank for result in answer.results] == list(range(1, len(answer.results) + 1))
    assert all(math.isfinite(result.score) for result in answer.results)
    pages = [render_answer(answer, page, "qid12345") for page in range(answer.page_count)]
    if answer.answered and answer.results:
        assert all(pages)
    else:
        assert render_answer(answer, 0, "qid12345") == render_no_answer(answer)
    for chunks in pages or [render_no_answer(answer)]:
        assert_telegram_valid(chunks)
    assert render_answer(answer, answer.page_count + 1, "qid12345") == []
    for result in answer.results:
        assert_telegram_valid(render_passage(result, answer.language))
        inline = render_inline(result, answer.language)
        assert check_telegram_html(inline) is None
        assert 0 < visible_length(inline) <= 4096
    assert isinstance(answer_text(answer), str)
    json.dumps(answer_json(answer), ensure_ascii=False)


# --------------------------------------------------------------------------- other renderers

short = st.text(max_size=120)
documents = st.builds(
    Document,
    id=short,
    title=st.text(max_size=400),
    author=short,
    publisher=short,
    published=short,
    language=st.sampled_from(LANGUAGES),
    kind=short,
    url=st.one_of(short, st.just('https://example.org/a?b=<c>&d="e"')),
    topics=st.tuples(short),
    body=short,
    sources=st.lists(st.one_of(short, st.just("https://exempel.se/x y")), max_size=5).map(tuple),
)
topic_ids = st.text(max_size=80)
topics = st.builds(
    Topic,
    id=topic_ids,
    labels=st.dictionaries(st.sampled_from([*LANGUAGES, "xx"]), st.text(max_size=300)),
    questions=st.dictionaries(
        st.sampled_from(LANGUAGES), st.lists(st.text(max_size=300), max_size=12).map(tuple)
    ),
)


@SLOW
@given(st.lists(documents, max_size=30), st.sampled_from(LANGUAGES))
def test_any_sources_render_as_valid_messages(docs: list[Document], language: str):
    assert_telegram_valid(render_sources(docs, language))


@SLOW
@given(st.lists(topics, max_size=22), topics, st.sampled_from(LANGUAGES))
def test_any_topics_render_as_valid_messages_and_buttons(
    many: list[Topic], topic: Topic, language: str
):
    assert_telegram_valid([render_topic(topic, language)])
    keyboard = topics_keyboard(many, language)
    assert_telegram_valid([Chunk("x", keyboard)])
    suggestions = [Suggestion(t.id, t.label(language), "?") for t in many]
    no_answer = Answer("?", language, False, suggestions=tuple(suggestions))
    assert_telegram_valid(render_no_answer(no_answer, heading=topic.id))
    assert_telegram_valid([Chunk("x", language_keyboard())])


@FAST
@given(st.sampled_from(LANGUAGES), st.text(max_size=200), st.integers(-(10**9), 10**9))
def test_interface_strings_stay_valid_with_any_value(language: str, value: str, number: int):
    fields = {
        "seconds": number,
        "bot": value,
        "label": value,
        "count": number,
        "first": number,
        "last": number,
        "total": number,
        "rank": number,
        "documents": number,
        "version": value,
        "previous": value,
        "words": value,
        "text": value,
        "pages": value,
        "page": number,
        "vote": value,
        "user": number,
        "chat": number,
        "days": number,
        "note": value,
    }
    plain_keys = (
        "more",
        "previous",
        "full",
        "newer",
        "inline_open",
        "forget_yes",
        "forget_no",
        "same_source",
        "description",
        "short_description",
    )
    for key in _TEXTS[language]:
        if key.startswith("cmd_") or key in plain_keys:
            continue
        rendered = text(language, key, **fields)
        assert check_telegram_html(rendered) is None, (key, rendered)
        assert 0 < visible_length(rendered) <= 4096


wordings = st.one_of(st.text(max_size=600), any_text)
passage = st.one_of(st.none(), st.tuples(st.text(max_size=60), st.floats(allow_nan=True)))
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda moment: moment.replace(tzinfo=timezone.utc)
)
gaps = st.builds(
    Gap,
    question=wordings,
    count=st.integers(1, 10**6),
    key=st.just(""),
    languages=st.lists(st.text(max_size=5), max_size=3).map(tuple),
    last_asked=moments,
    nearest=passage,
)
disliked = st.builds(
    DislikedAnswer,
    question_id=st.integers(1, 10**9),
    question=wordings,
    asked_at=moments,
    answered=st.booleans(),
    down=st.integers(1, 1000),
    up=st.integers(0, 1000),
    passages=st.lists(st.tuples(st.text(max_size=60), st.floats()), max_size=3).map(tuple),
    nearest=passage,
)


@SLOW
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=40),
    st.lists(gaps, max_size=10),
    st.lists(disliked, max_size=10),
    st.sampled_from([*LANGUAGES, "xx"]),
)
def test_any_gap_report_renders_as_valid_messages(
    counts: list[tuple[int, int]], gap_list: list[Gap], bad: list[DislikedAnswer], language: str
):
    start = date(2025, 1, 1)
    days = tuple(
        DayStats(date.fromordinal(start.toordinal() + n), q, min(q, a))
        for n, (q, a) in enumerate(counts)
    )
    report = Report(
        start=days[0].day,
        end=days[-1].day,
        days=days,
        questions=sum(day.questions for day in days),
        answered=sum(day.answered for day in days),
        personal_cases=0,
        thumbs_up=sum(item.up for item in bad),
        thumbs_down=sum(item.down for item in bad),
        gaps=tuple(gap_list),
        disliked=tuple(bad),
    )
    chunks = render_lines(format_report(report, language).split("\n"), bold_first=True)
    assert chunks
    assert_telegram_valid(chunks)


@FAST
@given(st.lists(any_text, max_size=60))
def test_any_reload_problems_render_as_valid_messages(problems: list[str]):
    from pathlib import Path

    lines = render_problems(problems, Path("/srv/knowledge"))
    assert len(lines) == min(len(problems), 30)
    assert_telegram_valid(render_lines(lines))
