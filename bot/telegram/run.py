"""Run the Telegram bot until SIGINT or SIGTERM (``python -m bot run``).

Long polling by default: the bot only makes outbound calls, which suits a server inside a
municipality's network. With ``--webhook URL`` (or ``TELEGRAM_WEBHOOK_URL``) Telegram POSTs
updates to that public HTTPS URL instead; PTB's webhook server listens on
``webhook_listen`` (plain HTTP, behind a TLS-terminating proxy), checks Telegram's secret
token on every request, and answers ``GET /healthz``.
"""

from __future__ import annotations

import logging
import secrets
import signal
import sys
import traceback
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from telegram.error import InvalidToken

from bot.config import Settings, listen_address, private_directory

if TYPE_CHECKING:
    from bot.store import QuestionLog, UpdateJournal

logger = logging.getLogger(__name__)

_installed_secrets: set[str] = set()


def hide_secret_in_logs(secret: str) -> None:
    """Replace ``secret`` with ``<token>`` in every log record, tracebacks included.

    httpx is set to WARNING so request lines (whose URL holds the token) are not logged at
    all; this is the second line of defence for anything else that prints a URL.
    """
    variants = {secret, quote(secret, safe=""), quote(secret)} - {""}
    if not variants or secret in _installed_secrets:
        return
    _installed_secrets.add(secret)
    previous = logging.getLogRecordFactory()

    def hide(value: str) -> str:
        for variant in sorted(variants, key=len, reverse=True):
            value = value.replace(variant, "<token>")
        return value

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return record
        if any(variant in message for variant in variants):
            record.msg, record.args = hide(message), None
        if record.exc_info and record.exc_info[0] is not None:
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if any(variant in formatted for variant in variants):
                record.exc_text, record.exc_info = hide(formatted), None
        return record

    logging.setLogRecordFactory(factory)


def run(settings: Settings) -> int:
    """Start the bot and block until it is stopped.

    Args:
        settings: Token, base URL, folders and limits.

    Returns:
        0 after a clean stop; 1 when the data folder cannot be created or the webhook address
        cannot be listened on; 2 when the token is missing or rejected.
    """
    token = settings.telegram_token.strip()
    if not token:
        print(
            "error: TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather and export it",
            file=sys.stderr,
        )
        return 2
    # httpx logs every request line at INFO, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    hide_secret_in_logs(token)

    from bot.service import QAService
    from bot.telegram.app import ALLOWED_UPDATES, build_application

    try:
        private_directory(settings.data_dir)
    except OSError as exc:
        print(f"error: cannot create the data folder {settings.data_dir}: {exc}", file=sys.stderr)
        return 1
    service = QAService.open(settings.knowledge_dir, settings.cache_dir)
    question_log = _open_question_log(settings)
    journal = _open_journal(settings, token)
    webhook = settings.webhook_url.strip()
    application = build_application(
        settings, service, question_log=question_log, journal=journal, webhook=bool(webhook)
    )
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    try:
        if webhook:
            host, port = listen_address(settings.webhook_listen)
            # A fresh secret each start is enough: run_webhook sets it with the webhook.
            secret = settings.webhook_secret or secrets.token_urlsafe(32)
            hide_secret_in_logs(secret)
            logger.info("Receiving updates by webhook on %s:%d", host, port)
            application.run_webhook(
                listen=host,
                port=port,
                url_path=urlsplit(webhook).path or "/",
                webhook_url=webhook,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                stop_signals=stop_signals,
            )
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=stop_signals)
    except InvalidToken:
        print(
            "error: Telegram rejected TELEGRAM_BOT_TOKEN (check it with @BotFather)",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        if not webhook:
            raise
        print(f"error: cannot listen on {settings.webhook_listen}: {exc}", file=sys.stderr)
        return 1
    logger.info("Stopped")
    return 0


def _open_question_log(settings: Settings) -> QuestionLog | None:
    """Open the question log under ``data_dir``; None (nothing is stored) if it fails."""
    from bot.store import LOG_FILENAME, QuestionLog

    try:
        return QuestionLog.open(
            settings.data_dir / LOG_FILENAME,
            secret=settings.hmac_secret,
            retention_days=settings.retention_days,
        )
    except Exception:
        logger.warning(
            "Could not open the question log; questions are not recorded", exc_info=True
        )
        return None


def _open_journal(settings: Settings, token: str) -> UpdateJournal | None:
    """Open the update journal under ``data_dir``; None (answers at most once) if it fails."""
    from bot.store import JOURNAL_FILENAME, UpdateJournal

    try:
        return UpdateJournal.open(
            settings.data_dir / JOURNAL_FILENAME, bot=token.partition(":")[0]
        )
    except Exception:
        logger.error(
            "Could not open the update journal; questions received just before a crash "
            "may be lost",
            exc_info=True,
        )
        return None
