"""A live web chat on 127.0.0.1 in a background thread, and Debian's Chromium to drive it.

Used by the browser tests and by ``scripts/web_screenshot.py``. Chromium and its driver come
from Debian's packages (``chromium``, ``chromium-driver``; ``make test`` installs them when it
can); Selenium talks to that driver directly, so nothing is downloaded.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from bot.config import Settings
from bot.store import QuestionLog
from bot.web.app import create_app
from bot.web.core import Service
from bot.web.run import listening_socket

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def browser_paths() -> tuple[str, str] | None:
    """Return the paths of ``chromium`` and ``chromedriver``, or None when either is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@contextmanager
def live_server(
    settings: Settings, service: Service, question_log: QuestionLog | None = None
) -> Iterator[str]:
    """Serve the web chat on a free port of 127.0.0.1 while the block runs; yield its URL."""
    sock = listening_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, service, question_log), log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web chat did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def chromium(profile: Path, *, width: int = 1280, height: int = 900) -> Iterator[object]:
    """Start headless Chromium through its driver with a fresh profile; yield the driver.

    Raises:
        RuntimeError: When Chromium or chromedriver is not installed.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    paths = browser_paths()
    if paths is None:
        raise RuntimeError("chromium and chromedriver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=DriverService(executable_path=paths[1]))
    try:
        yield driver
    finally:
        driver.quit()
