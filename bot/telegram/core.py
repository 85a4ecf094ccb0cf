"""Shared core of the Telegram handlers: the bot's state, reply plumbing, the question pipeline.

:class:`BotState` lives in ``application.bot_data``; :func:`_answer_question` rate-limits,
screens, searches, records and sends the answer to one question, for typed questions
(:mod:`bot.telegram.questions`) and starter buttons (:mod:`bot.telegram.callbacks`) alike.
The addressing helpers (is a group message meant for the bot?) are shared by the question
handlers and the access gate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from telegram import Bot, Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.models import Answer, Document, Passage, Suggestion, Topic
from bot.ratelimit import SlidingWindowLimiter
from bot.service import EmptyQuestion
from bot.store import personal_case_reply, redact
from bot.telegram.callback_data import AnswerCache, AnswerEntry, topic_key
from bot.telegram.durable import reply_sent
from bot.telegram.render import Chunk, escape, render_answer, render_text
from bot.telegram.texts import choose_language, text

logger = logging.getLogger(__name__)

STATE_KEY = "samverkansboten"
"""Key of the :class:`BotState` in ``application.bot_data``."""
MAX_QUESTION_CHARS = 4096
"""Longest question passed on; the service shortens further and says so."""
REFUSAL_WINDOW = 600.0
"""Seconds in which a user outside the allowlist is told "not allowed" at most once."""
FLOOD_WINDOW = 60.0
"""Window of the per-user limit on updates of any kind (:func:`flood_limit` per window)."""


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


class QuestionLog(Protocol):
    """What the front end needs from the question log (:mod:`bot.store.log`)."""

    def record_question(
        self,
        *,
        user_id: int,
        chat_type: str,
        language: str,
        question: str,
        answered: bool,
        results: list[tuple[str, float]],
        index_version: str,
        coverage: str = ...,
        missing: Sequence[str] = ...,
    ) -> int | None:
        """Store a question; return its row id."""

    def record_feedback(self, question_id: int, *, user_id: int, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) on a question."""

    def purge_expired(self) -> Any:
        """Delete rows older than the retention period."""


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


@dataclass(frozen=True)
class _Where:
    """Where a reply goes: chat, chat type, message to reply to, forum thread."""

    chat_id: int
    chat_type: str
    reply_to: int | None = None
    thread_id: int | None = None

    @classmethod
    def of(cls, message: Message, *, reply: bool = True) -> _Where:
        thread = message.message_thread_id if message.is_topic_message else None
        return cls(
            message.chat.id, message.chat.type, message.message_id if reply else None, thread
        )


def _state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return cast(BotState, context.bot_data[STATE_KEY])


def _language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str | None = None
) -> str:
    user = update.effective_user
    preferred = context.user_data.get("lang") if context.user_data is not None else None
    return choose_language(
        preferred,
        user.language_code if user else None,
        question,
        _state(context).settings.default_language,
    )


async def _send(bot: Bot, where: _Where, chunks: Sequence[Chunk]) -> list[Message]:
    """Send messages in order; the first one replies to ``where.reply_to`` if set.

    Once all are sent, the update being handled counts as answered
    (:func:`bot.telegram.durable.reply_sent`): a restart does not answer it again.
    """
    sent = []
    for index, chunk in enumerate(chunks):
        reply = None
        if where.reply_to is not None and index == 0:
            reply = ReplyParameters(where.reply_to, allow_sending_without_reply=True)
        sent.append(
            await bot.send_message(
                chat_id=where.chat_id,
                text=chunk.text,
                reply_markup=chunk.keyboard,
                reply_parameters=reply,
                message_thread_id=where.thread_id,
            )
        )
    reply_sent()
    return sent


async def _record_question(
    state: BotState, user_id: int, chat_type: str, question: str, answer: Answer
) -> int | None:
    """Store the question in the question log; store errors never block the answer."""
    if state.question_log is None:
        return None
    try:
        return await asyncio.to_thread(
            state.question_log.record_question,
            user_id=user_id,
            chat_type=chat_type,
            language=answer.language,
            question=question,
            answered=answer.answered,
            results=[(result.passage.id, result.score) for result in answer.results],
            index_version=state.service.version,
            coverage=answer.coverage,
            missing=answer.missing,
        )
    except Exception:
        logger.warning("Could not record a question", exc_info=True)
        return None


async def _answer_question(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    where: _Where,
    *,
    heading: str = "",
) -> None:
    """Rate-limit, screen, search, record and send the answer to one question."""
    state = _state(context)
    user = update.effective_user
    language = _language(update, context, question)
    if user is not None:
        verdict = state.limiter.hit(user.id)
        if not verdict.allowed:
            if verdict.notify:
                note = text(language, "rate_limited", seconds=verdict.wait_seconds)
                await _send(context.bot, where, render_text(note))
            return
    screened = redact(question[:MAX_QUESTION_CHARS])
    if screened.personal_id:
        await _send(context.bot, where, render_text(escape(personal_case_reply(language))))
        return
    try:
        answer = await asyncio.to_thread(state.service.ask, screened.text, language=language)
    except EmptyQuestion:
        await _send(context.bot, where, render_text(text(language, "ask_empty")))
        return
    user_id = user.id if user else 0
    question_id = await _record_question(state, user_id, where.chat_type, screened.text, answer)
    qid = state.answers.put(AnswerEntry(answer, question_id, user_id, where.chat_id))
    await _send(context.bot, where, render_answer(answer, 0, qid, heading=heading))


def _addressed(message: Message, bot: Bot) -> str | None:
    """Return the question if a group message is meant for the bot, else None."""
    username = (bot.username or "").casefold()
    if message.text is not None:
        body, entities = message.text, message.parse_entities()
    else:
        body, entities = message.caption or "", message.parse_caption_entities()
    mentioned = False
    for entity, value in entities.items():
        if (entity.type == MessageEntity.MENTION and value[1:].casefold() == username) or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id
        ):
            mentioned = True
            body = body.replace(value, " ")
    reply = message.reply_to_message
    replied = bool(reply and reply.from_user and reply.from_user.id == bot.id)
    return " ".join(body.split()) if mentioned or replied else None


def _command_for_bot(message: Message, bot: Bot) -> bool:
    """Tell whether a message starts with a command meant for this bot (``/x`` or ``/x@bot``)."""
    entities = message.entities or ()
    first = entities[0] if entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return False
    command = (message.text or "")[: first.length]
    target = command.partition("@")[2]
    return not target or target.casefold() == (bot.username or "").casefold()


def _find_topic(state: BotState, key: str) -> Topic | None:
    return next((t for t in state.service.topics if key in (t.id, topic_key(t.id))), None)


def _callback_where(update: Update) -> _Where | None:
    query = update.callback_query
    if query is None:
        return None
    if query.message is not None:
        chat = query.message.chat
        thread = None
        if isinstance(query.message, Message) and query.message.is_topic_message:
            thread = query.message.message_thread_id
        return _Where(chat.id, chat.type, None, thread)
    user = update.effective_user
    return _Where(user.id, ChatType.PRIVATE) if user else None
