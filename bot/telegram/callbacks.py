"""Inline-button callbacks: paging, passages, newer texts, 👍/👎, topics, language, /forget.

Paging edits the answer in place (◂ ▸), and a vote edits only the keyboard, so the chat keeps
one message per answer.
"""

from __future__ import annotations

import logging
import time

from telegram import ForceReply, Message, Update, User
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.store import StoreError, record_vote
from bot.telegram.callback_data import (
    FEEDBACK_PATTERN,
    FORGET_PATTERN,
    FULL_PATTERN,
    LANGUAGE_PATTERN,
    MORE_PATTERN,
    NEWER_PATTERN,
    STARTER_PATTERN,
    TOPIC_PATTERN,
    AnswerEntry,
)
from bot.telegram.core import (
    COMMENT_WINDOW,
    BotState,
    Prompt,
    _answer_question,
    _callback_where,
    _edit,
    _find_topic,
    _forget,
    _interface_language,
    _is_group,
    _send,
    _set_language,
    _state,
    _votes,
    _Where,
)
from bot.telegram.render import (
    Chunk,
    escape,
    render_answer,
    render_newer,
    render_passage,
    render_text,
    render_topic,
    with_votes,
)
from bot.telegram.texts import plain, text

logger = logging.getLogger(__name__)


async def _expired(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button whose state is gone with a polite 'please ask again'."""
    if update.callback_query is not None:
        await update.callback_query.answer(plain(_interface_language(update, context), "expired"))


async def more_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn the answer to another page (◂ ▸), in place; numbering runs on across pages."""
    query = update.callback_query
    match = MORE_PATTERN.match(query.data or "") if query else None
    entry = _state(context).answers.get(match[1]) if match else None
    where = _callback_where(update)
    if query is None or match is None or entry is None or where is None:
        await _expired(update, context)
        return
    user = update.effective_user
    votes = _votes(entry, user.id if user else None, where.chat_type)
    chunks = render_answer(
        entry.answer, int(match[2]), match[1], heading=entry.heading, votes=votes
    )
    if not chunks:
        await _expired(update, context)
        return
    await query.answer()
    message = query.message
    if (
        len(chunks) == 1
        and isinstance(message, Message)
        and await _edit(context.bot, message.chat.id, message.message_id, chunks[0])
    ):
        return
    # A page too long for one message (or a message gone) is sent anew.
    await _send(context.bot, where, chunks)


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


async def newer_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send what changed since a quoted text was written, and the newer text saying so."""
    query = update.callback_query
    match = NEWER_PATTERN.match(query.data or "") if query else None
    state = _state(context)
    entry = state.answers.get(match[1]) if match else None
    where = _callback_where(update)
    result = None
    if entry is not None and match is not None:
        result = next((r for r in entry.answer.results if r.rank == int(match[2])), None)
    if query is None or entry is None or result is None or where is None or not result.dated:
        await _expired(update, context)
        return
    await query.answer()
    see = next((note.see for note in result.dated if note.see), "")
    passage = state.service.passage(see) if see else None
    citation = state.service.cite(see) if passage is not None else None
    language = entry.answer.language
    await _send(context.bot, where, render_newer(result.dated, passage, citation, language))


async def feedback_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record 👍 or 👎, show the vote on the keyboard, and after a 👎 ask what was missing."""
    query = update.callback_query
    match = FEEDBACK_PATTERN.match(query.data or "") if query else None
    state = _state(context)
    entry = state.answers.get(match[1]) if match else None
    user = update.effective_user
    where = _callback_where(update)
    if query is None or match is None or entry is None or user is None or where is None:
        await _expired(update, context)
        return
    value = 1 if match[2] == "+" else -1
    language = entry.answer.language
    vote = "👍" if value > 0 else "👎"
    if entry.feedback.get(user.id) == value:
        await query.answer(plain(language, "vote_same", vote=vote))
        return
    entry.feedback[user.id] = value
    await _record_feedback(state, entry, user.id, value)
    await query.answer(plain(language, "vote_saved", vote=vote))
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        markup = with_votes(
            message.reply_markup, match[1], _votes(entry, user.id, where.chat_type)
        )
        try:
            await query.edit_message_reply_markup(markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                logger.info("Could not show the vote: %s", exc)
    if value < 0 and user.id not in entry.prompted and entry.question_id is not None:
        entry.prompted.add(user.id)
        await _ask_what_was_missing(state, context, entry, where, message, user)


async def _ask_what_was_missing(
    state: BotState,
    context: ContextTypes.DEFAULT_TYPE,
    entry: AnswerEntry,
    where: _Where,
    message: object,
    user: User,
) -> None:
    """Ask in one line what was missing; a reply within COMMENT_WINDOW is kept with the 👎.

    The question forces a reply, so the phone opens the answer field quoting it; in a group
    it names the voter, so that the field opens for them only.
    """
    if state.question_log is None or entry.question_id is None:
        return
    body = text(entry.answer.language, "missing_prompt")
    if where.chat_type != ChatType.PRIVATE:
        name = escape(user.first_name or "…")
        body = f'<a href="tg://user?id={user.id}">{name}</a>: {body}'
    reply_to = message.message_id if isinstance(message, Message) else None
    prompt_where = _Where(where.chat_id, where.chat_type, reply_to, where.thread_id)
    sent = await _send(context.bot, prompt_where, [Chunk(body, ForceReply(selective=True))])
    state.open_prompt(
        (where.chat_id, sent[-1].message_id),
        Prompt(entry.question_id, user.id, time.monotonic() + COMMENT_WINDOW),
    )


async def topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open a topic: its starter questions as a numbered list with a button per number."""
    query = update.callback_query
    match = TOPIC_PATTERN.match(query.data or "") if query else None
    topic = _find_topic(_state(context), match[1]) if match else None
    where = _callback_where(update)
    if query is None or topic is None or where is None:
        await _expired(update, context)
        return
    await query.answer()
    language = _interface_language(update, context)
    await _send(context.bot, where, [render_topic(topic, language)])


async def starter_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a topic's starter question as if the user had typed it."""
    query = update.callback_query
    match = STARTER_PATTERN.match(query.data or "") if query else None
    topic = _find_topic(_state(context), match[1]) if match else None
    where = _callback_where(update)
    starters = topic.starters(_interface_language(update, context)) if topic else ()
    index = int(match[2]) if match else -1
    if query is None or where is None or not 0 <= index < len(starters):
        await _expired(update, context)
        return
    await query.answer()
    question = starters[index]
    await _answer_question(update, context, question, where, heading=question)


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Switch the interface language from the /lang buttons (stored; a group's in a group)."""
    query = update.callback_query
    match = LANGUAGE_PATTERN.match(query.data or "") if query else None
    if query is None or match is None:
        await _expired(update, context)
        return
    await _set_language(update, context, match[1])
    await query.answer()
    key = "lang_set_group" if _is_group(update) else "lang_set"
    message = query.message
    if isinstance(message, Message):
        chunk = render_text(text(match[1], key))[0]
        await _edit(context.bot, message.chat.id, message.message_id, chunk)


async def forget_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Delete the user's data after /forget was confirmed, or say nothing was deleted."""
    query = update.callback_query
    match = FORGET_PATTERN.match(query.data or "") if query else None
    user = update.effective_user
    if query is None or match is None or user is None:
        await _expired(update, context)
        return
    language = _interface_language(update, context)
    if int(match[1]) != user.id:
        await query.answer(plain(language, "forget_not_yours"))
        return
    await query.answer()
    if match[2] == "y":
        try:
            count = await _forget(_state(context), user.id)
        except StoreError:
            logger.warning("Could not forget a user", exc_info=True)
            body = text(language, "forget_failed")
        else:
            body = text(language, "forgotten", count=count)
    else:
        body = text(language, "forget_cancelled")
    message = query.message
    if isinstance(message, Message):
        await _edit(context.bot, message.chat.id, message.message_id, render_text(body)[0])


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer any other button (old or unknown data) with 'please ask again'."""
    await _expired(update, context)


async def _record_feedback(state: BotState, entry: AnswerEntry, user_id: int, value: int) -> None:
    """Store feedback in the question log; without one (it could not be opened) it is dropped.

    There is no second store: everything kept about users lives in the question log, under
    its pseudonyms, retention and ``forget``.
    """
    await record_vote(state.question_log, entry.question_id, user_id=user_id, value=value)
