"""Admin commands (/stats, /reload), the allowlist and the ids that configure both."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from telegram import Update

from bot.answer.compose import AbstainPolicy
from bot.config import ConfigError, load_settings
from bot.service import QAService
from bot.store.chart import HEIGHT_PX, WIDTH_PX
from bot.store.log import LOG_FILENAME, QuestionLog
from bot.telegram.admin import ReloadOutcome, reload_knowledge, render_lines
from bot.telegram.app import App
from bot.telegram.render import MAX_VISIBLE
from tests.fakebotapi import FakeBotApi, check_telegram_html, visible_length
from tests.fakebotapi.core import DEFAULT_GROUP_ID
from tests.hardening.helpers import ADMIN, MakeApp, feed, replies
from tests.store.pictures import decoded_shape, png_size
from tests.telegram.helpers import (
    KNOWLEDGE,
    RESERVED_QUESTION,
    UNKNOWN_QUESTION,
    button_data,
    state_of,
)

NEW_DOCUMENT = """---
id: hundrastgard
title: "Hundrastgårdar"
author: "Testredaktionen"
publisher: "Testförlaget"
published: 2024-06-01
language: sv
kind: guide
url: "https://example.org/hund"
topics: [iop]
---
# Hundrastgårdar

Kommunen kan låta en idéburen förening sköta hundrastgårdar genom ett
partnerskap där föreningen ansvarar för zebrastaket och tillsynen av hundrastgården.
"""


@pytest.fixture(scope="module")
def strict_service() -> QAService:
    """The Telegram fixture knowledge with the default abstention policy (real gaps)."""
    return QAService.open(KNOWLEDGE)


@pytest.fixture
def question_log(tmp_path: Path) -> QuestionLog:
    log = QuestionLog.open(tmp_path / "data" / LOG_FILENAME, secret="test-secret")
    yield log
    log.close()


def remove_documents(folder: Path) -> None:
    for path in folder.glob("*.md"):
        path.unlink()


def texts(fake: FakeBotApi, chat_id: int) -> str:
    return "\n".join(message.visible_text for message in replies(fake, chat_id))


# --------------------------------------------------------------------------- /stats


async def test_stats_shows_days_answered_rate_gaps_and_thumbs_down_with_nearest_passages(
    fake: FakeBotApi, make_app: MakeApp, strict_service: QAService, question_log: QuestionLog
):
    app = await make_app(service=strict_service, question_log=question_log)
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=1))
    await feed(app, fake.user_says("Hur många kommuner finns det?", user_id=2))
    await feed(app, fake.user_says("hur många kommuner finns det", user_id=3))
    await feed(app, fake.user_says(UNKNOWN_QUESTION, user_id=4))
    (answer,) = replies(fake, 1)
    thumbs_down = button_data(answer, "fb:")[1]
    await feed(app, fake.user_presses(thumbs_down, message_id=answer.message_id, chat_id=1))

    await feed(app, fake.user_says("/stats", user_id=ADMIN))

    report = texts(fake, ADMIN)
    today = datetime.now(timezone.utc).date().isoformat()
    assert report.startswith("Samverkansboten – rapport")
    assert f"{today}: 4 frågor: 0 besvarade, 0 delvis, 3 ej täckta, 1 👎" in report
    assert "besvarade: 1 (25 %)" in report
    assert "👍 0 · 👎 1" in report
    # the two wordings of one question form one group, with its nearest passage
    assert '1. 2 × "hur många kommuner finns det' in report.lower()
    assert re.search(r"närmaste passage: [a-z0-9-]+#\d+ \(\d+\.\d\d\)", report)
    assert "ingen närliggande passage" in report  # the moon question matches nothing
    assert f'👎 1 · 👍 0: "{RESERVED_QUESTION}"' in report
    cited = [result.passage.id for result in strict_service.ask(RESERVED_QUESTION).results]
    assert f"citerade passager: {cited[0]} (" in report
    assert replies(fake, ADMIN)[0].entities[0].type == "bold"


async def test_stats_counts_the_days_asked_for(
    fake: FakeBotApi, make_app: MakeApp, question_log: QuestionLog
):
    app = await make_app(question_log=question_log)
    await feed(app, fake.user_says("/stats 7", user_id=ADMIN))
    await feed(app, fake.user_says("/stats sju", user_id=ADMIN, language_code="en"))
    first, second = replies(fake, ADMIN)
    assert "(7 dagar, UTC)" in first.visible_text
    assert "Inga frågor under perioden." in first.visible_text
    assert "(30 days, UTC)" in second.visible_text


async def test_a_long_report_is_split_into_valid_messages(
    fake: FakeBotApi, make_app: MakeApp, strict_service: QAService, question_log: QuestionLog
):
    app = await make_app(service=strict_service, question_log=question_log)
    for user in range(12):
        question = f"Fråga {user} om " + " ".join(f"ord{user}x{n}" for n in range(70))
        await feed(app, fake.user_says(question, user_id=100 + user))
    await feed(app, fake.user_says("/stats", user_id=ADMIN))
    messages = replies(fake, ADMIN)
    assert len(messages) >= 2
    assert all(visible_length(message.text) <= MAX_VISIBLE for message in messages)
    assert "10." in texts(fake, ADMIN)


async def test_stats_politely_refuses_everyone_but_admins(
    fake: FakeBotApi, make_app: MakeApp, question_log: QuestionLog
):
    app = await make_app(question_log=question_log)
    await feed(app, fake.user_says("/stats", user_id=5))
    await feed(app, fake.user_says("/reload", user_id=6, language_code="en"))
    assert texts(fake, 5) == "Det här kommandot är bara till för botens administratörer."
    assert texts(fake, 6) == "This command is for the bot's administrators only."


async def test_without_admin_ids_nobody_is_admin(fake: FakeBotApi, make_app: MakeApp):
    app = await make_app(admin_ids=frozenset())
    await feed(app, fake.user_says("/stats", user_id=ADMIN))
    assert "bara till för botens administratörer" in texts(fake, ADMIN)


async def test_admin_commands_in_a_group_point_to_a_private_chat(
    fake: FakeBotApi, make_app: MakeApp, question_log: QuestionLog
):
    app = await make_app(question_log=question_log)
    await feed(app, fake.user_says("/stats", user_id=ADMIN, chat_type="group"))
    (reply,) = replies(fake, DEFAULT_GROUP_ID)
    assert reply.visible_text == "Använd administratörskommandona i en privat chatt med mig."
    assert reply.reply_to_message_id is not None


async def test_stats_without_a_question_log_says_so(fake: FakeBotApi, make_app: MakeApp):
    app = await make_app(question_log=None)
    await feed(app, fake.user_says("/stats", user_id=ADMIN))
    assert "frågeloggen" in texts(fake, ADMIN)


async def test_an_unreadable_question_log_gives_a_short_apology(
    fake: FakeBotApi, make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    log = QuestionLog.open(tmp_path / "broken.sqlite3", secret="s")
    log.close()  # every read now fails
    app = await make_app(question_log=log)
    await feed(app, fake.user_says("/stats", user_id=ADMIN))
    assert texts(fake, ADMIN) == (
        "Jag kunde inte läsa frågeloggen just nu. Försök igen om en stund."
    )
    assert "Could not build the gap report" in caplog.text


async def test_stats_sends_the_report_as_a_picture_under_the_text(
    fake: FakeBotApi, make_app: MakeApp, strict_service: QAService, question_log: QuestionLog
):
    app = await make_app(service=strict_service, question_log=question_log)
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=1))
    await feed(app, fake.user_says(UNKNOWN_QUESTION, user_id=2))

    await feed(app, fake.user_says("/stats 7", user_id=ADMIN, language_code="en"))

    *text, picture = replies(fake, ADMIN)
    assert [message.photo for message in text] == [None] * len(text)
    assert picture.photo is not None
    assert png_size(picture.photo.data) == (WIDTH_PX, HEIGHT_PX)
    assert decoded_shape(picture.photo.data) == (HEIGHT_PX, WIDTH_PX, 4)
    assert picture.visible_text == text[0].visible_text.split("\n")[0]
    assert picture.visible_text.startswith("Samverkansboten – report")
    assert picture.entities[0].type == "bold"


async def test_stats_without_questions_sends_no_picture(
    fake: FakeBotApi, make_app: MakeApp, question_log: QuestionLog
):
    app = await make_app(question_log=question_log)
    await feed(app, fake.user_says("/stats", user_id=ADMIN))
    assert [message.photo for message in replies(fake, ADMIN)] == [None]
    assert fake.calls_to("sendPhoto") == []


async def test_a_picture_that_cannot_be_sent_leaves_the_text(
    fake: FakeBotApi,
    make_app: MakeApp,
    question_log: QuestionLog,
    caplog: pytest.LogCaptureFixture,
):
    app = await make_app(question_log=question_log)
    await feed(app, fake.user_says(UNKNOWN_QUESTION, user_id=2))
    fake.fail_next("sendPhoto", status=400, description="Bad Request: IMAGE_PROCESS_FAILED")

    await feed(app, fake.user_says("/stats", user_id=ADMIN))

    assert "1 frågor: 0 besvarade" in texts(fake, ADMIN)
    assert [message.photo for message in replies(fake, ADMIN)] == [None]
    assert "Could not send the gap report picture" in caplog.text


async def test_a_picture_that_cannot_be_drawn_leaves_the_text(
    fake: FakeBotApi,
    make_app: MakeApp,
    question_log: QuestionLog,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    def broken(*_: object) -> bytes:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr("bot.telegram.admin.render_png", broken)
    app = await make_app(question_log=question_log)
    await feed(app, fake.user_says(UNKNOWN_QUESTION, user_id=2))

    await feed(app, fake.user_says("/stats", user_id=ADMIN))

    assert "1 frågor: 0 besvarade" in texts(fake, ADMIN)
    assert fake.calls_to("sendPhoto") == []
    assert "Could not draw the gap report picture" in caplog.text


def test_report_lines_are_escaped_cut_and_packed_within_the_limit():
    lines = ["<b>rubrik</b> & co", "x" * 5000, "", *(f"rad {n} <i>" for n in range(400))]
    chunks = render_lines(lines, bold_first=True)
    assert len(chunks) >= 2
    for chunk in chunks:
        assert check_telegram_html(chunk.text) is None
        assert visible_length(chunk.text) <= MAX_VISIBLE
    assert chunks[0].text.startswith("<b>&lt;b&gt;rubrik&lt;/b&gt; &amp; co</b>\n")
    assert render_lines(["", "  ", "\t\x00"]) == []


# --------------------------------------------------------------------------- /reload


@pytest.fixture
def reload_app(make_app: MakeApp, tg_knowledge: Path, tmp_path: Path):
    async def build(**changes: object) -> App:
        service = QAService.open(tg_knowledge, policy=AbstainPolicy.always())
        return await make_app(service=service, knowledge_dir=tg_knowledge, **changes)

    return build


async def test_reload_swaps_in_new_knowledge_without_a_restart(
    fake: FakeBotApi, reload_app, tg_knowledge: Path
):
    app = await reload_app()
    old = state_of(app).service
    await feed(app, fake.user_says("Vem sköter zebrastaket vid hundrastgården?", user_id=7))
    assert "Jag hittade inget" in texts(fake, 7)

    (tg_knowledge / "hundrastgard.md").write_text(NEW_DOCUMENT, encoding="utf-8")
    await feed(app, fake.user_says("/reload", user_id=ADMIN))

    new = state_of(app).service
    assert new is not old
    (reply,) = replies(fake, ADMIN)
    assert reply.visible_text.startswith("Kunskapen är omladdad.")
    assert f"5 dokument, index {new.version} (tidigare {old.version})" in reply.visible_text
    assert new.composer.policy == old.composer.policy  # the abstention policy is kept
    await feed(app, fake.user_says("Vem sköter zebrastaket vid hundrastgården?", user_id=8))
    assert "Hundrastgårdar" in texts(fake, 8)


async def test_reload_with_broken_knowledge_keeps_the_old_index_and_lists_the_problems(
    fake: FakeBotApi, reload_app, tg_knowledge: Path
):
    app = await reload_app()
    old = state_of(app).service
    (tg_knowledge / "hundrastgard.md").write_text(NEW_DOCUMENT, encoding="utf-8")
    (tg_knowledge / "trasig.md").write_text("Ingen front matter här.\n", encoding="utf-8")
    (tg_knowledge / "binar.md").write_bytes(b"---\nid: binar\n---\n\xff\xfe<script>\n")

    await feed(app, fake.user_says("/reload", user_id=ADMIN, language_code="en"))

    assert state_of(app).service is old
    head, problems = replies(fake, ADMIN)
    assert head.visible_text.startswith("Reload refused: 2 problems in the knowledge folder.")
    assert f"(index {old.version})" in head.visible_text
    assert problems.visible_text.splitlines() == [
        "• binar.md:4: not valid UTF-8 text (save the file as UTF-8)",
        "• trasig.md:1: missing YAML front matter (the file must start with ---)",
    ]
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=9))
    assert texts(fake, 9).startswith("Ur källorna")


async def test_reload_of_an_emptied_folder_is_refused(
    fake: FakeBotApi, reload_app, tg_knowledge: Path
):
    app = await reload_app()
    old = state_of(app).service
    remove_documents(tg_knowledge)
    await feed(app, fake.user_says("/reload", user_id=ADMIN))
    assert state_of(app).service is old
    head, problems = replies(fake, ADMIN)
    assert "1 problem i kunskapsmappen" in head.visible_text
    assert "no documents (*.md) in the knowledge folder" in problems.visible_text


async def test_a_refused_reload_lists_at_most_thirty_problems(
    fake: FakeBotApi, reload_app, tg_knowledge: Path
):
    app = await reload_app()
    for number in range(45):
        (tg_knowledge / f"fel-{number:02}.md").write_text("inget\n", encoding="utf-8")
    await feed(app, fake.user_says("/reload", user_id=ADMIN))
    shown = texts(fake, ADMIN).splitlines()
    assert sum(line.startswith("• fel-") for line in shown) == 30
    assert shown[-1] == "… och 15 till (python -m bot check visar alla)."


async def test_an_unexpected_reload_error_is_logged_and_refused(
    settings, tg_service: QAService, caplog: pytest.LogCaptureFixture
):
    from bot.telegram.core import BotState

    state = BotState(settings=settings, service=tg_service)

    def explode(*_: object) -> QAService:
        raise OSError("disk gone")

    outcome = await reload_knowledge(state, explode)
    assert outcome == ReloadOutcome(
        False, 4, tg_service.version, tg_service.version, ("OSError: disk gone",)
    )
    assert state.service is tg_service
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


async def test_a_file_that_breaks_between_the_check_and_the_build_is_still_refused(
    settings, tg_service: QAService, tg_knowledge: Path
):
    from bot.telegram.core import BotState

    state = BotState(settings=replace(settings, knowledge_dir=tg_knowledge), service=tg_service)
    (tg_knowledge / "trasig.md").write_text("Ingen front matter.\n", encoding="utf-8")
    outcome = await reload_knowledge(state, validator=lambda _: ())  # checked before the edit
    assert not outcome.swapped
    (problem,) = outcome.problems
    assert problem.startswith(f"{tg_knowledge / 'trasig.md'}:1: missing YAML front matter")
    assert state.service is tg_service


async def test_questions_during_a_reload_are_answered_by_the_old_index(
    fake: FakeBotApi, make_app: MakeApp, tg_service: QAService, tg_knowledge: Path
):
    app = await make_app(knowledge_dir=tg_knowledge)
    state = state_of(app)
    started, release = threading.Event(), threading.Event()
    new_service = QAService.open(tg_knowledge)

    def slow_open(*_: object) -> QAService:
        started.set()
        release.wait(10)
        return new_service

    reloading = asyncio.create_task(reload_knowledge(state, slow_open))
    assert await asyncio.to_thread(started.wait, 10)
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=11))
    await feed(app, fake.user_says("/reload", user_id=ADMIN))
    assert state.service is tg_service
    release.set()
    outcome = await reloading
    assert outcome.swapped
    assert state.service is new_service
    assert texts(fake, 11).startswith("Ur källorna")
    assert texts(fake, ADMIN) == "Kunskapen laddas redan om. Vänta tills det är klart."


# --------------------------------------------------------------------------- menus and config


async def test_admins_see_the_admin_commands_in_their_own_menu(fake: FakeBotApi, make_app):
    await make_app()
    scope = {"type": "chat", "chat_id": ADMIN}
    for language in ("sv", "da", "en"):
        names = [c["command"] for c in fake.commands(scope, language)]
        assert names[-2:] == ["stats", "reload"]
    assert [c["command"] for c in fake.commands(scope)][-2:] == ["stats", "reload"]
    assert "stats" not in [c["command"] for c in fake.commands(language_code="sv")]


async def test_an_admin_menu_telegram_refuses_does_not_stop_the_bot(
    fake: FakeBotApi, make_app: MakeApp
):
    fake.fail_next("setMyCommands", status=400, description="Bad Request: chat not found", times=9)
    app = await make_app()
    await feed(app, fake.user_says(RESERVED_QUESTION))
    assert texts(fake, 1001).startswith("Ur källorna")


def test_admin_and_allowlist_ids_come_from_the_environment_or_the_config_file(tmp_path: Path):
    config = tmp_path / "bot.yaml"
    config.write_text("admin_ids: [1, 2]\nallowed_chat_ids: [-100123]\n", encoding="utf-8")
    settings = load_settings({"BOT_ALLOWED_USER_IDS": "7, 8 9"}, config)
    assert settings.admin_ids == frozenset({1, 2})
    assert settings.allowed_user_ids == frozenset({7, 8, 9})
    assert settings.allowed_chat_ids == frozenset({-100123})
    assert settings.restricted
    assert load_settings({"BOT_ADMIN_IDS": "3"}, config).admin_ids == frozenset({3})
    with pytest.raises(ConfigError, match="admin_ids: expected a list of numeric Telegram ids"):
        load_settings({"BOT_ADMIN_IDS": "@anna"}, config)


# --------------------------------------------------------------------------- allowlist


async def test_allowed_chat_lets_every_member_ask(fake: FakeBotApi, make_app: MakeApp):
    app = await make_app(allowed_chat_ids=frozenset({DEFAULT_GROUP_ID}))
    await feed(app, fake.user_says(f"/ask {RESERVED_QUESTION}", user_id=31, chat_type="group"))
    assert texts(fake, DEFAULT_GROUP_ID).startswith("Ur källorna")


async def test_outsiders_get_a_polite_refusal_only_when_they_address_the_bot(
    fake: FakeBotApi, make_app: MakeApp
):
    app = await make_app(allowed_user_ids=frozenset({42}))
    group = {"chat_type": "group", "user_id": 32}
    await feed(app, fake.user_says(RESERVED_QUESTION, **group))  # chatter: silence
    await feed(app, fake.user_says(f"@samverkan_test_bot {RESERVED_QUESTION}", **group))
    await feed(app, fake.user_says("/ask@samverkan_test_bot vad är IOP?", **group))
    await feed(app, fake.user_says("/ask@other_bot vad är IOP?", **group))
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=33, language_code="da"))
    group_replies = replies(fake, DEFAULT_GROUP_ID)
    # Told once; the second addressed message is ignored silently.
    assert [m.visible_text for m in group_replies] == [
        "Den här boten är bara öppen för inbjudna användare."
    ]
    assert all(m.reply_to_message_id for m in group_replies)
    assert texts(fake, 33) == "Denne bot er kun åben for inviterede brugere."


async def test_outsiders_buttons_and_inline_queries_get_nothing_but_no_spinner(
    fake: FakeBotApi, make_app: MakeApp
):
    open_app = await make_app()
    await feed(open_app, fake.user_says(RESERVED_QUESTION, user_id=42))
    (answer,) = replies(fake, 42)
    app = await make_app(allowed_user_ids=frozenset({41}))
    press = fake.user_presses(
        button_data(answer, "f:")[0], message_id=answer.message_id, chat_id=42, user_id=42
    )
    await feed(app, press)
    inline = fake.inline_query(RESERVED_QUESTION, user_id=43)
    await feed(app, inline)
    assert fake.unanswered_callbacks() == []
    assert fake.callback_answers[press["callback_query"]["id"]].get("text") is None
    assert fake.inline_answers[inline["inline_query"]["id"]] == []
    assert len(replies(fake, 42)) == 1


async def test_admins_pass_the_allowlist(fake: FakeBotApi, make_app: MakeApp):
    app = await make_app(allowed_user_ids=frozenset({41}))
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=ADMIN))
    assert texts(fake, ADMIN).startswith("Ur källorna")


async def test_an_open_deployment_answers_everyone(fake: FakeBotApi, make_app: MakeApp):
    app = await make_app()
    for user in (51, 52):
        await feed(app, fake.user_says(RESERVED_QUESTION, user_id=user))
    assert texts(fake, 51).startswith("Ur källorna")
    assert texts(fake, 52).startswith("Ur källorna")


async def test_a_slow_reload_never_holds_up_answers(
    fake: FakeBotApi, make_app: MakeApp, ledger, monkeypatch: pytest.MonkeyPatch
):
    """/reload returns at once; questions are answered while the reload hangs, then it ends."""
    from bot.telegram import admin

    app = await make_app()
    state = state_of(app)
    started, release = threading.Event(), threading.Event()

    def hanging_problems(_: Path) -> tuple[str, ...]:
        started.set()
        release.wait(10)
        return ("glossary.yaml:1: unreadable YAML: YAML anchors and aliases",)

    monkeypatch.setattr(admin, "_problems", hanging_problems)
    await app.process_update(Update.de_json(fake.user_says("/reload", user_id=ADMIN), app.bot))
    assert await asyncio.to_thread(started.wait, 10)
    assert state.reload_task is not None
    assert not state.reload_task.done()
    for user in (21, 22, 23):
        await app.process_update(
            Update.de_json(fake.user_says(RESERVED_QUESTION, user_id=user), app.bot)
        )
        assert texts(fake, user).startswith("Ur källorna")
    assert replies(fake, ADMIN) == []  # still reloading
    release.set()
    await state.reload_task
    assert replies(fake, ADMIN)[0].visible_text.startswith("Omladdningen avbröts:")
    ledger.fault("a /reload hanging in validation while questions arrive")


async def test_a_crashing_reload_is_reported_and_answers_go_on(
    fake: FakeBotApi, make_app: MakeApp, ledger, monkeypatch: pytest.MonkeyPatch
):
    from bot.telegram import admin

    app = await make_app()

    def crash(_: Path) -> tuple[str, ...]:
        raise MemoryError("simulated")

    monkeypatch.setattr(admin, "_problems", crash)
    await feed(app, fake.user_says("/reload", user_id=ADMIN))
    assert "MemoryError: simulated" in replies(fake, ADMIN)[-1].visible_text
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=24))
    assert texts(fake, 24).startswith("Ur källorna")
    ledger.fault("a /reload that raises MemoryError")


async def test_an_outsiders_flood_gets_one_refusal_and_never_delays_an_allowed_user(
    fake: FakeBotApi, make_app: MakeApp, ledger
):
    app = await make_app(allowed_user_ids=frozenset({42}), questions_per_minute=10)
    for _ in range(300):
        await feed(app, fake.user_says(RESERVED_QUESTION, user_id=66))
    assert [m.visible_text for m in replies(fake, 66)] == [
        "Den här boten är bara öppen för inbjudna användare."
    ]
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=42))
    assert texts(fake, 42).startswith("Ur källorna")
    assert len(fake.calls_to("sendMessage")) == 2
    ledger.fault("a 300-message flood from a user outside the allowlist (1 refusal sent)")


async def test_a_flood_of_commands_from_an_allowed_user_is_cut_off_silently(
    fake: FakeBotApi, make_app: MakeApp, ledger
):
    app = await make_app(questions_per_minute=10)
    for _ in range(100):
        await feed(app, fake.user_says("/help", user_id=67))
    assert len(replies(fake, 67)) == 30  # flood limit: max(30, 3 x questions per minute)
    await feed(app, fake.user_says(RESERVED_QUESTION, user_id=68))
    assert texts(fake, 68).startswith("Ur källorna")
    ledger.fault("a 100-command flood from an allowed user (30 answered, the rest ignored)")
