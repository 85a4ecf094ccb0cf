"""The JSON API in-process: the ask --json contract, errors, limits, privacy, headers."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.cli import main
from bot.store import personal_case_reply
from bot.views import answer_json
from bot.web.api import AnswerOut
from bot.web.security import MAX_BODY_BYTES
from tests.web.helpers import ANSWERED, OFF_TOPIC, PERSONNUMMER


async def test_ask_returns_exactly_the_ask_json_object(client, real_service, capsys):
    response = await client.post("/api/ask", json={"question": ANSWERED})
    assert main(["ask", "--json", ANSWERED]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert response.status_code == 200
    assert response.json() == printed
    assert response.json() == answer_json(real_service.ask(ANSWERED))


async def test_the_documented_response_model_has_the_json_fields(real_service):
    fields = set(AnswerOut.model_fields)
    assert fields == set(answer_json(real_service.ask(ANSWERED)))


async def test_lang_forces_the_answer_language(client):
    response = await client.post("/api/ask", json={"question": ANSWERED, "lang": "en"})
    assert response.json()["language"] == "en"


async def test_off_topic_question_gets_suggestions(client):
    data = (await client.post("/api/ask", json={"question": OFF_TOPIC})).json()
    assert (data["answered"], data["coverage"], data["results"]) == (False, "none", [])
    assert len(data["suggestions"]) > 0


@pytest.mark.parametrize("question", ["", "   ", "\u200b\u200b"])
async def test_empty_question_is_422_with_the_cli_words(client, capsys, question):
    response = await client.post("/api/ask", json={"question": question})
    assert main(["ask", "\u200b\u200b"]) == 2
    cli_message = capsys.readouterr().err.strip().removeprefix("error: ")
    assert response.status_code == 422
    assert response.json() == {"error": "empty_question", "message": cli_message}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "the body is not valid JSON"),
        (b"{}", "question: Field required"),
        (b'{"question": "x", "lang": "fi"}', "lang: Input should be 'sv', 'da' or 'en'"),
        (b'{"question": "x", "user": 1}', "user: Extra inputs are not permitted"),
    ],
)
async def test_invalid_bodies_are_422_with_a_clear_message(client, body, message):
    response = await client.post(
        "/api/ask", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {"error": "invalid_request", "message": message}


async def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    question = "IOP " * (MAX_BODY_BYTES // 4)
    response = await client.post("/api/ask", json={"question": question})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


async def test_a_streamed_body_over_the_limit_is_refused_too(client):
    async def chunks():
        yield b"q="
        for _ in range(MAX_BODY_BYTES // 1000 + 1):
            yield b"a" * 1000

    response = await client.post(
        "/", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413


async def test_the_per_client_limit_answers_429_with_retry_after(make_client):
    client = make_client(questions_per_minute=2)
    statuses = [
        (await client.post("/api/ask", json={"question": ANSWERED})).status_code for _ in range(3)
    ]
    refused = await client.post("/api/ask", json={"question": ANSWERED})
    assert statuses == [200, 200, 429]
    assert refused.json()["error"] == "rate_limited"
    assert "sekunder" in refused.json()["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_each_browser_id_has_its_own_limit(make_client):
    client = make_client(questions_per_minute=1)
    first = {"samverkan_id": "4611686018427387905"}
    second = {"samverkan_id": "4611686018427387906"}
    statuses = []
    for cookies in (first, second, first):
        client.cookies = httpx.Cookies(cookies)
        response = await client.post("/api/ask", json={"question": ANSWERED})
        statuses.append(response.status_code)
    assert statuses == [200, 200, 429]


async def test_personnummer_gets_the_personal_case_reply_and_is_not_stored(client, question_log):
    response = await client.post("/api/ask", json={"question": PERSONNUMMER})
    assert response.status_code == 422
    assert response.json() == {"error": "personal_case", "message": personal_case_reply("sv")}
    assert question_log.count_questions() == 0


async def test_questions_are_logged_redacted_as_web(client, question_log):
    await client.post("/api/ask", json={"question": "IOP, svara till anna@example.se"})
    rows = question_log._read("SELECT chat_type, question FROM questions", ())
    assert rows == [("web", "IOP, svara till [e-post]")]


async def test_feedback_is_recorded_once_per_client_on_the_logged_question(client, question_log):
    asked = await client.post("/api/ask", json={"question": ANSWERED})
    answer_id = asked.headers["x-answer-id"]
    for value in (1, 1, -1):
        response = await client.post(
            "/api/feedback", json={"answer_id": answer_id, "value": value}
        )
        assert response.json() == {"recorded": True}
    votes = question_log._read("SELECT question_id, value FROM feedback", ())
    question_ids = question_log._read("SELECT id FROM questions", ())
    assert votes == [(question_ids[0][0], -1)]


async def test_feedback_without_a_log_stores_nothing_anywhere(make_client, settings):
    client = make_client(log=None)
    asked = await client.post("/api/ask", json={"question": ANSWERED})
    response = await client.post(
        "/api/feedback", json={"answer_id": asked.headers["x-answer-id"], "value": 1}
    )
    assert response.status_code == 200
    assert sorted(p.name for p in settings.data_dir.glob("*.jsonl")) == []


async def test_feedback_on_an_unknown_answer_is_404(client):
    response = await client.post("/api/feedback", json={"answer_id": "nope", "value": 1})
    assert response.status_code == 404
    assert response.json()["error"] == "expired"


async def test_feedback_value_must_be_plus_or_minus_one(client):
    response = await client.post("/api/feedback", json={"answer_id": "abc", "value": 2})
    assert response.status_code == 422


async def test_passage_returns_the_text_with_its_citation(client, real_service):
    passage = real_service.passage("guide-iop#12")
    response = await client.get("/api/passages/guide-iop%2312")
    data = response.json()
    assert response.status_code == 200
    assert (data["passage_id"], data["text"], data["language"]) == (
        "guide-iop#12",
        passage.text,
        "sv",
    )
    assert data["citation"]["title"] == real_service.document("guide-iop").title
    assert data["citation"]["sources"] == list(passage.sources)


async def test_unknown_passage_is_a_json_404(client):
    response = await client.get("/api/passages/nothing%231")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "no passage with id 'nothing#1'"}


async def test_healthz(client, real_service):
    response = await client.get("/healthz")
    assert response.json() == {
        "status": "ok",
        "documents": len(real_service.documents),
        "index_version": real_service.version,
    }


async def test_unknown_api_path_and_wrong_method_are_json(client):
    missing = await client.get("/api/nothing")
    wrong = await client.get("/api/ask")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")


async def test_openapi_lists_the_endpoints_and_no_cdn_docs_page(client):
    paths = set((await client.get("/openapi.json")).json()["paths"])
    docs = await client.get("/docs")
    assert paths == {"/api/ask", "/api/passages/{passage_id}", "/api/feedback", "/healthz"}
    assert docs.status_code == 404


@pytest.mark.parametrize("path", ["/", "/api", "/healthz", "/static/app.js", "/nothing"])
async def test_every_response_carries_the_security_headers(client, path):
    headers = (await client.get(path)).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


async def test_frame_ancestors_come_from_the_settings(make_client):
    client = make_client(web_frame_ancestors="'self' https://www.kommun.se")
    headers = (await client.get("/")).headers
    assert "frame-ancestors 'self' https://www.kommun.se" in headers["content-security-policy"]
    assert "x-frame-options" not in headers


async def test_answers_are_not_cached_but_static_files_are(client):
    page = await client.get("/")
    static = await client.get("/static/app.css")
    answer = await client.post("/api/ask", json={"question": ANSWERED})
    assert (page.headers["cache-control"], answer.headers["cache-control"]) == (
        "no-store",
        "no-store",
    )
    assert static.headers["cache-control"] == "public, max-age=86400"
