"""Question handlers: private text, group mentions and replies, ``/ask``, and non-text messages.

Private chats: any text is a question. Groups: only ``/ask``, mentions of the bot and replies
to it. Every question goes through :func:`bot.telegram.core._answer_question`.
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.telegram.core import _addressed, _answer_question, _language, _send, _Where
from bot.telegram.render import render_text
from bot.telegram.texts import text

logger = logging.getLogger(__name__)

_COMMAND_PREFIX = re.compile(r"^/\S*\s*")


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
