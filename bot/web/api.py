"""The JSON API: ``POST /api/ask``, ``GET /api/passages/{id}``, ``POST /api/feedback``, health.

``/api/ask`` returns exactly the ``python -m bot ask --json`` object; the key for feedback on
that answer comes in the ``X-Answer-Id`` header, so the body stays the same contract. Errors
are ``{"error": code, "message": text}`` with a fitting status.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.views import answer_json
from bot.web.core import (
    COOKIE,
    Asked,
    Client,
    WebState,
    ask,
    parse_browser_id,
    record_feedback,
)

router = APIRouter()


class AskRequest(BaseModel):
    """A question, and optionally the language to answer in."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question in Swedish, Danish or English.")
    lang: Literal["sv", "da", "en"] | None = Field(
        default=None, description="Answer language; the question's language when left out."
    )


class ResultOut(BaseModel):
    """One cited excerpt (a result of ``ask --json``)."""

    rank: int
    doc_id: str
    passage_id: str
    title: str
    author: str
    publisher: str
    published: str
    kind: str
    url: str
    score: float
    passage: str
    excerpt: str
    marks: list[list[int]] = Field(description="[start, end) spans of matched words in excerpt.")
    sources: list[str]
    notes: list[str]


class SuggestionOut(BaseModel):
    """A topic offered when the question is not covered."""

    topic: str
    label: str
    question: str


class AnswerOut(BaseModel):
    """The ``python -m bot ask --json`` object."""

    question: str
    language: str
    answered: bool
    results: list[ResultOut]
    suggestions: list[SuggestionOut]
    notices: list[str]
    coverage: Literal["full", "partial", "none"]
    missing: list[str] = Field(description="Topical words of the question the sources lack.")
    searched_for: str


class CitationOut(BaseModel):
    """Where a passage comes from."""

    title: str
    author: str
    publisher: str
    published: str
    kind: str
    url: str
    sources: list[str]


class PassageOut(BaseModel):
    """One whole passage with its citation."""

    passage_id: str
    doc_id: str
    number: int
    heading: str
    language: str
    text: str
    citation: CitationOut


class FeedbackRequest(BaseModel):
    """👍 (1) or 👎 (-1) on an answer from ``/api/ask``."""

    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(
        pattern=r"^[A-Za-z0-9_-]{1,64}$", description="The X-Answer-Id header of the answer."
    )
    value: Literal[1, -1]


class FeedbackOut(BaseModel):
    """The vote was taken."""

    recorded: bool


class HealthOut(BaseModel):
    """The service is up."""

    status: str
    documents: int
    index_version: str


class ErrorOut(BaseModel):
    """Every error: a short code and a sentence for people."""

    error: str
    message: str


def error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    """Return the API's error body with ``status``."""
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _client(request: Request) -> Client:
    """An API caller: its browser id if it sends the page's cookie, else only its address."""
    address = request.client.host if request.client else "unknown"
    known = parse_browser_id(request.cookies.get(COOKIE))
    return Client(known or 0, address, known is not None)


_ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (413, "The body is too large."),
        (422, "Empty question, invalid body, or an identity number in the question."),
        (429, "Too many questions; see Retry-After."),
    )
}


@router.post(
    "/api/ask",
    response_model=AnswerOut,
    responses=_ERRORS,
    summary="Answer a question with cited excerpts",
)
async def api_ask(body: AskRequest, request: Request) -> JSONResponse:
    """Answer one question: exactly the ``python -m bot ask --json`` object.

    The ``X-Answer-Id`` response header is the key for ``/api/feedback``.
    """
    state = _state(request)
    interface = body.lang or state.settings.default_language
    outcome = await ask(
        state, body.question, _client(request), language=body.lang, interface=interface
    )
    if not isinstance(outcome, Asked):
        headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else {}
        return error(outcome.status, outcome.code, outcome.message, **headers)
    return JSONResponse(answer_json(outcome.entry.answer), headers={"X-Answer-Id": outcome.key})


@router.get(
    "/api/passages/{passage_id:path}",
    response_model=PassageOut,
    responses={404: {"model": ErrorOut, "description": "No such passage."}},
    summary="One whole passage with its citation",
)
async def api_passage(passage_id: str, request: Request) -> JSONResponse:
    """Return the passage ``<doc-id>#<n>`` (write ``#`` as ``%23``) and where it comes from."""
    service = _state(request).service
    passage = service.passage(passage_id)
    document = service.document(passage.doc_id) if passage else None
    if passage is None or document is None:
        return error(404, "not_found", f"no passage with id {passage_id!r}")
    return JSONResponse(
        {
            "passage_id": passage.id,
            "doc_id": passage.doc_id,
            "number": passage.number,
            "heading": passage.heading,
            "language": passage.language,
            "text": passage.text,
            "citation": {
                "title": document.title,
                "author": document.author,
                "publisher": document.publisher,
                "published": document.published,
                "kind": document.kind,
                "url": document.url,
                "sources": list(passage.sources),
            },
        }
    )


@router.post(
    "/api/feedback",
    response_model=FeedbackOut,
    responses={404: {"model": ErrorOut, "description": "The answer has expired."}},
    summary="Record 👍 or 👎 on an answer",
)
async def api_feedback(body: FeedbackRequest, request: Request) -> JSONResponse:
    """Record a vote on an answer, as the Telegram buttons do (one vote per client)."""
    state = _state(request)
    entry = state.answers.get(body.answer_id)
    if entry is None:
        return error(404, "expired", "this answer has expired; ask the question again")
    await record_feedback(state, entry, _client(request).user_id, body.value)
    return JSONResponse({"recorded": True})


@router.get("/healthz", response_model=HealthOut, summary="Liveness and the index version")
async def healthz(request: Request) -> JSONResponse:
    """Say the service is up, with its document count and index version."""
    service = _state(request).service
    return JSONResponse(
        {
            "status": "ok",
            "documents": len(service.documents),
            "index_version": service.version,
        }
    )
