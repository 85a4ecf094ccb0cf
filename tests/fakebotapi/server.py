"""The fake Bot API over real HTTP (aiohttp on 127.0.0.1), with long-polled getUpdates.

Usage::

    async with FakeBotApiServer() as server:
        bot = Bot(server.api.token, base_url=server.base_url)   # NO_PROXY=127.0.0.1 or
        ...                                                      # trust_env=False
        server.api.user_says("/start")           # wakes a waiting getUpdates at once
        await server.wait_for(lambda api: api.calls_to("sendMessage"))

When the bot sets a webhook, the server delivers the updates itself, as Telegram does: one
by one, oldest first, by POST with ``Content-Type: application/json`` and the webhook's
``X-Telegram-Bot-Api-Secret-Token``; an update stays queued until the webhook answers 2xx
and is retried after :attr:`FakeBotApiServer.retry_seconds` otherwise. Telegram insists on
an ``https://`` URL, so a test maps the public URL to the bot's local plain-HTTP address
with :meth:`FakeBotApiServer.route_webhook`, which is what a TLS-terminating proxy does.

The server runs in the test's event loop. Everything the core records is visible through
``server.api`` (a :class:`~tests.fakebotapi.core.FakeBotApi`).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from .core import ApiError, FakeBotApi, decode_body, normalize_params

__all__ = ["FakeBotApiServer"]

TERMINATED = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class FakeBotApiServer:
    """An aiohttp server exposing a :class:`FakeBotApi` at ``/bot<token>/<method>``.

    Attributes:
        api: The core holding all state (calls, messages, updates).
        base_url: ``http://127.0.0.1:PORT/bot``, for ``Bot(base_url=...)``.
        base_file_url: ``http://127.0.0.1:PORT/file/bot`` (every file request gets 404).
        max_poll_seconds: Cap on how long getUpdates waits, whatever its ``timeout``.
        waiting_polls: getUpdates requests being held right now (1 while a bot idles).
        retry_seconds: Pause after a failed webhook delivery before the next attempt.
        webhook_routes: Public webhook URL prefix → local base URL (see :meth:`route_webhook`).
    """

    def __init__(
        self,
        api: FakeBotApi | None = None,
        *,
        host: str = "127.0.0.1",
        max_poll_seconds: float = 2.0,
    ) -> None:
        self.api = api if api is not None else FakeBotApi()
        self.host = host
        self.port = 0
        self.max_poll_seconds = max_poll_seconds
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._updates_queued = asyncio.Event()
        self._state_changed = asyncio.Event()
        self._poll_generation = 0
        self.waiting_polls = 0
        self._closing = False
        self.retry_seconds = 0.2
        self.webhook_routes: dict[str, str] = {}
        self._delivery: asyncio.Task[None] | None = None

    @property
    def base_url(self) -> str:
        """Base URL for PTB (the token and method are appended)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Base file URL for PTB."""
        return f"http://{self.host}:{self.port}/file/bot"

    async def __aenter__(self) -> FakeBotApiServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on ``host`` at a free port."""
        self._loop = asyncio.get_running_loop()
        self._closing = False
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.api.add_listener(self._on_change)
        self._delivery = asyncio.create_task(self._deliver_forever())

    def route_webhook(self, public: str, local: str) -> None:
        """Deliver webhook updates for URLs under ``public`` to the same path under ``local``.

        Example: ``route_webhook("https://bot.example", "http://127.0.0.1:8443")`` sends the
        updates for ``https://bot.example/hook`` to ``http://127.0.0.1:8443/hook``.
        """
        self.webhook_routes[public.rstrip("/")] = local.rstrip("/")

    async def stop(self) -> None:
        """Wake waiting long-polls, stop delivering and shut the server down."""
        self._closing = True
        self._updates_queued.set()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
            self._delivery = None
        if self._runner is not None:
            self.api.remove_listener(self._on_change)
            await self._runner.cleanup()
            self._runner = None

    async def wait_for(
        self,
        predicate: Callable[[FakeBotApi], Any] | Callable[[], Any],
        timeout: float = 10,
    ) -> Any:
        """Wait until ``predicate`` (called with the core, or with no argument) is truthy.

        Returns:
            The predicate's truthy value, e.g. the list of calls it looked at.

        Raises:
            TimeoutError: If it is still falsy after ``timeout`` seconds; the message lists
                the calls received so far.
        """
        check = _as_check(predicate, self.api)
        deadline = time.monotonic() + timeout
        while True:
            self._state_changed.clear()
            value = check()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                methods = [call.method for call in self.api.calls]
                raise TimeoutError(f"condition not met within {timeout} s; calls: {methods}")
            try:
                await asyncio.wait_for(self._state_changed.wait(), remaining)
            except asyncio.TimeoutError:
                continue

    # ------------------------------------------------------------------ internals

    def _webhook_target(self, url: str) -> str | None:
        for public, local in self.webhook_routes.items():
            if url == public or url.startswith(public + "/"):
                return local + url[len(public) :]
        return None

    async def _deliver_forever(self) -> None:
        """Deliver pending updates to the webhook while one is set (one at a time, in order)."""
        async with aiohttp.ClientSession(trust_env=False) as session:
            while not self._closing:
                update = self.api.webhook_update()
                if update is None:
                    self._updates_queued.clear()
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(self._updates_queued.wait(), 0.5)
                    continue
                ok, error = await self._post(session, update)
                self.api.webhook_delivered(update["update_id"], ok, error)
                if not ok:
                    await asyncio.sleep(self.retry_seconds)

    async def _post(
        self, session: aiohttp.ClientSession, update: dict[str, Any]
    ) -> tuple[bool, str]:
        target = self._webhook_target(self.api.webhook_url)
        if target is None:
            return False, "Connection refused (no route to the webhook)"
        headers = {"Content-Type": "application/json"}
        if self.api.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.api.webhook_secret
        try:
            async with session.post(
                target,
                data=json.dumps(update).encode("utf-8"),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                if 200 <= response.status < 300:
                    return True, ""
                return (
                    False,
                    f"Wrong response from the webhook: {response.status} {response.reason}",
                )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return False, f"Connection failed: {exc.__class__.__name__}"

    def _on_change(self, event: str) -> None:
        """Core listener: wake pollers and waiters (safe from other threads too)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._wake(event)
        else:
            loop.call_soon_threadsafe(self._wake, event)

    def _wake(self, event: str) -> None:
        if event == "update":
            self._updates_queued.set()
        self._state_changed.set()

    async def _serve(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            method = self.api.route(request.path)
            params = decode_body(request.headers.get("Content-Type", ""), body, request.query)
        except ApiError as exc:
            return web.json_response(exc.body(), status=exc.status)
        if method.lower() != "getupdates":
            status, payload = self.api.handle(method, params)
            return web.json_response(payload, status=status)
        self.waiting_polls += 1
        self._state_changed.set()
        try:
            superseded = not await self._long_poll(params)
        finally:
            self.waiting_polls -= 1
        if _client_gone(request):
            # The client gave up (e.g. PTB cancelled the poll on shutdown): nobody reads the
            # answer, so don't record it or confirm updates with it.
            return web.json_response(ApiError(TERMINATED, 409).body(), status=409)
        if superseded:
            status, payload = self.api.reject(method, params, ApiError(TERMINATED, 409))
        else:
            status, payload = self.api.handle(method, params)
        return web.json_response(payload, status=status)

    async def _long_poll(self, params: dict[str, Any]) -> bool:
        """Hold a getUpdates request until updates exist or its timeout (capped) passes.

        Returns:
            False if a newer getUpdates request superseded this one (Telegram's 409).
        """
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_queued.set()  # wake an older poll so it can notice it was superseded
        await asyncio.sleep(0)
        if self.api.has_scheduled_failure("getUpdates") or self.api.webhook_url:
            return True
        try:
            decoded = normalize_params(params)
        except ApiError:
            return True
        wait = min(_seconds(decoded.get("timeout")), self.max_poll_seconds)
        offset = decoded.get("offset") if isinstance(decoded.get("offset"), int) else None
        deadline = time.monotonic() + wait
        while not self._closing:
            if generation != self._poll_generation:
                return False
            if self.api.pending_updates(offset):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            self._updates_queued.clear()
            try:
                await asyncio.wait_for(self._updates_queued.wait(), remaining)
            except asyncio.TimeoutError:
                continue
        return True


def _seconds(value: Any) -> float:
    """Parse a getUpdates ``timeout`` (int or numeric string); anything else means 0."""
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return 0.0


def _client_gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


def _as_check(predicate: Callable[..., Any], api: FakeBotApi) -> Callable[[], Any]:
    """Accept both ``lambda api: ...`` and ``lambda: ...`` predicates."""
    try:
        takes_api = bool(inspect.signature(predicate).parameters)
    except (TypeError, ValueError):
        takes_api = True
    if takes_api:
        return lambda: predicate(api)
    return predicate
