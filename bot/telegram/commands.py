"""Telegram commands: /start /help /topics /sources /lang /privacy /forget /whoami and unknown.

A starter or topic button is handled in :mod:`bot.telegram.callbacks`; questions in
:mod:`bot.telegram.questions`.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.models import LANGUAGES
from bot.telegram.callback_data import forget_data
from bot.telegram.core import (
    _find_topic,
    _interface_language,
    _is_group,
    _send,
    _set_language,
    _state,
    _Where,
)
from bot.telegram.render import (
    language_keyboard,
    render_sources,
    render_text,
    render_topic,
    topics_keyboard,
)
from bot.telegram.texts import plain, text

logger = logging.getLogger(__name__)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user with topic buttons; a deep-link payload opens that topic."""
    message = update.effective_message
    if message is None:
        return
    state = _state(context)
    language = _interface_language(update, context)
    where = _Where.of(message, reply=False)
    topic = _find_topic(state, context.args[0]) if context.args else None
    if topic is not None:
        await _send(context.bot, where, [render_topic(topic, language)])
        return
    keyboard = topics_keyboard(state.service.topics, language)
    await _send(context.bot, where, render_text(text(language, "welcome"), keyboard))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain how to ask, the buttons and the commands (in a group: how to ask there)."""
    message = update.effective_message
    if message is None:
        return
    language = _interface_language(update, context)
    key = "help_group" if _is_group(update) else "help"
    body = text(language, key, bot=context.bot.username or "bot")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body))


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the topics as buttons."""
    message = update.effective_message
    if message is None:
        return
    language = _interface_language(update, context)
    keyboard = topics_keyboard(_state(context).service.topics, language)
    body = text(language, "topics" if keyboard else "no_topics")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body, keyboard))


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the documents with authors, dates and links."""
    message = update.effective_message
    if message is None:
        return
    language = _interface_language(update, context)
    chunks = render_sources(_state(context).service.documents, language)
    await _send(context.bot, _Where.of(message, reply=False), chunks)


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch the interface language (``/lang da``) or offer the choices as buttons.

    The choice is stored and survives restarts; in a group it is the group's.
    """
    message = update.effective_message
    if message is None:
        return
    where = _Where.of(message, reply=False)
    choice = context.args[0].lower() if context.args else ""
    if choice in LANGUAGES:
        await _set_language(update, context, choice)
        key = "lang_set_group" if _is_group(update) else "lang_set"
        await _send(context.bot, where, render_text(text(choice, key)))
        return
    language = _interface_language(update, context)
    await _send(
        context.bot, where, render_text(text(language, "lang_prompt"), language_keyboard())
    )


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what is stored, for how long, and how to delete it."""
    message = update.effective_message
    if message is None:
        return
    days = _state(context).settings.retention_days
    body = text(_interface_language(update, context), "privacy", days=days)
    await _send(context.bot, _Where.of(message, reply=False), render_text(body))


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer to delete the user's questions, votes and language choice (confirmed by button)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    language = _interface_language(update, context)
    if message.chat.type != ChatType.PRIVATE:
        await _send(context.bot, _Where.of(message), render_text(text(language, "forget_private")))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    plain(language, "forget_yes"), callback_data=forget_data(user.id, True)
                ),
                InlineKeyboardButton(
                    plain(language, "forget_no"), callback_data=forget_data(user.id, False)
                ),
            ]
        ]
    )
    body = text(language, "forget_confirm")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body, keyboard))


async def whoami_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the user their Telegram id and the chat's (for ``admin_ids`` and allowlists)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    body = text(_interface_language(update, context), "whoami", user=user.id, chat=message.chat.id)
    await _send(context.bot, _Where.of(message), render_text(body))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point to /help after a command the bot does not know (private chats)."""
    message = update.effective_message
    if message is None:
        return
    body = text(_interface_language(update, context), "unknown_command")
    await _send(context.bot, _Where.of(message, reply=False), render_text(body))
