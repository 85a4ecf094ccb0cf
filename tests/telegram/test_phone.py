"""The chat as a phone user sees it: order, votes that show, language, privacy, newer texts."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import pytest
from telegram import Update

from bot.answer.compose import AbstainPolicy
from bot.service import QAService
from bot.store import QuestionLog
from bot.telegram.app import App, build_application, post_init, post_shutdown
from tests.fakebotapi import FakeBotApi
from tests.fakebotapi.core import DEFAULT_GROUP_ID
from tests.telegram.helpers import (
    KNOWLEDGE,
    RESERVED_QUESTION,
    UNKNOWN_QUESTION,
    Feed,
    RecordingLog,
    button_data,
    buttons,
    sent,
    state_of,
)

BOT = "@samverkan_test_bot"


async def press(fake: FakeBotApi, feed: Feed, data: str, message_id: int, chat_id: int = 1001):
    update = fake.user_presses(data, message_id=message_id, chat_id=chat_id)
    await feed(update)
    assert fake.unanswered_callbacks() == []
    return fake.callback_answers[update["callback_query"]["id"]]


@pytest.fixture
def question_log() -> RecordingLog:
    return RecordingLog()


# --------------------------------------------------------------------------- order


class _Slow:
    """A service whose answers to some questions take a while."""

    def __init__(self, service: QAService, slow: set[str], seconds: float = 0.4) -> None:
        self._service = service
        self._slow = slow
        self._seconds = seconds

    def __getattr__(self, name: str):
        return getattr(self._service, name)

    def ask(self, question: str, *, language: str | None = None):
        if question in self._slow:
            time.sleep(self._seconds)  # runs in a worker thread, as the real search does
        return self._service.ask(question, language=language)


async def test_answers_in_one_chat_leave_in_the_order_the_questions_came(
    fake: FakeBotApi, app: App
):
    state_of(app).service = _Slow(state_of(app).service, {UNKNOWN_QUESTION})
    updates = [
        fake.user_says(UNKNOWN_QUESTION),
        fake.user_says(RESERVED_QUESTION),
        fake.user_says("Hvad er samskabelse?"),
    ]
    await asyncio.gather(*(app.process_update(Update.de_json(u, app.bot)) for u in updates))
    asked = [u["message"]["message_id"] for u in updates]
    assert [m.reply_to_message_id for m in sent(fake)] == asked
    assert [m.message_id for m in sent(fake)] == sorted(m.message_id for m in sent(fake))


async def test_chats_do_not_wait_for_each_other(fake: FakeBotApi, app: App):
    state_of(app).service = _Slow(state_of(app).service, {UNKNOWN_QUESTION})
    slow = fake.user_says(UNKNOWN_QUESTION, user_id=1001)
    fast = fake.user_says(RESERVED_QUESTION, user_id=2002)
    await asyncio.gather(*(app.process_update(Update.de_json(u, app.bot)) for u in (slow, fast)))
    chats = [call.params["chat_id"] for call in fake.calls_to("sendMessage")]
    assert chats == [2002, 1001]


async def test_the_order_waits_no_longer_than_its_patience():
    from bot.telegram.order import ChatOrder

    order = ChatOrder(patience=0.05)
    first = order.begin(7, 100)
    second = order.begin(7, 101)
    other = order.begin(8, 102)
    assert order.first(first)
    assert order.first(other)
    assert not order.first(second)
    waited = time.monotonic()
    await order.turn(second)  # the first never ends: the second goes after 50 ms anyway
    assert time.monotonic() - waited >= 0.05
    order.end(first)
    assert order.first(second)
    order.end(second)
    order.end(other)
    assert order.pending(7) == ()
    assert order.pending(8) == ()


async def test_a_rate_limit_note_keeps_its_place_in_the_chat(fake: FakeBotApi, app: App):
    state_of(app).limiter.limit = 2
    state_of(app).service = _Slow(state_of(app).service, {RESERVED_QUESTION}, 0.2)
    updates = [fake.user_says(RESERVED_QUESTION) for _ in range(3)]
    await asyncio.gather(*(app.process_update(Update.de_json(u, app.bot)) for u in updates))
    texts = [m.visible_text for m in sent(fake)]
    assert [t.startswith("Ur källorna") for t in texts] == [True, True, False]
    assert "Vänta" in texts[2]


# --------------------------------------------------------------------------- votes


async def test_a_vote_shows_on_the_keyboard_and_a_second_press_changes_it(
    fake: FakeBotApi, feed: Feed, question_log: RecordingLog
):
    await feed(fake.user_says(RESERVED_QUESTION))
    (answer,) = sent(fake)
    up, down = button_data(answer, "fb:")
    reply = await press(fake, feed, up, answer.message_id)
    assert reply["text"] == "Tack! 👍 är sparad. Tryck på den andra för att ändra."
    assert [b["text"] for b in buttons(sent(fake)[0])][3:5] == ["👍 ✓", "👎"]
    again = await press(fake, feed, up, answer.message_id)
    assert again["text"] == "Tack! 👍 är redan sparad."
    await press(fake, feed, down, answer.message_id)
    assert [b["text"] for b in buttons(sent(fake)[0])][3:5] == ["👍", "👎 ✓"]
    assert question_log.feedback == [(1, 1001, 1), (1, 1001, -1)]
    assert len(fake.calls_to("editMessageReplyMarkup")) == 2


async def test_thumbs_down_asks_what_was_missing_and_keeps_the_reply(
    fake: FakeBotApi, feed: Feed, question_log: RecordingLog
):
    await feed(fake.user_says(RESERVED_QUESTION))
    (answer,) = sent(fake)
    await press(fake, feed, button_data(answer, "fb:")[1], answer.message_id)
    prompt = sent(fake)[-1]
    assert prompt.visible_text == (
        "Vad saknades? Svara på det här meddelandet med en rad, så ser redaktionen det."
    )
    assert prompt.reply_to_message_id == answer.message_id
    assert prompt.reply_markup == {"force_reply": True, "selective": True}
    await feed(
        fake.user_says(
            "Vilka tjänster, mejla mig på anna@example.org",
            reply_to_bot_message_id=prompt.message_id,
        )
    )
    assert question_log.comments == [(1, 1001, "Vilka tjänster, mejla mig på anna@example.org")]
    assert sent(fake)[-1].visible_text == "Tack! Det är sparat med din 👎."
    assert len(question_log.questions) == 1  # the reply was not taken for a question
    # A second 👎 on the same answer does not ask again; a later message is a question.
    await press(fake, feed, button_data(answer, "fb:")[0], answer.message_id)
    await press(fake, feed, button_data(answer, "fb:")[1], answer.message_id)
    assert len(sent(fake)) == 3
    await feed(fake.user_says("Vilka tjänster?", reply_to_bot_message_id=prompt.message_id))
    assert len(question_log.questions) == 2


async def test_a_late_reply_to_the_prompt_is_a_new_question(
    fake: FakeBotApi, feed: Feed, app: App, question_log: RecordingLog
):
    await feed(fake.user_says(RESERVED_QUESTION))
    (answer,) = sent(fake)
    await press(fake, feed, button_data(answer, "fb:")[1], answer.message_id)
    prompt = sent(fake)[-1]
    for key, waiting in list(state_of(app).prompts.items()):
        state_of(app).prompts[key] = type(waiting)(waiting.question_id, waiting.user_id, 0.0)
    await feed(fake.user_says(RESERVED_QUESTION, reply_to_bot_message_id=prompt.message_id))
    assert question_log.comments == []
    assert len(question_log.questions) == 2


async def test_in_a_group_the_keyboard_counts_votes_and_the_prompt_names_the_voter(
    fake: FakeBotApi, feed: Feed, question_log: RecordingLog
):
    await feed(fake.user_says(f"{BOT} {RESERVED_QUESTION}", chat_type="group", user_id=3001))
    (answer,) = sent(fake, DEFAULT_GROUP_ID)
    up, down = button_data(answer, "fb:")
    for user_id, data in ((3001, up), (3002, up), (3003, down)):
        update = fake.user_presses(
            data, message_id=answer.message_id, chat_id=DEFAULT_GROUP_ID, user_id=user_id
        )
        await feed(update)
    assert [b["text"] for b in buttons(sent(fake, DEFAULT_GROUP_ID)[0])][3:5] == ["👍 2", "👎 1"]
    prompt = sent(fake, DEFAULT_GROUP_ID)[-1]
    assert '<a href="tg://user?id=3003">' in prompt.text
    await feed(
        fake.user_says(
            "Avtalstiden",
            chat_type="group",
            user_id=3002,
            reply_to_bot_message_id=prompt.message_id,
        )
    )
    assert question_log.comments == []  # only the voter's reply counts
    await feed(
        fake.user_says(
            "Avtalstiden",
            chat_type="group",
            user_id=3003,
            reply_to_bot_message_id=prompt.message_id,
        )
    )
    assert question_log.comments == [(1, 3003, "Avtalstiden")]


# --------------------------------------------------------------------------- language


async def test_a_group_language_choice_holds_for_everyone_in_the_group(
    fake: FakeBotApi, feed: Feed, question_log: RecordingLog
):
    await feed(fake.user_says("/lang@samverkan_test_bot en", chat_type="group"))
    assert sent(fake, DEFAULT_GROUP_ID)[-1].visible_text == (
        "The group now gets buttons and messages in English."
    )
    for user_id, code in ((3001, "sv"), (3002, "da")):
        await feed(
            fake.user_says(
                f"/ask {RESERVED_QUESTION}",
                chat_type="group",
                user_id=user_id,
                language_code=code,
            )
        )
        assert sent(fake, DEFAULT_GROUP_ID)[-1].visible_text.startswith("From the sources")
    assert question_log.preferences == {f"c:key{DEFAULT_GROUP_ID}": "en"}
    await feed(fake.user_says(RESERVED_QUESTION, user_id=3001))  # privately: the question's
    assert sent(fake, 3001)[-1].visible_text.startswith("Ur källorna")


async def test_a_language_choice_survives_a_restart(
    fake: FakeBotApi, settings, tg_service: QAService, tmp_path: Path
):
    async def run(*updates: dict) -> None:
        log = QuestionLog.open(tmp_path / "data" / "questions.sqlite3", secret="s")
        application = build_application(
            settings,
            tg_service,
            request=fake.make_request(),
            get_updates_request=fake.make_request(),
            rate_limiter=False,
            question_log=log,
        )
        async with application:
            await post_init(application)
            for update in updates:
                await application.process_update(Update.de_json(update, application.bot))
            await post_shutdown(application)

    await run(fake.user_says("/lang da"))
    await run(fake.user_says("/help"), fake.user_says("IOP"))
    help_message, answer = sent(fake)[-2:]
    assert help_message.visible_text.startswith("Sådan bruger du")
    assert answer.visible_text.startswith("Fra kilderne")


# --------------------------------------------------------------------------- privacy


async def test_privacy_says_what_is_stored_and_for_how_long(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/privacy"))
    (message,) = sent(fake)
    assert message.visible_text.startswith("Vad Samverkansboten sparar")
    assert "efter 90 dagar" in message.visible_text
    assert "/forget" in message.visible_text


async def test_forget_deletes_a_users_questions_votes_and_choice_after_confirming(
    fake: FakeBotApi, feed: Feed, app: App, question_log: RecordingLog
):
    await feed(fake.user_says("/lang en"))
    await feed(fake.user_says(RESERVED_QUESTION))
    answer = sent(fake)[-1]
    await press(fake, feed, button_data(answer, "fb:")[0], answer.message_id)
    await feed(fake.user_says(RESERVED_QUESTION, user_id=2002))
    await feed(fake.user_says("/forget"))
    confirm = sent(fake)[-1]
    assert confirm.visible_text.startswith("Delete all your stored questions")
    assert button_data(confirm, "x:") == ["x:1001:y", "x:1001:n"]
    stranger = fake.user_presses(
        "x:1001:y", message_id=confirm.message_id, chat_id=1001, user_id=2002
    )
    await feed(stranger)
    assert question_log.forgotten == []
    assert fake.callback_answers[stranger["callback_query"]["id"]]["text"] == (
        "Bara den som skrev /forget kan trycka här."
    )
    await press(fake, feed, "x:1001:y", confirm.message_id)
    assert question_log.forgotten == [1001]
    assert sent(fake)[-1].visible_text == (
        "Done. 2 stored questions and votes are deleted, and your language choice."
    )
    assert [q["user_id"] for q in question_log.questions] == [2002]
    assert question_log.preferences == {}
    # The buttons under the forgotten answer no longer know it.
    expired = await press(fake, feed, button_data(answer, "f:")[0], answer.message_id)
    assert expired["text"] == "Den här knappen gäller inte längre. Ställ frågan igen, tack!"


async def test_forget_can_be_cancelled_and_is_private_only(
    fake: FakeBotApi, feed: Feed, question_log: RecordingLog
):
    await feed(fake.user_says("/forget"))
    confirm = sent(fake)[-1]
    await press(fake, feed, "x:1001:n", confirm.message_id)
    assert sent(fake)[-1].visible_text == "Inget raderades."
    assert question_log.forgotten == []
    await feed(fake.user_says("/forget", chat_type="group"))
    assert sent(fake, DEFAULT_GROUP_ID)[-1].visible_text.startswith("Skriv /forget i en privat")


async def test_forget_with_the_real_log_deletes_every_row_of_the_user(
    fake: FakeBotApi, settings, tg_service: QAService, tmp_path: Path
):
    log = QuestionLog.open(tmp_path / "q.sqlite3", secret="s")
    application = build_application(
        settings,
        tg_service,
        request=fake.make_request(),
        get_updates_request=fake.make_request(),
        rate_limiter=False,
        question_log=log,
    )
    async with application:
        await post_init(application)

        async def feed(update: dict) -> None:
            await application.process_update(Update.de_json(update, application.bot))

        await feed(fake.user_says("/lang da"))
        await feed(fake.user_says(RESERVED_QUESTION))
        answer = sent(fake)[-1]
        await feed(
            fake.user_presses(
                button_data(answer, "fb:")[1], message_id=answer.message_id, chat_id=1001
            )
        )
        prompt = sent(fake)[-1]
        await feed(fake.user_says("Tidsgränsen", reply_to_bot_message_id=prompt.message_id))
        assert log.count_questions() == 1
        await feed(fake.user_says("/forget"))
        await feed(
            fake.user_presses("x:1001:y", message_id=sent(fake)[-1].message_id, chat_id=1001)
        )
        assert sent(fake)[-1].visible_text.startswith("Færdig. 2 gemte")
        assert log.count_questions() == 0
        assert log.languages() == {}
        await post_shutdown(application)


async def test_whoami_tells_the_user_and_chat_ids(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/whoami", user_id=4242))
    assert sent(fake, 4242)[0].visible_text == "Ditt användar-id: 4242\nDen här chattens id: 4242"


# --------------------------------------------------------------------------- personal cases


async def test_a_personal_case_without_a_number_gets_the_pointer_and_is_not_stored(
    fake: FakeBotApi, feed: Feed, question_log: RecordingLog
):
    await feed(fake.user_says("Min son behöver stödboende, kan ni hjälpa oss att få plats?"))
    (reply,) = sent(fake)
    assert reply.visible_text.startswith("Jag kan inte hjälpa till med enskilda personärenden.")
    assert "socialtjänsten" in reply.visible_text
    assert "numret" not in reply.visible_text
    assert question_log.questions == []


# --------------------------------------------------------------------------- newer texts


@pytest.fixture
def dated_app_knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    (folder / "legal_changes.yaml").write_text(
        """changes:
  - id: reserved-2023
    date: 2023-01-01
    terms: ["reserverade kontrakt"]
    see: reserverade-guide
    short:
      sv: "sedan 2023 gäller nya regler."
    note:
      sv: "Kan vara inaktuellt: sedan 1 januari 2023 gäller 19 kap. 25 a § LOU."
      da: "Kan være forældet: siden 1. januar 2023."
      en: "May be outdated: since 1 January 2023."
""",
        encoding="utf-8",
    )
    return folder


async def test_an_old_quote_gets_a_short_note_and_a_button_to_the_newer_text(
    fake: FakeBotApi, settings, dated_app_knowledge: Path
):
    service = QAService.open(dated_app_knowledge, policy=AbstainPolicy.always())
    application = build_application(
        settings,
        service,
        request=fake.make_request(),
        get_updates_request=fake.make_request(),
        rate_limiter=False,
    )
    async with application:
        await post_init(application)

        async def feed(update: dict) -> None:
            await application.process_update(Update.de_json(update, application.bot))

        await feed(fake.user_says("Debatt: reserverade kontrakt räcker inte för idéburna"))
        (answer,) = sent(fake)
        assert "⚠️ Kan vara inaktuellt: sedan 2023 gäller nya regler." in answer.visible_text
        assert "19 kap." not in answer.visible_text
        newer = button_data(answer, "u:")[0]
        await feed(fake.user_presses(newer, message_id=answer.message_id, chat_id=1001))
        shown = sent(fake)[-1]
        assert shown.visible_text.startswith(
            "⚠️ Kan vara inaktuellt: sedan 1 januari 2023 gäller 19 kap. 25 a § LOU.\n"
        )
        assert "Reserverade kontrakt" in shown.visible_text
        await post_shutdown(application)
