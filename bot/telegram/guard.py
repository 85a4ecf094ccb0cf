"""The flood guard, the access gate (allowlists) and the error handler of the Telegram layer."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram.core import _addressed, _command_for_bot, _language, _send, _state, _Where
from bot.telegram.render import render_text
from bot.telegram.texts import plain, text

logger = logging.getLogger(__name__)


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


async def flood_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ignore, silently, every update of a user past the flood limit, allowed or not.

    Runs before everything else, so a flood costs a dictionary lookup per update and no Bot
    API call; the per-question limit (with its one notice) applies below this one.
    """
    user = update.effective_user
    if user is None:
        return
    verdict = _state(context).flood.hit(user.id)
    if verdict.allowed:
        return
    if verdict.notify:
        logger.info("Ignoring a flood of updates from one user for %d s", verdict.wait_seconds)
    raise ApplicationHandlerStop


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from users and chats outside the allowlist (admins always pass).

    Outsiders get a polite refusal in private chats, and in groups when they address the bot
    (a mention, a reply to it or a command), at most once per ``REFUSAL_WINDOW``; after that
    they are ignored silently. Other group chatter is always ignored silently.
    """
    state = _state(context)
    settings = state.settings
    user, chat = update.effective_user, update.effective_chat
    if (user and (user.id in settings.allowed_user_ids or user.id in settings.admin_ids)) or (
        chat and chat.id in settings.allowed_chat_ids
    ):
        return
    who = user.id if user else (chat.id if chat else 0)
    message = update.message
    addressed = message is not None and (
        message.chat.type == ChatType.PRIVATE
        or _addressed(message, context.bot) is not None
        or _command_for_bot(message, context.bot)
    )
    if not (update.callback_query or update.inline_query or addressed):
        raise ApplicationHandlerStop
    if not state.refusals.hit(who).allowed:
        raise ApplicationHandlerStop
    if update.callback_query is not None:
        await update.callback_query.answer()
    elif update.inline_query is not None:
        await update.inline_query.answer([], cache_time=300, is_personal=True)
    elif message is not None:
        body = text(_language(update, context), "not_allowed")
        private = message.chat.type == ChatType.PRIVATE
        await _send(context.bot, _Where.of(message, reply=not private), render_text(body))
    raise ApplicationHandlerStop
