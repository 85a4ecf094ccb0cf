"""Fixtures for the web chat: the app in-process over the bundled knowledge, with a real log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.service import QAService
from bot.store import LOG_FILENAME, QuestionLog
from bot.web.app import create_app


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private data folder and the default limits."""
    return replace(Settings(), data_dir=tmp_path / "data", hmac_secret="web-test-secret")


@pytest.fixture
def question_log(settings: Settings) -> Iterator[QuestionLog]:
    """A real question log in the test's data folder."""
    log = QuestionLog.open(settings.data_dir / LOG_FILENAME, secret=settings.hmac_secret)
    yield log
    log.close()


@pytest.fixture
async def make_client(settings: Settings, real_service: QAService, question_log: QuestionLog):
    """Build in-process clients for apps over ``service`` (the bundled knowledge by default),
    with ``settings`` changed by keyword."""
    clients: list[httpx.AsyncClient] = []

    def build(service=None, log=question_log, **changes) -> httpx.AsyncClient:
        app = create_app(replace(settings, **changes), service or real_service, log)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        clients.append(client)
        return client

    yield build
    for each in clients:
        await each.aclose()


@pytest.fixture
def client(make_client) -> httpx.AsyncClient:
    """An in-process client for the app with default settings."""
    return make_client()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say loudly, at the end of the run, when the browser tests could not run."""
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        if "BROWSER TESTS SKIPPED" in reason:
            terminalreporter.write_sep("!", reason.removeprefix("Skipped: "), red=True, bold=True)
            return
