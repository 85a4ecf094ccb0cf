"""Shared fixtures: a small fixed knowledge folder and a service over it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from bot.answer.compose import AbstainPolicy
from bot.service import QAService

# Shared 2-core machines run other jobs too: judge properties, not wall-clock time per example.
settings.register_profile("samverkansboten", deadline=None)
settings.load_profile("samverkansboten")

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fixture_knowledge() -> Path:
    """The read-only fixture knowledge folder."""
    return DATA / "knowledge"


@pytest.fixture
def knowledge_copy(tmp_path: Path, fixture_knowledge: Path) -> Path:
    """A writable copy of the fixture knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(fixture_knowledge, target)
    return target


@pytest.fixture(scope="session")
def service(fixture_knowledge: Path) -> QAService:
    """A service over the fixture knowledge that never abstains (six passages are too few to
    measure specificity; abstention is tested on the bundled knowledge)."""
    return QAService.open(
        fixture_knowledge,
        policy=AbstainPolicy.always(),
    )


@pytest.fixture(scope="session")
def real_service() -> QAService:
    """A service over the bundled knowledge folder."""
    return QAService.open(REPO / "knowledge")
