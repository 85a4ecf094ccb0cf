"""kill -9 during a burst of questions, then a restart: count what was lost or sent twice.

One run: ``python -m bot run`` polls a :class:`FakeBotApiServer` on 127.0.0.1 with a fresh
data folder; ``burst`` users each ask one question, 5 ms apart; at a moment drawn uniformly
from the first ``window`` seconds after the first question (the burst takes about that long
to answer), the process gets SIGKILL. A second process then starts on the same data folder
and fake and runs until every user has an answer (or ``patience`` seconds pass), plus a grace
period for duplicates, and is stopped with SIGTERM.

Shared by ``tests/hardening/test_kill.py`` (a few runs) and ``scripts/kill_test.py`` (many).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.fakebotapi import FakeBotApi, FakeBotApiServer
from tests.telegram.helpers import KNOWLEDGE, RESERVED_QUESTION, UNKNOWN_QUESTION

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class KillRun:
    """The outcome of one kill -9 run."""

    questions: int
    answered_before_kill: int
    lost: int
    """Users who never got an answer."""
    duplicated: int
    """Users who got more than one answer."""
    first_log: str
    second_log: str


async def start_bot(
    server: FakeBotApiServer, data: Path, log: Path, knowledge: Path = KNOWLEDGE
) -> asyncio.subprocess.Process:
    """Start ``python -m bot run`` against the fake; its output goes to ``log``."""
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
        KNOWLEDGE_DIR=str(knowledge),
        BOT_QUESTIONS_PER_MINUTE="1000",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdout=sink, stderr=sink
        )


def answers(api: FakeBotApi, users: list[int]) -> dict[int, int]:
    """Messages the bot sent to each user."""
    return {user: len(api.messages_to(user)) for user in users}


async def kill_run(
    work: Path,
    rng: random.Random,
    *,
    burst: int = 40,
    window: float = 0.6,
    patience: float = 60.0,
    grace: float = 0.7,
) -> KillRun:
    """Do one run in folder ``work`` (created); see the module docstring.

    Raises:
        TimeoutError: When the first process never starts polling.
    """
    work.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (before anything runs)
    data = work / "data"
    first_log, second_log = work / "first.log", work / "second.log"
    users = list(range(6001, 6001 + burst))
    async with FakeBotApiServer(max_poll_seconds=1.0) as server:
        api = server.api
        first = await start_bot(server, data, first_log)
        try:
            await server.wait_for(lambda a: a.calls_to("getUpdates"), timeout=30)
            loop = asyncio.get_running_loop()
            kill_at = loop.time() + rng.uniform(0.0, window)
            for index, user in enumerate(users):
                if loop.time() >= kill_at:
                    break
                question = UNKNOWN_QUESTION if index % 5 == 4 else RESERVED_QUESTION
                api.user_says(question, user_id=user)
                await asyncio.sleep(0.005)
            await asyncio.sleep(max(0.0, kill_at - loop.time()))
        finally:
            if first.returncode is None:
                first.send_signal(signal.SIGKILL)
            await first.wait()
        before = sum(1 for n in answers(api, users).values() if n)
        # Questions the kill cut off before they were sent are sent to the second process.
        asked = {update["message"]["from"]["id"] for update in api.updates if "message" in update}
        for index, user in enumerate(users):
            if user not in asked:
                question = UNKNOWN_QUESTION if index % 5 == 4 else RESERVED_QUESTION
                api.user_says(question, user_id=user)

        second = await start_bot(server, data, second_log)
        try:
            with contextlib.suppress(TimeoutError):
                await server.wait_for(lambda a: all(answers(a, users).values()), timeout=patience)
            await asyncio.sleep(grace)  # a duplicate would arrive now
        finally:
            if second.returncode is None:
                second.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(second.wait(), timeout=15)
            except TimeoutError:
                second.kill()
                await second.wait()
        counts = answers(api, users)
    return KillRun(
        questions=burst,
        answered_before_kill=before,
        lost=sum(1 for n in counts.values() if n == 0),
        duplicated=sum(1 for n in counts.values() if n > 1),
        first_log=first_log.read_text(errors="replace"),
        second_log=second_log.read_text(errors="replace"),
    )
