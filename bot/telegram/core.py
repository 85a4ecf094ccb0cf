"""Shared core of the Telegram handlers: the question pipeline and the addressing helpers.

:func:`_answer_question` rate-limits, screens, searches, records and sends the answer to one
question, for typed questions (:mod:`bot.telegram.questions`) and starter buttons
(:mod:`bot.telegram.callbacks`) alike; an edited question edits its earlier answer. The
addressing helpers (is a group message meant for the bot?) are shared by the question
handlers and the gate. The state (:mod:`bot.telegram.state`), the reply plumbing
(:mod:`bot.telegram.reply`) and the language choice (:mod:`bot.telegram.language`) are
re-exported here, so handlers import from one place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from telegram import Bot, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.models import Answer, Topic
from bot.service import EmptyQuestion
from bot.store import personal_case, personal_case_reply, record_answer, redact
from bot.telegram.callback_data import AnswerEntry, topic_key
from bot.telegram.language import (
    _chosen_language,
    _interface_language,
    _is_group,
    _language,
    _preference_key,
    _set_language,
)
from bot.telegram.render import Chunk, Votes, escape, render_answer, render_text
from bot.telegram.reply import _edit, _reply_or_edit, _send, _Where
from bot.telegram.state import (
    COMMENT_WINDOW,
    FLOOD_WINDOW,
    GROUP_CHATS,
    MAX_QUESTION_CHARS,
    REFUSAL_WINDOW,
    REMEMBERED_REPLIES,
    STATE_KEY,
    BotState,
    Prompt,
    QuestionLog,
    Service,
    _state,
    flood_limit,
)
from bot.telegram.texts import text

__all__ = [
    "COMMENT_WINDOW",
    "FLOOD_WINDOW",
    "GROUP_CHATS",
    "MAX_QUESTION_CHARS",
    "REFUSAL_WINDOW",
    "REMEMBERED_REPLIES",
    "STATE_KEY",
    "BotState",
    "Prompt",
    "QuestionLog",
    "Service",
    "_Where",
    "_addressed",
    "_answer_question",
    "_callback_where",
    "_chosen_language",
    "_command_for_bot",
    "_edit",
    "_find_topic",
    "_forget",
    "_interface_language",
    "_is_group",
    "_language",
    "_preference_key",
    "_reply",
    "_reply_or_edit",
    "_send",
    "_set_language",
    "_state",
    "_take_comment",
    "_votes",
    "flood_limit",
]

logger = logging.getLogger(__name__)


async def _forget(state: BotState, user_id: int) -> int:
    """Delete what is kept about a user: stored rows, language choice, answers in memory.

    Returns:
        The number of stored questions and votes deleted.

    Raises:
        bot.store.StoreError: When the stored rows could not be deleted (nothing is then).
    """
    count = 0
    if state.question_log is not None:
        count = await asyncio.to_thread(state.question_log.forget_user, user_id)
    state.languages.pop(_preference_key(state, user_id=user_id), None)
    state.answers.forget_user(user_id)
    for key in [key for key, prompt in state.prompts.items() if prompt.user_id == user_id]:
        del state.prompts[key]
    for key in [key for key in state.replies if key[0] == user_id]:
        del state.replies[key]
    return count


def _source(update: Update) -> tuple[int, int] | None:
    """Return (chat id, message id) of the user's message being answered, if any."""
    message = update.effective_message
    if update.callback_query is not None or message is None:
        return None
    return message.chat.id, message.message_id


async def _reply(
    update: Update, context: ContextTypes.DEFAULT_TYPE, where: _Where, chunks: Sequence[Chunk]
) -> None:
    """Reply to the user's message, editing the earlier reply when the message was edited."""
    state = _state(context)
    source = _source(update)
    previous = state.replies.get(source, ()) if source and update.edited_message else ()
    message_ids = await _reply_or_edit(context.bot, where, chunks, previous)
    if source is not None:
        state.remember_reply(source, message_ids)


def _votes(entry: AnswerEntry, user_id: int | None, chat_type: str) -> Votes:
    """Return the 👍/👎 state of an answer as its keyboard shows it."""
    values = list(entry.feedback.values())
    return Votes(
        up=values.count(1),
        down=values.count(-1),
        mine=entry.feedback.get(user_id, 0) if user_id is not None else 0,
        counts=chat_type in GROUP_CHATS,
    )


async def _record_question(
    state: BotState, user_id: int, chat_type: str, question: str, answer: Answer
) -> int | None:
    """Store the question in the question log; store errors never block the answer."""
    return await record_answer(
        state.question_log,
        answer,
        question=question,
        user_id=user_id,
        chat_type=chat_type,
        index_version=state.service.version,
    )


async def _answer_question(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    question: str,
    where: _Where,
    *,
    heading: str = "",
) -> None:
    """Rate-limit, screen, search, record and send the answer to one question.

    The labels and notes of the answer are in the question's language. An edited question
    edits its earlier answer.
    """
    state = _state(context)
    user = update.effective_user
    language = _language(update, context, question)
    if user is not None:
        verdict = state.limiter.hit(user.id)
        if not verdict.allowed:
            if verdict.notify:
                note = text(language, "rate_limited", seconds=verdict.wait_seconds)
                await _reply(update, context, where, render_text(note))
            return
    screened = redact(question[:MAX_QUESTION_CHARS])
    if screened.personal_id or personal_case(screened.text):
        reply = personal_case_reply(language, number=screened.personal_id)
        await _reply(update, context, where, render_text(escape(reply)))
        return
    try:
        answer = await asyncio.to_thread(state.service.ask, screened.text, language=language)
    except EmptyQuestion:
        await _reply(update, context, where, render_text(text(language, "ask_empty")))
        return
    user_id = user.id if user else 0
    question_id = await _record_question(state, user_id, where.chat_type, screened.text, answer)
    entry = AnswerEntry(answer, question_id, user_id, where.chat_id, heading=heading)
    qid = state.answers.put(entry)
    votes = _votes(entry, user_id, where.chat_type)
    await _reply(
        update, context, where, render_answer(answer, 0, qid, heading=heading, votes=votes)
    )


async def _take_comment(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Keep a reply to "what was missing?" with the 👎 it follows; True when it was one."""
    state = _state(context)
    message, user = update.message, update.effective_user
    reply_to = message.reply_to_message if message is not None else None
    if message is None or reply_to is None or user is None or not message.text:
        return False
    key = (message.chat.id, reply_to.message_id)
    prompt = state.prompts.get(key)
    if prompt is None or prompt.user_id != user.id:
        return False
    del state.prompts[key]
    if prompt.expires < time.monotonic():
        return False
    stored = False
    if state.question_log is not None:
        try:
            stored = await asyncio.to_thread(
                state.question_log.record_comment,
                prompt.question_id,
                user_id=user.id,
                comment=message.text,
            )
        except Exception:
            logger.warning("Could not record a comment", exc_info=True)
    language = _language(update, context, message.text)
    body = text(language, "comment_saved" if stored else "thanks")
    await _send(context.bot, _Where.of(message), render_text(body))
    return True


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
