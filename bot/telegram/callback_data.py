"""Compact callback data for inline buttons and the short-lived memory of recent answers.

Telegram allows at most 64 bytes of ``callback_data`` per button, so buttons carry a short
key (``qid``) into a bounded LRU of recent answers rather than the answer itself:

- ``p:<qid>:<page>``  show the next page of results;
- ``f:<qid>:<rank>``  show the whole passage behind result ``rank``;
- ``u:<qid>:<rank>``  show the newer text behind result ``rank``'s dated note;
- ``fb:<qid>:+`` / ``fb:<qid>:-``  record feedback on the answer;
- ``t:<topic>`` open a topic; ``q:<topic>:<i>`` ask its i-th starter question;
- ``l:<language>`` switch the interface language;
- ``x:<user>:y`` / ``x:<user>:n`` confirm or cancel ``/forget`` (only that user's press counts).

Keys are random, so a button from before a restart never matches a new answer; it finds
nothing and the user is asked to ask again.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from bot.models import Answer

MAX_CALLBACK_BYTES = 64
"""Telegram's limit for ``InlineKeyboardButton.callback_data``."""

QID = r"[A-Za-z0-9_-]{4,16}"
MORE_PATTERN = re.compile(rf"^p:({QID}):(\d{{1,3}})$")
FULL_PATTERN = re.compile(rf"^f:({QID}):(\d{{1,4}})$")
NEWER_PATTERN = re.compile(rf"^u:({QID}):(\d{{1,4}})$")
FEEDBACK_PATTERN = re.compile(rf"^fb:({QID}):([+-])$")
TOPIC_PATTERN = re.compile(r"^t:([A-Za-z0-9_-]{1,48})$")
STARTER_PATTERN = re.compile(r"^q:([A-Za-z0-9_-]{1,48}):(\d{1,2})$")
LANGUAGE_PATTERN = re.compile(r"^l:(sv|da|en)$")
FORGET_PATTERN = re.compile(r"^x:(\d{1,20}):([yn])$")

_TOPIC_KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def more_data(qid: str, page: int) -> str:
    """Return the callback data of the 'more' button that shows ``page`` (0-based)."""
    return _checked(f"p:{qid}:{page}")


def full_data(qid: str, rank: int) -> str:
    """Return the callback data of the button that shows the whole passage of ``rank``."""
    return _checked(f"f:{qid}:{rank}")


def newer_data(qid: str, rank: int) -> str:
    """Return the callback data of the button that shows the newer text behind ``rank``."""
    return _checked(f"u:{qid}:{rank}")


def forget_data(user_id: int, confirm: bool) -> str:
    """Return the callback data of the /forget confirm (``confirm``) or cancel button."""
    return _checked(f"x:{user_id}:{'y' if confirm else 'n'}")


def feedback_data(qid: str, positive: bool) -> str:
    """Return the callback data of the 👍 (``positive``) or 👎 button."""
    return _checked(f"fb:{qid}:{'+' if positive else '-'}")


def topic_key(topic_id: str) -> str:
    """Return a callback-safe key for a topic id: the id itself, or a hash of a long one."""
    if _TOPIC_KEY.match(topic_id):
        return topic_id
    return "h" + hashlib.sha256(topic_id.encode("utf-8")).hexdigest()[:15]


def topic_data(topic_id: str) -> str:
    """Return the callback data of a button that opens a topic."""
    return _checked(f"t:{topic_key(topic_id)}")


def starter_data(topic_id: str, index: int) -> str:
    """Return the callback data of a button that asks a topic's ``index``-th starter question."""
    return _checked(f"q:{topic_key(topic_id)}:{index}")


def language_data(language: str) -> str:
    """Return the callback data of a button that switches the interface language."""
    return _checked(f"l:{language}")


@dataclass
class AnswerEntry:
    """What the buttons under one answer need to work."""

    answer: Answer
    question_id: int | None = None
    """Row id in the question log, when the question was recorded."""
    user_id: int | None = None
    chat_id: int | None = None
    heading: str = ""
    """The bold line on top of every page (a starter question picked from a button)."""
    feedback: dict[int, int] = field(default_factory=dict)
    """Feedback given so far, by user id (+1 or -1)."""
    prompted: set[int] = field(default_factory=set)
    """Users already asked what was missing (after their first 👎)."""


class AnswerCache:
    """A bounded LRU of recent answers keyed by short random ids."""

    def __init__(self, maxsize: int = 2000) -> None:
        """Create an empty cache that keeps at most ``maxsize`` answers."""
        self.maxsize = maxsize
        self._entries: OrderedDict[str, AnswerEntry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, entry: AnswerEntry) -> str:
        """Store ``entry`` and return its new key; the oldest entry goes when full."""
        qid = secrets.token_urlsafe(6)
        while qid in self._entries:
            qid = secrets.token_urlsafe(6)
        self._entries[qid] = entry
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return qid

    def forget_user(self, user_id: int) -> int:
        """Drop the answers a user asked for and their votes on others; return how many."""
        mine = [qid for qid, entry in self._entries.items() if entry.user_id == user_id]
        for qid in mine:
            del self._entries[qid]
        for entry in self._entries.values():
            entry.feedback.pop(user_id, None)
            entry.prompted.discard(user_id)
        return len(mine)

    def get(self, qid: str) -> AnswerEntry | None:
        """Return the entry for ``qid`` (refreshing it), or None when it has expired."""
        entry = self._entries.get(qid)
        if entry is not None:
            self._entries.move_to_end(qid)
        return entry
