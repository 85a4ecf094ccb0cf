"""In-memory fake of the Telegram Bot API: a pure state machine with Telegram's rules.

``FakeBotApi.handle(method, params)`` maps one Bot API call to ``(http_status, json_body)``
exactly as api.telegram.org would answer it, including Telegram's error strings. Tests wire
it into a real PTB ``Bot`` without any socket::

    fake = FakeBotApi()
    bot = Bot(fake.token, request=fake.make_request(), get_updates_request=fake.make_request())
    # make_request() == HTTPXRequest(httpx_kwargs={"transport": httpx.MockTransport(
    #     fake.handle_httpx), "trust_env": False}); both requests are needed, else
    # getUpdates goes to the real network.

and feed the bot incoming updates built by ``user_says``, ``user_presses``, ``inline_query``...
(each returns the update dict, so ``Update.de_json(fake.user_says("/start"), bot)`` works too).
For a real HTTP endpoint with long-polling, see ``server.FakeBotApiServer``.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import json
import re
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx
from telegram.request import HTTPXRequest

from .html_check import (
    Entity,
    ParsedText,
    TelegramHtmlError,
    parse_telegram_html,
    utf16_length,
)

__all__ = [
    "ApiError",
    "Call",
    "FakeBotApi",
    "SentMessage",
    "UploadedFile",
    "decode_body",
    "normalize_params",
]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024
"""Telegram's limit for a photo uploaded with sendPhoto."""
MAX_PHOTO_SIDES = 10000
"""Width plus height of an uploaded photo may not exceed this."""
MAX_PHOTO_RATIO = 20
PHOTO_SIZES = (90, 320, 800, 1280)
"""Longest side of the sizes Telegram keeps of a photo (no upscaling)."""
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID_BYTES = 64
MAX_NEXT_OFFSET_BYTES = 64
MAX_COMMANDS = 100
MAX_COMMAND_LENGTH = 32
MAX_COMMAND_DESCRIPTION = 256
DEFAULT_SUPERGROUP_ID = -1001234567890
DEFAULT_GROUP_ID = -4001234567

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

# Form values arrive as strings (PTB JSON-encodes everything that is not a str); these
# tables say how to turn them back into JSON types.
_JSON_FIELDS = frozenset(
    {
        "reply_markup", "results", "commands", "entities", "caption_entities",
        "link_preview_options", "scope", "reply_parameters", "allowed_updates", "button",
        "media", "menu_button", "rights", "message_ids", "reaction",
    }
)  # fmt: skip
_INT_FIELDS = frozenset(
    {
        "chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id",
        "from_chat_id", "message_thread_id", "reply_to_message_id", "max_connections",
    }
)  # fmt: skip
_BOOL_FIELDS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "is_personal",
        "drop_pending_updates", "disable_web_page_preview", "allow_sending_without_reply",
        "allow_paid_broadcast",
    }
)  # fmt: skip
_DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post",
        "business_connection", "business_message", "edited_business_message",
        "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
        "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
        "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_BUTTON_ACTIONS = (
    "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "login_url", "web_app", "callback_game", "pay",
    "copy_text",
)  # fmt: skip
_COMMAND_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_INLINE_RESULT_TYPES = frozenset(
    {
        "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
        "location", "venue", "contact", "game", "sticker",
    }
)  # fmt: skip
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_PATH_RE = re.compile(r"/bot(?P<token>[^/]*)/(?P<method>[^/]*)/?$")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_])")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class Call:
    """One request the bot made, with decoded parameters (ints, dicts, lists...)."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class SentMessage:
    """The current state of a message the bot sent (after any edits).

    ``text`` is the source text as sent (HTML tags included when ``parse_mode`` is HTML);
    ``visible_text`` and ``entities`` are what Telegram shows after parsing.
    """

    message_id: int
    chat_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    edits: int
    visible_text: str = ""
    entities: tuple[Entity, ...] = ()
    date: int = 0
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    photo: UploadedFile | None = None
    """The uploaded picture of a photo message; ``text`` is then its caption."""


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class _Stored:
    """A message in a chat, from the bot or from a user."""

    payload: dict[str, Any]
    from_bot: bool
    source_text: str = ""
    parse_mode: str | None = None
    parsed: ParsedText = field(default_factory=lambda: ParsedText(""))
    markup: dict[str, Any] | None = None
    edits: int = 0
    photo: UploadedFile | None = None


@dataclass(frozen=True)
class _Failure:
    status: int
    description: str
    retry_after: int | None


class ApiError(Exception):
    """A Bot API error response (raised inside method handlers)."""

    def __init__(
        self, description: str, status: int = 400, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends for this error."""
        data: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            data["parameters"] = self.parameters
        return data


# --------------------------------------------------------------------------- request decoding


def _coerce(key: str, value: Any) -> Any:
    """Turn one form value (a str) back into the JSON type Telegram expects."""
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ApiError(f"Bad Request: can't parse {key} JSON object") from exc
    if key in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if key in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


def normalize_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Decode form-style values (``"123"``, ``'{"a":1}'``) into ints, dicts and lists.

    Raises:
        ApiError: If an object-valued field holds invalid JSON.
    """
    return {key: _coerce(key, value) for key, value in params.items()}


def _decode_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            params[name] = UploadedFile(filename, part.get_content_type(), data)
        else:
            params[name] = data.decode("utf-8", "replace")
    return params


def decode_body(
    content_type: str, body: bytes, query: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Decode a Bot API request body (form, multipart or JSON) plus URL query parameters.

    Values stay as sent (form values are strings); :func:`normalize_params` types them.

    Raises:
        ApiError: If a JSON body is malformed.
    """
    params: dict[str, Any] = dict(query or {})
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise ApiError("Bad Request: can't parse JSON object") from exc
        if not isinstance(decoded, dict):
            raise ApiError("Bad Request: JSON object expected")
        params.update(decoded)
    elif kind == "multipart/form-data":
        params.update(_decode_multipart(content_type, body))
    else:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update(pairs)
    return params


# --------------------------------------------------------------------------- validation helpers


def _parse_markup(text: str, parse_mode: Any, entities: Any) -> ParsedText:
    """Parse a text or caption as its parse_mode says (no length rules).

    Raises:
        ApiError: With Telegram's description for bad HTML or an unknown parse_mode.
    """
    mode = str(parse_mode or "").lower()
    if mode == "html":
        try:
            return parse_telegram_html(text)
        except TelegramHtmlError as exc:
            raise ApiError(exc.description) from exc
    if mode in ("", "markdown", "markdownv2"):
        return ParsedText(text.strip(), _given_entities(entities) if not mode else ())
    raise ApiError("Bad Request: unsupported parse_mode")


def _parse_text(text: Any, parse_mode: Any, entities: Any) -> ParsedText:
    """Apply Telegram's text rules: parse, trim, then 1-4096 UTF-16 units.

    Raises:
        ApiError: With Telegram's description when the text would be refused.
    """
    parsed = _parse_markup("" if text is None else str(text), parse_mode, entities)
    if not parsed.text:
        raise ApiError("Bad Request: message text is empty")
    if utf16_length(parsed.text) > MAX_TEXT_LENGTH:
        raise ApiError("Bad Request: message is too long")
    return parsed


def _parse_caption(caption: Any, parse_mode: Any, entities: Any) -> ParsedText:
    """Apply Telegram's caption rules: optional, parsed like text, at most 1024 UTF-16 units.

    Raises:
        ApiError: With Telegram's description when the caption would be refused.
    """
    parsed = _parse_markup("" if caption is None else str(caption), parse_mode, entities)
    if utf16_length(parsed.text) > MAX_CAPTION_LENGTH:
        raise ApiError("Bad Request: message caption is too long")
    return parsed


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, as Telegram's image check would find them.

    Raises:
        ApiError: ``IMAGE_PROCESS_FAILED`` for anything else.
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if width and height:
            return width, height
    if data[:3] == b"\xff\xd8\xff":
        position = 2
        while position + 9 < len(data):
            if data[position] != 0xFF:
                break
            marker = data[position + 1]
            length = int.from_bytes(data[position + 2 : position + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[position + 5 : position + 7], "big")
                width = int.from_bytes(data[position + 7 : position + 9], "big")
                if width and height:
                    return width, height
                break
            position += 2 + length
    raise ApiError("Bad Request: IMAGE_PROCESS_FAILED")


def _photo_sizes(file_id: str, width: int, height: int, size: int) -> list[dict[str, Any]]:
    """The PhotoSize list Telegram returns: scaled copies, largest last, never upscaled."""
    sizes = []
    longest = max(width, height)
    for limit in PHOTO_SIZES:
        scale = min(1.0, limit / longest)
        entry = {
            "file_id": f"{file_id}-{limit}",
            "file_unique_id": f"u{file_id}-{limit}",
            "width": max(1, round(width * scale)),
            "height": max(1, round(height * scale)),
            "file_size": max(1, round(size * scale * scale)),
        }
        if sizes and (entry["width"], entry["height"]) == (
            sizes[-1]["width"],
            sizes[-1]["height"],
        ):
            break
        sizes.append(entry)
    return sizes


def _given_entities(entities: Any) -> tuple[Entity, ...]:
    if not isinstance(entities, list):
        return ()
    found = []
    for item in entities:
        if isinstance(item, dict) and {"type", "offset", "length"} <= item.keys():
            found.append(
                Entity(
                    str(item["type"]),
                    int(item["offset"]),
                    int(item["length"]),
                    item.get("url"),
                    item.get("language"),
                    item.get("custom_emoji_id"),
                )
            )
    return tuple(found)


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise ApiError("Bad Request: can't parse inline keyboard button: Object expected")
    if not isinstance(button.get("text"), str):
        raise ApiError(
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise ApiError(
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise ApiError("Bad Request: BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
            raise ApiError(
                f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
            )


def _check_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Validate a reply_markup object; return it normalized (empty keyboard -> None).

    Raises:
        ApiError: With Telegram's description for invalid keyboards.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError("Bad Request: object expected as reply markup")
    if "inline_keyboard" not in markup:
        if inline_only:
            raise ApiError("Bad Request: inline keyboard expected")
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
            "should be an Array of Arrays"
        )
    buttons = [button for row in rows for button in row]
    if len(buttons) > MAX_INLINE_BUTTONS:
        raise ApiError("Bad Request: reply markup is too long")
    for button in buttons:
        _check_button(button)
    return markup if buttons else None


def _require(params: Mapping[str, Any], key: str) -> Any:
    value = params.get(key)
    if value is None or value == "":
        raise ApiError(f"Bad Request: {key} is empty")
    return value


def _chat_id(params: Mapping[str, Any]) -> int:
    value = _require(params, "chat_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError("Bad Request: chat not found")
    return value


def _message_id(params: Mapping[str, Any], missing: str) -> int:
    value = params.get("message_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(f"Bad Request: {missing}")
    return value


# --------------------------------------------------------------------------- the fake


class FakeBotApi:
    """The Bot API as seen by one bot: its chats, messages, update queue and call log.

    Attributes:
        calls: Every request received, in order (including failed ones).
        updates: Every update ever queued (pending or already confirmed).
        callback_answers: answerCallbackQuery parameters per answered callback query id.
        inline_answers: The results list per answered inline query id.
        webhook_url: The URL set by setWebhook ("" when none).
        webhook_secret: The ``secret_token`` set with it, sent with every delivery.
        webhook_deliveries: Update ids delivered to the webhook and confirmed (2xx), in order.
        webhook_errors: Why deliveries failed ("500 Internal Server Error", …), in order.
        clock: Returns the current Unix time; replace it for deterministic dates.
    """

    def __init__(
        self,
        *,
        token: str = "123456:TEST",
        bot_username: str = "samverkan_test_bot",
        bot_id: int = 7000000001,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_first_name = "Samverkansboten"
        self.clock: Callable[[], int] = lambda: int(time.time())
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.inline_answers: dict[str, list[dict[str, Any]]] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_deliveries: list[int] = []
        self.webhook_errors: list[str] = []
        self._pending: deque[dict[str, Any]] = deque()
        self._next_update_id = 100000001
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._chats: dict[int, dict[str, Any]] = {}
        self._message_counters: dict[int, int] = {}
        self._messages: dict[tuple[int, int], _Stored] = {}
        self._open_callbacks: list[str] = []
        self._open_inline_queries: set[str] = set()
        self._next_query_id = 4000000000000001
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._photos: dict[str, UploadedFile] = {}
        self._listeners: list[Callable[[str], None]] = []
        self._methods: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
            name.lower(): (name, handler) for name, handler in self._method_table().items()
        }

    # ------------------------------------------------------------------ public inspection

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot as a User object (the ``from`` of its messages)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def calls_to(self, method: str) -> list[Call]:
        """Return the calls of one method (case-insensitive), in order."""
        wanted = method.lower()
        return [call for call in self.calls if call.method.lower() == wanted]

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Return the bot's current (not deleted) messages in a chat, oldest first."""
        stored = [
            (message_id, item)
            for (chat, message_id), item in self._messages.items()
            if chat == chat_id and item.from_bot
        ]
        return [self._snapshot(item) for _, item in sorted(stored, key=lambda pair: pair[0])]

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """Return one bot message by id, or None if unknown, deleted or from a user."""
        item = self._messages.get((chat_id, message_id))
        return self._snapshot(item) if item and item.from_bot else None

    @property
    def answered_callbacks(self) -> list[str]:
        """Callback query ids the bot answered, in answer order."""
        return list(self.callback_answers)

    def unanswered_callbacks(self) -> list[str]:
        """Callback query ids sent to the bot and never answered (spinner still running)."""
        return list(self._open_callbacks)

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Return the commands stored for exactly this scope and language (like getMyCommands)."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    def pending_updates(self, offset: int | None = None) -> list[dict[str, Any]]:
        """Confirm updates below ``offset`` (dropping them) and return the rest.

        A negative offset keeps only the last ``-offset`` updates, as in Telegram.
        Updates filtered out by the last ``allowed_updates`` are not returned.
        """
        if offset is not None and offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
        elif offset:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
        return [u for u in self._pending if self._update_type(u) in self._allowed_updates]

    def webhook_update(self) -> dict[str, Any] | None:
        """Return the next update to deliver to the webhook, or None (no webhook, no update).

        Telegram delivers the oldest pending update first and keeps it until the webhook
        answers 2xx (:meth:`webhook_delivered`).
        """
        if not self.webhook_url:
            return None
        pending = self.pending_updates()
        return copy.deepcopy(pending[0]) if pending else None

    def webhook_delivered(self, update_id: int, ok: bool, error: str = "") -> None:
        """Record a delivery attempt; a confirmed update leaves the queue, a failed one stays."""
        if ok:
            self._pending = deque(u for u in self._pending if u["update_id"] != update_id)
            self.webhook_deliveries.append(update_id)
        else:
            self.webhook_errors.append(error)
        self._notify("call")

    # ------------------------------------------------------------------ listeners and failures

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """Call ``listener("update")`` when an update is queued and ``("call")`` per request."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[str], None]) -> None:
        """Stop notifying ``listener``."""
        self._listeners.remove(listener)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        description: str | None = None,
        retry_after: int | None = 1,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        Args:
            method: Bot API method name (case-insensitive).
            status: HTTP status / error_code, e.g. 429, 500, 502, 403.
            description: Error text; defaults to Telegram's text for the status
                ("Too Many Requests: retry after N" for 429).
            retry_after: Sent as ``parameters.retry_after`` (429 only), which makes PTB
                raise ``RetryAfter``.
            times: How many consecutive calls fail.
        """
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after or 1}"
                if status == 429
                else HTTPStatus(status).phrase
            )
        hint = retry_after if status == 429 else None
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(_Failure(status, description, hint) for _ in range(times))

    def has_scheduled_failure(self, method: str) -> bool:
        """Tell whether the next call of ``method`` will fail (the server skips long-polls)."""
        return bool(self._failures.get(method.lower()))

    # ------------------------------------------------------------------ request entry points

    def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call.

        Args:
            method: Method name as in the URL (case-insensitive, like Telegram).
            params: Parameters; form-style strings are decoded (see :func:`normalize_params`).

        Returns:
            HTTP status and JSON body (``{"ok": true, "result": ...}`` or an error body).
        """
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        try:
            decoded = normalize_params(params)
        except ApiError as exc:
            self._record(name, dict(params))
            return self._respond_error(exc)
        self._record(name, decoded)
        failures = self._failures.get(method.lower())
        if failures:
            return self._respond_error(_failure_error(failures.popleft()))
        if entry is None:
            return self._respond_error(ApiError("Not Found", 404))
        try:
            result = entry[1](decoded)
        except ApiError as exc:
            return self._respond_error(exc)
        self._notify("call")
        return 200, {"ok": True, "result": result}

    def _respond_error(self, error: ApiError) -> tuple[int, dict[str, Any]]:
        self._notify("call")
        return error.status, error.body()

    def handle_request(
        self, path: str, content_type: str, body: bytes, query: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Answer a raw HTTP request to ``.../bot<token>/<method>``."""
        try:
            method = self.route(path)
            params = decode_body(content_type, body, query)
        except ApiError as exc:
            return exc.status, exc.body()
        return self.handle(method, params)

    def route(self, path: str) -> str:
        """Return the method name of a request path ``.../bot<token>/<method>``.

        Raises:
            ApiError: 404 "Not Found" for malformed tokens or paths, 401 "Unauthorized"
                for a well-formed but wrong token (as Telegram answers).
        """
        match = _PATH_RE.search(path)
        if match is None or not _TOKEN_RE.match(match["token"]) or not match["method"]:
            raise ApiError("Not Found", 404)
        if match["token"] != self.token:
            raise ApiError("Unauthorized", 401)
        return urllib.parse.unquote(match["method"])

    def reject(
        self, method: str, params: Mapping[str, Any], error: ApiError
    ) -> tuple[int, dict[str, Any]]:
        """Record a call that the transport layer refuses (e.g. a getUpdates conflict)."""
        self._record(method, dict(params))
        return self._respond_error(error)

    def make_request(self, **httpx_kwargs: Any) -> HTTPXRequest:
        """Return a PTB ``HTTPXRequest`` that talks to this fake in-process (no socket).

        Use one for ``request`` and another for ``get_updates_request``; a Bot built
        without the latter would try to reach the real network for getUpdates.
        """
        kwargs = {"transport": httpx.MockTransport(self.handle_httpx), "trust_env": False}
        kwargs.update(httpx_kwargs)
        return HTTPXRequest(httpx_kwargs=kwargs)

    async def handle_httpx(self, request: httpx.Request) -> httpx.Response:
        """Serve an httpx request; use as ``httpx.MockTransport(fake.handle_httpx)``.

        getUpdates answers immediately here (no long-poll); use the server for that.
        """
        body = await request.aread()
        status, payload = self.handle_request(
            request.url.path,
            request.headers.get("content-type", ""),
            body,
            dict(request.url.params),
        )
        # ASCII JSON, as aiohttp's json_response: a test user's text may hold lone
        # surrogates, which echoed in reply_to_message cannot be encoded as UTF-8.
        content = json.dumps(payload, ensure_ascii=True).encode("ascii")
        return httpx.Response(
            status, content=content, headers={"content-type": "application/json"}
        )

    # ------------------------------------------------------------------ incoming updates

    def user_says(
        self,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "sv",
        first_name: str = "Anna",
        reply_to_bot_message_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from a user and return the update.

        Commands (``/start``, ``/ask@bot``) get a ``bot_command`` entity and ``@username``
        mentions a ``mention`` entity, with offsets in UTF-16 code units.
        """
        message = self._user_message(user_id, chat_id, chat_type, language_code, first_name)
        message["text"] = text
        entities = _incoming_entities(text)
        if entities:
            message["entities"] = entities
        if reply_to_bot_message_id is not None:
            message["reply_to_message"] = self._reply_target(
                message["chat"]["id"], reply_to_bot_message_id
            )
        self._store_user_message(message)
        return self._queue({"message": message})

    def user_edits(
        self,
        message_id: int,
        text: str,
        *,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "sv",
        first_name: str = "Anna",
    ) -> dict[str, Any]:
        """Queue an ``edited_message`` update for a message the user sent earlier.

        Raises:
            LookupError: If the user never sent that message in that chat.
        """
        chat = self._chat(user_id, chat_id, chat_type, first_name)
        stored = self._messages.get((chat["id"], message_id))
        if stored is None or stored.from_bot:
            raise LookupError(f"no user message {message_id} in chat {chat['id']}")
        message = copy.deepcopy(stored.payload)
        message["from"] = _user(user_id, first_name, language_code)
        message["text"] = text
        message.pop("entities", None)
        entities = _incoming_entities(text)
        if entities:
            message["entities"] = entities
        message["edit_date"] = self.clock()
        stored.payload = message
        return self._queue({"edited_message": copy.deepcopy(message)})

    def user_sends(
        self,
        kind: str,
        *,
        caption: str | None = None,
        user_id: int = 1001,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str | None = "sv",
        first_name: str = "Anna",
    ) -> dict[str, Any]:
        """Queue a non-text message: ``kind`` is sticker, photo, voice, document or location."""
        message = self._user_message(user_id, chat_id, chat_type, language_code, first_name)
        message.update(_media(kind, message["message_id"]))
        if caption is not None:
            message["caption"] = caption
        self._store_user_message(message)
        return self._queue({"message": message})

    def user_sends_sticker(self, **kwargs: Any) -> dict[str, Any]:
        """Queue a sticker message (see :meth:`user_sends`)."""
        return self.user_sends("sticker", **kwargs)

    def user_sends_photo(self, **kwargs: Any) -> dict[str, Any]:
        """Queue a photo message (see :meth:`user_sends`)."""
        return self.user_sends("photo", **kwargs)

    def user_sends_voice(self, **kwargs: Any) -> dict[str, Any]:
        """Queue a voice message (see :meth:`user_sends`)."""
        return self.user_sends("voice", **kwargs)

    def user_sends_document(self, **kwargs: Any) -> dict[str, Any]:
        """Queue a document message (see :meth:`user_sends`)."""
        return self.user_sends("document", **kwargs)

    def user_presses(
        self,
        callback_data: str,
        *,
        message_id: int,
        chat_id: int,
        user_id: int = 1001,
        language_code: str | None = "sv",
        first_name: str = "Anna",
    ) -> dict[str, Any]:
        """Queue a ``callback_query`` for a button on one of the bot's messages.

        Raises:
            LookupError: If the bot has no such message (Telegram could not send this).
        """
        stored = self._messages.get((chat_id, message_id))
        if stored is None or not stored.from_bot:
            raise LookupError(f"the bot has no message {message_id} in chat {chat_id}")
        query = self._callback_query(callback_data, user_id, language_code, first_name)
        query["chat_instance"] = str(abs(chat_id) * 7 + 11)
        query["message"] = copy.deepcopy(stored.payload)
        return self._queue({"callback_query": query})

    def user_presses_inline(
        self,
        callback_data: str,
        *,
        inline_message_id: str,
        user_id: int = 1001,
        language_code: str | None = "sv",
        first_name: str = "Anna",
    ) -> dict[str, Any]:
        """Queue a ``callback_query`` for a button on a message sent via inline mode."""
        query = self._callback_query(callback_data, user_id, language_code, first_name)
        query["chat_instance"] = "9000000000000000001"
        query["inline_message_id"] = inline_message_id
        return self._queue({"callback_query": query})

    def inline_query(
        self,
        query: str,
        *,
        user_id: int = 1001,
        offset: str = "",
        language_code: str | None = "sv",
        first_name: str = "Anna",
        chat_type: str | None = "sender",
    ) -> dict[str, Any]:
        """Queue an ``inline_query`` update (``@bot query`` typed in any chat)."""
        query_id = self._new_query_id()
        self._open_inline_queries.add(query_id)
        payload: dict[str, Any] = {
            "id": query_id,
            "from": _user(user_id, first_name, language_code),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            payload["chat_type"] = chat_type
        return self._queue({"inline_query": payload})

    # ------------------------------------------------------------------ internals: state

    def _record(self, method: str, params: dict[str, Any]) -> None:
        self.calls.append(Call(method, params))

    def _notify(self, event: str) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _queue(self, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self.updates.append(update)
        self._pending.append(copy.deepcopy(update))
        self._notify("update")
        return update

    @staticmethod
    def _update_type(update: Mapping[str, Any]) -> str:
        return next((key for key in update if key != "update_id"), "")

    def _new_query_id(self) -> str:
        self._next_query_id += 1
        return str(self._next_query_id)

    def _callback_query(
        self, data: str, user_id: int, language_code: str | None, first_name: str
    ) -> dict[str, Any]:
        query_id = self._new_query_id()
        self._open_callbacks.append(query_id)
        return {"id": query_id, "from": _user(user_id, first_name, language_code), "data": data}

    def _chat(
        self, user_id: int, chat_id: int | None, chat_type: str, first_name: str
    ) -> dict[str, Any]:
        if chat_type == "private":
            chat_id = user_id if chat_id is None else chat_id
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            if chat_id is None:
                chat_id = DEFAULT_GROUP_ID if chat_type == "group" else DEFAULT_SUPERGROUP_ID
            chat = {"id": chat_id, "type": chat_type, "title": "Testgrupp"}
        self._chats.setdefault(chat_id, chat)
        return dict(self._chats[chat_id])

    def _known_chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id not in self._chats:
            if chat_id > 0:
                self._chats[chat_id] = {"id": chat_id, "type": "private", "first_name": "Anna"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                self._chats[chat_id] = {"id": chat_id, "type": kind, "title": "Testgrupp"}
        return dict(self._chats[chat_id])

    def _next_message_id(self, chat_id: int) -> int:
        self._message_counters[chat_id] = self._message_counters.get(chat_id, 0) + 1
        return self._message_counters[chat_id]

    def _user_message(
        self,
        user_id: int,
        chat_id: int | None,
        chat_type: str,
        language_code: str | None,
        first_name: str,
    ) -> dict[str, Any]:
        chat = self._chat(user_id, chat_id, chat_type, first_name)
        return {
            "message_id": self._next_message_id(chat["id"]),
            "from": _user(user_id, first_name, language_code),
            "chat": chat,
            "date": self.clock(),
        }

    def _store_user_message(self, message: dict[str, Any]) -> None:
        key = (message["chat"]["id"], message["message_id"])
        self._messages[key] = _Stored(copy.deepcopy(message), from_bot=False)

    def _reply_target(self, chat_id: int, message_id: int) -> dict[str, Any]:
        stored = self._messages.get((chat_id, message_id))
        if stored is not None:
            target = copy.deepcopy(stored.payload)
            target.pop("reply_to_message", None)
            return target
        return {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": self._known_chat(chat_id),
            "date": self.clock(),
            "text": "…",
        }

    def _snapshot(self, item: _Stored) -> SentMessage:
        payload = item.payload
        reply = payload.get("reply_to_message")
        return SentMessage(
            message_id=payload["message_id"],
            chat_id=payload["chat"]["id"],
            text=item.source_text,
            parse_mode=item.parse_mode,
            reply_markup=copy.deepcopy(item.markup),
            edits=item.edits,
            visible_text=item.parsed.text,
            entities=item.parsed.entities,
            date=payload["date"],
            edit_date=payload.get("edit_date"),
            reply_to_message_id=reply["message_id"] if reply else None,
            photo=item.photo,
        )

    def _bot_payload(self, item: _Stored) -> None:
        """Refresh the Message JSON of a bot message from its parsed content."""
        payload = item.payload
        text, entities = ("caption", "caption_entities") if item.photo else ("text", "entities")
        payload.pop(text, None)
        payload.pop(entities, None)
        if item.parsed.text or not item.photo:
            payload[text] = item.parsed.text
        if item.parsed.entities:
            payload[entities] = [entity.to_dict() for entity in item.parsed.entities]
        payload.pop("reply_markup", None)
        if item.markup is not None and "inline_keyboard" in item.markup:
            payload["reply_markup"] = copy.deepcopy(item.markup)

    def _commands_key(self, scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), language_code or ""

    # ------------------------------------------------------------------ internals: methods

    def _method_table(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": lambda p: self._set_description(p, "description", 512),
            "getMyDescription": lambda p: self._get_description(p, "description"),
            "setMyShortDescription": lambda p: self._set_description(p, "short_description", 120),
            "getMyShortDescription": lambda p: self._get_description(p, "short_description"),
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "close": lambda _: True,
            "logOut": lambda _: True,
        }

    def _get_me(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(WEBHOOK_CONFLICT, 409)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED_UPDATES
        offset = params.get("offset")
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        pending = self.pending_updates(offset if isinstance(offset, int) else None)
        return copy.deepcopy(pending[:limit])

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        parsed = _parse_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = _check_markup(params.get("reply_markup"))
        chat = self._known_chat(chat_id)
        reply_to = self._reply_to(chat_id, params)
        payload: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user,
            "chat": chat,
            "date": self.clock(),
        }
        if reply_to is not None:
            payload["reply_to_message"] = reply_to
        item = _Stored(
            payload,
            from_bot=True,
            source_text=str(params.get("text")),
            parse_mode=params.get("parse_mode"),
            parsed=parsed,
            markup=markup,
        )
        self._bot_payload(item)
        self._messages[(chat_id, payload["message_id"])] = item
        return copy.deepcopy(payload)

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        photo = self._photo_file(params.get("photo"))
        parsed = _parse_caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        markup = _check_markup(params.get("reply_markup"))
        chat = self._known_chat(chat_id)
        reply_to = self._reply_to(chat_id, params)
        message_id = self._next_message_id(chat_id)
        width, height = _image_size(photo.data)
        payload: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat,
            "date": self.clock(),
            "photo": _photo_sizes(f"PHOTO-{chat_id}-{message_id}", width, height, len(photo.data)),
        }
        for size in payload["photo"]:
            self._photos[size["file_id"]] = photo
        if reply_to is not None:
            payload["reply_to_message"] = reply_to
        item = _Stored(
            payload,
            from_bot=True,
            source_text=str(params.get("caption") or ""),
            parse_mode=params.get("parse_mode"),
            parsed=parsed,
            markup=markup,
            photo=photo,
        )
        self._bot_payload(item)
        self._messages[(chat_id, message_id)] = item
        return copy.deepcopy(payload)

    def _photo_file(self, photo: Any) -> UploadedFile:
        """Return the uploaded picture, or the one a known file_id names; check it as Telegram."""
        if isinstance(photo, UploadedFile):
            if not photo.data:
                raise ApiError("Bad Request: file must be non-empty")
            if len(photo.data) > MAX_PHOTO_BYTES:
                raise ApiError("Bad Request: file is too big")
            width, height = _image_size(photo.data)
            if width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(
                width, height
            ):
                raise ApiError("Bad Request: PHOTO_INVALID_DIMENSIONS")
            return photo
        if photo is None or photo == "":
            raise ApiError("Bad Request: there is no photo in the request")
        if isinstance(photo, str) and photo in self._photos:
            return self._photos[photo]
        raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")

    def _reply_to(self, chat_id: int, params: Mapping[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters")
        if reply is None and isinstance(params.get("reply_to_message_id"), int):
            reply = {"message_id": params["reply_to_message_id"]}
        if not isinstance(reply, dict) or "message_id" not in reply:
            return None
        target_chat = reply.get("chat_id", chat_id)
        stored = self._messages.get((target_chat, reply["message_id"]))
        if stored is None:
            allow = reply.get("allow_sending_without_reply")
            if allow or params.get("allow_sending_without_reply"):
                return None
            raise ApiError("Bad Request: message to be replied not found")
        target = copy.deepcopy(stored.payload)
        target.pop("reply_to_message", None)
        return target

    def _stored_for_edit(self, params: Mapping[str, Any]) -> _Stored:
        chat_id = _chat_id(params)
        message_id = _message_id(params, "message to edit not found")
        stored = self._messages.get((chat_id, message_id))
        if stored is None:
            raise ApiError("Bad Request: message to edit not found")
        if not stored.from_bot:
            raise ApiError("Bad Request: message can't be edited")
        return stored

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        parsed = _parse_text(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        stored = self._stored_for_edit(params)
        if stored.photo is not None:
            raise ApiError("Bad Request: there is no text in the message to edit")
        if parsed == stored.parsed and markup == stored.markup:
            raise ApiError(NOT_MODIFIED)
        stored.source_text = str(params.get("text"))
        stored.parse_mode = params.get("parse_mode")
        stored.parsed = parsed
        return self._apply_edit(stored, markup)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = _check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            return True
        stored = self._stored_for_edit(params)
        if markup == stored.markup:
            raise ApiError(NOT_MODIFIED)
        return self._apply_edit(stored, markup)

    def _apply_edit(self, stored: _Stored, markup: dict[str, Any] | None) -> dict[str, Any]:
        stored.markup = markup
        stored.edits += 1
        stored.payload["edit_date"] = self.clock()
        self._bot_payload(stored)
        return copy.deepcopy(stored.payload)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id = _chat_id(params)
        message_id = _message_id(params, "message identifier is not specified")
        if self._messages.pop((chat_id, message_id), None) is None:
            raise ApiError("Bad Request: message to delete not found")
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError("Bad Request: MESSAGE_TOO_LONG")
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise ApiError(QUERY_TOO_OLD)
        self._open_callbacks.remove(query_id)
        self.callback_answers[query_id] = dict(params)
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError('Bad Request: field "results" must be of type Array')
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError("Bad Request: RESULTS_TOO_MUCH")
        next_offset = params.get("next_offset") or ""
        if len(str(next_offset).encode()) > MAX_NEXT_OFFSET_BYTES:
            raise ApiError("Bad Request: NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            _check_inline_result(result, seen)
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self._open_inline_queries:
            raise ApiError(QUERY_TOO_OLD)
        self._open_inline_queries.remove(query_id)
        self.inline_answers[query_id] = copy.deepcopy(results)
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        _chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError("Bad Request: wrong parameter action in request")
        return True

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError('Bad Request: field "commands" must be of type Array')
        if len(commands) > MAX_COMMANDS:
            raise ApiError("Bad Request: BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            _check_command(command)
        key = self._scope_key(params)
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _scope_key(self, params: Mapping[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise ApiError("Bad Request: unsupported bot command scope type")
        for required in _COMMAND_SCOPES[scope["type"]]:
            if required not in scope:
                raise ApiError(f"Bad Request: {required} is empty")
        language_code = params.get("language_code") or ""
        if language_code and not _LANGUAGE_RE.match(str(language_code)):
            raise ApiError("Bad Request: invalid language code specified")
        return self._commands_key(scope, language_code)

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self._commands.pop(self._scope_key(params), None)
        return True

    def _set_description(self, params: dict[str, Any], field_name: str, limit: int) -> bool:
        text = params.get(field_name) or ""
        if len(str(text)) > limit:
            raise ApiError(f"Bad Request: {field_name.replace('_', ' ')} is too long")
        self._descriptions[(field_name, str(params.get("language_code") or ""))] = str(text)
        return True

    def _get_description(self, params: dict[str, Any], field_name: str) -> dict[str, str]:
        key = (field_name, str(params.get("language_code") or ""))
        return {field_name: self._descriptions.get(key, "")}

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise ApiError("Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = str(params.get("secret_token") or "")
        if secret and not _SECRET_TOKEN_RE.match(secret):
            raise ApiError("Bad Request: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED_UPDATES
        self.webhook_url = url
        self.webhook_secret = secret if url else ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        if url:
            self._notify("update")  # wake the deliverer: pending updates go out now
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        self.webhook_secret = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _get_webhook_info(self, _: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_errors and self.webhook_url:
            info["last_error_message"] = self.webhook_errors[-1]
        return info


# --------------------------------------------------------------------------- pure helpers


def _failure_error(failure: _Failure) -> ApiError:
    parameters = {"retry_after": failure.retry_after} if failure.retry_after else None
    return ApiError(failure.description, failure.status, parameters)


def _user(user_id: int, first_name: str, language_code: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _incoming_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's text: a leading bot_command and @mentions."""
    entities: list[dict[str, Any]] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_length(command[0])})
    for mention in _MENTION_RE.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_length(text[: mention.start()]),
                "length": utf16_length(mention[0]),
            }
        )
    return entities


def _media(kind: str, message_id: int) -> dict[str, Any]:
    """The media field of a non-text message."""
    file_ids = {"file_id": f"{kind.upper()}-{message_id}", "file_unique_id": f"u{message_id}"}
    if kind == "sticker":
        return {
            "sticker": {
                **file_ids,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        }
    if kind == "photo":
        return {"photo": [{**file_ids, "width": 90, "height": 90, "file_size": 1200}]}
    if kind == "voice":
        return {"voice": {**file_ids, "duration": 3, "mime_type": "audio/ogg"}}
    if kind == "document":
        return {
            "document": {**file_ids, "file_name": "rapport.pdf", "mime_type": "application/pdf"}
        }
    if kind == "location":
        return {"location": {"latitude": 59.33, "longitude": 18.07}}
    raise ValueError(f"unknown message kind {kind!r}")


def _check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise ApiError("Bad Request: can't parse BotCommand: Object expected")
    name = command.get("command")
    if not isinstance(name, str) or not _BOT_COMMAND_NAME_RE.match(name):
        raise ApiError("Bad Request: BOT_COMMAND_INVALID")
    description = command.get("description")
    if not isinstance(description, str) or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
        raise ApiError("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")


def _check_inline_result(result: Any, seen: set[str]) -> None:
    """Validate one InlineQueryResult (id, type, article fields, message content, markup)."""
    if not isinstance(result, dict):
        raise ApiError("Bad Request: can't parse inline query result: Object expected")
    result_id = result.get("id")
    if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_RESULT_ID_BYTES:
        raise ApiError("Bad Request: RESULT_ID_INVALID")
    if result_id in seen:
        raise ApiError("Bad Request: RESULT_ID_DUPLICATE")
    seen.add(result_id)
    if result.get("type") not in _INLINE_RESULT_TYPES:
        raise ApiError("Bad Request: RESULT_TYPE_INVALID")
    if result["type"] == "article":
        if not isinstance(result.get("title"), str) or not result["title"]:
            raise ApiError(
                "Bad Request: can't parse inline query result: "
                'Field "title" must be of type String'
            )
        if not isinstance(result.get("input_message_content"), dict):
            raise ApiError(
                "Bad Request: can't parse inline query result: "
                'Field "input_message_content" must be of type Object'
            )
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        _parse_text(content["message_text"], content.get("parse_mode"), content.get("entities"))
    _check_markup(result.get("reply_markup"), inline_only=True)
