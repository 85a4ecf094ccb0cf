"""The private question log (SQLite), personal-data redaction and the gap report for editors.

Offers :class:`QuestionLog` (:data:`LOG_FILENAME`, :class:`StoreError`), :func:`redact`,
:func:`personal_case_reply`, and :func:`build_report` / :func:`format_report` (:class:`Nearest`).
"""

from bot.store.log import LOG_FILENAME, QuestionLog, StoreError
from bot.store.redact import personal_case_reply, redact
from bot.store.report import Nearest, build_report, format_report

__all__ = [
    "LOG_FILENAME",
    "Nearest",
    "QuestionLog",
    "StoreError",
    "build_report",
    "format_report",
    "personal_case_reply",
    "redact",
]
