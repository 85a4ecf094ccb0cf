"""Low-level reading of knowledge files: YAML without surprises, text, dates, problems.

Everything here reports trouble as a :class:`Problem` (``file:line: message``) instead of
raising, so one broken file never takes the bot down.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
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


MAX_FILE_BYTES = 5_000_000
"""Knowledge files larger than this are not read (the biggest real one is ~40 kB)."""
MAX_YAML_DEPTH = 20
"""Deepest nesting of lists and mappings a YAML file may use."""


class YamlRefused(yaml.YAMLError):
    """The YAML uses a construct knowledge files never need: a tag, an anchor or an alias.

    Aliases make "billion laughs" bombs (a few lines that expand to gigabytes); tags
    (``!!python/…``) ask for objects. Both are refused before anything is built.
    """

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = yaml.Mark("", 0, line, 0, "", 0)


YamlTagError = YamlRefused
"""The former name, kept for callers that catch it."""


def safe_load(text: str) -> Any:
    """Parse YAML into plain strings, lists and mappings.

    Tags, anchors, aliases and nesting deeper than :data:`MAX_YAML_DEPTH` are refused with
    :class:`YamlRefused`, checked on the parser's event stream before any object is built.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line if event.start_mark is not None else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlRefused("YAML anchors and aliases (& and *) are not allowed", line)
        if getattr(event, "tag", None):
            raise YamlRefused("YAML tags (!!…) are not allowed", line)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise YamlRefused(f"YAML nested deeper than {MAX_YAML_DEPTH} levels", line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
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


def shown_name(path: Path) -> str:
    """Return ``path`` printable: bytes that are not UTF-8 appear as backslash escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def decodable(path: Path) -> bool:
    """Tell whether a file name is valid UTF-8 (it can then be printed, logged and hashed)."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, Problem | None]:
    """Read a knowledge file safely: a regular file, inside its folder, at most ``limit`` bytes.

    A symlink may point to another file in the same folder, never outside it; devices, pipes
    and folders are not read.

    Args:
        path: A file directly inside the knowledge folder.
        limit: Largest size read.

    Returns:
        The bytes, or None and the problem.
    """
    name = shown_name(path)
    try:
        real = path.resolve(strict=True)
        if not real.is_relative_to(path.parent.resolve(strict=True)):
            return None, Problem(name, 1, "links to a file outside the knowledge folder; not read")
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except RuntimeError:  # a symlink loop (Python 3.10-3.12)
        return None, Problem(name, 1, "cannot read file (symlink loop)")
    except OSError as exc:
        return None, Problem(name, 1, f"cannot read file ({exc.strerror or type(exc).__name__})")
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            return None, Problem(name, 1, "cannot read file (Is a directory)")
        if not stat.S_ISREG(status.st_mode):
            return None, Problem(name, 1, "not a regular file (a device or a pipe); not read")
        too_big = Problem(name, 1, f"the file is larger than {limit // 1_000_000} MB; not read")
        if status.st_size > limit:
            return None, too_big
        chunks, size = [], 0
        while chunk := os.read(descriptor, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return None, too_big
        return b"".join(chunks), None
    except OSError as exc:
        return None, Problem(name, 1, f"cannot read file ({exc.strerror or type(exc).__name__})")
    finally:
        os.close(descriptor)


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """Read a UTF-8 knowledge file (see :func:`read_bytes`); the problem says what is wrong."""
    raw, problem = read_bytes(path)
    if raw is None:
        return None, problem
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, Problem(
            shown_name(path), line, "not valid UTF-8 text (save the file as UTF-8)"
        )


def load_yaml(path: Path, problems: list[Problem]) -> Any:
    """Load a YAML data file; None (and a problem) when unreadable, None when absent."""
    if not path.exists() and not path.is_symlink():
        return None
    text, problem = read_text(path)
    if problem:
        problems.append(problem)
        return None
    try:
        return safe_load(text or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None)
        message = f"unreadable YAML: {reason}" if reason else "unreadable YAML"
        problems.append(Problem(str(path), (mark.line + 1) if mark else 1, message))
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
    raw, _ = read_bytes(path)
    lines = (raw or b"").decode("utf-8", "replace").splitlines()
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
