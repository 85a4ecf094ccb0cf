"""Offline fake of the Telegram Bot API for tests (pure core, httpx transport, aiohttp server)."""

from .core import Call, FakeBotApi, SentMessage, UploadedFile
from .html_check import check_telegram_html, parse_telegram_html, strip_html, visible_length

__all__ = [
    "Call",
    "FakeBotApi",
    "FakeBotApiServer",
    "SentMessage",
    "UploadedFile",
    "check_telegram_html",
    "parse_telegram_html",
    "strip_html",
    "visible_length",
]


def __getattr__(name: str) -> object:
    # The server needs aiohttp; import it lazily so core-only tests never load it.
    if name == "FakeBotApiServer":
        from .server import FakeBotApiServer

        return FakeBotApiServer
    raise AttributeError(name)
