"""End to end: the real ``python -m bot run`` process against a fake Bot API on 127.0.0.1.

Two runs: long polling (the default) and a webhook, to which the fake delivers updates by
POST as Telegram does. Each drives a conversation through real HTTP; SIGTERM ends it. In
polling mode the final ``getUpdates(offset=last+1, timeout=0)`` proves a clean stop.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.fakebotapi import FakeBotApiServer
from tests.fakebotapi.core import DEFAULT_GROUP_ID
from tests.telegram.helpers import RESERVED_QUESTION, UNKNOWN_QUESTION, button_data, buttons
from tests.telegram.process import TOKEN, BotProcess, free_port

pytestmark = pytest.mark.e2e

ALICE = 1001
BURST = (
    UNKNOWN_QUESTION,
    RESERVED_QUESTION,
    "Vad är ett idéburet offentligt partnerskap?",
    "Hvad er samskabelse med frivillige foreninger?",
    "Hur länge får ett reserverat kontrakt löpa?",
)


async def test_real_bot_process_answers_a_whole_conversation(tmp_path: Path):
    async with FakeBotApiServer(max_poll_seconds=2.0) as server:
        bot = BotProcess(server, tmp_path / "bot.log")
        api = bot.api
        api.fail_next("sendMessage", status=429, retry_after=1)  # flood control on the first send
        await bot.start(tmp_path)
        try:
            await bot.until(lambda a: len(a.calls_to("setMyCommands")) >= 8, "command menus", 30)
            await bot.until(lambda a: a.calls_to("getUpdates"), "the first getUpdates")
            await conversation(bot)
            await phone(bot, user=5000)
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
    assert [c.params["scope"]["type"] for c in api.calls_to("setMyCommands")][:2] == [
        "all_private_chats",
        "all_group_chats",
    ]
    assert len(api.calls_to("setMyDescription")) == 4
    assert len(api.calls_to("setMyShortDescription")) == 4

    # Questions and ALICE's 👍 went into the question log; user 5000 forgot theirs.
    with sqlite3.connect(tmp_path / "data" / "questions.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] >= 24
        assert db.execute("SELECT value, comment FROM feedback").fetchall() == [(1, "")]
    assert_journal_done(tmp_path)


async def test_real_bot_process_in_webhook_mode(tmp_path: Path):
    port = free_port()
    async with FakeBotApiServer(max_poll_seconds=2.0) as server:
        server.route_webhook("https://bot.example", f"http://127.0.0.1:{port}")
        bot = BotProcess(server, tmp_path / "bot.log")
        api = bot.api
        await bot.start(
            tmp_path,
            TELEGRAM_WEBHOOK_URL="https://bot.example/telegram/hook",
            BOT_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        )
        try:
            await bot.until(lambda a: a.webhook_url, "setWebhook", 30)
            health = await healthz(port)
            assert health["ok"] is True
            assert health["index"].startswith("4 documents, index ")
            api.user_says("/start")
            (welcome,) = await bot.messages(ALICE, 1, "the welcome")
            assert button_data(welcome, "t:")
            await phone(bot, user=ALICE)
            await phone(bot, user=5000)
            # A request without Telegram's secret is refused and never handled.
            async with httpx.AsyncClient(trust_env=False) as client:
                forged = await client.post(
                    f"http://127.0.0.1:{port}/telegram/hook",
                    json=api.updates[0],
                    headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
                )
            assert forged.status_code == 403
        finally:
            code = await bot.stop()
    log = bot.log.read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert api.calls_to("getUpdates") == []
    (set_webhook,) = api.calls_to("setWebhook")
    assert set_webhook.params["url"] == "https://bot.example/telegram/hook"
    assert len(set_webhook.params["secret_token"]) >= 32
    assert set_webhook.params["secret_token"] not in log
    assert api.webhook_deliveries == [update["update_id"] for update in api.updates]
    assert "Receiving updates by webhook on 127.0.0.1" in log
    assert_journal_done(tmp_path)


async def healthz(port: int) -> dict:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def assert_journal_done(tmp_path: Path) -> None:
    """Every update the bot received is recorded and marked done (nothing left to replay)."""
    with sqlite3.connect(tmp_path / "data" / "updates.sqlite3") as db:
        states = dict(db.execute("SELECT state, count(*) FROM updates GROUP BY state"))
    assert set(states) == {"done"}, states


async def conversation(bot: BotProcess) -> None:
    api = bot.api

    # /start, whose reply meets a 429 first and is retried, never dropped.
    api.user_says("/start")
    (welcome,) = await bot.messages(ALICE, 1, "the welcome")
    assert button_data(welcome, "t:")
    sends = api.calls_to("sendMessage")
    assert len(sends) == 2
    assert sends[0].params["text"] == sends[1].params["text"]

    # A Swedish question answered with cited HTML, as a reply to the question.
    question = api.user_says(RESERVED_QUESTION)
    answer = (await bot.messages(ALICE, 2, "the answer"))[1]
    assert answer.reply_to_message_id == question["message"]["message_id"]
    assert answer.visible_text.startswith("Ur källorna (3 dokument · sida 1/3):")
    assert "<blockquote expandable>" in answer.text
    assert "\n[1] " in answer.visible_text

    # 'more' turns the same message to page two; 'full' shows the passage; 👍 shows.
    await bot.press(button_data(answer, "p:")[0], answer)
    more = await bot.edited(answer, 1, "page two")
    assert more.visible_text.startswith("Ur källorna (3 dokument · sida 2/3):")
    assert "\n[4] " in more.visible_text
    await bot.press(button_data(more, "f:")[0], more)
    full = (await bot.messages(ALICE, 3, "the full passage"))[2]
    assert "<blockquote>" in full.text
    assert "\n[4] " in full.visible_text
    thanks = await bot.press(button_data(more, "fb:")[0], more)
    assert thanks["text"] == "Tack! 👍 är sparad. Tryck på den andra för att ändra."
    voted = await bot.edited(answer, 2, "the vote on the keyboard")
    assert [b["text"] for b in buttons(voted)][3:5] == ["👍 ✓", "👎"]

    # Inline mode.
    inline = api.inline_query("IOP")
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


async def phone(bot: BotProcess, user: int) -> None:
    """Order under a burst, reply-to, paging in place, 👎 with a note, /privacy, /forget."""
    api = bot.api
    before = len(api.messages_to(user))

    # Five questions at once in one chat: five answers, in the order asked.
    asked = [api.user_says(question, user_id=user)["message"]["message_id"] for question in BURST]
    answers = (await bot.messages(user, before + 5, "five answers in one chat"))[before:]
    assert [a.reply_to_message_id for a in answers] == asked
    assert answers[0].visible_text.startswith("Jag hittade inget")
    assert answers[3].visible_text.startswith("Fra kilderne")

    # Paging flips the answer in place, both ways.
    answer = answers[1]
    await bot.press(button_data(answer, "p:")[0], answer)
    page_two = await bot.edited(answer, 1, "page two in place")
    assert "sida 2/3" in page_two.visible_text
    await bot.press(button_data(page_two, "p:")[0], page_two)  # ◂ back
    page_one = await bot.edited(answer, 2, "page one again")
    assert page_one.visible_text == answer.visible_text

    # 👎 shows on the keyboard and asks what was missing; the reply is kept.
    await bot.press(button_data(page_one, "fb:")[1], page_one)
    prompt = (await bot.messages(user, before + 6, "what was missing"))[-1]
    assert prompt.visible_text.startswith("Vad saknades?")
    voted = await bot.edited(answer, 3, "the 👎 on the keyboard")
    assert [b["text"] for b in buttons(voted)][3:5] == ["👍", "👎 ✓"]
    api.user_says("Avtalstiden", user_id=user, reply_to_bot_message_id=prompt.message_id)
    saved = (await bot.messages(user, before + 7, "the note kept"))[-1]
    assert saved.visible_text == "Tack! Det är sparat med din 👎."

    # /privacy, then /forget confirmed with its button.
    api.user_says("/privacy", user_id=user)
    privacy = (await bot.messages(user, before + 8, "the privacy text"))[-1]
    assert "90 dagar" in privacy.visible_text
    api.user_says("/forget", user_id=user)
    confirm = (await bot.messages(user, before + 9, "the /forget question"))[-1]
    assert button_data(confirm, "x:") == [f"x:{user}:y", f"x:{user}:n"]
    await bot.press(f"x:{user}:y", confirm)
    done = await bot.edited(confirm, 1, "the /forget answer")
    assert done.visible_text.startswith("Klart. 6 sparade frågor och röster är raderade")
