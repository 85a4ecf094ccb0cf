"""Write an answer or a vote to the question log from a channel, off the event loop.

The Telegram bot and the web chat store the same things in the same way; a store error is
logged and never reaches the user or blocks the answer.
"""

from __future__ import annotations

import asyncio
import logging

from bot.models import Answer
from bot.store.log import Recorder

logger = logging.getLogger(__name__)


async def record_answer(
    log: Recorder | None,
    answer: Answer,
    *,
    question: str,
    user_id: int,
    chat_type: str,
    index_version: str,
) -> int | None:
    """Store a question and its answer; return the row id (None without a log or on error).

    Args:
        log: The question log, or None when it could not be opened.
        answer: The answer given.
        question: The question as it may be stored (already redacted).
        user_id: The asker's id (the log pseudonymises it).
        chat_type: "private", "group", "web", ...
        index_version: The knowledge version that answered.
    """
    if log is None:
        return None
    try:
        return await asyncio.to_thread(
            log.record_question,
            user_id=user_id,
            chat_type=chat_type,
            language=answer.language,
            question=question,
            answered=answer.answered,
            results=[(result.passage.id, result.score) for result in answer.results],
            index_version=index_version,
            coverage=answer.coverage,
            missing=answer.missing,
        )
    except Exception:
        logger.warning("Could not record a question", exc_info=True)
        return None


async def record_vote(
    log: Recorder | None, question_id: int | None, *, user_id: int, value: int
) -> None:
    """Store 👍 (+1) or 👎 (-1) on a logged question; without a log or a row it is dropped."""
    if log is None or question_id is None:
        logger.info("Feedback not stored: no question log")
        return
    try:
        await asyncio.to_thread(log.record_feedback, question_id, user_id=user_id, value=value)
    except Exception:
        logger.warning("Could not record feedback", exc_info=True)
