"""Read and validate the knowledge folder: documents, glossary, topics and legal changes.

Every problem is reported as ``file:line: message``. Loading never raises for a broken
document: it is skipped and named in the problems, so one bad file cannot take the bot down.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.knowledge.reading import (
    Problem,
    by_language,
    date_text,
    line_containing,
    read_text,
    safe_load,
    split_front_matter,
    string_list,
    unique,
    yaml_entries,
)
from bot.models import LANGUAGES, Document, Topic

__all__ = [
    "Concept",
    "Knowledge",
    "LegalChange",
    "Problem",
    "assemble_knowledge",
    "load_knowledge",
    "parse_document",
    "read_document",
]

REQUIRED = ("id", "title", "author", "publisher", "published", "language", "kind", "url", "topics")
KINDS = ("opinion", "column", "news", "guide", "law", "agreement", "contract", "report")
OPTIONAL = ("sources", "reviewed", "law_as_of", "valid_from", "superseded_by", "audience")
DATA_FILES = ("glossary.yaml", "topics.yaml", "legal_changes.yaml")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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
        meta = safe_load(front)
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
        value = date_text(meta.get(key))
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
        items = string_list(meta.get(key))
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


def load_concepts(path: Path, problems: list[Problem]) -> tuple[Concept, ...]:
    """Load glossary concepts; problems are appended to ``problems``."""
    entries = yaml_entries(path, "concepts", problems)
    concepts = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.append(Problem(str(path), 1, f"concept {number} needs an id"))
            continue
        terms: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            values = string_list(entry.get(language))
            if values is None:
                problems.append(
                    Problem(str(path), 1, f"concept '{entry['id']}': {language} must be a list")
                )
                values = ()
            terms[language] = values
        acronyms = string_list(entry.get("acronyms")) or ()
        not_in = string_list(entry.get("not_in")) or ()
        for language in LANGUAGES:
            if language not in not_in:
                terms[language] = tuple(dict.fromkeys((*terms[language], *acronyms)))
        concepts.append(Concept(id=str(entry["id"]), terms=terms, not_in=not_in))
    return tuple(unique(concepts, path, "concept", problems))


def load_topics(path: Path, problems: list[Problem]) -> tuple[Topic, ...]:
    """Load the topics offered to users; problems are appended to ``problems``."""
    entries = yaml_entries(path, "topics", problems)
    topics = []
    for entry in entries:
        labels = entry.get("label") if isinstance(entry, dict) else None
        questions = by_language(entry.get("questions")) if isinstance(entry, dict) else None
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
    return tuple(unique(topics, path, "topic", problems))


def load_changes(path: Path, problems: list[Problem]) -> tuple[LegalChange, ...]:
    """Load the table of legal changes; problems are appended to ``problems``."""
    entries = yaml_entries(path, "changes", problems)
    changes = []
    for entry in entries:
        date = date_text(entry.get("date")) if isinstance(entry, dict) else None
        terms = string_list(entry.get("terms")) if isinstance(entry, dict) else None
        note = entry.get("note") if isinstance(entry, dict) else None
        if not date or not terms or not isinstance(note, dict):
            raw = str(entry.get("date") or "") if isinstance(entry, dict) else ""
            problems.append(
                Problem(
                    str(path),
                    line_containing(path, f"date: {raw}") if raw else 1,
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


def read_document(path: Path) -> tuple[Document | None, list[Problem]]:
    """Read and parse one document file.

    Args:
        path: A ``*.md`` file of the knowledge folder.

    Returns:
        The document (None when it cannot be used) and the problems found.
    """
    text, problem = read_text(path)
    if problem:
        return None, [problem]
    return parse_document(path, text or "")


def load_knowledge(directory: Path) -> Knowledge:
    """Load a knowledge folder, skipping (and reporting) anything broken.

    Args:
        directory: The knowledge folder.

    Returns:
        The usable documents and data files plus every problem found.
    """
    if not directory.is_dir():
        return assemble_knowledge(directory, [])
    return assemble_knowledge(
        directory, ((path, *read_document(path)) for path in document_paths(directory))
    )


def assemble_knowledge(
    directory: Path, parsed: Iterable[tuple[Path | str, Document | None, list[Problem]]]
) -> Knowledge:
    """Put parsed documents together with the folder's data files, as :func:`load_knowledge`.

    Args:
        directory: The knowledge folder (its glossary, topics and legal changes are read).
        parsed: ``(path, document or None, problems)`` of each document file, in
            :func:`document_paths` order.

    Returns:
        The knowledge, with the problems in the order :func:`load_knowledge` reports them.
    """
    problems: list[Problem] = []
    if not directory.is_dir():
        problems.append(Problem(str(directory), 1, "knowledge folder not found"))
        return Knowledge((), (), (), (), tuple(problems))
    documents: list[Document] = []
    seen: dict[str, str] = {}
    for path, document, found in parsed:
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


def content_digest(directory: Path, salt: str = "") -> str:
    """Hash every knowledge file (name and bytes), after ``salt``.

    Args:
        directory: The knowledge folder.
        salt: Text hashed first, e.g. the versions of whatever is derived from the files.

    Returns:
        A short hex digest that changes whenever any knowledge file changes.
    """
    digest = hashlib.sha256(salt.encode())
    for path in knowledge_files(directory):
        digest.update(path.name.encode("utf-8") + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()[:16]
