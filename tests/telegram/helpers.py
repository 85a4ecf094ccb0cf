"""Helpers shared by the Telegram tests (constants, a recording question log, inspection)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.telegram.app import STATE_KEY, App, BotState
from tests.fakebotapi import FakeBotApi, SentMessage, check_telegram_html

KNOWLEDGE = Path(__file__).parent / "data" / "knowledge"
RESERVED_QUESTION = "Får kommunen använda reserverade kontrakt för idéburna organisationer?"
"""Answered with seven results from the fixture knowledge (three pages)."""
UNKNOWN_QUESTION = "Vilken färg har månen på tisdagar?"
"""Not covered by the fixture knowledge."""

Feed = Callable[[dict[str, Any]], Awaitable[None]]


class RecordingLog:
    """An in-memory stand-in for bot.store.log.QuestionLog."""

    def __init__(self) -> None:
        self.questions: list[dict[str, Any]] = []
        self.feedback: list[tuple[int, int, int]] = []
        self.comments: list[tuple[int, int, str]] = []
        self.preferences: dict[str, str] = {}
        self.forgotten: list[int] = []
        self.purged = 0
        self.closed = False

    def record_comment(self, question_id: int, *, user_id: int, comment: str) -> bool:
        self.comments.append((question_id, user_id, comment))
        return True

    def preference_key(self, *, user_id: int | None = None, chat_id: int | None = None) -> str:
        return f"u:key{user_id}" if user_id is not None else f"c:key{chat_id}"

    def set_language(self, subject: str, language: str | None) -> None:
        if language is None:
            self.preferences.pop(subject, None)
        else:
            self.preferences[subject] = language

    def languages(self) -> dict[str, str]:
        return dict(self.preferences)

    def forget_user(self, user_id: int) -> int:
        self.forgotten.append(user_id)
        self.preferences.pop(f"u:key{user_id}", None)
        mine = [q for q in self.questions if q["user_id"] == user_id]
        self.questions = [q for q in self.questions if q["user_id"] != user_id]
        votes = [f for f in self.feedback if f[1] == user_id]
        self.feedback = [f for f in self.feedback if f[1] != user_id]
        return len(mine) + len(votes)

    def writable(self) -> str:
        return ""

    def record_question(self, **fields: Any) -> int:
        self.questions.append(fields)
        return len(self.questions)

    def record_feedback(self, question_id: int, *, user_id: int, value: int) -> bool:
        self.feedback.append((question_id, user_id, value))
        return True

    def purge_expired(self) -> int:
        self.purged += 1
        return 0

    def close(self) -> None:
        self.closed = True


def state_of(app: App) -> BotState:
    return app.bot_data[STATE_KEY]


def with_settings(app: App, **changes: Any) -> None:
    state = state_of(app)
    state.settings = replace(state.settings, **changes)


def sent(fake: FakeBotApi, chat_id: int = 1001) -> list[SentMessage]:
    """The bot's messages in a chat, each checked as valid Telegram HTML."""
    messages = fake.messages_to(chat_id)
    for message in messages:
        assert check_telegram_html(message.text) is None, message.text
    return messages


def buttons(message: SentMessage) -> list[dict[str, Any]]:
    """All inline buttons of a message, row by row."""
    if not message.reply_markup:
        return []
    return [button for row in message.reply_markup["inline_keyboard"] for button in row]


def button_data(message: SentMessage, prefix: str) -> list[str]:
    return [
        b["callback_data"]
        for b in buttons(message)
        if b.get("callback_data", "").startswith(prefix)
    ]
