"""Is the bot able to work? The index loads and the question log can be written.

Used by ``python -m bot health`` (opens both, as the bot would at start-up) and by the
webhook server's ``GET /healthz`` (looks at the running bot's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.config import Settings


class _Log(Protocol):
    def writable(self) -> str:
        """Return "" when the log can be written, else the reason."""


@dataclass(frozen=True)
class Health:
    """The outcome of a health check."""

    index: str = ""
    """What is loaded ("16 documents, index 1a2b3c"), or "" when nothing could be."""
    log: str = ""
    """Where the question log is, or "" when it is not open."""
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the index is loaded and the log can be written."""
        return bool(self.index and self.log) and not self.problems

    def as_dict(self) -> dict[str, Any]:
        """Return the check as JSON-ready data (the body of ``/healthz``)."""
        return {
            "ok": self.ok,
            "index": self.index,
            "log": self.log,
            "problems": list(self.problems),
        }

    def lines(self) -> list[str]:
        """Return the check as lines for a terminal."""
        lines = [
            f"index: {self.index or 'not loaded'}",
            f"log: {self.log or 'not writable'}",
        ]
        lines += [f"problem: {problem}" for problem in self.problems]
        lines.append("ok" if self.ok else "not ok")
        return lines


def running(service: Any, log: _Log | None) -> Health:
    """Check the running bot's own service and question log.

    Args:
        service: The service answering questions (``documents`` and ``version``).
        log: The open question log, or None when it could not be opened.

    Returns:
        The health.
    """
    index = f"{len(service.documents)} documents, index {service.version}"
    if log is None:
        return Health(index, "", ("the question log is not open",))
    problem = log.writable()
    where = str(getattr(log, "path", "open"))
    return Health(index, "" if problem else where, (problem,) if problem else ())


def check(settings: Settings) -> Health:
    """Open the knowledge and the question log as the bot does at start-up, and check both.

    The question log is created when missing, as the bot would create it.

    Args:
        settings: Knowledge and data folders, secret and retention.

    Returns:
        The health.
    """
    from bot.service import KnowledgeUnavailable, QAService
    from bot.store import LOG_FILENAME, QuestionLog, StoreError

    problems: list[str] = []
    index = ""
    try:
        service = QAService.open(settings.knowledge_dir, settings.cache_dir)
    except KnowledgeUnavailable as exc:
        problems.append(f"knowledge: {exc}")
    else:
        index = f"{len(service.documents)} documents, index {service.version}"
    where = ""
    try:
        log = QuestionLog.open(
            settings.data_dir / LOG_FILENAME,
            secret=settings.hmac_secret,
            retention_days=settings.retention_days,
        )
    except StoreError as exc:
        problems.append(str(exc))
    else:
        with log:
            problem = log.writable()
        if problem:
            problems.append(problem)
        else:
            where = str(log.path)
    return Health(index, where, tuple(problems))
