"""Shared core of the Telegram handlers: the bot's state, reply plumbing, the question pipeline.

:class:`BotState` lives in ``application.bot_data``; :func:`_answer_question` rate-limits,
screens, searches, records and sends the answer to one question, for typed questions
(:mod:`bot.telegram.questions`) and starter buttons (:mod:`bot.telegram.callbacks`) alike.
Replies leave in each chat's arrival order (:func:`bot.telegram.order.wait_turn`); an
edited question edits its earlier answer (:func:`_reply_or_edit`). The addressing helpers
(is a group message meant for the bot?) are shared by the question handlers and the gate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from telegram import Bot, InlineKeyboardMarkup, Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.models import Answer, Citation, Document, Passage, Suggestion, Topic
from bot.ratelimit import SlidingWindowLimiter
from bot.service import EmptyQuestion
from bot.store import personal_case, personal_case_reply, redact
from bot.telegram.callback_data import AnswerCache, AnswerEntry, topic_key
from bot.telegram.durable import reply_sent
from bot.telegram.order import wait_turn
from bot.telegram.render import Chunk, Votes, escape, render_answer, render_text
from bot.telegram.texts import choose_language, interface_language, text

logger = logging.getLogger(__name__)

STATE_KEY = "samverkansboten"
"""Key of the :class:`BotState` in ``application.bot_data``."""
MAX_QUESTION_CHARS = 4096
"""Longest question passed on; the service shortens further and says so."""
REFUSAL_WINDOW = 600.0
"""Seconds in which a user outside the allowlist is told "not allowed" at most once."""
FLOOD_WINDOW = 60.0
"""Window of the per-user limit on updates of any kind (:func:`flood_limit` per window)."""
COMMENT_WINDOW = 600.0
"""Seconds in which a 👎 voter's reply to "what was missing?" is kept with the vote."""
REMEMBERED_REPLIES = 5000
"""Questions whose answer messages are remembered, so that an edit can edit the answer."""
GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)


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

    def detect_language(self, text: str, default: str = "sv") -> str:
        """Guess a question's language (``default`` when nothing points anywhere)."""

    def browse(self, question: str, *, language: str | None = None) -> Answer:
        """Return the best passages without deciding whether they answer (inline mode)."""

    def cite(self, passage_id: str) -> Citation | None:
        """Return the citation of a passage."""


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
    ) -> int | None:
        """Store a question; return its row id."""

    def record_feedback(self, question_id: int, *, user_id: int, value: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) on a question."""

    def purge_expired(self) -> Any:
        """Delete rows older than the retention period."""

    def record_comment(self, question_id: int, *, user_id: int, comment: str) -> bool:
        """Keep a 👎 voter's note on what was missing with their vote."""

    def preference_key(self, *, user_id: int | None = None, chat_id: int | None = None) -> str:
        """Return the stored key of a user's or a group's language choice."""

    def set_language(self, subject: str, language: str | None) -> None:
        """Store or delete a language choice."""

    def languages(self) -> dict[str, str]:
        """Return every stored language choice."""

    def forget_user(self, user_id: int) -> int:
        """Delete a user's questions, votes and language choice; return how many rows."""

    def writable(self) -> str:
        """Return "" when a write could be committed now, else the reason."""


@dataclass(frozen=True)
class Prompt:
    """A "what was missing?" question after a 👎, waiting for the voter's reply."""

    question_id: int
    user_id: int
    expires: float


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
    languages: dict[str, str] = field(default_factory=dict)
    """/lang choices by preference key (:func:`_preference_key`), loaded at start-up."""
    replies: OrderedDict[tuple[int, int], tuple[int, ...]] = field(default_factory=OrderedDict)
    """The bot's messages answering a user's message, by (chat id, message id)."""
    prompts: dict[tuple[int, int], Prompt] = field(default_factory=dict)
    """Open "what was missing?" prompts, by (chat id, prompt message id)."""

    def remember_reply(self, source: tuple[int, int], message_ids: tuple[int, ...]) -> None:
        """Remember the answer to a user's message (the oldest are forgotten first)."""
        self.replies[source] = message_ids
        self.replies.move_to_end(source)
        while len(self.replies) > REMEMBERED_REPLIES:
            self.replies.popitem(last=False)

    def open_prompt(self, where: tuple[int, int], prompt: Prompt) -> None:
        """Wait for a reply to a "what was missing?" prompt; expired prompts are dropped."""
        now = time.monotonic()
        for key in [key for key, old in self.prompts.items() if old.expires < now]:
            del self.prompts[key]
        self.prompts[where] = prompt


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


def _preference_key(
    state: BotState, *, user_id: int | None = None, chat_id: int | None = None
) -> str:
    """Return the key of a user's or a group's /lang choice (pseudonymous when logged)."""
    if state.question_log is not None:
        with contextlib.suppress(Exception):
            return state.question_log.preference_key(user_id=user_id, chat_id=chat_id)
    return f"u:{user_id}" if user_id is not None else f"c:{chat_id}"


def _is_group(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type in GROUP_CHATS


def _chosen_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Return the /lang choice that applies: the group's in a group, else the user's."""
    state = _state(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type in GROUP_CHATS:
        chosen = state.languages.get(_preference_key(state, chat_id=chat.id))
        if chosen:
            return chosen
    return state.languages.get(_preference_key(state, user_id=user.id)) if user else None


def _language(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str | None = None
) -> str:
    """Pick the language of a reply.

    A group's /lang choice holds in that group. Elsewhere an answer (``question`` given)
    follows the question's language; everything else, and a question that points nowhere
    (such as "IOP"), follows the user's /lang choice, then the Telegram app's language, then
    the default.
    """
    state = _state(context)
    user, chat = update.effective_user, update.effective_chat
    if chat is not None and chat.type in GROUP_CHATS:
        group = state.languages.get(_preference_key(state, chat_id=chat.id))
        if group:
            return group
    chosen = state.languages.get(_preference_key(state, user_id=user.id)) if user else None
    return choose_language(
        chosen,
        user.language_code if user else None,
        question,
        state.settings.default_language,
        detect=getattr(state.service, "detect_language", None),
    )


async def _set_language(update: Update, context: ContextTypes.DEFAULT_TYPE, language: str) -> None:
    """Store a /lang choice: the group's in a group, else the user's; it survives restarts."""
    state = _state(context)
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type in GROUP_CHATS:
        key = _preference_key(state, chat_id=chat.id)
    elif user is not None:
        key = _preference_key(state, user_id=user.id)
    else:
        return
    state.languages[key] = language
    if state.question_log is not None:
        try:
            await asyncio.to_thread(state.question_log.set_language, key, language)
        except Exception:
            logger.warning("Could not store a language choice", exc_info=True)


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


def _interface_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Return the language of menus and notes: /lang choice, Telegram's, then the default."""
    user = update.effective_user
    return interface_language(
        _chosen_language(update, context),
        user.language_code if user else None,
        _state(context).settings.default_language,
    )


async def _send(bot: Bot, where: _Where, chunks: Sequence[Chunk]) -> list[Message]:
    """Send messages in order; the first one replies to ``where.reply_to`` if set.

    The messages wait for the chat's turn (:func:`bot.telegram.order.wait_turn`), so that
    answers leave in the order the questions came. Once all are sent, the update being
    handled counts as answered (:func:`bot.telegram.durable.reply_sent`): a restart does not
    answer it again.
    """
    await wait_turn()
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


async def _edit(bot: Bot, chat_id: int, message_id: int, chunk: Chunk) -> bool:
    """Replace a message's text and buttons; False when the message is gone.

    An edit that changes nothing is no error. Like :func:`_send`, it marks the update
    answered.
    """
    await wait_turn()
    try:
        keyboard = chunk.keyboard if isinstance(chunk.keyboard, InlineKeyboardMarkup) else None
        await bot.edit_message_text(
            chunk.text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            if "not found" in str(exc).lower() or "can't be edited" in str(exc).lower():
                return False
            raise
    reply_sent()
    return True


async def _reply_or_edit(
    bot: Bot, where: _Where, chunks: Sequence[Chunk], previous: tuple[int, ...] = ()
) -> tuple[int, ...]:
    """Send a reply, or edit the earlier reply to the same (edited) message in place.

    The earlier reply's messages are reused in order; extra new chunks are sent, surplus
    old messages deleted. A reply that can no longer be edited is sent anew.

    Returns:
        The ids of the messages that now hold the reply.
    """
    if not previous:
        return tuple(message.message_id for message in await _send(bot, where, chunks))
    kept: list[int] = []
    for message_id, chunk in zip(previous, chunks, strict=False):
        if not await _edit(bot, where.chat_id, message_id, chunk):
            return tuple(message.message_id for message in await _send(bot, where, chunks))
        kept.append(message_id)
    if len(chunks) > len(previous):
        more = _Where(where.chat_id, where.chat_type, None, where.thread_id)
        kept += [m.message_id for m in await _send(bot, more, chunks[len(previous) :])]
    for message_id in previous[len(chunks) :]:
        with contextlib.suppress(BadRequest):
            await bot.delete_message(where.chat_id, message_id)
    return tuple(kept)


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
