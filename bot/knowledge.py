"""Read and validate the knowledge folder: documents, glossary, topics and legal changes.

Every problem is reported as ``file:line: message``. Loading never raises for a broken
document: it is skipped and named in the problems, so one bad file cannot take the bot down.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.models import LANGUAGES, Document, Topic

REQUIRED = ("id", "title", "author", "publisher", "published", "language", "kind", "url", "topics")
KINDS = ("opinion", "column", "news", "guide", "law", "agreement", "contract", "report")
OPTIONAL = ("sources", "reviewed", "law_as_of", "valid_from", "superseded_by", "audience")
DATA_FILES = ("glossary.yaml", "topics.yaml", "legal_changes.yaml")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
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


def _safe_load(text: str) -> Any:
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


@dataclass(frozen=True)
class Concept:
    """A glossary concept: terms per language that mean the same thing."""

    id: str
    terms: dict[str, tuple[str, ...]] = field(hash=False)
    not_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class LegalChange:
    """A rule that changed on ``date``; older passages mentioning ``terms`` may be outdated."""

    id: str
    date: str
    terms: tuple[str, ...]
    see: str
    note: dict[str, str] = field(hash=False)


@dataclass(frozen=True)
class Knowledge:
    """Everything loaded from one knowledge folder."""

    documents: tuple[Document, ...]
    concepts: tuple[Concept, ...]
    topics: tuple[Topic, ...]
    changes: tuple[LegalChange, ...]
    problems: tuple[Problem, ...]


def _date_text(value: Any) -> str | None:
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


def _strings(value: Any) -> tuple[str, ...] | None:
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


def parse_document(path: Path, text: str) -> tuple[Document | None, list[Problem]]:
    """Parse and validate one knowledge document.

    Args:
        path: The file path, for messages and the id check.
        text: The file content.

    Returns:
        The document (None when it cannot be used) and the problems found.
    """
    name = str(path)
    problems: list[Problem] = []
    parts = split_front_matter(text)
    if parts is None:
        return None, [Problem(name, 1, "missing YAML front matter (the file must start with ---)")]
    front, body, body_line = parts
    try:
        meta = _safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "invalid YAML"
        return None, [Problem(name, line, f"unreadable front matter: {reason}")]
    if not isinstance(meta, dict):
        return None, [Problem(name, 2, "front matter must be a mapping of fields")]

    def line_of(key: str) -> int:
        for offset, raw in enumerate(front.split("\n")):
            if raw.startswith(f"{key}:"):
                return offset + 2
        return 1

    for key in REQUIRED:
        if key not in meta:
            problems.append(Problem(name, 1, f"missing field '{key}'"))
    for key in meta:
        if key not in REQUIRED and key not in OPTIONAL:
            problems.append(Problem(name, line_of(str(key)), f"unknown field '{key}'"))
    doc_id = str(meta.get("id") or "")
    if "id" in meta and not _ID.match(doc_id):
        problems.append(
            Problem(name, line_of("id"), f"id '{doc_id}' must be lower-case a-z, 0-9 and '-'")
        )
    elif doc_id and doc_id != path.stem:
        problems.append(
            Problem(name, line_of("id"), f"id '{doc_id}' differs from the file name '{path.stem}'")
        )
    language = str(meta.get("language") or "")
    if "language" in meta and language not in LANGUAGES:
        problems.append(
            Problem(name, line_of("language"), f"language must be one of {', '.join(LANGUAGES)}")
        )
    kind = str(meta.get("kind") or "")
    if "kind" in meta and kind not in KINDS:
        problems.append(
            Problem(name, line_of("kind"), f"kind '{kind}' must be one of {', '.join(KINDS)}")
        )
    dates: dict[str, str] = {}
    for key in ("published", "reviewed", "law_as_of", "valid_from"):
        value = _date_text(meta.get(key))
        if value is None:
            problems.append(
                Problem(
                    name, line_of(key), f"{key} must be an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)"
                )
            )
            value = ""
        dates[key] = value
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("topics", "sources", "audience"):
        items = _strings(meta.get(key))
        if items is None:
            problems.append(Problem(name, line_of(key), f"{key} must be a list of strings"))
            items = ()
        lists[key] = items
    for key in ("title", "author", "publisher", "url", "superseded_by"):
        if meta.get(key) is not None and not isinstance(meta.get(key), str):
            problems.append(Problem(name, line_of(key), f"{key} must be text"))
    if "title" in meta and not str(meta.get("title") or "").strip():
        problems.append(Problem(name, line_of("title"), "title is empty"))
    if not body.strip():
        problems.append(Problem(name, body_line, "the document body is empty"))
    if problems:
        return None, problems
    document = Document(
        id=doc_id,
        title=str(meta["title"]).strip(),
        author=str(meta.get("author") or "").strip(),
        publisher=str(meta.get("publisher") or "").strip(),
        published=dates["published"],
        language=language,
        kind=kind,
        url=str(meta.get("url") or "").strip(),
        topics=lists["topics"],
        body=body,
        path=name,
        body_line=body_line,
        sources=lists["sources"],
        reviewed=dates["reviewed"],
        law_as_of=dates["law_as_of"],
        valid_from=dates["valid_from"],
        superseded_by=str(meta.get("superseded_by") or "").strip(),
        audience=lists["audience"],
    )
    return document, []


def _read_text(path: Path) -> tuple[str | None, Problem | None]:
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


def _load_yaml(path: Path, problems: list[Problem]) -> Any:
    if not path.is_file():
        return None
    text, problem = _read_text(path)
    if problem:
        problems.append(problem)
        return None
    try:
        return _safe_load(text or "")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(str(path), (mark.line + 1) if mark else 1, "unreadable YAML"))
        return None


def _by_language(value: Any) -> dict[str, tuple[str, ...]] | None:
    if value is None:
        return {}
    if not isinstance(value, dict):
        return None
    result: dict[str, tuple[str, ...]] = {}
    for language, items in value.items():
        strings = _strings(items)
        if strings is None or language not in LANGUAGES:
            return None
        result[str(language)] = strings
    return result


def _line_containing(path: Path, needle: str) -> int:
    """Return the 1-based line of ``path`` that contains ``needle`` (1 when none does)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines, start=1) if needle in line), 1)


def _unique(items: list[Any], path: Path, kind: str, problems: list[Problem]) -> list[Any]:
    """Drop entries whose id was already used, reporting each duplicate."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.id in seen:
            line = _line_containing(path, f"id: {item.id}")
            problems.append(Problem(str(path), line, f"duplicate {kind} id '{item.id}'"))
            continue
        seen.add(item.id)
        kept.append(item)
    return kept


def _entries(path: Path, key: str, problems: list[Problem]) -> list[Any]:
    """Return the list under ``key`` in a YAML data file; [] (and a problem) when unusable."""
    data = _load_yaml(path, problems)
    if data is None:
        return []
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        problems.append(Problem(str(path), 1, f"expected a '{key}' list"))
        return []
    return entries


def load_concepts(path: Path, problems: list[Problem]) -> tuple[Concept, ...]:
    """Load glossary concepts; problems are appended to ``problems``."""
    entries = _entries(path, "concepts", problems)
    concepts = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.append(Problem(str(path), 1, f"concept {number} needs an id"))
            continue
        terms: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            values = _strings(entry.get(language))
            if values is None:
                problems.append(
                    Problem(str(path), 1, f"concept '{entry['id']}': {language} must be a list")
                )
                values = ()
            terms[language] = values
        acronyms = _strings(entry.get("acronyms")) or ()
        not_in = _strings(entry.get("not_in")) or ()
        for language in LANGUAGES:
            if language not in not_in:
                terms[language] = tuple(dict.fromkeys((*terms[language], *acronyms)))
        concepts.append(Concept(id=str(entry["id"]), terms=terms, not_in=not_in))
    return tuple(_unique(concepts, path, "concept", problems))


def load_topics(path: Path, problems: list[Problem]) -> tuple[Topic, ...]:
    """Load the topics offered to users; problems are appended to ``problems``."""
    entries = _entries(path, "topics", problems)
    topics = []
    for entry in entries:
        labels = entry.get("label") if isinstance(entry, dict) else None
        questions = _by_language(entry.get("questions")) if isinstance(entry, dict) else None
        if not isinstance(labels, dict) or questions is None or not entry.get("id"):
            problems.append(
                Problem(str(path), 1, f"topic {entry!r:.40} needs id, label and questions")
            )
            continue
        topics.append(
            Topic(
                id=str(entry["id"]),
                labels={str(k): str(v) for k, v in labels.items()},
                questions=questions,
            )
        )
    return tuple(_unique(topics, path, "topic", problems))


def load_changes(path: Path, problems: list[Problem]) -> tuple[LegalChange, ...]:
    """Load the table of legal changes; problems are appended to ``problems``."""
    entries = _entries(path, "changes", problems)
    changes = []
    for entry in entries:
        date = _date_text(entry.get("date")) if isinstance(entry, dict) else None
        terms = _strings(entry.get("terms")) if isinstance(entry, dict) else None
        note = entry.get("note") if isinstance(entry, dict) else None
        if not date or not terms or not isinstance(note, dict):
            raw = str(entry.get("date") or "") if isinstance(entry, dict) else ""
            problems.append(
                Problem(
                    str(path),
                    _line_containing(path, f"date: {raw}") if raw else 1,
                    f"change {entry!r:.40} needs a valid date (YYYY-MM-DD), terms and a note",
                )
            )
            continue
        changes.append(
            LegalChange(
                id=str(entry.get("id") or date),
                date=date,
                terms=terms,
                see=str(entry.get("see") or ""),
                note={str(k): str(v) for k, v in note.items()},
            )
        )
    return tuple(changes)


def document_paths(directory: Path) -> list[Path]:
    """Return the document files of a knowledge folder in a stable order."""
    return sorted(path for path in directory.glob("*.md") if not path.name.startswith((".", "_")))


def load_knowledge(directory: Path) -> Knowledge:
    """Load a knowledge folder, skipping (and reporting) anything broken.

    Args:
        directory: The knowledge folder.

    Returns:
        The usable documents and data files plus every problem found.
    """
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem(str(directory), 1, "knowledge folder not found"))
        return Knowledge((), (), (), (), tuple(problems))
    documents: list[Document] = []
    seen: dict[str, str] = {}
    for path in document_paths(directory):
        text, problem = _read_text(path)
        if problem:
            problems.append(problem)
            continue
        document, found = parse_document(path, text or "")
        problems.extend(found)
        if document is None:
            continue
        if document.id in seen:
            problems.append(
                Problem(
                    str(path), 2, f"duplicate id '{document.id}' (also in {seen[document.id]})"
                )
            )
            continue
        seen[document.id] = str(path)
        documents.append(document)
    if not documents and not problems:
        problems.append(Problem(str(directory), 1, "no documents (*.md) in the knowledge folder"))
    concepts = load_concepts(directory / "glossary.yaml", problems)
    topics = load_topics(directory / "topics.yaml", problems)
    changes = load_changes(directory / "legal_changes.yaml", problems)
    known_topics = {topic.id for topic in topics}
    if known_topics:
        for document in documents:
            for topic in document.topics:
                if topic not in known_topics:
                    problems.append(Problem(document.path, 1, f"unknown topic '{topic}'"))
    return Knowledge(tuple(documents), concepts, topics, changes, tuple(problems))


def knowledge_files(directory: Path) -> Iterable[Path]:
    """Return every file whose content defines the knowledge (documents and data files)."""
    yield from document_paths(directory)
    for name in DATA_FILES:
        if (directory / name).is_file():
            yield directory / name
