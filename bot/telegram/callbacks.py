"""Inline-button callbacks: more, full passage, 👍/👎, topics, starter questions, language."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.telegram.callback_data import (
    FEEDBACK_PATTERN,
    FULL_PATTERN,
    LANGUAGE_PATTERN,
    MORE_PATTERN,
    STARTER_PATTERN,
    TOPIC_PATTERN,
    AnswerEntry,
)
from bot.telegram.core import (
    BotState,
    _answer_question,
    _callback_where,
    _find_topic,
    _language,
    _send,
    _state,
)
from bot.telegram.render import render_answer, render_passage, render_topic
from bot.telegram.texts import plain, text

logger = logging.getLogger(__name__)


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


async def _record_feedback(state: BotState, entry: AnswerEntry, user_id: int, value: int) -> None:
    """Store feedback in the question log; without one (it could not be opened) it is dropped.

    There is no second store: everything kept about users lives in the question log, under
    its pseudonyms, retention and ``forget``.
    """
    if state.question_log is None or entry.question_id is None:
        logger.info("Feedback not stored: no question log")
        return
    try:
        await asyncio.to_thread(
            state.question_log.record_feedback,
            entry.question_id,
            user_id=user_id,
            value=value,
        )
    except Exception:
        logger.warning("Could not record feedback", exc_info=True)
