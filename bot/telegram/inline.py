"""Inline mode: ``@bot IOP`` in any chat offers cited excerpts to share.

A few words ("IOP", "LOU", "§ 18") are a search, not a question, so the best passages are
offered without the answer-or-refuse decision of a chat answer: at most two per document,
each titled by its passage heading, the defining passage first. An empty query offers the
topics, each with a button that opens the bot on that topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ContextTypes

from bot.models import Answer, Result
from bot.service import EmptyQuestion
from bot.store import personal_case, redact
from bot.telegram.callback_data import topic_key
from bot.telegram.core import _language, _state
from bot.telegram.render import escape, render_inline, truncate
from bot.telegram.texts import plain

logger = logging.getLogger(__name__)

INLINE_RESULTS = 10
PER_DOCUMENT = 2
"""Results from one document: more would fill the list with one guide."""


def pick_results(answer: Answer) -> list[Result]:
    """Return the results worth offering: best first, at most two per document."""
    picked: list[Result] = []
    per_document: dict[str, int] = {}
    for result in answer.results:
        seen = per_document.get(result.citation.doc_id, 0)
        if seen >= PER_DOCUMENT:
            continue
        per_document[result.citation.doc_id] = seen + 1
        picked.append(result)
        if len(picked) >= INLINE_RESULTS:
            break
    return picked


def _article(result: Result, language: str) -> InlineQueryResultArticle:
    citation = result.citation
    title = result.passage.heading or citation.short_title or citation.title or citation.doc_id
    source = citation.short_title or truncate(citation.title, 40)
    return InlineQueryResultArticle(
        id=hashlib.sha256(result.passage.id.encode("utf-8")).hexdigest()[:32],
        title=truncate(title, 100) or "…",
        description=truncate(f"{source}: {result.excerpt.text}", 150),
        input_message_content=InputTextMessageContent(render_inline(result, language)),
    )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer up to ten cited excerpts to share in any chat (the topics for an empty query)."""
    query = update.inline_query
    if query is None:
        return
    question = query.query.strip()
    language = _language(update, context, question or None)
    button = InlineQueryResultsButton(plain(language, "inline_open"), start_parameter="inline")
    if not question:
        await query.answer(
            _topic_articles(context, language), cache_time=60, is_personal=True, button=button
        )
        return
    answer = None
    screened = redact(question)
    if not screened.personal_id and not personal_case(screened.text):
        with contextlib.suppress(EmptyQuestion):
            answer = await asyncio.to_thread(
                _state(context).service.browse, screened.text, language=language
            )
    results = [_article(result, language) for result in pick_results(answer)] if answer else []
    await query.answer(
        results, cache_time=60, is_personal=True, button=None if results else button
    )


def _topic_articles(
    context: ContextTypes.DEFAULT_TYPE, language: str
) -> list[InlineQueryResultArticle]:
    """One result per topic: its starter questions, and a button opening the bot on it."""
    username = context.bot.username or ""
    articles = []
    for topic in _state(context).service.topics[:INLINE_RESULTS]:
        starters = topic.starters(language)
        body = f"<b>{escape(truncate(topic.label(language), 200))}</b>"
        if starters:
            body += "\n" + "\n".join(f"• {escape(truncate(q, 200))}" for q in starters[:4])
        markup = None
        if username:
            url = f"https://t.me/{username}?start={topic_key(topic.id)}"
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(plain(language, "inline_open"), url=url)]]
            )
        articles.append(
            InlineQueryResultArticle(
                id=f"topic-{topic_key(topic.id)}",
                title=truncate(topic.label(language), 100) or topic.id,
                description=truncate(starters[0], 150) if starters else None,
                input_message_content=InputTextMessageContent(body),
                reply_markup=markup,
            )
        )
    return articles
