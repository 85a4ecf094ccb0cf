"""What the Telegram handlers share: the bot's state and what it needs from the service and log.

:class:`BotState` lives in ``application.bot_data`` under :data:`STATE_KEY`; ``_state``
returns it from a handler's context.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.models import Answer, Citation, Document, Passage, Suggestion, Topic
from bot.ratelimit import SlidingWindowLimiter
from bot.store.log import Recorder
from bot.telegram.callback_data import AnswerCache

STATE_KEY = "samverkansboten"
"""Key of the :class:`BotState` in ``application.bot_data``."""
MAX_QUESTION_CHARS = 4096
"""Longest question passed on; the service shortens further and says so."""
REFUSAL_WINDOW = 600.0
"""Seconds in which a user outside the allowlist is told "not allowed" at most once."""
FLOOD_WINDOW = 60.0
"""Window of the per-user limit on updates of any kind (:func:`flood_limit` per window)."""
COMMENT_WINDOW = 600.0
"""Seconds in which a 👎 voter's reply to "what was missing?" is kept with the vote."""
REMEMBERED_REPLIES = 5000
"""Questions whose answer messages are remembered, so that an edit can edit the answer."""
GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)


def flood_limit(questions_per_minute: int) -> int:
    """Updates of any kind one user may send per :data:`FLOOD_WINDOW` before being ignored."""
    return max(30, 3 * questions_per_minute)


class Service(Protocol):
    """What the front end needs from :class:`bot.service.QAService`."""

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Topics the bot offers."""

    @property
    def documents(self) -> tuple[Document, ...]:
        """Documents in the index."""

    @property
    def version(self) -> str:
        """Content hash of the knowledge."""

    def ask(self, question: str, *, language: str | None = None) -> Answer:
        """Answer a question."""

    def passage(self, passage_id: str) -> Passage | None:
        """Return a passage by id."""

    def suggestions(self, language: str) -> tuple[Suggestion, ...]:
        """Return topic suggestions."""

    def detect_language(self, text: str, default: str = "sv") -> str:
        """Guess a question's language (``default`` when nothing points anywhere)."""

    def browse(self, question: str, *, language: str | None = None) -> Answer:
        """Return the best passages without deciding whether they answer (inline mode)."""

    def cite(self, passage_id: str) -> Citation | None:
        """Return the citation of a passage."""


class QuestionLog(Recorder, Protocol):
    """What the front end needs from the question log (:mod:`bot.store.log`)."""

    def purge_expired(self) -> Any:
        """Delete rows older than the retention period."""

    def record_comment(self, question_id: int, *, user_id: int, comment: str) -> bool:
        """Keep a 👎 voter's note on what was missing with their vote."""

    def preference_key(self, *, user_id: int | None = None, chat_id: int | None = None) -> str:
        """Return the stored key of a user's or a group's language choice."""

    def set_language(self, subject: str, language: str | None) -> None:
        """Store or delete a language choice."""

    def languages(self) -> dict[str, str]:
        """Return every stored language choice."""

    def forget_user(self, user_id: int) -> int:
        """Delete a user's questions, votes and language choice; return how many rows."""

    def writable(self) -> str:
        """Return "" when a write could be committed now, else the reason."""


@dataclass(frozen=True)
class Prompt:
    """A "what was missing?" question after a 👎, waiting for the voter's reply."""

    question_id: int
    user_id: int
    expires: float


@dataclass
class BotState:
    """Everything the handlers share, kept in ``application.bot_data``.

    ``service`` is swapped for a reloaded one by :mod:`bot.telegram.admin` (``/reload``, one
    at a time under ``reload_lock``); handlers read it afresh for every update.
    """

    settings: Settings
    service: Service
    question_log: QuestionLog | None = None
    answers: AnswerCache = field(default_factory=AnswerCache)
    limiter: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(10))
    flood: SlidingWindowLimiter = field(
        default_factory=lambda: SlidingWindowLimiter(flood_limit(10), FLOOD_WINDOW)
    )
    refusals: SlidingWindowLimiter = field(
        default_factory=lambda: SlidingWindowLimiter(1, REFUSAL_WINDOW)
    )
    purge_task: asyncio.Task[None] | None = None
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reload_task: asyncio.Task[None] | None = None
    languages: dict[str, str] = field(default_factory=dict)
    """/lang choices by preference key (:func:`_preference_key`), loaded at start-up."""
    replies: OrderedDict[tuple[int, int], tuple[int, ...]] = field(default_factory=OrderedDict)
    """The bot's messages answering a user's message, by (chat id, message id)."""
    prompts: dict[tuple[int, int], Prompt] = field(default_factory=dict)
    """Open "what was missing?" prompts, by (chat id, prompt message id)."""

    def remember_reply(self, source: tuple[int, int], message_ids: tuple[int, ...]) -> None:
        """Remember the answer to a user's message (the oldest are forgotten first)."""
        self.replies[source] = message_ids
        self.replies.move_to_end(source)
        while len(self.replies) > REMEMBERED_REPLIES:
            self.replies.popitem(last=False)

    def open_prompt(self, where: tuple[int, int], prompt: Prompt) -> None:
        """Wait for a reply to a "what was missing?" prompt; expired prompts are dropped."""
        now = time.monotonic()
        for key in [key for key, old in self.prompts.items() if old.expires < now]:
            del self.prompts[key]
        self.prompts[where] = prompt


def _state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return cast(BotState, context.bot_data[STATE_KEY])
