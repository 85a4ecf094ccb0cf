"""Security headers on every response and a cap on request bodies (plain ASGI middleware).

The page needs nothing from outside its own origin, so the Content Security Policy allows
only ``'self'`` scripts, styles and images, and no inline script at all. ``frame-ancestors``
comes from the settings: the sites allowed to show the chat in an iframe.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 32 * 1024
"""Largest request body accepted; a question is at most a few kilobytes."""


def content_security_policy(frame_ancestors: str) -> str:
    """Return the page's CSP: own scripts, styles and images only; framing by the given sites."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def security_headers(frame_ancestors: str) -> list[tuple[bytes, bytes]]:
    """Return the headers every response carries."""
    headers = [
        ("content-security-policy", content_security_policy(frame_ancestors)),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    # Old browsers that ignore frame-ancestors still understand these two cases.
    legacy = {"'none'": "DENY", "'self'": "SAMEORIGIN"}.get(frame_ancestors)
    if legacy:
        headers.append(("x-frame-options", legacy))
    return [(name.encode(), value.encode()) for name, value in headers]


class BodyTooLarge(Exception):
    """The request body is over the limit."""


class SecurityMiddleware:
    """Add security headers to every response and refuse bodies over ``max_body`` bytes."""

    def __init__(
        self, app: ASGIApp, *, frame_ancestors: str, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.headers = security_headers(frame_ancestors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection: check the body size, add the headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body):
            await self._too_large(send)
            return
        started = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                if b"cache-control" not in present:
                    static = str(scope.get("path", "")).startswith("/static/")
                    value = b"public, max-age=86400" if static else b"no-store"
                    extra.append((b"cache-control", value))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(send_with_headers)

    async def _too_large(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": "too_large",
                "message": f"the request body is larger than {self.max_body} bytes",
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *self.headers,
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
