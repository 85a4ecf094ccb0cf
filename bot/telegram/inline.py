"""Inline mode: ``@bot question`` in any chat offers cited excerpts to share."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ContextTypes

from bot.service import EmptyQuestion
from bot.store import redact
from bot.telegram.core import _language, _state
from bot.telegram.render import render_inline, truncate
from bot.telegram.texts import plain

logger = logging.getLogger(__name__)

INLINE_RESULTS = 10


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer up to ten cited excerpts to share in any chat."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    language = _language(update, context, question)
    button = InlineQueryResultsButton(plain(language, "inline_open"), start_parameter="inline")
    answer = None
    screened = redact(question)
    if question and not screened.personal_id:
        with contextlib.suppress(EmptyQuestion):
            answer = await asyncio.to_thread(
                _state(context).service.ask, screened.text, language=language
            )
    results = []
    if answer is not None and answer.answered:
        for result in answer.results[:INLINE_RESULTS]:
            title = truncate(result.citation.title or result.citation.doc_id, 100) or "…"
            results.append(
                InlineQueryResultArticle(
                    id=str(result.rank),
                    title=title,
                    description=truncate(result.excerpt.text, 150),
                    input_message_content=InputTextMessageContent(render_inline(result, language)),
                )
            )
    await query.answer(
        results, cache_time=60, is_personal=True, button=None if results else button
    )
