"""Inline keyboards: buttons under answers (📄, ⚠️, 👍/👎, ◂ ▸), topics and languages.

Labels are at most :data:`MAX_BUTTON_LABEL` characters, which a phone shows whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import LANGUAGES, Answer, Suggestion, Topic
from bot.telegram.callback_data import (
    feedback_data,
    full_data,
    language_data,
    more_data,
    newer_data,
    topic_data,
)
from bot.telegram.markup import truncate
from bot.telegram.texts import LANGUAGE_NAMES, plain

MAX_BUTTON_LABEL = 30
"""Longest button label: what a phone shows without cutting it."""


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(truncate(label, MAX_BUTTON_LABEL) or "…", callback_data=data)


@dataclass(frozen=True)
class Votes:
    """The 👍/👎 state an answer's keyboard shows.

    In a private chat the keyboard marks the reader's own vote (``mine``); in a group, where
    everyone sees one keyboard, it counts the votes (``counts``).
    """

    up: int = 0
    down: int = 0
    mine: int = 0
    counts: bool = False

    def labels(self) -> tuple[str, str]:
        """Return the labels of the 👍 and 👎 buttons."""
        if self.counts:
            return (f"👍 {self.up}" if self.up else "👍", f"👎 {self.down}" if self.down else "👎")
        return ("👍 ✓" if self.mine > 0 else "👍", "👎 ✓" if self.mine < 0 else "👎")


def answer_keyboard(
    answer: Answer, page: int, qid: str, votes: Votes | None = None
) -> InlineKeyboardMarkup:
    """Return the buttons under a page of results: full passages, newer texts, votes, paging.

    Paging (◂ ▸) edits the same message, so the chat keeps one message per answer.
    """
    language = answer.language
    results = answer.page(page)
    full = [
        _button(plain(language, "full", rank=result.rank), full_data(qid, result.rank))
        for result in results
    ]
    newer = [
        _button(plain(language, "newer", rank=result.rank), newer_data(qid, result.rank))
        for result in results
        if any(note.see for note in result.dated)
    ]
    up, down = (votes or Votes()).labels()
    last = [_button(up, feedback_data(qid, True)), _button(down, feedback_data(qid, False))]
    if page > 0:
        last.append(_button(plain(language, "previous"), more_data(qid, page - 1)))
    if page + 1 < answer.page_count:
        last.append(_button(plain(language, "more"), more_data(qid, page + 1)))
    return InlineKeyboardMarkup([row for row in (full, newer, last) if row])


def with_votes(markup: InlineKeyboardMarkup, qid: str, votes: Votes) -> InlineKeyboardMarkup:
    """Return ``markup`` with the 👍/👎 buttons of answer ``qid`` relabelled for ``votes``."""
    up, down = votes.labels()
    labels = {feedback_data(qid, True): up, feedback_data(qid, False): down}
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    labels[button.callback_data], callback_data=button.callback_data
                )
                if button.callback_data in labels
                else button
                for button in row
            ]
            for row in markup.inline_keyboard
        ]
    )


def topics_keyboard(
    topics: Sequence[Topic] | Sequence[Suggestion], language: str
) -> InlineKeyboardMarkup | None:
    """Return one button per topic (or suggestion), one per row; None when there are none."""
    rows = []
    seen = set()
    for item in topics[:20]:
        if isinstance(item, Topic):
            topic_id, label = item.id, item.short_label(language)
        else:
            topic_id, label = item.topic_id, item.short or item.label
        if topic_id in seen:
            continue
        seen.add(topic_id)
        rows.append([_button(label, topic_data(topic_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def language_keyboard() -> InlineKeyboardMarkup:
    """Return the /lang buttons."""
    return InlineKeyboardMarkup(
        [[_button(LANGUAGE_NAMES[code], language_data(code)) for code in LANGUAGES]]
    )
