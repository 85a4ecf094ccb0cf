"""The private question log (SQLite), personal-data redaction and the gap report for editors.

Offers :class:`QuestionLog` (:data:`LOG_FILENAME`, :class:`StoreError`), :func:`redact`,
:func:`personal_case_reply`, :func:`build_report` / :func:`format_report` (:class:`Report`,
:class:`Nearest`) and the report as a picture, :func:`render_png` (:class:`ChartUnavailable`).
"""

from bot.store.chart import ChartUnavailable, render_png
from bot.store.log import LOG_FILENAME, QuestionLog, StoreError
from bot.store.redact import personal_case_reply, redact
from bot.store.report import Nearest, Report, build_report, format_report

__all__ = [
    "LOG_FILENAME",
    "ChartUnavailable",
    "Nearest",
    "QuestionLog",
    "Report",
    "StoreError",
    "build_report",
    "format_report",
    "personal_case_reply",
    "redact",
    "render_png",
]
