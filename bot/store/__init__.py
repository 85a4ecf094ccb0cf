"""The private question log (SQLite), personal-data redaction and the gap report for editors.

Offers :class:`QuestionLog` (:data:`LOG_FILENAME`, :class:`StoreError`), the update journal
:class:`UpdateJournal` (:data:`JOURNAL_FILENAME`), :func:`record_answer` /
:func:`record_vote` for the channels, :func:`redact`, :func:`personal_case`,
:func:`personal_case_reply`, :func:`build_report` / :func:`format_report` (:class:`Report`,
:class:`Nearest`) and the report as a picture, :func:`render_png` (:class:`ChartUnavailable`).
"""

from bot.store.cases import personal_case
from bot.store.chart import ChartUnavailable, render_png
from bot.store.journal import JOURNAL_FILENAME, UpdateJournal
from bot.store.log import LOG_FILENAME, QuestionLog, StoreError
from bot.store.record import record_answer, record_vote
from bot.store.redact import personal_case_reply, redact
from bot.store.report import Nearest, Report, build_report, format_report

__all__ = [
    "JOURNAL_FILENAME",
    "LOG_FILENAME",
    "ChartUnavailable",
    "Nearest",
    "QuestionLog",
    "Report",
    "StoreError",
    "UpdateJournal",
    "build_report",
    "format_report",
    "personal_case",
    "personal_case_reply",
    "record_answer",
    "record_vote",
    "redact",
    "render_png",
]
