"""Fixtures for the hardening tests, and the figures they add up to.

Every test here that survives a bad input or a fault records it in :data:`LEDGER`; the
terminal summary prints the totals (bad inputs tried, faults survived, questions lost) so
that each CI run states them.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.answer.compose import AbstainPolicy
from bot.config import Settings
from bot.service import QAService
from bot.telegram.app import App, build_application, post_init, post_shutdown
from tests.fakebotapi import FakeBotApi
from tests.hardening.helpers import ADMIN, LEDGER, Ledger, MakeApp
from tests.telegram.helpers import KNOWLEDGE


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the hardening figures after the test run."""
    if not (LEDGER.bad_inputs or LEDGER.faults or LEDGER.questions or LEDGER.kill_runs):
        return
    surfaces: dict[str, int] = {}
    kinds: dict[str, set[str]] = {"questions": set(), "knowledge folders": set()}
    for surface, case in LEDGER.bad_inputs:
        surfaces[surface] = surfaces.get(surface, 0) + 1
        knowledge = surface.startswith("knowledge") or surface == "telegram reload"
        kinds["knowledge folders" if knowledge else "questions"].add(case)
    inputs = sum(len(cases) for cases in kinds.values())
    per_kind = ", ".join(f"{len(cases)} {kind}" for kind, cases in kinds.items())
    per_surface = ", ".join(f"{surface} {count}" for surface, count in sorted(surfaces.items()))
    terminalreporter.write_sep("-", "hardening figures")
    terminalreporter.write_line(f"bad inputs tried: {inputs} ({per_kind})")
    terminalreporter.write_line(
        f"  handled cleanly {len(LEDGER.bad_inputs)} times across surfaces ({per_surface})"
    )
    terminalreporter.write_line(f"faults survived: {len(LEDGER.faults)}")
    for fault in sorted(LEDGER.faults):
        terminalreporter.write_line(f"  {fault}")
    terminalreporter.write_line(
        f"questions lost: {LEDGER.lost} of {LEDGER.questions} sent through faults"
    )
    if LEDGER.kill_runs:
        terminalreporter.write_line(
            f"kill -9 during a burst, then restart: {LEDGER.kill_runs} runs, "
            f"{LEDGER.kill_questions} questions, lost {LEDGER.kill_lost}, "
            f"answered twice {LEDGER.kill_duplicated}"
        )
    if LEDGER.bad_files:
        terminalreporter.write_line(f"hostile files: {len(LEDGER.bad_files)}")
        for case, outcome in sorted(LEDGER.bad_files.items()):
            terminalreporter.write_line(f"  {case}: {outcome}")


@pytest.fixture
def ledger() -> Ledger:
    return LEDGER


@pytest.fixture(scope="session")
def tg_service() -> QAService:
    """The service over the Telegram fixture knowledge, never abstaining on weak evidence."""
    return QAService.open(KNOWLEDGE, policy=AbstainPolicy.always())


@pytest.fixture
def tg_knowledge(tmp_path: Path) -> Path:
    """A writable copy of the Telegram fixture knowledge (for /reload)."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def fake() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def settings(fake: FakeBotApi, tmp_path: Path) -> Settings:
    return Settings(
        telegram_token=fake.token,
        knowledge_dir=KNOWLEDGE,
        data_dir=tmp_path / "data",
        questions_per_minute=1000,
        admin_ids=frozenset({ADMIN}),
    )


@pytest.fixture
async def make_app(
    fake: FakeBotApi, settings: Settings, tg_service: QAService
) -> AsyncIterator[MakeApp]:
    """Build initialised applications wired to the fake; all are shut down afterwards.

    Keyword arguments override the settings (``admin_ids=…``), or give ``service``,
    ``question_log``, ``request`` or ``get_updates_request`` (PTB requests, e.g. with a
    fault-injecting transport).
    """
    apps: list[App] = []

    async def factory(
        *,
        service: Any = None,
        question_log: Any = None,
        request: Any = None,
        get_updates_request: Any = None,
        **changes: Any,
    ) -> App:
        application = build_application(
            replace(settings, **changes),
            service if service is not None else tg_service,
            request=request if request is not None else fake.make_request(),
            get_updates_request=get_updates_request or fake.make_request(),
            rate_limiter=False,
            question_log=question_log,
            retry_backoff=0.01,
        )
        await application.initialize()
        await post_init(application)
        apps.append(application)
        return application

    yield factory
    for application in apps:
        await post_shutdown(application)
        await application.shutdown()
