"""Fixtures for the Telegram front end: the fake Bot API and an in-process application.

Handler tests run the real PTB Application; every Bot API call goes through
``httpx.MockTransport`` into :class:`tests.fakebotapi.FakeBotApi`, so no socket is opened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.answer.compose import AbstainPolicy
from bot.config import Settings
from bot.service import QAService
from bot.telegram.app import App, build_application, post_init, post_shutdown
from tests.fakebotapi import FakeBotApi
from tests.telegram.helpers import KNOWLEDGE, Feed, RecordingLog


@pytest.fixture(scope="session")
def tg_service() -> QAService:
    """The QA service over the Telegram fixture knowledge.

    The abstention thresholds are zero so that these tests do not depend on their tuning;
    a question without any known word still gets no answer.
    """
    return QAService.open(KNOWLEDGE, policy=AbstainPolicy.always())


@pytest.fixture
def fake() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def settings(fake: FakeBotApi, tmp_path: Path) -> Settings:
    return Settings(
        telegram_token=fake.token,
        knowledge_dir=KNOWLEDGE,
        data_dir=tmp_path / "data",
        questions_per_minute=100,
    )


@pytest.fixture
def question_log() -> RecordingLog | None:
    """No question log by default (feedback goes to JSONL); override to use RecordingLog."""
    return None


@pytest.fixture
async def app(
    fake: FakeBotApi, settings: Settings, tg_service: QAService, question_log: RecordingLog | None
) -> AsyncIterator[App]:
    """An initialised application wired to the fake (post_init run), shut down afterwards."""
    application = build_application(
        settings,
        tg_service,
        request=fake.make_request(),
        get_updates_request=fake.make_request(),
        rate_limiter=False,
        question_log=question_log,
        retry_backoff=0.01,
    )
    async with application:
        await post_init(application)
        yield application
        await post_shutdown(application)


@pytest.fixture
def feed(app: App) -> Feed:
    """Process one update dict (from the fake) through the application."""

    async def process(update: dict[str, Any]) -> None:
        await app.process_update(Update.de_json(update, app.bot))

    return process
