"""Which language a reply is in, and the stored /lang choices of users and groups."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram.state import GROUP_CHATS, BotState, _state
from bot.telegram.texts import choose_language, interface_language

logger = logging.getLogger(__name__)


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


def _interface_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Return the language of menus and notes: /lang choice, Telegram's, then the default."""
    user = update.effective_user
    return interface_language(
        _chosen_language(update, context),
        user.language_code if user else None,
        _state(context).settings.default_language,
    )
