"""Serve the web chat with uvicorn until SIGINT or SIGTERM (``python -m bot web``)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from types import FrameType

import uvicorn

from bot.config import Settings
from bot.web.app import create_app
from bot.web.core import QuestionLog, Service

logger = logging.getLogger(__name__)


def serve(
    settings: Settings,
    service: Service,
    question_log: QuestionLog | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
) -> int:
    """Listen on ``host:port`` and serve the chat page and the JSON API until stopped.

    Args:
        settings: The settings (``web_host`` and ``web_port`` unless overridden).
        service: The question-answering service.
        question_log: Where questions and votes are recorded (None: nowhere).
        host: Address to listen on; ``settings.web_host`` when None.
        port: Port to listen on (0: any free port); ``settings.web_port`` when None.

    Returns:
        0 after a clean stop; 1 when the address cannot be used.
    """
    host = settings.web_host if host is None else host
    port = settings.web_port if port is None else port
    try:
        sock = listening_socket(host, port)
    except (OSError, OverflowError) as exc:
        errno = exc.errno if isinstance(exc, OSError) else None
        reason = os.strerror(errno) if errno else str(exc)
        print(f"error: cannot listen on {host}:{port} ({reason})", file=sys.stderr)
        return 1
    bound_host, bound_port = sock.getsockname()[:2]
    app = create_app(settings, service, question_log)
    config = uvicorn.Config(
        app,
        # Logging is configured by the command line. Access lines would put client
        # addresses in the logs; nothing else here keeps them.
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=True,
    )
    server = uvicorn.Server(config)
    print(f"Samverkansboten web chat on http://{_url_host(bound_host)}:{bound_port}/", flush=True)
    # uvicorn stops on SIGTERM and then raises it again, which would kill the process before
    # the caller closes the question log; a no-op handler makes that second raise harmless.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _ignore) if main_thread else None
    try:
        with sock:
            server.run(sockets=[sock])
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    logger.info("Stopped")
    return 0


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind and listen on ``host:port`` (0: any free port).

    The socket is made with protocol ``IPPROTO_TCP`` on purpose: asyncio switches Nagle's
    algorithm off only on connections whose socket says so, and with it on, every answer on
    a kept-alive connection waited some 40 ms for the client's delayed ACK.

    Raises:
        OSError: When the address cannot be used.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


def _ignore(signum: int, frame: FrameType | None) -> None:
    """Do nothing: uvicorn has already stopped the server for this signal."""


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
