"""Conversations with the real PTB application over the in-process fake Bot API."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from bot.telegram.app import App, bot_commands, group_commands
from tests.fakebotapi import FakeBotApi
from tests.fakebotapi.core import DEFAULT_GROUP_ID
from tests.telegram.helpers import (
    RESERVED_QUESTION,
    UNKNOWN_QUESTION,
    Feed,
    RecordingLog,
    button_data,
    buttons,
    sent,
    state_of,
    with_settings,
)

BOT = "@samverkan_test_bot"


async def ask(fake: FakeBotApi, feed: Feed, question: str = RESERVED_QUESTION, **kwargs: object):
    await feed(fake.user_says(question, **kwargs))  # type: ignore[arg-type]


def last_answer(fake: FakeBotApi, chat_id: int = 1001):
    return sent(fake, chat_id)[-1]


# --------------------------------------------------------------------------- commands


async def test_post_init_registers_menus_per_scope_and_language(fake: FakeBotApi, app: App):
    private = {"type": "all_private_chats"}
    groups = {"type": "all_group_chats"}
    for language in ("sv", "da", "en"):
        commands = fake.commands(private, language_code=language)
        assert [c["command"] for c in commands] == [
            "start",
            "help",
            "topics",
            "sources",
            "lang",
            "privacy",
            "forget",
        ]
        assert commands == [c.to_dict() for c in bot_commands(language)]
        in_groups = fake.commands(groups, language_code=language)
        assert [c["command"] for c in in_groups] == [
            "ask",
            "help",
            "topics",
            "sources",
            "lang",
            "privacy",
        ]
        assert in_groups == [c.to_dict() for c in group_commands(language)]
    assert fake.commands(private) == fake.commands(private, language_code="sv")
    assert fake.commands(groups) == fake.commands(groups, language_code="sv")
    assert fake.commands() == []  # nothing in the default scope: /ask is not offered privately
    assert (
        fake.commands(private, language_code="da")[0]["description"]
        != (fake.commands(private)[0]["description"])
    )


async def test_post_init_sets_the_description_and_short_description_per_language(
    fake: FakeBotApi, app: App
):
    for language in ("sv", "da", "en", ""):
        call = {"language_code": language} if language else {}
        description = fake.handle("getMyDescription", call)[1]["result"]["description"]
        short = fake.handle("getMyShortDescription", call)[1]["result"]["short_description"]
        assert "Samverkansboten" in description
        assert "90" in description  # the retention period
        assert 0 < len(short) <= 120
        assert len(description) <= 512
    english = fake.handle("getMyDescription", {"language_code": "en"})[1]["result"]
    assert english["description"].startswith("Samverkansboten answers questions")


async def test_start_welcomes_with_topic_buttons(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/start"))
    (welcome,) = sent(fake)
    assert "Samverkansboten" in welcome.visible_text
    assert button_data(welcome, "t:") == ["t:reserved", "t:iop", "t:denmark"]


async def test_start_with_a_deep_link_payload_opens_the_topic(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/start reserved"))
    (topic,) = sent(fake)
    assert topic.visible_text == (
        "Reserverade kontrakt\nTryck på en siffra, eller skriv en egen fråga:\n"
        "1. Får kommunen använda reserverade kontrakt för idéburna organisationer?"
    )
    assert [(b["text"], b["callback_data"]) for b in buttons(topic)] == [("1", "q:reserved:0")]


async def test_start_with_an_unknown_payload_just_welcomes(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/start no-such-topic"))
    (welcome,) = sent(fake)
    assert button_data(welcome, "t:")


async def test_help_explains_the_buttons_and_inline_mode(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/help", language_code="en"))
    (help_message,) = sent(fake)
    assert "📄 Full" in help_message.visible_text
    assert BOT in help_message.visible_text
    assert "/privacy" in help_message.visible_text


async def test_group_help_says_how_to_ask_in_a_group(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/help", chat_type="group"))
    (help_message,) = sent(fake, DEFAULT_GROUP_ID)
    assert help_message.visible_text.startswith("Så frågar ni mig i en grupp")
    assert "/ask Vad är ett IOP?" in help_message.visible_text
    assert f"{BOT} Vad är ett IOP?" in help_message.visible_text
    assert "vanligt meddelande" not in help_message.visible_text


async def test_topics_lists_short_topic_labels_in_the_users_language(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/topics", language_code="da"))
    (topics,) = sent(fake)
    assert [b["text"] for b in buttons(topics)] == [
        "Reserverede kontrakter",
        "IOP (svensk)",
        "Danmark",
    ]
    assert all(len(b["text"]) <= 30 for b in buttons(topics))


async def test_sources_lists_documents_with_dates_and_escaped_links(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/sources"))
    messages = sent(fake)
    text = "\n".join(m.text for m in messages)
    visible = "\n".join(m.visible_text for m in messages)
    assert "Mina källor (4)" in visible
    assert "2021-09-14" in visible
    assert 'Anna "A" <Andersson> & Bo' in visible
    assert 'href="https://example.org/reserverat?a=1&amp;b=2"' in text


async def test_lang_buttons_switch_the_interface_language(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/lang"))
    (prompt,) = sent(fake)
    assert button_data(prompt, "l:") == ["l:sv", "l:da", "l:en"]
    await feed(fake.user_presses("l:en", message_id=prompt.message_id, chat_id=1001))
    assert fake.unanswered_callbacks() == []
    assert sent(fake)[0].visible_text == "I will now reply in English."
    await feed(fake.user_says("/help"))
    assert sent(fake)[-1].visible_text.startswith("How to use Samverkansboten")
    # An answer follows the question's language; a question that names no language
    # follows the choice.
    await ask(fake, feed)
    assert last_answer(fake).visible_text.startswith("Ur källorna")
    await ask(fake, feed, "IOP")
    assert last_answer(fake).visible_text.startswith("From the sources")


async def test_lang_with_an_argument_switches_at_once(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/lang da"))
    await feed(fake.user_says("/help"))
    assert sent(fake)[-1].visible_text.startswith("Sådan bruger du")


async def test_unknown_command_points_to_help(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/frobnicate"))
    assert "/help" in sent(fake)[0].visible_text


# --------------------------------------------------------------------------- questions


async def test_private_question_is_answered_with_cited_excerpts(fake: FakeBotApi, feed: Feed):
    update = fake.user_says(RESERVED_QUESTION)
    await feed(update)
    (answer,) = sent(fake)
    assert answer.reply_to_message_id == update["message"]["message_id"]
    assert answer.visible_text.startswith("Ur källorna (3 dokument · sida 1/3):")
    assert answer.text.count("<blockquote expandable>") == 3
    assert "<b>reserverade kontrakt</b>" in answer.text.casefold()
    for rank in (1, 2, 3):
        assert f"\n[{rank}] " in answer.visible_text
    assert "förklarat av" not in answer.visible_text  # one line per source; 📄 tells more
    assert [b["text"] for b in buttons(answer)] == [
        "📄 Hela [1]",
        "📄 Hela [2]",
        "📄 Hela [3]",
        "👍",
        "👎",
        "Fler ▸",
    ]
    assert len(button_data(answer, "p:")) == 1
    send = fake.calls_to("sendMessage")[-1].params
    assert send["parse_mode"] == "HTML"
    assert send["link_preview_options"] == {"is_disabled": True}


async def test_unanswerable_question_gets_a_short_honest_reply_with_topics(
    fake: FakeBotApi, feed: Feed
):
    await ask(fake, feed, UNKNOWN_QUESTION)
    (reply,) = sent(fake)
    assert "gissar hellre inte" in reply.visible_text
    assert len(reply.visible_text) < 200
    assert button_data(reply, "t:")
    assert "<blockquote" not in reply.text


async def test_answer_language_follows_the_question_not_the_app(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed, language_code="en-GB")
    assert last_answer(fake).visible_text.startswith("Ur källorna")
    await ask(fake, feed, "What are reserved contracts for idea-driven organisations?")
    english = last_answer(fake).visible_text
    assert english.startswith("From the sources")
    assert "quotes are not translated" in english
    assert "📄 Full [1]" in [b["text"] for b in buttons(last_answer(fake))]
    await ask(fake, feed, "Hvad er samskabelse med frivillige foreninger?")
    assert last_answer(fake).visible_text.startswith("Fra kilderne")
    await feed(fake.user_says("/help", language_code="en-GB"))
    assert last_answer(fake).visible_text.startswith("How to use")  # menus follow the app


async def test_interface_follows_the_question_without_a_language_code(
    fake: FakeBotApi, feed: Feed
):
    await ask(fake, feed, "Hvad er samskabelse med frivillige foreninger?", language_code=None)
    assert last_answer(fake).visible_text.startswith("Fra kilderne")


async def test_edited_question_edits_the_earlier_answer(fake: FakeBotApi, feed: Feed):
    update = fake.user_says(UNKNOWN_QUESTION)
    await feed(update)
    (refusal,) = sent(fake)
    assert "gissar hellre inte" in refusal.visible_text
    await feed(fake.user_edits(update["message"]["message_id"], RESERVED_QUESTION))
    (answer,) = sent(fake)
    assert answer.message_id == refusal.message_id
    assert answer.edits == 1
    assert answer.visible_text.startswith("Ur källorna")
    assert answer.reply_to_message_id == update["message"]["message_id"]
    assert button_data(answer, "fb:")


async def test_html_looking_input_is_escaped(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed, "<b>reserverade kontrakt</b> & <script>alert(1)</script> &amp;")
    (answer,) = sent(fake)
    assert answer.visible_text.startswith("Ur källorna")
    assert "<script>" not in answer.text


async def test_very_long_question_is_shortened_and_answered(fake: FakeBotApi, feed: Feed):
    question = (RESERVED_QUESTION + " ") * 115  # about 8,000 characters
    assert len(question) > 8000
    await ask(fake, feed, question)
    messages = sent(fake)
    assert all(len(m.visible_text) <= 4096 for m in messages)
    assert "kortats" in messages[0].visible_text


async def test_personal_identity_number_is_neither_searched_nor_stored(
    fake: FakeBotApi, feed: Feed, app: App, monkeypatch: pytest.MonkeyPatch
):
    log = RecordingLog()
    state_of(app).question_log = log
    asked: list[str] = []
    monkeypatch.setattr(state_of(app), "service", _Spy(state_of(app).service, asked))
    await ask(fake, feed, "Min son 850709-9805 behöver hjälp, vad gäller?")
    (reply,) = sent(fake)
    assert "personärenden" in reply.visible_text
    assert asked == []
    assert log.questions == []


async def test_questions_are_recorded_in_the_question_log(fake: FakeBotApi, feed: Feed, app: App):
    log = RecordingLog()
    state_of(app).question_log = log
    await ask(fake, feed, RESERVED_QUESTION + " Mejla anna@example.org")
    (record,) = log.questions
    assert record["user_id"] == 1001
    assert record["chat_type"] == "private"
    assert record["answered"] is True
    assert "anna@example.org" not in record["question"]
    from bot.store.redact import redact

    question = redact(RESERVED_QUESTION + " Mejla anna@example.org").text
    expected = state_of(app).service.ask(question)
    assert record["results"][0][0] == expected.results[0].passage.id
    assert record["index_version"] == state_of(app).service.version


async def test_store_errors_never_block_the_answer(fake: FakeBotApi, feed: Feed, app: App):
    class BrokenLog(RecordingLog):
        def record_question(self, **fields: object) -> int:
            raise OSError("disk full")

    state_of(app).question_log = BrokenLog()
    await ask(fake, feed)
    assert last_answer(fake).visible_text.startswith("Ur källorna")


async def test_rate_limit_answers_with_one_friendly_note(fake: FakeBotApi, feed: Feed, app: App):
    state_of(app).limiter.limit = 2
    for _ in range(4):
        await ask(fake, feed)
    messages = sent(fake)
    assert len(messages) == 3
    assert "Vänta" in messages[2].visible_text
    await ask(fake, feed, user_id=2002)
    assert sent(fake, 2002)[0].visible_text.startswith("Ur källorna")


# --------------------------------------------------------------------------- groups


async def test_group_chatter_is_ignored(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed, chat_type="group")
    await feed(fake.user_sends_sticker(chat_type="group"))
    assert fake.messages_to(DEFAULT_GROUP_ID) == []


async def test_group_mention_is_answered_as_a_reply(fake: FakeBotApi, feed: Feed):
    update = fake.user_says(f"{BOT} {RESERVED_QUESTION}", chat_type="group")
    await feed(update)
    (answer,) = sent(fake, DEFAULT_GROUP_ID)
    assert answer.visible_text.startswith("Ur källorna")
    assert answer.reply_to_message_id == update["message"]["message_id"]


async def test_group_reply_to_the_bot_is_answered(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says(f"{BOT} {UNKNOWN_QUESTION}", chat_type="group"))
    (first,) = sent(fake, DEFAULT_GROUP_ID)
    await feed(
        fake.user_says(
            RESERVED_QUESTION, chat_type="group", reply_to_bot_message_id=first.message_id
        )
    )
    assert sent(fake, DEFAULT_GROUP_ID)[-1].visible_text.startswith("Ur källorna")


async def test_ask_command_works_in_groups(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed, f"/ask@samverkan_test_bot {RESERVED_QUESTION}", chat_type="supergroup")
    (answer,) = sent(fake, -1001234567890)
    assert answer.visible_text.startswith("Ur källorna")


async def test_ask_without_a_question_explains_how(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed, "/ask", chat_type="group")
    assert "/ask" in sent(fake, DEFAULT_GROUP_ID)[0].visible_text


async def test_commands_for_another_bot_are_ignored(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed, f"/ask@other_bot {RESERVED_QUESTION}", chat_type="group")
    assert fake.messages_to(DEFAULT_GROUP_ID) == []


# --------------------------------------------------------------------------- non-text


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location"])
async def test_non_text_gets_one_short_text_only_reply(fake: FakeBotApi, feed: Feed, kind: str):
    await feed(fake.user_sends(kind))
    (reply,) = sent(fake)
    assert "text" in reply.visible_text
    assert len(reply.visible_text) < 150


# --------------------------------------------------------------------------- buttons


async def press(fake: FakeBotApi, feed: Feed, data: str, message_id: int, chat_id: int = 1001):
    update = fake.user_presses(data, message_id=message_id, chat_id=chat_id)
    await feed(update)
    assert fake.unanswered_callbacks() == []
    return fake.callback_answers[update["callback_query"]["id"]]


async def test_paging_flips_the_same_message_with_stable_numbering(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed)
    first = last_answer(fake)
    await press(fake, feed, button_data(first, "p:")[0], first.message_id)
    (second,) = sent(fake)
    assert second.message_id == first.message_id
    assert second.visible_text.startswith("Ur källorna (3 dokument · sida 2/3):")
    assert [f"[{n}]" in second.visible_text for n in (4, 5, 6)] == [True] * 3
    assert "[1]" not in second.visible_text
    assert [b["text"] for b in buttons(second)][:3] == [
        "📄 Hela [4]",
        "📄 Hela [5]",
        "📄 Hela [6]",
    ]
    _, more = button_data(second, "p:")
    await press(fake, feed, more, second.message_id)
    (third,) = sent(fake)
    assert third.visible_text.startswith("Ur källorna (3 dokument · sida 3/3):")
    assert [b["text"] for b in buttons(third)][-1] == "◂ Förra"
    await press(fake, feed, button_data(third, "p:")[0], third.message_id)
    assert sent(fake)[0].visible_text == second.visible_text
    assert len(fake.calls_to("sendMessage")) == 1
    assert len(fake.calls_to("editMessageText")) == 3


async def test_full_passage_shows_the_whole_passage(fake: FakeBotApi, feed: Feed, app: App):
    await ask(fake, feed)
    answer = last_answer(fake)
    second = state_of(app).service.ask(RESERVED_QUESTION).results[1]
    await press(fake, feed, button_data(answer, "f:")[1], answer.message_id)
    full = sent(fake)[-1]
    assert " ".join(second.passage.text.split())[:40] in " ".join(full.visible_text.split())
    assert f"\n[2] {second.citation.title}" in full.visible_text


async def test_feedback_without_a_question_log_is_thanked_and_not_stored(
    fake: FakeBotApi, feed: Feed, settings
):
    await ask(fake, feed)
    answer = last_answer(fake)
    up, down = button_data(answer, "fb:")
    reply = await press(fake, feed, up, answer.message_id)
    assert reply["text"] == "Tack! 👍 är sparad. Tryck på den andra för att ändra."
    await press(fake, feed, down, answer.message_id)
    assert len(sent(fake)) == 1  # no "what was missing?" without a log to keep the reply
    # No second store beside the question log.
    assert not await asyncio.to_thread(Path(settings.data_dir).exists)


async def test_feedback_goes_to_the_question_log(fake: FakeBotApi, feed: Feed, app: App):
    log = RecordingLog()
    state_of(app).question_log = log
    await ask(fake, feed)
    answer = last_answer(fake)
    await press(fake, feed, button_data(answer, "fb:")[1], answer.message_id)
    await press(fake, feed, button_data(answer, "fb:")[1], answer.message_id)  # counted once
    assert log.feedback == [(1, 1001, -1)]


async def test_expired_buttons_ask_politely_to_ask_again(fake: FakeBotApi, feed: Feed, app: App):
    await ask(fake, feed)
    answer = last_answer(fake)
    state_of(app).answers._entries.clear()  # what a restart does
    for data in [*button_data(answer, "f:"), *button_data(answer, "fb:"), "p:zzzzzzzz:1", "x"]:
        reply = await press(fake, feed, data, answer.message_id)
        assert reply["text"] == "Den här knappen gäller inte längre. Ställ frågan igen, tack!"
    assert len(sent(fake)) == 1


async def test_topic_and_starter_buttons_ask_the_starter_question(fake: FakeBotApi, feed: Feed):
    await feed(fake.user_says("/topics"))
    (topics,) = sent(fake)
    await press(fake, feed, "t:reserved", topics.message_id)
    topic = sent(fake)[-1]
    await press(fake, feed, button_data(topic, "q:")[0], topic.message_id)
    answer = sent(fake)[-1]
    assert answer.visible_text.startswith(RESERVED_QUESTION + "\nUr källorna")
    await press(fake, feed, button_data(answer, "p:")[0], answer.message_id)
    assert sent(fake)[-1].visible_text.startswith(RESERVED_QUESTION + "\nUr källorna")


async def test_callback_data_stays_within_64_bytes(fake: FakeBotApi, feed: Feed):
    await ask(fake, feed)
    await feed(fake.user_says("/start"))
    for message in sent(fake):
        for data in button_data(message, ""):
            assert 1 <= len(data.encode()) <= 64


# --------------------------------------------------------------------------- inline mode


async def test_inline_query_returns_shareable_cited_excerpts(fake: FakeBotApi, feed: Feed):
    update = fake.inline_query("reserverade kontrakt idéburna organisationer")
    await feed(update)
    results = fake.inline_answers[update["inline_query"]["id"]]
    assert 1 <= len(results) <= 10
    for result in results:
        content = result["input_message_content"]
        assert content["message_text"].startswith(("<b>", "<blockquote expandable>"))
        assert content["parse_mode"] == "HTML"
        assert "<blockquote expandable>" in content["message_text"]
    assert [c.params["is_personal"] for c in fake.calls_to("answerInlineQuery")] == [True]


@pytest.mark.parametrize("query", ["IOP", "§ 18", "reserverade kontrakt"])
async def test_short_inline_queries_find_passages_two_per_document_at_most(
    fake: FakeBotApi, feed: Feed, app: App, query: str
):
    update = fake.inline_query(query)
    await feed(update)
    results = fake.inline_answers[update["inline_query"]["id"]]
    assert results, query
    passages = {
        hashlib.sha256(p.id.encode()).hexdigest()[:32]: p
        for p in state_of(app).service.corpus.passages
    }
    documents = [passages[r["id"]].doc_id for r in results]
    assert max(documents.count(doc) for doc in documents) <= 2
    assert [r["title"] for r in results] == [passages[r["id"]].heading for r in results]


@pytest.mark.parametrize("query", ["IOP", "LOU", "§ 18"])
def test_short_queries_find_passages_in_the_bundled_knowledge(real_service, query: str):
    from bot.telegram.inline import pick_results

    picked = pick_results(real_service.browse(query))
    assert len(picked) >= 3, query
    documents = [result.citation.doc_id for result in picked]
    assert max(documents.count(doc) for doc in documents) <= 2


async def test_inline_results_are_titled_by_passage_heading_with_the_definition_first(
    fake: FakeBotApi, feed: Feed, app: App
):
    update = fake.inline_query("IOP")
    await feed(update)
    results = fake.inline_answers[update["inline_query"]["id"]]
    service = state_of(app).service
    best = service.browse("IOP").results[0]
    assert results[0]["title"] == best.passage.heading
    assert results[0]["input_message_content"]["message_text"].startswith(
        f"<b>{best.passage.heading}</b>\n<blockquote expandable>"
    )


async def test_empty_inline_query_offers_the_topics(fake: FakeBotApi, feed: Feed):
    update = fake.inline_query("")
    await feed(update)
    results = fake.inline_answers[update["inline_query"]["id"]]
    assert [r["title"] for r in results] == ["Reserverade kontrakt", "IOP", "Danmark"]
    assert results[0]["input_message_content"]["message_text"] == (
        "<b>Reserverade kontrakt</b>\n"
        "• Får kommunen använda reserverade kontrakt för idéburna organisationer?"
    )
    (button,) = results[0]["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == "https://t.me/samverkan_test_bot?start=reserved"
    (call,) = fake.calls_to("answerInlineQuery")
    assert call.params["button"]["start_parameter"] == "inline"


# --------------------------------------------------------------------------- robustness


class _Spy:
    """Wrap a service and record the questions asked."""

    def __init__(self, service, asked: list[str], error: Exception | None = None) -> None:
        self._service = service
        self._asked = asked
        self._error = error

    def __getattr__(self, name: str):
        return getattr(self._service, name)

    def ask(self, question: str, *, language: str | None = None):
        self._asked.append(question)
        if self._error is not None:
            raise self._error
        return self._service.ask(question, language=language)


async def test_errors_are_logged_and_apologised_for_and_the_bot_keeps_running(
    fake: FakeBotApi, feed: Feed, app: App, caplog: pytest.LogCaptureFixture
):
    service = state_of(app).service
    state_of(app).service = _Spy(service, [], RuntimeError("index exploded"))
    await ask(fake, feed)
    assert sent(fake)[-1].visible_text.startswith("Förlåt, något gick fel")
    assert "index exploded" in caplog.text
    assert any(record.exc_info for record in caplog.records)
    state_of(app).service = service
    await ask(fake, feed)
    assert sent(fake)[-1].visible_text.startswith("Ur källorna")


async def test_server_errors_and_flood_control_are_retried(
    fake: FakeBotApi, feed: Feed, monkeypatch: pytest.MonkeyPatch
):
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("bot.telegram.retry.asyncio.sleep", no_sleep)
    fake.fail_next("sendMessage", status=502)
    fake.fail_next("sendMessage", status=429, retry_after=3)
    await ask(fake, feed)
    assert len(sent(fake)) == 1
    assert [c.method for c in fake.calls].count("sendMessage") == 3
    assert waits == [0.01, 3.1]


async def test_bad_requests_are_not_retried(fake: FakeBotApi, feed: Feed, caplog):
    fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found")
    await ask(fake, feed)
    # one failed answer, then the apology
    assert [c.method for c in fake.calls].count("sendMessage") == 2


async def test_allowlist_stops_everyone_else(fake: FakeBotApi, settings, tg_service):
    from dataclasses import replace

    from telegram import Update

    from bot.telegram.app import build_application

    restricted = replace(settings, allowed_user_ids=frozenset({42}))
    app = build_application(
        restricted,
        tg_service,
        request=fake.make_request(),
        get_updates_request=fake.make_request(),
        rate_limiter=False,
    )
    async with app:
        await app.process_update(Update.de_json(fake.user_says(RESERVED_QUESTION), app.bot))
        await app.process_update(
            Update.de_json(fake.user_says(RESERVED_QUESTION, user_id=42), app.bot)
        )
    assert "inbjudna" in sent(fake)[0].visible_text
    assert sent(fake, 42)[0].visible_text.startswith("Ur källorna")


async def test_settings_default_language_is_used_without_any_hint(fake: FakeBotApi, feed, app):
    with_settings(app, default_language="en")
    await feed(fake.user_says("/start", language_code=None))
    assert sent(fake)[0].visible_text.startswith("Hi!")
