"""Assemble the Telegram front end: the PTB Application, its handlers and its lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any, cast

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.health import running
from bot.models import LANGUAGES
from bot.ratelimit import SlidingWindowLimiter
from bot.store import UpdateJournal
from bot.telegram.admin import register_admin_menus, reload_command, stats_command
from bot.telegram.callback_data import (
    FEEDBACK_PATTERN,
    FORGET_PATTERN,
    FULL_PATTERN,
    LANGUAGE_PATTERN,
    MORE_PATTERN,
    NEWER_PATTERN,
    STARTER_PATTERN,
    TOPIC_PATTERN,
)
from bot.telegram.callbacks import (
    feedback_button,
    forget_button,
    full_button,
    language_button,
    more_button,
    newer_button,
    stale_button,
    starter_button,
    topic_button,
)
from bot.telegram.commands import (
    forget_command,
    help_command,
    lang_command,
    privacy_command,
    sources_command,
    start,
    topics_command,
    unknown_command,
    whoami_command,
)
from bot.telegram.core import FLOOD_WINDOW, STATE_KEY, BotState, QuestionLog, Service, flood_limit
from bot.telegram.durable import (
    JournaledApplication,
    JournalingQueue,
    JournalingRequest,
    replay_unfinished,
)
from bot.telegram.guard import flood_guard, gate, on_error
from bot.telegram.inline import inline_query
from bot.telegram.questions import ask_command, group_text, non_text, private_text
from bot.telegram.retry import RetryingRateLimiter
from bot.telegram.texts import COMMANDS, GROUP_COMMANDS, plain

__all__ = [
    "ALLOWED_UPDATES",
    "STATE_KEY",
    "App",
    "BotApplication",
    "BotState",
    "QuestionLog",
    "Service",
    "api_base_url",
    "bot_commands",
    "build_application",
    "group_commands",
    "post_init",
    "post_shutdown",
]

logger = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.INLINE_QUERY,
]
"""Update types the bot asks Telegram for."""
PURGE_INTERVAL = 24 * 3600.0
"""Seconds between purges of expired question-log rows."""


def bot_commands(language: str) -> list[BotCommand]:
    """Return the command menu of private chats in ``language``."""
    return [BotCommand(name, plain(language, f"cmd_{name}")) for name in COMMANDS]


def group_commands(language: str) -> list[BotCommand]:
    """Return the command menu of groups in ``language`` (/lang is the group's language)."""
    return [
        BotCommand(name, plain(language, "cmd_lang_group" if name == "lang" else f"cmd_{name}"))
        for name in GROUP_COMMANDS
    ]


class BotApplication(JournaledApplication):
    """The bot's Application: journaled, ordered per chat, and ``GET /healthz`` on a webhook."""

    async def start(self) -> None:
        """Start handling updates; in webhook mode also answer ``/healthz`` on the server."""
        await super().start()
        # PTB builds the webhook's tornado application inside start_webhook and offers no
        # hook to add a route, so the health route is added to it once it exists.
        httpd = getattr(self.updater, "_httpd", None) if self.updater else None
        server = getattr(httpd, "_http_server", None)
        web_app = getattr(server, "request_callback", None)
        if web_app is None or not hasattr(web_app, "add_handlers"):
            return
        import tornado.web

        application = self

        class Healthz(tornado.web.RequestHandler):
            """Answer 200 with the health as JSON, or 503 when the bot cannot work."""

            def get(self) -> None:
                state = cast(BotState, application.bot_data[STATE_KEY])
                health = running(state.service, state.question_log)
                self.set_status(200 if health.ok else 503)
                self.set_header("Content-Type", "application/json")
                self.write(json.dumps(health.as_dict()))

        web_app.add_handlers(r".*", [(r"/healthz", Healthz)])


async def _purge_forever(log: QuestionLog | None, journal: UpdateJournal | None) -> None:
    while True:
        await asyncio.sleep(PURGE_INTERVAL)
        if journal is not None:
            await asyncio.to_thread(journal.purge)  # never raises
        if log is None:
            continue
        try:
            await asyncio.to_thread(log.purge_expired)
        except Exception:
            logger.warning("Could not purge the question log", exc_info=True)


async def register_profile(application: App) -> None:
    """Set the command menus (private chats, groups) and the descriptions, per language."""
    state = cast(BotState, application.bot_data[STATE_KEY])
    bot = application.bot
    days = state.settings.retention_days
    private, groups = BotCommandScopeAllPrivateChats(), BotCommandScopeAllGroupChats()
    default = state.settings.default_language
    # The last round has no language_code: users whose language has no menu of its own.
    for language, code in [*((lang, lang) for lang in LANGUAGES), (default, None)]:
        try:
            await bot.set_my_commands(bot_commands(language), scope=private, language_code=code)
            await bot.set_my_commands(group_commands(language), scope=groups, language_code=code)
            await bot.set_my_description(
                plain(language, "description", days=days), language_code=code
            )
            await bot.set_my_short_description(
                plain(language, "short_description"), language_code=code
            )
        except TelegramError as exc:
            logger.warning("Could not register the menus and descriptions: %s", exc)
            return


async def post_init(application: App) -> None:
    """Register menus and descriptions, load /lang choices and start the daily purge."""
    state = cast(BotState, application.bot_data[STATE_KEY])
    bot = application.bot
    await register_profile(application)
    await register_admin_menus(bot, state.settings)
    if state.question_log is not None:
        try:
            state.languages.update(await asyncio.to_thread(state.question_log.languages))
        except Exception:
            logger.warning("Could not read the stored language choices", exc_info=True)
    if state.question_log is not None:
        try:
            await asyncio.to_thread(state.question_log.purge_expired)
        except Exception:
            logger.warning("Could not purge the question log", exc_info=True)
    journal = getattr(application, "journal", None)
    if state.question_log is not None or journal is not None:
        state.purge_task = asyncio.create_task(_purge_forever(state.question_log, journal))
    await replay_unfinished(application)
    logger.info(
        "Running as @%s with %d documents (index %s)",
        bot.username,
        len(state.service.documents),
        state.service.version,
    )


async def post_shutdown(application: App) -> None:
    """Stop the purge task, let a reload finish, close the question log and the journal."""
    state = cast(BotState, application.bot_data[STATE_KEY])
    if state.reload_task is not None:
        await asyncio.gather(state.reload_task, return_exceptions=True)
    if state.purge_task is not None:
        state.purge_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await state.purge_task
        state.purge_task = None
    for name, store in (
        ("question log", state.question_log),
        ("update journal", getattr(application, "journal", None)),
    ):
        close = getattr(store, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                logger.warning("Could not close the %s", name, exc_info=True)


def api_base_url(url: str) -> str:
    """Normalise TELEGRAM_BASE_URL so that PTB can append the token (``…/bot``)."""
    url = url.strip().rstrip("/")
    if "{token}" in url or url.endswith("/bot"):
        return url
    return url + "/bot"


def build_application(
    settings: Settings,
    service: Service,
    *,
    request: Any = None,
    get_updates_request: Any = None,
    rate_limiter: bool = True,
    question_log: QuestionLog | None = None,
    retry_backoff: float = 0.5,
    journal: UpdateJournal | None = None,
    webhook: bool = False,
) -> App:
    """Build the Application with every handler registered; nothing is started.

    Args:
        settings: Token, base URL, rate limit and languages.
        service: The question-answering service.
        request: A ``BaseRequest`` for Bot API calls (tests inject a fake transport).
        get_updates_request: A ``BaseRequest`` for getUpdates.
        rate_limiter: Throttle and retry flood control with ``AIORateLimiter`` (off in
            fast tests; network errors are retried either way).
        question_log: Where questions and feedback are stored; None stores neither.
        retry_backoff: First delay after a network error or 5xx, in seconds.
        journal: Where received updates are recorded before Telegram may forget them
            (:mod:`bot.telegram.durable`); None answers at most once.
        webhook: Updates arrive by webhook (``run_webhook``): the journal records them as
            they are queued, not as getUpdates returns them.

    Returns:
        The application, ready for ``run_polling`` or ``async with``.
    """
    inner = AIORateLimiter(max_retries=3) if rate_limiter else None
    builder = (
        Application.builder()
        .application_class(BotApplication, kwargs={"journal": journal})
        .token(settings.telegram_token)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(RetryingRateLimiter(inner, backoff=retry_backoff))
        .concurrent_updates(8)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram_base_url:
        base_url = api_base_url(settings.telegram_base_url)
        builder = builder.base_url(base_url)
        if base_url.endswith("/bot"):
            builder = builder.base_file_url(base_url[: -len("bot")] + "file/bot")
    if request is not None:
        builder = builder.request(request)
    if journal is not None and webhook:
        builder = builder.update_queue(JournalingQueue(journal))
    elif journal is not None:
        # PTB's own default for getUpdates: one connection.
        polling = get_updates_request or HTTPXRequest(connection_pool_size=1)
        get_updates_request = JournalingRequest(polling, journal)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    application = cast(App, builder.build())
    application.bot_data[STATE_KEY] = BotState(
        settings=settings,
        service=service,
        question_log=question_log,
        limiter=SlidingWindowLimiter(settings.questions_per_minute, 60.0),
        flood=SlidingWindowLimiter(flood_limit(settings.questions_per_minute), FLOOD_WINDOW),
    )

    # Order matters: the flood guard runs first (for everyone), then the allowlist; each
    # stops everything else.
    application.add_handler(TypeHandler(Update, flood_guard), group=-2)
    if settings.restricted:
        application.add_handler(TypeHandler(Update, gate), group=-1)

    # Commands; only /ask is answered again (its answer edited) when edited.
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", start, filters=new))
    application.add_handler(CommandHandler("help", help_command, filters=new))
    application.add_handler(CommandHandler("topics", topics_command, filters=new))
    application.add_handler(CommandHandler("sources", sources_command, filters=new))
    application.add_handler(CommandHandler("lang", lang_command, filters=new))
    application.add_handler(CommandHandler("privacy", privacy_command, filters=new))
    application.add_handler(CommandHandler("forget", forget_command, filters=new))
    application.add_handler(CommandHandler("whoami", whoami_command, filters=new))
    application.add_handler(CommandHandler("ask", ask_command))
    # Admin commands: /stats and /reload for settings.admin_ids, a polite no for others.
    application.add_handler(CommandHandler("stats", stats_command, filters=new))
    application.add_handler(CommandHandler("reload", reload_command, filters=new))
    application.add_handler(
        MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE & new, unknown_command)
    )

    # Questions: any text in private chats, addressed text in groups; an edit edits the answer.
    text_messages = (
        filters.TEXT
        & ~filters.COMMAND
        & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE)
    )
    application.add_handler(MessageHandler(text_messages & filters.ChatType.PRIVATE, private_text))
    application.add_handler(MessageHandler(text_messages & filters.ChatType.GROUPS, group_text))
    media = (
        filters.Sticker.ALL
        | filters.PHOTO
        | filters.VOICE
        | filters.AUDIO
        | filters.VIDEO
        | filters.VIDEO_NOTE
        | filters.ANIMATION
        | filters.Document.ALL
        | filters.LOCATION
        | filters.CONTACT
    )
    application.add_handler(
        MessageHandler(
            media & new & (filters.ChatType.PRIVATE | filters.ChatType.GROUPS), non_text
        )
    )

    # Buttons; the last handler answers anything stale or unknown.
    application.add_handler(CallbackQueryHandler(more_button, pattern=MORE_PATTERN))
    application.add_handler(CallbackQueryHandler(full_button, pattern=FULL_PATTERN))
    application.add_handler(CallbackQueryHandler(newer_button, pattern=NEWER_PATTERN))
    application.add_handler(CallbackQueryHandler(feedback_button, pattern=FEEDBACK_PATTERN))
    application.add_handler(CallbackQueryHandler(topic_button, pattern=TOPIC_PATTERN))
    application.add_handler(CallbackQueryHandler(starter_button, pattern=STARTER_PATTERN))
    application.add_handler(CallbackQueryHandler(language_button, pattern=LANGUAGE_PATTERN))
    application.add_handler(CallbackQueryHandler(forget_button, pattern=FORGET_PATTERN))
    application.add_handler(CallbackQueryHandler(stale_button))

    application.add_handler(InlineQueryHandler(inline_query))
    application.add_error_handler(on_error)
    return application
