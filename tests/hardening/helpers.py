"""Helpers shared by the hardening tests: the figures ledger, feeding updates, admin ids."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.telegram.app import App
from tests.fakebotapi import FakeBotApi, SentMessage, check_telegram_html, visible_length
from tests.telegram.helpers import state_of

ADMIN = 9001
"""Telegram id configured as admin in :func:`settings`."""


@dataclass
class Ledger:
    """What the hardening tests tried and survived, for the figures in the summary."""

    bad_inputs: set[tuple[str, str]] = field(default_factory=set)
    faults: set[str] = field(default_factory=set)
    questions: int = 0
    lost: int = 0
    kill_runs: int = 0
    kill_questions: int = 0
    kill_lost: int = 0
    kill_duplicated: int = 0
    bad_files: dict[str, str] = field(default_factory=dict)

    def bad_input(self, surface: str, case: str) -> None:
        """Record a bad input handled cleanly on one surface (cli, telegram, knowledge…)."""
        self.bad_inputs.add((surface, case))

    def fault(self, name: str) -> None:
        """Record a fault the bot survived."""
        self.faults.add(name)

    def kill(self, questions: int, lost: int, duplicated: int) -> None:
        """Record one kill -9 run: questions sent, never answered, answered twice."""
        self.kill_runs += 1
        self.kill_questions += questions
        self.kill_lost += lost
        self.kill_duplicated += duplicated

    def bad_file(self, case: str, outcome: str) -> None:
        """Record a hostile file (issue 12's list) and what the bot made of it."""
        self.bad_files[case] = outcome

    def burst(self, questions: int, lost: int) -> None:
        """Record questions sent through a fault and how many got no answer."""
        self.questions += questions
        self.lost += lost


LEDGER = Ledger()


MakeApp = Callable[..., Awaitable[App]]


async def feed(app: App, update: dict[str, Any]) -> None:
    """Process one update dict from the fake, and wait for a reload it may have started."""
    await app.process_update(Update.de_json(update, app.bot))
    task = state_of(app).reload_task
    if task is not None:
        await task


def replies(fake: FakeBotApi, chat_id: int) -> list[SentMessage]:
    """The bot's messages in a chat, each checked as valid Telegram HTML within 4096."""
    messages = fake.messages_to(chat_id)
    for message in messages:
        assert check_telegram_html(message.text) is None, message.text
        assert 0 < visible_length(message.text) <= 4096
    return messages
