"""The real ``python -m bot run`` process against a fake Bot API, for the end-to-end tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.fakebotapi import FakeBotApi, FakeBotApiServer, SentMessage, check_telegram_html
from tests.telegram.helpers import KNOWLEDGE

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class BotProcess:
    """The bot process plus the fake it talks to, with bounded waits."""

    def __init__(self, server: FakeBotApiServer, log: Path) -> None:
        self.server = server
        self.api: FakeBotApi = server.api
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, tmp_path: Path, **extra_env: str) -> None:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.upper().endswith("_PROXY") and not key.startswith(("TELEGRAM_", "BOT_"))
        }
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=self.server.base_url,
            NO_PROXY="127.0.0.1,localhost",
            BOT_DATA_DIR=str(tmp_path / "data"),
            BOT_CONFIG=str(tmp_path / "no-bot.yaml"),
            KNOWLEDGE_DIR=str(KNOWLEDGE),
            LOG_LEVEL="DEBUG",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env)
        with self.log.open("wb") as sink:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stdout=sink, stderr=sink
            )

    async def until(self, predicate: Callable[[FakeBotApi], Any], what: str, timeout: float = 10):
        try:
            return await self.server.wait_for(predicate, timeout=timeout)
        except TimeoutError:
            status = self.process.returncode if self.process else None
            tail = self.log.read_text(errors="replace")[-3000:]
            raise AssertionError(
                f"timed out waiting for {what} (exit {status}):\n{tail}"
            ) from None

    async def messages(self, chat_id: int, count: int, what: str) -> list[SentMessage]:
        await self.until(lambda api: len(api.messages_to(chat_id)) >= count, what)
        messages = self.api.messages_to(chat_id)
        for message in messages:
            assert check_telegram_html(message.text) is None, message.text
            assert len(message.visible_text) <= 4096
        return messages

    async def press(
        self, data: str, message: SentMessage, user_id: int | None = None
    ) -> dict[str, Any]:
        update = self.api.user_presses(
            data,
            message_id=message.message_id,
            chat_id=message.chat_id,
            user_id=user_id if user_id is not None else message.chat_id,
        )
        query_id = update["callback_query"]["id"]
        await self.until(lambda api: query_id in api.callback_answers, f"answer to {data}")
        return self.api.callback_answers[query_id]

    async def edited(self, message: SentMessage, edits: int, what: str) -> SentMessage:
        """Wait until a message has been edited ``edits`` times in all; return it."""

        def current(api: FakeBotApi) -> SentMessage | None:
            found = api.message(message.chat_id, message.message_id)
            return found if found is not None and found.edits >= edits else None

        return await self.until(current, what)

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=15)
