"""The chat page in-process: form posts render server-side; fragments for the script."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from bot.cli import main
from bot.store import personal_case_reply
from bot.web.core import COOKIE
from bot.web.render import segments
from bot.web.texts import negotiate
from tests.web.helpers import (
    ANSWERED,
    OFF_TOPIC,
    PERSONNUMMER,
    FixedService,
    parse_html,
)

FORM = {"content-type": "application/x-www-form-urlencoded"}
FRAGMENT = {**FORM, "x-fragment": "1"}


async def ask(client: httpx.AsyncClient, question: str, *, fragment: bool = False, **extra):
    return await client.post(
        "/", data={"q": question, "lang": "sv", **extra}, headers=FRAGMENT if fragment else FORM
    )


async def test_empty_page_has_the_form_examples_and_the_privacy_note(client, real_service):
    page = parse_html((await client.get("/")).text)
    label = page.find("label", **{"for": "question"})
    examples = page.find("section", id="examples").find_all("button")
    assert page.find("html").attrs["lang"] == "sv"
    assert label.text == "Din fråga"
    assert page.find("input", id="question").attrs["aria-describedby"] == (
        "question-hint question-error"
    )
    assert [b.text for b in examples] == [t.starters("sv")[0] for t in real_service.topics]
    assert "en enda kaka" in page.find("footer").text


@pytest.mark.parametrize(
    ("header", "query", "expected"),
    [
        ("da-DK,da;q=0.9,en;q=0.8", "", "da"),
        ("en-GB,en;q=0.9", "", "en"),
        ("fi-FI", "", "sv"),
        ("da", "?lang=en", "en"),
    ],
)
async def test_page_language_from_the_browser_or_the_choice(client, header, query, expected):
    response = await client.get(f"/{query}", headers={"accept-language": header})
    assert parse_html(response.text).find("html").attrs["lang"] == expected


def test_negotiate_takes_the_highest_quality():
    assert negotiate("en;q=0.5, da;q=0.8, sv;q=0.7") == "da"
    assert negotiate("de, en;q=bad, *") == "sv"
    assert negotiate("", default="en") == "en"


async def test_the_one_cookie_is_a_random_http_only_id_set_once(client):
    first = await client.get("/")
    second = await client.get("/")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "set-cookie" not in second.headers
    assert first.cookies[COOKIE] in parse_html(second.text).find("footer").text


async def test_a_form_post_renders_the_answer_server_side(client, real_service):
    response = await ask(client, ANSWERED)
    page = parse_html(response.text)
    article = page.find("article", class_="answer")
    first = article.find("li", class_="result")
    expected = real_service.ask(ANSWERED).results[0]
    assert response.status_code == 200
    assert page.find("html").attrs["lang"] == "sv"
    assert article.attrs["lang"] == "sv"
    assert article.find("h2").text == f"Fråga: {ANSWERED}"
    assert len(article.find_all("li", class_="result")) == 3
    assert first.find("blockquote").text == " ".join(expected.excerpt.text.split())
    assert first.find_all("mark") != []
    assert first.find("cite").text == expected.citation.title
    assert first.find("time").attrs["datetime"] == expected.citation.published
    assert first.find("details").find("p", class_="passage-text").text == " ".join(
        expected.passage.text.split()
    )
    assert "examples" not in response.text


async def test_a_danish_question_on_a_swedish_page_gets_a_danish_answer(client):
    page = parse_html((await ask(client, "Hvad er samskabelse?")).text)
    article = page.find("article", class_="answer")
    assert (page.find("html").attrs["lang"], article.attrs["lang"]) == ("sv", "da")
    assert article.find("p", class_="count").text.endswith("uddrag fra kilderne")
    assert article.find("blockquote").attrs["lang"] == "da"


async def test_off_topic_question_shows_suggestions_as_buttons(client):
    article = parse_html((await ask(client, OFF_TOPIC)).text).find("article")
    buttons = article.find_all("button", class_="suggestion")
    assert article.find("p", class_="no-answer").text.startswith("Jag hittade inget")
    assert len(buttons) > 0
    assert article.find_all("ol") == []


async def test_empty_question_marks_the_field_invalid(client):
    response = await ask(client, "   ")
    field = parse_html(response.text).find("input", id="question")
    assert response.status_code == 422
    assert field.attrs["aria-invalid"] == "true"
    assert parse_html(response.text).find("p", id="question-error").text == "Skriv en fråga först."


async def test_personnummer_on_the_page_gets_the_personal_case_reply(client, question_log):
    response = await ask(client, PERSONNUMMER)
    refusal = parse_html(response.text).find("p", class_="refusal")
    assert refusal.text == personal_case_reply("sv")
    assert "9805" not in response.text
    assert question_log.count_questions() == 0


async def test_user_input_is_escaped(client):
    response = await ask(client, "<script>alert(1)</script> IOP")
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


async def test_the_fragment_is_the_answer_alone_with_words_for_the_live_region(client):
    response = await ask(client, ANSWERED, fragment=True)
    article = parse_html(response.text).find("article")
    assert "<html" not in response.text
    assert article.attrs["data-announce"].startswith(f"Svar på: {ANSWERED} ")
    assert "utdrag ur källorna." in article.attrs["data-announce"]


async def answer_key(client) -> str:
    article = parse_html((await ask(client, ANSWERED)).text).find("article")
    return article.attrs["id"].removeprefix("a-")


async def test_more_without_script_shows_the_first_two_pages(client):
    key = await answer_key(client)
    response = await client.post(
        "/more", data={"answer": key, "page": "1", "lang": "sv"}, headers=FORM
    )
    ranks = [li.attrs["id"] for li in parse_html(response.text).find_all("li", class_="result")]
    assert ranks == [f"a-{key}-r{n}" for n in range(1, 7)]


async def test_more_fragment_has_the_next_results_and_the_next_button(client, real_service):
    key = await answer_key(client)
    response = await client.post(
        "/more", data={"answer": key, "page": "1", "lang": "sv"}, headers=FRAGMENT
    )
    fragment = parse_html(response.text)
    total = len(real_service.ask(ANSWERED).results)
    ranks = [li.attrs["id"] for li in fragment.find_all("li", class_="result")]
    button = fragment.find("form", class_="more")
    assert ranks == [f"a-{key}-r{n}" for n in range(4, 7)]
    assert button.attrs["action"] == f"more#a-{key}-r7"
    assert button.find("button").text == f"Visa fler svar ({total - 6} till)"


async def test_more_on_a_forgotten_answer_says_ask_again(client):
    response = await client.post(
        "/more", data={"answer": "gone", "page": "1", "lang": "sv"}, headers=FORM
    )
    assert response.status_code == 410
    assert "Ställ frågan igen" in parse_html(response.text).find("p", class_="refusal").text


async def test_feedback_form_records_the_vote_and_thanks(client, question_log):
    key = await answer_key(client)
    response = await client.post(
        "/feedback",
        data={"answer": key, "vote": "down", "lang": "sv", "shown": "3"},
        headers=FRAGMENT,
    )
    form = parse_html(response.text).find("form", class_="feedback")
    pressed = [
        b.attrs["value"] for b in form.find_all("button") if b.attrs["aria-pressed"] == "true"
    ]
    assert pressed == ["down"]
    assert form.find("p", class_="thanks").text == "Tack för återkopplingen!"
    assert [row[0] for row in question_log._read("SELECT value FROM feedback", ())] == [-1]


async def test_the_stored_user_key_is_an_hmac_of_the_browser_id(client, question_log):
    client.cookies = httpx.Cookies({COOKIE: "4611686018427387917"})
    await ask(client, ANSWERED)
    stored = question_log._read("SELECT user_key FROM questions", ())
    assert stored == [(question_log.user_key(4611686018427387917),)]


@pytest.mark.parametrize("value", ["12345", "x" * 19, "9999999999999999999", ""])
async def test_a_malformed_browser_id_is_replaced(client, value):
    client.cookies = httpx.Cookies({COOKIE: value})
    response = await client.get("/")
    assert response.cookies[COOKIE] != value


async def test_a_post_from_another_site_is_refused(client):
    response = await client.post(
        "/", data={"q": ANSWERED}, headers={**FORM, "origin": "https://evil.example"}
    )
    assert response.status_code == 400


async def test_a_post_that_is_not_a_form_is_refused(client):
    response = await client.post("/", json={"q": ANSWERED})
    assert response.status_code == 400
    assert "form post" in parse_html(response.text).find("p", class_="refusal").text


async def test_unknown_page_is_an_html_404(client):
    response = await client.get("/nothing")
    assert response.status_code == 404
    assert parse_html(response.text).find("p", class_="refusal").text == "Sidan finns inte."


async def test_partial_answer_is_labelled_related_reading(make_client, real_service):
    answer = replace(
        real_service.ask(ANSWERED),
        answered=False,
        coverage="partial",
        missing=("parkeringsavgift",),
        searched_for="Hur startar vi ett IOP",
        notices=("Frågan var lång.",),
    )
    client = make_client(service=FixedService(answer, real_service))
    article = parse_html((await ask(client, ANSWERED)).text).find("article")
    assert article.find("div", class_="partial").text == (
        "Närliggande läsning, inget svar. Källorna säger inget om: parkeringsavgift."
    )
    assert article.find("p", class_="searched").text == "Sökte efter: Hur startar vi ett IOP"
    assert article.find("p", class_="notice").text == "Frågan var lång."
    assert len(article.find_all("li", class_="result")) == 3
    assert "Närliggande läsning, inget svar." in article.attrs["data-announce"]


def test_segments_merge_marks_split_by_spaces_and_clip_to_the_text():
    assert segments("civil society now", [(0, 5), (6, 13), (50, 60)]) == (
        segments("civil society now", [(0, 13)])
    )
    assert [(s.text, s.marked) for s in segments("abc", [(1, 2), (1, 3)])] == [
        ("a", False),
        ("bc", True),
    ]


async def test_forget_deletes_the_questions_of_the_id_the_page_shows(
    client, settings, capsys, monkeypatch
):
    monkeypatch.setenv("BOT_HMAC_SECRET", settings.hmac_secret)
    client.cookies = httpx.Cookies({COOKIE: "4611686018427387917"})
    page = parse_html((await ask(client, ANSWERED)).text)
    shown = page.find("footer").text.split("Ditt id är ")[1].split(".")[0]
    code = main(["--data", str(settings.data_dir), "forget", shown])
    assert (code, capsys.readouterr().out) == (0, f"deleted 1 rows for user {shown}\n")
