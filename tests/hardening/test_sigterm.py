"""SIGTERM during a burst: no accepted question is lost, none is answered twice.

The real ``python -m bot run`` process polls a :class:`FakeBotApiServer` on 127.0.0.1. A burst
of questions arrives, SIGTERM comes right after the first answers while more questions keep
arriving, and a second process then starts on the same fake. Updates the first process
confirmed (by the offset of its last getUpdates) it must have answered; the others stay queued
in the fake and go to the second process. Across both runs every question gets exactly one
answer and one row in the question log.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.fakebotapi import FakeBotApi, FakeBotApiServer
from tests.hardening.helpers import Ledger, replies
from tests.telegram.helpers import KNOWLEDGE, RESERVED_QUESTION, UNKNOWN_QUESTION

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
USERS = list(range(5001, 5031))
"""Thirty users, one question each (so the per-user rate limit never interferes)."""
BEFORE_SIGTERM = 12
"""Questions queued before the first answer; the rest arrive during the shutdown."""


async def start_bot(server: FakeBotApiServer, data: Path, log: Path) -> asyncio.subprocess.Process:
    """Start ``python -m bot run`` against the fake; output goes to ``log``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.upper().endswith("_PROXY") and not key.startswith(("TELEGRAM_", "BOT_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=server.api.token,
        TELEGRAM_BASE_URL=server.base_url,
        NO_PROXY="127.0.0.1,localhost",
        BOT_DATA_DIR=str(data),
        BOT_CONFIG=str(data / "no-bot.yaml"),
        KNOWLEDGE_DIR=str(KNOWLEDGE),
        BOT_QUESTIONS_PER_MINUTE="100",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    with log.open("wb") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdout=sink, stderr=sink
        )


def answered(api: FakeBotApi) -> set[int]:
    return {user for user in USERS if api.messages_to(user)}


async def until(server: FakeBotApiServer, check: object, what: str, log: Path, seconds: float):
    try:
        return await server.wait_for(check, timeout=seconds)  # type: ignore[arg-type]
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}:\n{tail(log)}") from None


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def test_sigterm_during_a_burst_loses_no_question(tmp_path: Path, ledger: Ledger):
    data = tmp_path / "data"
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    async with asyncio.timeout(40), FakeBotApiServer(max_poll_seconds=1.0) as server:
        api = server.api
        first = await start_bot(server, data, first_log)
        await until(server, lambda a: a.calls_to("getUpdates"), "polling", first_log, 20)

        for index, user in enumerate(USERS[:BEFORE_SIGTERM]):
            api.user_says(UNKNOWN_QUESTION if index % 5 == 4 else RESERVED_QUESTION, user_id=user)
        await until(server, lambda a: answered(a), "the first answer", first_log, 15)
        first.send_signal(signal.SIGTERM)
        for user in USERS[BEFORE_SIGTERM:]:
            api.user_says(RESERVED_QUESTION, user_id=user)
            await asyncio.sleep(0.01)
        first_code = await asyncio.wait_for(first.wait(), timeout=15)
        by_first = answered(api)

        second = await start_bot(server, data, second_log)
        await until(
            server, lambda a: len(answered(a)) == len(USERS), "every answer", second_log, 20
        )
        await asyncio.sleep(0.5)  # a duplicate would arrive now
        second.send_signal(signal.SIGTERM)
        second_code = await asyncio.wait_for(second.wait(), timeout=15)

    counts = [len(replies(api, user)) for user in USERS]
    lost = counts.count(0)
    ledger.burst(len(USERS), lost)
    assert lost == 0
    assert counts == [1] * len(USERS)
    assert (first_code, second_code) == (0, 0), tail(first_log) + tail(second_log)
    assert 0 < len(by_first) <= len(USERS)
    assert "Traceback" not in first_log.read_text() + second_log.read_text()
    with sqlite3.connect(data / "questions.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] == len(USERS)
    ledger.fault(
        f"SIGTERM during a burst ({len(by_first)} answered before exit, "
        f"{len(USERS) - len(by_first)} redelivered to the next process)"
    )
