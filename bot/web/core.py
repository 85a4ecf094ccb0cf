"""Shared core of the web chat: its state, who is asking, and the one question pipeline.

:func:`ask` rate-limits, screens, searches and records one question, for the page and the
JSON API alike, as the Telegram channel does: a personnummer gets the personal-case reply
and is neither searched nor stored; the question log gets the redacted text and a
pseudonymous user key.

Who is asking: the page sets one cookie, a random browser id (a number in
``[2**62, 2**63)``, so it never collides with a Telegram id, whose keyed hash the log
stores). A request without that cookie (a first visit, an API client) is limited by its
address; a second, looser limit per address stops a client that throws its cookie away.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import Settings
from bot.models import Answer, Document, Passage, Topic
from bot.ratelimit import SlidingWindowLimiter
from bot.search import detect_language
from bot.service import EmptyQuestion
from bot.store import personal_case_reply, record_answer, record_vote, redact
from bot.store.log import Recorder
from bot.web.texts import text

logger = logging.getLogger(__name__)

COOKIE = "samverkan_id"
"""Name of the one cookie the page sets."""
MAX_QUESTION_CHARS = 4096
"""Longest question passed on; the service shortens further and says so."""
ADDRESS_FACTOR = 10
"""An address may ask this many times the per-client limit (an office behind one NAT)."""
EMPTY_QUESTION = "the question is empty after removing invisible characters"
"""What the API says about an empty question: the words ``python -m bot ask`` prints."""
_LOW, _HIGH = 1 << 62, 1 << 63


class Service(Protocol):
    """What the web chat needs from :class:`bot.service.QAService`."""

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Topics the bot offers."""

    @property
    def documents(self) -> tuple[Document, ...]:
        """Documents in the index."""

    @property
    def version(self) -> str:
        """Content hash of the knowledge."""

    def document(self, doc_id: str) -> Document | None:
        """Return a document by id."""

    def ask(self, question: str, *, language: str | None = None) -> Answer:
        """Answer a question."""

    def passage(self, passage_id: str) -> Passage | None:
        """Return a passage by id."""


QuestionLog = Recorder
"""What the web chat needs from the question log (:class:`bot.store.QuestionLog`)."""


@dataclass
class AnswerEntry:
    """A recent answer, kept so that 'more' and 👍/👎 need no second search."""

    answer: Answer
    question_id: int | None
    user_id: int
    feedback: dict[int, int] = field(default_factory=dict)


class AnswerCache:
    """A bounded, least-recently-used memory of recent answers under random keys."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[str, AnswerEntry] = OrderedDict()

    def put(self, entry: AnswerEntry) -> str:
        """Store an answer and return its new key (URL- and id-safe, 16 characters)."""
        key = secrets.token_urlsafe(12)
        self._entries[key] = entry
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return key

    def get(self, key: str) -> AnswerEntry | None:
        """Return the answer under ``key``, or None when it is unknown or forgotten."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry


@dataclass
class WebState:
    """Everything the routes share: the service, the log, the limits and recent answers."""

    settings: Settings
    service: Service
    question_log: QuestionLog | None = None
    answers: AnswerCache = field(default_factory=AnswerCache)
    limiter: SlidingWindowLimiter = field(init=False)
    address_limiter: SlidingWindowLimiter = field(init=False)

    def __post_init__(self) -> None:
        limit = self.settings.questions_per_minute
        self.limiter = SlidingWindowLimiter(limit)
        self.address_limiter = SlidingWindowLimiter(limit * ADDRESS_FACTOR)


@dataclass(frozen=True)
class Client:
    """Who is asking: the id the log hashes, and the keys the limits count under."""

    user_id: int
    """The browser id, or 0 for a client without one (an API caller)."""
    address: str
    known: bool
    """True when the browser id came with the request (not just issued)."""

    @property
    def limit_key(self) -> str:
        """The per-client limit's key: the browser id once known, else the address."""
        return f"id:{self.user_id}" if self.known else f"ip:{self.address}"


def parse_browser_id(value: str | None) -> int | None:
    """Return the browser id in a cookie value, or None when it is missing or malformed."""
    if not value or not value.isdigit() or len(value) != 19:
        return None
    number = int(value)
    return number if _LOW <= number < _HIGH else None


def new_browser_id() -> int:
    """Return a fresh random browser id in ``[2**62, 2**63)``."""
    return _LOW | secrets.randbits(62)


@dataclass(frozen=True)
class Asked:
    """A question answered (or honestly not answered) and remembered under ``key``."""

    key: str
    entry: AnswerEntry


@dataclass(frozen=True)
class Refused:
    """A question not searched: rate-limited, empty or carrying an identity number."""

    status: int
    code: str
    message: str
    language: str
    retry_after: int = 0


async def ask(
    state: WebState,
    question: str,
    client: Client,
    *,
    language: str | None,
    interface: str,
) -> Asked | Refused:
    """Rate-limit, screen, search and record one question.

    Args:
        state: The shared state.
        question: The question as typed.
        client: Who asks.
        language: Force the answer language; the question's when None.
        interface: Language for refusals that do not depend on the question.

    Returns:
        The remembered answer, or why the question was not searched.
    """
    verdict = state.address_limiter.hit(client.address)
    if verdict.allowed:
        verdict = state.limiter.hit(client.limit_key)
    if not verdict.allowed:
        message = text(interface, "rate_limited", seconds=verdict.wait_seconds)
        return Refused(429, "rate_limited", message, interface, verdict.wait_seconds)
    screened = redact(question[:MAX_QUESTION_CHARS])
    if screened.personal_id:
        reply_language = language or detect_language(screened.text, default=interface)
        reply = personal_case_reply(reply_language)
        return Refused(422, "personal_case", reply, reply_language)
    try:
        answer = await asyncio.to_thread(state.service.ask, screened.text, language=language)
    except EmptyQuestion:
        return Refused(422, "empty_question", EMPTY_QUESTION, interface)
    question_id = await _record_question(state, client.user_id, screened.text, answer)
    entry = AnswerEntry(answer, question_id, client.user_id)
    return Asked(state.answers.put(entry), entry)


async def _record_question(
    state: WebState, user_id: int, question: str, answer: Answer
) -> int | None:
    """Store the question in the question log; store errors never block the answer."""
    return await record_answer(
        state.question_log,
        answer,
        question=question,
        user_id=user_id,
        chat_type="web",
        index_version=state.service.version,
    )


async def record_feedback(state: WebState, entry: AnswerEntry, user_id: int, value: int) -> None:
    """Store 👍 (+1) or 👎 (-1) once per client and answer, as the Telegram buttons do.

    Votes go to the question log only: without it nothing is stored, so the log's redaction,
    retention and ``forget`` cover every vote. Errors are logged and never reach the user.
    """
    if entry.feedback.get(user_id) == value:
        return
    entry.feedback[user_id] = value
    await record_vote(state.question_log, entry.question_id, user_id=user_id, value=value)
