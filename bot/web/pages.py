"""The chat page: plain form posts that render server-side, and the fragments the script swaps in.

Without JavaScript every form posts and gets the whole page back. The page's script posts
the same forms with an ``X-Fragment: 1`` header and gets only the piece that changed: a new
answer, the next results, or the feedback form with its thanks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bot.store import redact
from bot.web.core import (
    COOKIE,
    Asked,
    Client,
    WebState,
    ask,
    new_browser_id,
    parse_browser_id,
    record_feedback,
)
from bot.web.render import (
    AnswerView,
    MessageView,
    answer_view,
    examples,
    fragment,
    page_results,
    render,
)
from bot.web.texts import negotiate, supported, text

router = APIRouter(include_in_schema=False)

MAX_FIELDS = 8
"""Form fields accepted in one post (our forms have at most five)."""
MAX_PAGES = 100


@dataclass(frozen=True)
class Visitor:
    """The client of a page request and whether it still needs its cookie."""

    client: Client
    browser_id: int
    new: bool


class BadForm(Exception):
    """The post is not a form of ours (wrong type, not UTF-8, too many fields, foreign origin)."""


def state_of(request: Request) -> WebState:
    """Return the app's shared state."""
    state: WebState = request.app.state.web
    return state


def visitor(request: Request) -> Visitor:
    """Identify a page visitor by the browser-id cookie, issuing a new id when there is none."""
    address = request.client.host if request.client else "unknown"
    known = parse_browser_id(request.cookies.get(COOKIE))
    browser_id = known if known is not None else new_browser_id()
    return Visitor(Client(browser_id, address, known is not None), browser_id, known is None)


def interface_language(request: Request, chosen: str | None = None) -> str:
    """Pick the page language: the form's or ``?lang=``, else the browser's, else the default."""
    picked = supported(chosen) or supported(request.query_params.get("lang"))
    if picked:
        return picked
    default = state_of(request).settings.default_language
    return negotiate(request.headers.get("accept-language", ""), default)


async def read_form(request: Request) -> dict[str, str]:
    """Parse an ``application/x-www-form-urlencoded`` post from this site.

    Raises:
        BadForm: When it is anything else.
    """
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise BadForm("the form was posted from another site")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise BadForm("expected a form post (application/x-www-form-urlencoded)")
    try:
        body = (await request.body()).decode("utf-8")
        return dict(parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except (UnicodeDecodeError, ValueError):
        raise BadForm("the form could not be read") from None


def _fragment_wanted(request: Request) -> bool:
    return request.headers.get("x-fragment") == "1"


def _respond(
    request: Request, body: str, visit: Visitor | None, status: int = 200
) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status, headers={"vary": "X-Fragment"})
    if visit is not None and visit.new:
        days = state_of(request).settings.retention_days
        response.set_cookie(
            COOKIE,
            str(visit.browser_id),
            max_age=days * 24 * 60 * 60,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def page(
    request: Request,
    visit: Visitor | None,
    ui: str,
    *,
    answer: AnswerView | None = None,
    message: MessageView | None = None,
    error: str = "",
    prefill: str = "",
    status: int = 200,
) -> HTMLResponse:
    """Render the whole page."""
    state = state_of(request)
    body = render(
        "page.html",
        ui=ui,
        answer=answer,
        message=message,
        error=error,
        prefill=prefill,
        status="",
        examples=() if answer or message else examples(state.service.topics, ui),
        retention_days=state.settings.retention_days,
        browser_id=visit.browser_id if visit else None,
        asset_version=request.app.state.asset_version,
    )
    return _respond(request, body, visit, status)


def _refused_form(request: Request, exc: BadForm) -> HTMLResponse:
    ui = interface_language(request)
    message = MessageView(ui, "", str(exc))
    if _fragment_wanted(request):
        return _respond(request, fragment("message", message), None, 400)
    return page(request, None, ui, message=message, status=400)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    """Show the empty chat page with example questions."""
    visit = visitor(request)
    return page(request, visit, interface_language(request))


@router.post("/", response_class=HTMLResponse)
async def ask_page(request: Request) -> Response:
    """Answer a question posted from the page's form."""
    try:
        form = await read_form(request)
    except BadForm as exc:
        return _refused_form(request, exc)
    visit = visitor(request)
    ui = interface_language(request, form.get("lang"))
    question = form.get("q", "")
    wants_fragment = _fragment_wanted(request)
    if not question.strip():
        if wants_fragment:
            return _respond(
                request, fragment("message", MessageView(ui, "", text(ui, "empty"))), visit, 422
            )
        return page(request, visit, ui, error=text(ui, "empty"), status=422)
    outcome = await ask(state_of(request), question, visit.client, language=None, interface=ui)
    if isinstance(outcome, Asked):
        view = answer_view(outcome.entry.answer, outcome.key, ui)
        if wants_fragment:
            return _respond(request, fragment("answer", view), visit)
        return page(request, visit, ui, answer=view)
    # Echo the question masked: the page must not show a personnummer back either.
    shown = " ".join(redact(question[:600]).text.split())[:300]
    message = MessageView(outcome.language, shown, outcome.message)
    status = outcome.status if outcome.code != "personal_case" else 200
    if wants_fragment:
        return _respond(request, fragment("message", message), visit, status)
    return page(request, visit, ui, message=message, status=status)


def _expired(request: Request, visit: Visitor, ui: str) -> HTMLResponse:
    message = MessageView(ui, "", text(ui, "expired"))
    if _fragment_wanted(request):
        return _respond(request, fragment("message", message), visit, 410)
    return page(request, visit, ui, message=message, status=410)


def _number(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else default


@router.post("/more", response_class=HTMLResponse)
async def more_page(request: Request) -> Response:
    """Show the next page of results of a recent answer (no new search)."""
    try:
        form = await read_form(request)
    except BadForm as exc:
        return _refused_form(request, exc)
    visit = visitor(request)
    ui = interface_language(request, form.get("lang"))
    key = form.get("answer", "")
    entry = state_of(request).answers.get(key)
    if entry is None:
        return _expired(request, visit, ui)
    answer = entry.answer
    page_number = min(_number(form.get("page"), 1), MAX_PAGES)
    voted = entry.feedback.get(visit.client.user_id, 0)
    view = answer_view(answer, key, ui, pages=page_number + 1, voted=voted)
    if not _fragment_wanted(request):
        return page(request, visit, ui, answer=view)
    body = fragment("more_results", page_results(answer, key, page_number), view)
    return _respond(request, body, visit)


@router.post("/feedback", response_class=HTMLResponse)
async def feedback_page(request: Request) -> Response:
    """Record 👍 or 👎 on a recent answer and say thank you."""
    try:
        form = await read_form(request)
    except BadForm as exc:
        return _refused_form(request, exc)
    visit = visitor(request)
    ui = interface_language(request, form.get("lang"))
    key = form.get("answer", "")
    state = state_of(request)
    entry = state.answers.get(key)
    vote = {"up": 1, "down": -1}.get(form.get("vote", ""))
    if entry is None:
        return _expired(request, visit, ui)
    if vote is not None:
        await record_feedback(state, entry, visit.client.user_id, vote)
    answer = entry.answer
    shown = _number(form.get("shown"), answer.page_size)
    pages = max(1, min(MAX_PAGES, math.ceil(shown / answer.page_size)))
    view = answer_view(answer, key, ui, pages=pages, voted=vote or 0)
    if _fragment_wanted(request):
        return _respond(request, fragment("feedback", view), visit)
    return page(request, visit, ui, answer=view)
