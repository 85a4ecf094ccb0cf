"""Handlers of the Telegram front end: questions, commands, buttons, inline mode, errors.

Private chats: any text is a question. Groups: only ``/ask``, mentions of the bot and replies
to it. Inline mode (``@bot question`` in any chat) offers excerpts to share. Rendering lives in
:mod:`bot.telegram_render`, interface strings in :mod:`bot.telegram_texts`; the application is
assembled in :mod:`bot.telegram_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.config import Settings
from bot.models import LANGUAGES, Answer, Document, Passage, Suggestion, Topic
from bot.ratelimit import SlidingWindowLimiter
from bot.redact import personal_case_reply, redact
from bot.service import EmptyQuestion
from bot.telegram_callbacks import (
    FEEDBACK_PATTERN,
    FULL_PATTERN,
    LANGUAGE_PATTERN,
    MORE_PATTERN,
    STARTER_PATTERN,
    TOPIC_PATTERN,
    AnswerCache,
    AnswerEntry,
    topic_key,
)
from bot.telegram_render import (
    Chunk,
    escape,
    language_keyboard,
    render_answer,
    render_inline,
    render_passage,
    render_sources,
    render_text,
    render_topic,
    topics_keyboard,
    truncate,
)
from bot.telegram_texts import choose_language, plain, text

logger = logging.getLogger(__name__)

STATE_KEY = "samverkansboten"
"""Key of the :class:`BotState` in ``application.bot_data``."""
MAX_QUESTION_CHARS = 4096
"""Longest question passed on; the service shortens further and says so."""
INLINE_RESULTS = 10
_COMMAND_PREFIX = re.compile(r"^/\S*\s*")


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
    """What the front end needs from the question log (:mod:`bot.store`)."""

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
    ) -> int | None:
        """Store a question; return its row id."""

    def record_feedback(self, question_id: int, *, user_id: int, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) on a question."""

    def purge_expired(self) -> Any:
        """Delete rows older than the retention period."""


@dataclass
class BotState:
    """Everything the handlers share, kept in ``application.bot_data``.

    ``service`` is swapped for a reloaded one by :mod:`bot.telegram_admin` (``/reload``, one
    at a time under ``reload_lock``); handlers read it afresh for every update.
    """

    settings: Settings
    service: Service
    question_log: QuestionLog | None = None
    answers: AnswerCache = field(default_factory=AnswerCache)
    limiter: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(10))
    purge_task: asyncio.Task[None] | None = None
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def feedback_file(self) -> Path:
        """JSONL file for feedback when no question log is available."""
        return self.settings.data_dir / "feedback.jsonl"


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
    """Send messages in order; the first one replies to ``where.reply_to`` if set."""
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
    return sent


def _user_key(secret: str, user_id: int) -> str:
    return hmac.new(secret.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()[:16]


# --------------------------------------------------------------------------- questions


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
        )
    except Exception:
        logger.warning("Could not record a question", exc_info=True)
        return None


async def _record_feedback(state: BotState, entry: AnswerEntry, user_id: int, value: int) -> None:
    """Store feedback in the question log, or in a JSONL file when there is none."""
    try:
        if state.question_log is not None and entry.question_id is not None:
            await asyncio.to_thread(
                state.question_log.record_feedback,
                entry.question_id,
                user_id=user_id,
                value=value,
            )
            return
        line = {
            "time": int(time.time()),
            "user": _user_key(state.settings.hmac_secret, user_id),
            "value": value,
            "language": entry.answer.language,
            "answered": entry.answer.answered,
            "passages": [result.passage.id for result in entry.answer.results],
            "index_version": state.service.version,
        }
        await asyncio.to_thread(_append_line, state.feedback_file, json.dumps(line))
    except Exception:
        logger.warning("Could not record feedback", exc_info=True)


def _append_line(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


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


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text in a private chat, and an edited question again."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    edited = update.edited_message is not None
    await _answer_question(update, context, message.text, _Where.of(message, reply=edited))


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer group messages that mention the bot or reply to it; ignore other chatter."""
    message = update.effective_message
    if message is None:
        return
    question = _addressed(message, context.bot)
    if question is None:
        return
    await _answer_question(update, context, question, _Where.of(message))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question written after /ask."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = _COMMAND_PREFIX.sub("", message.text, count=1).strip()
    if not question:
        await _send(
            context.bot,
            _Where.of(message),
            render_text(text(_language(update, context), "ask_empty")),
        )
        return
    await _answer_question(update, context, question, _Where.of(message))


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say that only text questions are understood (in groups only when addressed)."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != ChatType.PRIVATE and _addressed(message, context.bot) is None:
        return
    reply = render_text(text(_language(update, context), "non_text"))
    await _send(
        context.bot, _Where.of(message, reply=message.chat.type != ChatType.PRIVATE), reply
    )


# --------------------------------------------------------------------------- commands


def _find_topic(state: BotState, key: str) -> Topic | None:
    return next((t for t in state.service.topics if key in (t.id, topic_key(t.id))), None)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user with topic buttons; a deep-link payload opens that topic."""
    message = update.effective_message
    if message is None:
        return
    state = _state(context)
    language = _language(update, context)
    where = _Where.of(message, reply=False)
    topic = _find_topic(state, context.args[0]) if context.args else None
    if topic is not None:
        await _send(context.bot, where, [render_topic(topic, language)])
        return
    keyboard = topics_keyboard(state.service.topics, language)
    await _send(context.bot, where, render_text(text(language, "welcome"), keyboard))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask, the buttons and the commands."""
    message = update.effective_message
    if message is None:
        return
    language = _language(update, context)
    body = text(language, "help", bot=context.bot.username or "bot")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body))


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the topics as buttons."""
    message = update.effective_message
    if message is None:
        return
    language = _language(update, context)
    keyboard = topics_keyboard(_state(context).service.topics, language)
    body = text(language, "topics" if keyboard else "no_topics")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body, keyboard))


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the documents with authors, dates and links."""
    message = update.effective_message
    if message is None:
        return
    chunks = render_sources(_state(context).service.documents, _language(update, context))
    await _send(context.bot, _Where.of(message, reply=False), chunks)


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch the interface language (``/lang da``) or offer the choices as buttons."""
    message = update.effective_message
    if message is None:
        return
    where = _Where.of(message, reply=False)
    choice = context.args[0].lower() if context.args else ""
    if choice in LANGUAGES and context.user_data is not None:
        context.user_data["lang"] = choice
        await _send(context.bot, where, render_text(text(choice, "lang_set")))
        return
    language = _language(update, context)
    await _send(
        context.bot, where, render_text(text(language, "lang_prompt"), language_keyboard())
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help after a command the bot does not know (private chats)."""
    message = update.effective_message
    if message is None:
        return
    body = text(_language(update, context), "unknown_command")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body))


# --------------------------------------------------------------------------- buttons


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


async def _expired(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button whose state is gone with a polite 'please ask again'."""
    if update.callback_query is not None:
        await update.callback_query.answer(plain(_language(update, context), "expired"))


async def more_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the next page of results, numbered on from the previous page."""
    query = update.callback_query
    match = MORE_PATTERN.match(query.data or "") if query else None
    entry = _state(context).answers.get(match[1]) if match else None
    where = _callback_where(update)
    if query is None or match is None or entry is None or where is None:
        await _expired(update, context)
        return
    chunks = render_answer(entry.answer, int(match[2]), match[1])
    if not chunks:
        await _expired(update, context)
        return
    await query.answer()
    await _send(context.bot, where, chunks)
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        rows = [
            [button for button in row if not str(button.callback_data or "").startswith("p:")]
            for row in message.reply_markup.inline_keyboard
        ]
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(InlineKeyboardMarkup([r for r in rows if r]))


async def full_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the whole passage behind one numbered result."""
    query = update.callback_query
    match = FULL_PATTERN.match(query.data or "") if query else None
    entry = _state(context).answers.get(match[1]) if match else None
    where = _callback_where(update)
    result = None
    if entry is not None and match is not None:
        result = next((r for r in entry.answer.results if r.rank == int(match[2])), None)
    if query is None or entry is None or result is None or where is None:
        await _expired(update, context)
        return
    await query.answer()
    await _send(context.bot, where, render_passage(result, entry.answer.language))


async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record 👍 or 👎 on an answer and thank the user."""
    query = update.callback_query
    match = FEEDBACK_PATTERN.match(query.data or "") if query else None
    state = _state(context)
    entry = state.answers.get(match[1]) if match else None
    user = update.effective_user
    if query is None or match is None or entry is None or user is None:
        await _expired(update, context)
        return
    value = 1 if match[2] == "+" else -1
    if entry.feedback.get(user.id) != value:
        entry.feedback[user.id] = value
        await _record_feedback(state, entry, user.id, value)
    await query.answer(plain(entry.answer.language, "thanks"))


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open a topic: show its starter questions as buttons."""
    query = update.callback_query
    match = TOPIC_PATTERN.match(query.data or "") if query else None
    topic = _find_topic(_state(context), match[1]) if match else None
    where = _callback_where(update)
    if query is None or topic is None or where is None:
        await _expired(update, context)
        return
    await query.answer()
    await _send(context.bot, where, [render_topic(topic, _language(update, context))])


async def starter_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a topic's starter question as if the user had typed it."""
    query = update.callback_query
    match = STARTER_PATTERN.match(query.data or "") if query else None
    topic = _find_topic(_state(context), match[1]) if match else None
    where = _callback_where(update)
    starters = topic.starters(_language(update, context)) if topic else ()
    index = int(match[2]) if match else -1
    if query is None or where is None or not 0 <= index < len(starters):
        await _expired(update, context)
        return
    await query.answer()
    question = starters[index]
    await _answer_question(update, context, question, where, heading=question)


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch the interface language from the /lang buttons."""
    query = update.callback_query
    match = LANGUAGE_PATTERN.match(query.data or "") if query else None
    if query is None or match is None or context.user_data is None:
        await _expired(update, context)
        return
    context.user_data["lang"] = match[1]
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_text(text(match[1], "lang_set"))


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any other button (old or unknown data) with 'please ask again'."""
    await _expired(update, context)


# --------------------------------------------------------------------------- inline mode


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer up to ten cited excerpts to share in any chat."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    language = _language(update, context, question)
    button = InlineQueryResultsButton(plain(language, "inline_open"), start_parameter="inline")
    answer = None
    screened = redact(question)
    if question and not screened.personal_id:
        with contextlib.suppress(EmptyQuestion):
            answer = await asyncio.to_thread(
                _state(context).service.ask, screened.text, language=language
            )
    results = []
    if answer is not None and answer.answered:
        for result in answer.results[:INLINE_RESULTS]:
            title = truncate(result.citation.title or result.citation.doc_id, 100) or "…"
            results.append(
                InlineQueryResultArticle(
                    id=str(result.rank),
                    title=title,
                    description=truncate(result.excerpt.text, 150),
                    input_message_content=InputTextMessageContent(render_inline(result, language)),
                )
            )
    await query.answer(
        results, cache_time=60, is_personal=True, button=None if results else button
    )


# --------------------------------------------------------------------------- errors, access


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error with its traceback and send the user a short apology."""
    error = context.error
    if isinstance(error, BadRequest) and "not modified" in str(error).lower():
        logger.debug("Ignored: %s", error)
        return
    if isinstance(error, Forbidden):
        logger.warning("Telegram refused a call (the user may have blocked the bot): %s", error)
        return
    logger.error("Error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    language = _language(update, context)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain(language, "error"))
        elif update.effective_message is not None and update.effective_chat is not None:
            where = _Where.of(update.effective_message)
            await _send(context.bot, where, render_text(text(language, "error")))
    except TelegramError as exc:
        logger.warning("Could not send the apology: %s", exc)


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from users and chats outside the allowlist (admins always pass).

    Outsiders get a polite refusal in private chats, and in groups when they address the bot
    (a mention, a reply to it or a command); other group chatter is ignored silently.
    """
    settings = _state(context).settings
    user, chat = update.effective_user, update.effective_chat
    if (user and (user.id in settings.allowed_user_ids or user.id in settings.admin_ids)) or (
        chat and chat.id in settings.allowed_chat_ids
    ):
        return
    message = update.message
    if update.callback_query is not None:
        await update.callback_query.answer()
    elif update.inline_query is not None:
        await update.inline_query.answer([], cache_time=300, is_personal=True)
    elif message is not None and (
        message.chat.type == ChatType.PRIVATE
        or _addressed(message, context.bot) is not None
        or _command_for_bot(message, context.bot)
    ):
        body = text(_language(update, context), "not_allowed")
        private = message.chat.type == ChatType.PRIVATE
        await _send(context.bot, _Where.of(message, reply=not private), render_text(body))
    raise ApplicationHandlerStop


def _command_for_bot(message: Message, bot: Bot) -> bool:
    """Tell whether a message starts with a command meant for this bot (``/x`` or ``/x@bot``)."""
    entities = message.entities or ()
    first = entities[0] if entities else None
    if first is None or first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return False
    command = (message.text or "")[: first.length]
    target = command.partition("@")[2]
    return not target or target.casefold() == (bot.username or "").casefold()
