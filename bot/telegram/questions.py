"""Question handlers: private text, group mentions and replies, ``/ask``, and non-text messages.

Private chats: any text is a question, answered as a reply to it. Groups: only ``/ask``,
mentions of the bot and replies to it. Every question goes through
:func:`bot.telegram.core._answer_question`; a reply to the bot's "what was missing?" prompt
after a 👎 is kept with the vote instead (:func:`bot.telegram.core._take_comment`).
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.telegram.core import (
    _addressed,
    _answer_question,
    _interface_language,
    _reply,
    _take_comment,
    _Where,
)
from bot.telegram.render import render_text
from bot.telegram.texts import text

logger = logging.getLogger(__name__)

_COMMAND_PREFIX = re.compile(r"^/\S*\s*")


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any text in a private chat as a reply to it; an edit edits the answer."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if await _take_comment(update, context):
        return
    await _answer_question(update, context, message.text, _Where.of(message))


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer group messages that mention the bot or reply to it; ignore other chatter."""
    message = update.effective_message
    if message is None:
        return
    question = _addressed(message, context.bot)
    if question is None or await _take_comment(update, context):
        return
    await _answer_question(update, context, question, _Where.of(message))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the question written after /ask."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    question = _COMMAND_PREFIX.sub("", message.text, count=1).strip()
    if not question:
        body = text(_interface_language(update, context), "ask_empty")
        await _reply(update, context, _Where.of(message), render_text(body))
        return
    await _answer_question(update, context, question, _Where.of(message))


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say that only text questions are understood (in groups only when addressed)."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != ChatType.PRIVATE and _addressed(message, context.bot) is None:
        return
    reply = render_text(text(_interface_language(update, context), "non_text"))
    await _reply(update, context, _Where.of(message), reply)
