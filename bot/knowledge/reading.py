"""Low-level reading of knowledge files: YAML without surprises, text, dates, problems.

Everything here reports trouble as a :class:`Problem` (``file:line: message``) instead of
raising, so one broken file never takes the bot down.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.models import LANGUAGES

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FENCE = re.compile(r"^-{3,}\s*$")

# The base loader builds only strings, lists and mappings: dates and numbers are validated
# here with file:line messages instead of crashing YAML's own constructors ("2024-13-45",
# a 5,000-digit number). libyaml's version is several times faster.
_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


_TAG = re.compile(r"(?:^|[\s\[{,:-])!!?[A-Za-z/]")


class YamlTagError(yaml.YAMLError):
    """The YAML uses an explicit tag (``!!python/…``), which knowledge files never need."""

    def __init__(self, line: int) -> None:
        super().__init__("YAML tags are not allowed")
        self.problem = "YAML tags (!!…) are not allowed"
        self.problem_mark = yaml.Mark("", 0, line, 0, "", 0)


def safe_load(text: str) -> Any:
    """Parse YAML into plain strings, lists and mappings; tags are refused."""
    for number, line in enumerate(text.split("\n")):
        if _TAG.search(line.split(" #", 1)[0]):
            raise YamlTagError(number)
    return yaml.load(text, Loader=_LOADER)


@dataclass(frozen=True)
class Problem:
    """One validation problem, printable as ``file:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def date_text(value: Any) -> str | None:
    """Return an ISO date string for a YAML value, or None when it is not a date."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if not _DATE.match(text):
        return None
    try:
        if len(text) == 10:
            dt.date.fromisoformat(text)
        elif len(text) == 7:
            dt.date.fromisoformat(text + "-01")
    except ValueError:
        return None
    return text


def string_list(value: Any) -> tuple[str, ...] | None:
    """Return a tuple of strings for a string or list value; None when it is neither."""
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return tuple(str(item) for item in value)
    return None


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split a Markdown file into YAML front matter and body.

    Args:
        text: The whole file.

    Returns:
        ``(yaml_text, body, body_line)`` or None when the file has no front matter.
    """
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].lstrip("\ufeff")):
        return None
    for number, line in enumerate(lines[1:], start=1):
        if _FENCE.match(line):
            return "\n".join(lines[1:number]), "\n".join(lines[number + 1 :]), number + 2
    return None


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Read a UTF-8 file; the problem says where the encoding breaks."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, Problem(
            str(path), 1, f"cannot read file ({exc.strerror or exc.__class__.__name__})"
        )
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(str(path), line, "not valid UTF-8 text (save the file as UTF-8)")


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Load a YAML data file; None (and a problem) when unreadable, None when absent."""
    if not path.is_file():
        return None
    text, problem = read_text(path)
    if problem:
        problems.append(problem)
        return None
    try:
        return safe_load(text or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(str(path), (mark.line + 1) if mark else 1, "unreadable YAML"))
        return None


def by_language(value: Any) -> dict[str, tuple[str, ...]] | None:
    """Return language → strings for a mapping keyed by sv/da/en; None when malformed."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        return None
    result: dict[str, tuple[str, ...]] = {}
    for language, items in value.items():
        strings = string_list(items)
        if strings is None or language not in LANGUAGES:
            return None
        result[str(language)] = strings
    return result


def line_containing(path: Path, needle: str) -> int:
    """Return the 1-based line of ``path`` that contains ``needle`` (1 when none does)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines, start=1) if needle in line), 1)


def unique(items: list[Any], path: Path, kind: str, problems: list[Problem]) -> list[Any]:
    """Drop entries whose id was already used, reporting each duplicate."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.id in seen:
            line = line_containing(path, f"id: {item.id}")
            problems.append(Problem(str(path), line, f"duplicate {kind} id '{item.id}'"))
            continue
        seen.add(item.id)
        kept.append(item)
    return kept


def yaml_entries(path: Path, key: str, problems: list[Problem]) -> list[Any]:
    """Return the list under ``key`` in a YAML data file; [] (and a problem) when unusable."""
    data = load_yaml(path, problems)
    if data is None:
        return []
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        problems.append(Problem(str(path), 1, f"expected a '{key}' list"))
        return []
    return entries
