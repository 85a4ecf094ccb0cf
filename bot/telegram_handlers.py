"""Handlers of the Telegram front end: questions, inline mode, errors and the access gate.

Private chats: any text is a question. Groups: only ``/ask``, mentions of the bot and replies
to it. Inline mode (``@bot question`` in any chat) offers excerpts to share. Commands and
buttons live in :mod:`bot.telegram_commands`, the shared state and question pipeline in
:mod:`bot.telegram_core`; both are re-exported here. Rendering lives in
:mod:`bot.telegram_render`, interface strings in :mod:`bot.telegram_texts`; the application is
assembled in :mod:`bot.telegram_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from telegram import (
    Bot,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.redact import redact
from bot.service import EmptyQuestion
from bot.telegram_commands import (
    feedback_button,
    full_button,
    help_command,
    lang_command,
    language_button,
    more_button,
    sources_command,
    stale_button,
    start,
    starter_button,
    topic_button,
    topics_command,
    unknown_command,
)
from bot.telegram_core import (
    MAX_QUESTION_CHARS,
    STATE_KEY,
    BotState,
    QuestionLog,
    Service,
    _answer_question,
    _language,
    _send,
    _state,
    _Where,
)
from bot.telegram_render import render_inline, render_text, truncate
from bot.telegram_texts import plain, text

__all__ = [  # the shared core is in bot.telegram_core, commands and buttons in telegram_commands
    "MAX_QUESTION_CHARS",
    "STATE_KEY",
    "BotState",
    "QuestionLog",
    "Service",
    "_Where",
    "_answer_question",
    "_language",
    "_send",
    "_state",
    "ask_command",
    "feedback_button",
    "full_button",
    "gate",
    "group_text",
    "help_command",
    "inline_query",
    "lang_command",
    "language_button",
    "more_button",
    "non_text",
    "on_error",
    "private_text",
    "sources_command",
    "stale_button",
    "start",
    "starter_button",
    "topic_button",
    "topics_command",
    "unknown_command",
]

logger = logging.getLogger(__name__)

INLINE_RESULTS = 10
_COMMAND_PREFIX = re.compile(r"^/\S*\s*")


# --------------------------------------------------------------------------- questions


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
