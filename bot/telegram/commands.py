"""Telegram commands: /start /help /topics /sources /lang and unknown commands.

A starter or topic button is handled in :mod:`bot.telegram.callbacks`; questions in
:mod:`bot.telegram.questions`.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.models import LANGUAGES
from bot.telegram.core import _find_topic, _language, _send, _state, _Where
from bot.telegram.render import (
    language_keyboard,
    render_sources,
    render_text,
    render_topic,
    topics_keyboard,
)
from bot.telegram.texts import text

logger = logging.getLogger(__name__)


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
