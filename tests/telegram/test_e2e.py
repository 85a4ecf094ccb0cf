"""End to end: the real ``python -m bot run`` process against a fake Bot API on 127.0.0.1.

One conversation drives every feature through real HTTP long polling; SIGTERM ends it and
the final ``getUpdates(offset=last+1, timeout=0)`` proves that the bot stopped cleanly.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakebotapi import FakeBotApi, FakeBotApiServer, SentMessage, check_telegram_html
from tests.fakebotapi.core import DEFAULT_GROUP_ID
from tests.telegram.helpers import KNOWLEDGE, RESERVED_QUESTION, button_data

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST"
ALICE = 1001


class Bot:
    """The bot process plus the fake it talks to, with bounded waits."""

    def __init__(self, server: FakeBotApiServer, log: Path) -> None:
        self.server = server
        self.api: FakeBotApi = server.api
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, tmp_path: Path) -> None:
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

    async def press(self, data: str, message: SentMessage) -> dict[str, Any]:
        update = self.api.user_presses(
            data, message_id=message.message_id, chat_id=message.chat_id
        )
        query_id = update["callback_query"]["id"]
        await self.until(lambda api: query_id in api.callback_answers, f"answer to {data}")
        return self.api.callback_answers[query_id]

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=15)


async def test_real_bot_process_answers_a_whole_conversation(tmp_path: Path):
    async with FakeBotApiServer(max_poll_seconds=2.0) as server:
        bot = Bot(server, tmp_path / "bot.log")
        api = bot.api
        api.fail_next("sendMessage", status=429, retry_after=1)  # flood control on the first send
        await bot.start(tmp_path)
        try:
            await bot.until(lambda a: len(a.calls_to("setMyCommands")) >= 4, "command menus", 30)
            await bot.until(lambda a: a.calls_to("getUpdates"), "the first getUpdates")
            await conversation(bot)
        finally:
            code = await bot.stop()
    log = bot.log.read_text(errors="replace")
    assert code == 0, log[-3000:]

    # SIGTERM: the updater confirmed the offset with one last non-blocking getUpdates.
    last_update = api.updates[-1]["update_id"]
    final = api.calls_to("getUpdates")[-1].params
    assert final["offset"] == last_update + 1
    assert final["timeout"] == 0

    assert TOKEN not in log
    assert "TEST/" not in log
    assert "Running as @samverkan_test_bot" in log

    # Questions and the 👍 went into the question log.
    with sqlite3.connect(tmp_path / "data" / "questions.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] >= 24
        assert db.execute("SELECT value FROM feedback").fetchall() == [(1,)]


async def conversation(bot: Bot) -> None:
    api = bot.api

    # /start, whose reply meets a 429 first and is retried, never dropped.
    api.user_says("/start")
    (welcome,) = await bot.messages(ALICE, 1, "the welcome")
    assert button_data(welcome, "t:")
    sends = api.calls_to("sendMessage")
    assert len(sends) == 2
    assert sends[0].params["text"] == sends[1].params["text"]

    # A Swedish question answered with cited HTML.
    api.user_says(RESERVED_QUESTION)
    answer = (await bot.messages(ALICE, 2, "the answer"))[1]
    assert answer.visible_text.startswith("Ur källorna (1–3 av 7):")
    assert "<blockquote expandable>" in answer.text
    assert "\n[1] " in answer.visible_text
    assert any(entity.type == "text_link" for entity in answer.entities)

    # 'more' pages on with stable numbering, 'full' shows the passage, 👍 is thanked.
    await bot.press(button_data(answer, "p:")[0], answer)
    more = (await bot.messages(ALICE, 3, "page two"))[2]
    assert more.visible_text.startswith("Fler svar (4–6 av 7):")
    assert "\n[4] " in more.visible_text
    await bot.press(button_data(answer, "f:")[0], answer)
    full = (await bot.messages(ALICE, 4, "the full passage"))[3]
    assert "<blockquote>" in full.text
    assert "\n[1] " in full.visible_text
    thanks = await bot.press(button_data(answer, "fb:")[0], answer)
    assert thanks["text"] == "Tack för återkopplingen!"

    # Inline mode.
    inline = api.inline_query(RESERVED_QUESTION)
    query_id = inline["inline_query"]["id"]
    await bot.until(lambda a: query_id in a.inline_answers, "the inline answer")
    results = api.inline_answers[query_id]
    assert 1 <= len(results) <= 10
    assert all("<blockquote" in r["input_message_content"]["message_text"] for r in results)

    # Group chatter is ignored, a mention is answered.
    api.user_says(RESERVED_QUESTION, chat_type="group", user_id=3001)
    api.user_says(f"@samverkan_test_bot {RESERVED_QUESTION}", chat_type="group", user_id=3002)
    (group_answer,) = await bot.messages(DEFAULT_GROUP_ID, 1, "the group answer")
    assert group_answer.visible_text.startswith("Ur källorna")

    # A sticker, an 8,000-character question and HTML-looking input.
    api.user_sends_sticker(user_id=3101)
    (sticker_reply,) = await bot.messages(3101, 1, "the sticker reply")
    assert "text" in sticker_reply.visible_text
    api.user_says((RESERVED_QUESTION + " ") * 115, user_id=3102)
    long_reply = await bot.messages(3102, 1, "the long-question answer")
    assert "kortats" in long_reply[0].visible_text
    api.user_says(f"<b>{RESERVED_QUESTION}</b> & <script>x()</script>", user_id=3103)
    (html_reply,) = await bot.messages(3103, 1, "the reply to HTML-looking input")
    assert html_reply.visible_text.startswith(
        ("Ur källorna", "Jag hittade inget", "Källorna säger inget om")
    )
    assert "<script>" not in html_reply.text

    # A burst of 20 users, each answered exactly once.
    burst = range(4000, 4020)
    for user_id in burst:
        api.user_says(RESERVED_QUESTION, user_id=user_id)
    await bot.until(
        lambda a: all(a.messages_to(user_id) for user_id in burst), "20 answers", timeout=20
    )
    await asyncio.sleep(0.5)
    assert [len(api.messages_to(user_id)) for user_id in burst] == [1] * 20
    assert len(api.messages_to(DEFAULT_GROUP_ID)) == 1
    assert api.unanswered_callbacks() == []
