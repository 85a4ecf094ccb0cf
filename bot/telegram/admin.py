"""Admin commands of the Telegram front end: ``/stats`` (gap report) and ``/reload``.

Only the Telegram user ids in :attr:`bot.config.Settings.admin_ids` may use them, and only in a
private chat (the report quotes users' questions); everyone else gets a polite refusal.

``/stats [days]`` shows the gap report of :mod:`bot.store.report` for the last ``days`` UTC days
(default :data:`STATS_DAYS`): questions per day (per week past a month), the answered rate, the
words the documents lack, the most frequent unanswered questions grouped, and answers that got
👎, each with the nearest passage. A picture of the same figures follows the text when anything
was asked (:func:`bot.store.render_png`); if it cannot be drawn or sent, the text stands alone.

``/reload`` re-reads the knowledge folder without a restart, in a task of its own (the
handler returns at once). The new service is built off the event loop
(:func:`asyncio.to_thread`) while the old one keeps answering. When the new
knowledge has problems the reload is refused, the old service stays, and the admin gets the
problems as ``file:line: message``; otherwise the service reference in :class:`BotState` is
replaced in one assignment, so every question is answered wholly by the old or the new index.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, BotCommand, BotCommandScopeChat, InputFile, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.answer import AbstainPolicy
from bot.config import Settings
from bot.knowledge import load_knowledge
from bot.models import LANGUAGES
from bot.service import KnowledgeUnavailable, QAService
from bot.store import Nearest, Report, StoreError, build_report, format_report, render_png
from bot.store import QuestionLog as StoredQuestionLog
from bot.telegram.core import BotState, Service, _language, _send, _state, _Where
from bot.telegram.render import (
    MAX_VISIBLE,
    Chunk,
    clean,
    escape,
    truncate,
    utf16_length,
    visible_length,
)
from bot.telegram.texts import ADMIN_COMMANDS, COMMANDS, plain, text

logger = logging.getLogger(__name__)

STATS_DAYS = 30
"""Days covered by ``/stats`` without an argument (as ``python -m bot report``)."""
MAX_STATS_DAYS = 366
MAX_PROBLEMS_SHOWN = 30
"""Problems listed in a refused reload; the rest are counted."""
MAX_LINE = 1000
"""Longest line of a report or problem list, in characters; longer lines are cut."""
MAX_CAPTION = 200
"""Longest caption of the report picture, in characters (Telegram allows 1024)."""

Opener = Callable[[Path, Path | None, AbstainPolicy | None], Service]
"""Builds a service: ``(knowledge_dir, cache_dir, policy) -> service`` (QAService.open)."""
Validator = Callable[[Path], Sequence[object]]
"""Lists the problems of a knowledge folder (``load_knowledge(dir).problems``)."""


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did.

    Attributes:
        swapped: True when the new knowledge is now serving.
        documents: Documents in the service that serves now.
        version: Index version that serves now.
        previous_version: Index version before the reload.
        problems: Why the reload was refused (``file:line: message``); empty when swapped.
    """

    swapped: bool
    documents: int
    version: str
    previous_version: str
    problems: tuple[str, ...] = ()


def is_admin(settings: Settings, update: Update) -> bool:
    """Tell whether the update comes from a configured admin."""
    user = update.effective_user
    return user is not None and user.id in settings.admin_ids


def _policy(service: Service) -> AbstainPolicy | None:
    """Return the abstention policy of a running service, so a reload keeps it."""
    policy = getattr(getattr(service, "composer", None), "policy", None)
    return policy if isinstance(policy, AbstainPolicy) else None


def _open(knowledge_dir: Path, cache_dir: Path | None, policy: AbstainPolicy | None) -> Service:
    return QAService.open(knowledge_dir, cache_dir, policy)


def _problems(knowledge_dir: Path) -> Sequence[object]:
    return load_knowledge(knowledge_dir).problems


def _validate_and_open(
    settings: Settings, policy: AbstainPolicy | None, opener: Opener, validator: Validator
) -> tuple[Service | None, tuple[str, ...]]:
    """Check the folder first (cheap), then build the service; runs in a worker thread."""
    problems = tuple(str(problem) for problem in validator(settings.knowledge_dir))
    if problems:
        return None, problems
    service = opener(settings.knowledge_dir, settings.cache_dir, policy)
    # The files may have changed between the check and the build: check what was built.
    return service, tuple(str(problem) for problem in getattr(service, "warnings", ()))


async def reload_knowledge(
    state: BotState, opener: Opener | None = None, validator: Validator | None = None
) -> ReloadOutcome:
    """Validate the knowledge folder, build a new service from it and swap it in.

    Validation and the build run in a worker thread; questions keep being answered by the
    old service meanwhile. Reloads are serialised by ``state.reload_lock``.

    Args:
        state: The shared bot state whose ``service`` is replaced.
        opener: Builds the service (``QAService.open`` by default; tests inject failures).
        validator: Lists the folder's problems (``load_knowledge`` by default).

    Returns:
        The outcome; ``swapped`` is False (and the old service stays) when the knowledge has
        problems or cannot be loaded at all.
    """
    async with state.reload_lock:
        old = state.service
        try:
            new, problems = await asyncio.to_thread(
                _validate_and_open,
                state.settings,
                _policy(old),
                opener or _open,
                validator or _problems,
            )
        except KnowledgeUnavailable as exc:
            logger.warning("Reload refused: no usable knowledge (%s)", exc)
            return _refused(old, (str(exc),))
        except Exception as exc:
            logger.exception("Reload failed; still serving index %s", old.version)
            return _refused(old, (f"{type(exc).__name__}: {exc}",))
        if new is None or problems:
            logger.warning(
                "Reload refused: %d problems in the knowledge; still serving index %s",
                len(problems),
                old.version,
            )
            return _refused(old, problems)
        state.service = new  # one reference assignment: atomic for every reader
        logger.info(
            "Reloaded the knowledge: %d documents, index %s (was %s)",
            len(new.documents),
            new.version,
            old.version,
        )
        return ReloadOutcome(True, len(new.documents), new.version, old.version)


def _refused(service: Service, problems: tuple[str, ...]) -> ReloadOutcome:
    return ReloadOutcome(False, len(service.documents), service.version, service.version, problems)


def nearest_finder(service: Service) -> Nearest | None:
    """Return a callback giving the closest passage to a question, with no threshold.

    Args:
        service: The serving service; only a :class:`QAService` can search without abstaining.

    Returns:
        ``question -> (passage_id, score)`` (None when nothing matches), or None.
    """
    if not isinstance(service, QAService):
        return None

    def nearest(question: str) -> tuple[str, float] | None:
        try:
            return service.nearest(question)
        except Exception:  # one odd question must not spoil the whole report
            logger.debug("No nearest passage for a reported question", exc_info=True)
            return None

    return nearest


# --------------------------------------------------------------------------- rendering


def render_lines(lines: Sequence[str], *, bold_first: bool = False) -> list[Chunk]:
    """Render plain-text lines as escaped Telegram HTML messages within the size limit.

    Lines are cut at :data:`MAX_LINE` characters and never split across messages; a message
    holds as many whole lines as fit in :data:`bot.telegram.render.MAX_VISIBLE`.

    Args:
        lines: Plain text (user and document strings welcome: everything is escaped).
        bold_first: Show the first line in bold, as a title.

    Returns:
        The messages; none when every line is blank.
    """
    chunks: list[Chunk] = []
    parts: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        shown = clean(truncate(line, MAX_LINE) if len(line) > MAX_LINE else line.rstrip())
        escaped = escape(shown)
        if bold_first and index == 0 and shown.strip():
            escaped = f"<b>{escaped}</b>"
        visible = utf16_length(shown)
        if parts and size + 1 + visible > MAX_VISIBLE:
            chunks.append(Chunk("\n".join(parts)))
            parts, size = [], 0
        size += visible + (1 if parts else 0)
        parts.append(escaped)
    if parts:
        chunks.append(Chunk("\n".join(parts)))
    return [chunk for chunk in chunks if visible_length(chunk.text.strip()) > 0]


def render_problems(problems: Sequence[str], knowledge_dir: Path) -> list[str]:
    """Return problem lines for the admin, paths shown relative to the knowledge folder."""
    prefix = str(knowledge_dir).rstrip(os.sep) + os.sep
    return [f"• {problem.replace(prefix, '', 1)}" for problem in problems[:MAX_PROBLEMS_SHOWN]]


# --------------------------------------------------------------------------- handlers


async def _admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> _Where | None:
    """Return where to answer an admin, or refuse politely and return None."""
    message = update.effective_message
    if message is None:
        return None
    where = _Where.of(message, reply=message.chat.type != ChatType.PRIVATE)
    language = _language(update, context)
    if not is_admin(_state(context).settings, update):
        await _send(context.bot, where, [Chunk(text(language, "admin_only"))])
        return None
    if message.chat.type != ChatType.PRIVATE:
        await _send(context.bot, where, [Chunk(text(language, "admin_private"))])
        return None
    return where


def _days(args: Sequence[str] | None) -> int:
    """Parse the optional ``/stats`` argument (days), clamped to 1…366."""
    if args and args[0].isdecimal():
        return max(1, min(MAX_STATS_DAYS, int(args[0])))
    return STATS_DAYS


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send admins the gap report: per day, answered rate, gaps and 👎, with nearest passages."""
    where = await _admin_only(update, context)
    if where is None:
        return
    state = _state(context)
    language = _language(update, context)
    log = state.question_log
    if not isinstance(log, StoredQuestionLog):
        await _send(context.bot, where, [Chunk(text(language, "stats_unavailable"))])
        return
    try:
        report = await asyncio.to_thread(
            build_report, log, days=_days(context.args), nearest=nearest_finder(state.service)
        )
    except StoreError as exc:
        logger.error("Could not build the gap report: %s", exc)
        await _send(context.bot, where, [Chunk(text(language, "stats_failed"))])
        return
    lines = format_report(report, language).split("\n")
    await _send(context.bot, where, render_lines(lines, bold_first=True))
    if report.questions:
        await _send_picture(context.bot, where, report, language, title=lines[0])


async def _send_picture(
    bot: Bot, where: _Where, report: Report, language: str, title: str
) -> None:
    """Send the report as a picture under its text; a failure only costs the picture."""
    try:
        picture = await asyncio.to_thread(render_png, report, language)
    except Exception:  # the text is already sent; a drawing problem must not hide it
        logger.exception("Could not draw the gap report picture")
        return
    try:
        await bot.send_photo(
            chat_id=where.chat_id,
            photo=InputFile(picture, filename="stats.png"),
            caption=f"<b>{escape(truncate(title, MAX_CAPTION))}</b>",
            message_thread_id=where.thread_id,
        )
    except TelegramError as exc:
        logger.warning("Could not send the gap report picture: %s", exc)


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start a reload for admins; the outcome (or the problems) is sent when it is done.

    The reload runs as a task of its own, so this handler returns at once: a slow or
    failing reload never holds one of the slots that answer questions.
    """
    where = await _admin_only(update, context)
    if where is None:
        return
    state = _state(context)
    language = _language(update, context)
    running = state.reload_task is not None and not state.reload_task.done()
    if running or state.reload_lock.locked():
        await _send(context.bot, where, [Chunk(text(language, "reload_busy"))])
        return
    # A plain task (PTB's create_task warns when the application is not polling, as in
    # tests); post_shutdown waits for it.
    state.reload_task = asyncio.create_task(
        _reload_and_report(state, context.bot, where, language), name="reload"
    )


async def _reload_and_report(state: BotState, bot: Bot, where: _Where, language: str) -> None:
    """Reload the knowledge and tell the admin how it went; errors are logged, never raised."""
    try:
        await _report(state, bot, where, language, await reload_knowledge(state))
    except Exception:
        logger.exception("Could not report the outcome of a reload")


async def _report(
    state: BotState, bot: Bot, where: _Where, language: str, outcome: ReloadOutcome
) -> None:
    if outcome.swapped:
        body = text(
            language,
            "reload_ok",
            documents=outcome.documents,
            version=outcome.version,
            previous=outcome.previous_version,
        )
        await _send(bot, where, [Chunk(body)])
        return
    head = text(language, "reload_refused", count=len(outcome.problems), version=outcome.version)
    lines = render_problems(outcome.problems, state.settings.knowledge_dir)
    hidden = len(outcome.problems) - len(lines)
    if hidden > 0:
        lines.append(plain(language, "more_problems", count=hidden))
    await _send(bot, where, [Chunk(head), *render_lines(lines)])


# --------------------------------------------------------------------------- command menus


def admin_commands(language: str) -> list[BotCommand]:
    """Return the command menu an admin sees: the public commands plus the admin ones."""
    return [
        BotCommand(name, plain(language, f"cmd_{name}")) for name in (*COMMANDS, *ADMIN_COMMANDS)
    ]


async def register_admin_menus(bot: Bot, settings: Settings) -> None:
    """Show /stats and /reload in each admin's private-chat menu (best effort).

    Telegram refuses a chat scope for someone who never opened the bot; that is logged and
    skipped, and the commands still work when typed.
    """
    for admin_id in sorted(settings.admin_ids):
        scope = BotCommandScopeChat(admin_id)
        try:
            for language in LANGUAGES:
                await bot.set_my_commands(
                    admin_commands(language), scope=scope, language_code=language
                )
            await bot.set_my_commands(admin_commands(settings.default_language), scope=scope)
        except TelegramError as exc:
            logger.info("No admin command menu for %s: %s", admin_id, exc)
