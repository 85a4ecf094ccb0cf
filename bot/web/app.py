"""Wire the web chat: page routes, JSON API, static files, error bodies and security headers."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot.config import Settings
from bot.web import api, pages
from bot.web.core import QuestionLog, Service, WebState
from bot.web.render import MessageView, render
from bot.web.security import MAX_BODY_BYTES, SecurityMiddleware
from bot.web.texts import text

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def asset_version() -> str:
    """Return a short digest of the static files, so browsers fetch them anew after a change."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz" or request.method != "GET"


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for problem in exc.errors()[:5]:
        if problem.get("type") == "json_invalid":
            return "the body is not valid JSON"
        where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
        problems.append(f"{where}: {problem.get('msg', 'invalid')}" if where else problem["msg"])
    return "; ".join(problems) or "invalid request"


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return api.error(422, "invalid_request", _validation_message(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _ERROR_CODES.get(exc.status_code, "error")
    if _wants_json(request):
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return api.error(exc.status_code, code, message.lower())
    ui = pages.interface_language(request)
    body = render(
        "page.html",
        ui=ui,
        answer=None,
        message=MessageView(ui, "", text(ui, "not_found")),
        error="",
        prefill="",
        status="",
        examples=(),
        retention_days=pages.state_of(request).settings.retention_days,
        browser_id=None,
        asset_version=request.app.state.asset_version,
    )
    return HTMLResponse(body, status_code=exc.status_code)


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return api.error(500, "server_error", "something went wrong; please try again in a moment")


def create_app(
    settings: Settings, service: Service, question_log: QuestionLog | None = None
) -> FastAPI:
    """Build the web chat's ASGI app over one service (and question log, when given).

    Args:
        settings: Limits, retention, the default language and ``web_frame_ancestors``.
        service: The question-answering service every channel shares.
        question_log: Where questions and votes are recorded; None records nothing, votes
            included (as in the Telegram channel).

    Returns:
        The app, ready for uvicorn or an in-process test client.
    """
    app = FastAPI(
        title="Samverkansboten",
        summary="Cited answers on idea-driven welfare (IOP, reserved contracts, agreements, "
        "Danish samskabelse).",
        version="1",
        # The interactive docs pages load scripts from a CDN, which the page's CSP forbids;
        # /api lists the endpoints and /openapi.json has the full schema.
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = WebState(settings, service, question_log)
    app.state.asset_version = asset_version()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.add_api_route("/api", _api_page, methods=["GET"], include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(
        SecurityMiddleware,
        frame_ancestors=settings.web_frame_ancestors,
        max_body=MAX_BODY_BYTES,
    )
    return app


def _endpoints(schema: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                }
            )
    return found


async def _api_page(request: Request) -> HTMLResponse:
    """List the JSON endpoints for integrators (the schema is at /openapi.json)."""
    ui = pages.interface_language(request)
    body = render(
        "api.html",
        ui=ui,
        endpoints=_endpoints(request.app.openapi()),
        asset_version=request.app.state.asset_version,
    )
    return HTMLResponse(body)
