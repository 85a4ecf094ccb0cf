"""Read and validate the knowledge folder: documents, glossary, topics and legal changes.

Every problem is reported as ``file:line: message``. Loading never raises for a broken
document: it is skipped and named in the problems, so one bad file cannot take the bot down.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.knowledge.anchors import resolve, resolve_anchor
from bot.knowledge.links import Source, link_problems, load_sources
from bot.knowledge.passages import split_passages
from bot.knowledge.reading import (
    Problem,
    by_language,
    date_text,
    decodable,
    line_containing,
    read_bytes,
    read_text,
    safe_load,
    shown_name,
    split_front_matter,
    string_list,
    unique,
    yaml_entries,
)
from bot.models import LANGUAGES, Document, Passage, Topic
from bot.progress import SILENT, Progress

__all__ = [
    "Concept",
    "Knowledge",
    "LegalChange",
    "Problem",
    "Source",
    "assemble_knowledge",
    "load_knowledge",
    "parse_document",
    "read_document",
]

REQUIRED = ("id", "title", "author", "publisher", "published", "language", "kind", "url", "topics")
KINDS = ("opinion", "column", "news", "guide", "law", "agreement", "contract", "report")
OPTIONAL = (
    "sources",
    "reviewed",
    "law_as_of",
    "valid_from",
    "superseded_by",
    "audience",
    "identifier",
    "version",
    "short_title",
)
SHORT_TITLE_MAX = 30
"""Longest ``short_title``: it heads a source line of a ~38-character phone line."""
SHORT_LABEL_MAX = 30
"""Longest topic ``short`` label: a button a phone shows whole."""
SHORT_NOTE_MAX = 90
"""Longest ``short`` note of a legal change: one line under a quote."""
DATA_FILES = ("glossary.yaml", "topics.yaml", "legal_changes.yaml", "sources.yaml")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Concept:
    """A glossary concept: terms per language that mean the same thing."""

    id: str
    terms: dict[str, tuple[str, ...]] = field(hash=False)
    not_in: tuple[str, ...] = ()
    generic: bool = False
    """An everyday word (kommun, lag): it weighs like any everyday word, not like a topic."""
    defined_in: tuple[str, ...] = ()
    """Anchors (``<doc-id>#<heading-slug or anchor>``) of the passages that define it."""
    amount: bool = False
    """A question using it asks for an amount of money ("Vad kostar …", "How much did … pay"):
    only a passage naming one answers it."""


@dataclass(frozen=True)
class LegalChange:
    """A rule that changed on ``date``; older passages mentioning ``terms`` may be outdated."""

    id: str
    date: str
    terms: tuple[str, ...]
    see: str
    note: dict[str, str] = field(hash=False)
    short: dict[str, str] = field(default_factory=dict, hash=False)
    """One short line per language, shown under the quote instead of ``note``."""


@dataclass(frozen=True)
class Knowledge:
    """Everything loaded from one knowledge folder."""

    documents: tuple[Document, ...]
    concepts: tuple[Concept, ...]
    topics: tuple[Topic, ...]
    changes: tuple[LegalChange, ...]
    problems: tuple[Problem, ...]
    sources: tuple[Source, ...] = ()
    """Titled pages from ``sources.yaml`` (empty when the folder has no register)."""

    def source(self, url: str) -> Source | None:
        """Return the register entry of a cited URL, if any."""
        return next((source for source in self.sources if source.url == url), None)


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
    text_fields = ("title", "author", "publisher", "url", "superseded_by", "identifier")
    for key in (*text_fields, "version", "short_title"):
        if meta.get(key) is not None and not isinstance(meta.get(key), str):
            problems.append(Problem(name, line_of(key), f"{key} must be text"))
    if "title" in meta and not str(meta.get("title") or "").strip():
        problems.append(Problem(name, line_of("title"), "title is empty"))
    short_title = str(meta.get("short_title") or "").strip()
    if len(short_title) > SHORT_TITLE_MAX:
        problems.append(
            Problem(
                name,
                line_of("short_title"),
                f"short_title has {len(short_title)} characters; at most {SHORT_TITLE_MAX} fit"
                " one phone line",
            )
        )
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
        identifier=str(meta.get("identifier") or "").strip(),
        version=str(meta.get("version") or "").strip(),
        short_title=short_title,
    )
    return document, []


def _flag(value: object) -> bool | None:
    """Read a yes/no field (YAML is read as plain strings); None when it is neither."""
    if value in (None, "", False, "false", "no"):
        return False
    if value in (True, "true", "yes"):
        return True
    return None


def _text(value: object) -> str | None:
    """Return a non-empty stripped string, or None for anything else (a list, a mapping)."""
    return value.strip() or None if isinstance(value, str) else None


def _describe(entry: object, entry_id: str | None, number: int) -> str:
    """Name an entry in a problem: its id, the entry when it is no mapping, or its number."""
    if entry_id is not None:
        return repr(entry_id)
    return f"{entry!r:.40}" if not isinstance(entry, dict) else str(number)


def _entry_line(path: Path, entry_id: str | None) -> int:
    return line_containing(path, f"id: {entry_id}") if entry_id else 1


def load_concepts(path: Path, problems: list[Problem]) -> tuple[Concept, ...]:
    """Load glossary concepts; problems are appended to ``problems``."""
    entries = yaml_entries(path, "concepts", problems)
    concepts = []
    for number, entry in enumerate(entries, start=1):
        concept_id = _text(entry.get("id")) if isinstance(entry, dict) else None
        if concept_id is None:
            problems.append(Problem(str(path), 1, f"concept {number} needs an id (text)"))
            continue
        line = _entry_line(path, concept_id)
        broken = False
        terms: dict[str, tuple[str, ...]] = {}
        for language in LANGUAGES:
            values = string_list(entry.get(language))
            if values is None:
                problems.append(
                    Problem(
                        str(path),
                        line,
                        f"concept '{concept_id}': {language} must be a list of words",
                    )
                )
                broken = True
                values = ()
            terms[language] = values
        acronyms = string_list(entry.get("acronyms"))
        not_in = string_list(entry.get("not_in"))
        if acronyms is None or not_in is None:
            key = "acronyms" if acronyms is None else "not_in"
            problems.append(
                Problem(str(path), line, f"concept '{concept_id}': {key} must be a list of text")
            )
            broken = True
        elif any(language not in LANGUAGES for language in not_in):
            problems.append(
                Problem(
                    str(path),
                    line,
                    f"concept '{concept_id}': not_in must list languages ({', '.join(LANGUAGES)})",
                )
            )
            broken = True
        if broken:
            continue
        for language in LANGUAGES:
            if language not in (not_in or ()):
                terms[language] = tuple(dict.fromkeys((*terms[language], *(acronyms or ()))))
        generic = _flag(entry.get("generic"))
        if generic is None:
            problems.append(
                Problem(str(path), line, f"concept '{concept_id}': generic must be true or false")
            )
            generic = False
        amount = _flag(entry.get("amount"))
        if amount is None:
            problems.append(
                Problem(str(path), line, f"concept '{concept_id}': amount must be true or false")
            )
            amount = False
        defined_in = string_list(entry.get("defined_in"))
        if defined_in is None:
            problems.append(
                Problem(str(path), line, f"concept '{concept_id}': defined_in must be a list")
            )
            defined_in = ()
        concepts.append(
            Concept(
                id=concept_id,
                terms=terms,
                not_in=not_in or (),
                generic=generic,
                defined_in=defined_in,
                amount=amount,
            )
        )
    return tuple(unique(concepts, path, "concept", problems))


def _labels(value: object) -> dict[str, str] | None:
    """Return language → text for a topic label mapping; None when malformed."""
    if not isinstance(value, dict) or not value:
        return None
    labels = {}
    for language, label in value.items():
        text = _text(label)
        if language not in LANGUAGES or text is None:
            return None
        labels[str(language)] = text
    return labels


def _shorts(value: object, limit: int) -> dict[str, str] | None:
    """Return an optional per-language short text; None when malformed or too long."""
    if value is None:
        return {}
    shorts = _labels(value)
    if shorts is None or any(len(text) > limit for text in shorts.values()):
        return None
    return shorts


def load_topics(path: Path, problems: list[Problem]) -> tuple[Topic, ...]:
    """Load the topics offered to users; problems are appended to ``problems``."""
    entries = yaml_entries(path, "topics", problems)
    topics = []
    for number, entry in enumerate(entries, start=1):
        topic_id = _text(entry.get("id")) if isinstance(entry, dict) else None
        labels = _labels(entry.get("label")) if isinstance(entry, dict) else None
        questions = by_language(entry.get("questions")) if isinstance(entry, dict) else None
        if topic_id is None or labels is None or questions is None:
            problems.append(
                Problem(
                    str(path),
                    _entry_line(path, topic_id),
                    f"topic {_describe(entry, topic_id, number)} needs id, label and questions"
                    " (text, per language sv, da, en)",
                )
            )
            continue
        shorts = _shorts(entry.get("short"), SHORT_LABEL_MAX)
        if shorts is None:
            problems.append(
                Problem(
                    str(path),
                    _entry_line(path, topic_id),
                    f"topic {topic_id!r}: short must be text per language (sv, da, en) of at"
                    f" most {SHORT_LABEL_MAX} characters",
                )
            )
            shorts = {}
        topics.append(Topic(id=topic_id, labels=labels, questions=questions, shorts=shorts))
    return tuple(unique(topics, path, "topic", problems))


def load_changes(path: Path, problems: list[Problem]) -> tuple[LegalChange, ...]:
    """Load the table of legal changes; problems are appended to ``problems``."""
    entries = yaml_entries(path, "changes", problems)
    changes = []
    for number, entry in enumerate(entries, start=1):
        fields = entry if isinstance(entry, dict) else {}
        date = date_text(fields.get("date")) if isinstance(fields.get("date"), str) else None
        terms = string_list(fields.get("terms"))
        note = _labels(fields.get("note"))
        short = _shorts(fields.get("short"), SHORT_NOTE_MAX)
        change_id = fields.get("id", date)
        see = fields.get("see", "")
        if (
            not date
            or not terms
            or note is None
            or short is None
            or not isinstance(change_id, str)
            or not isinstance(see, str)
        ):
            raw = fields.get("date") if isinstance(fields.get("date"), str) else ""
            problems.append(
                Problem(
                    str(path),
                    line_containing(path, f"date: {raw}") if raw else 1,
                    f"change {_describe(entry, _text(change_id), number)} needs a valid date"
                    " (YYYY-MM-DD), terms, a note (text per language), text for id and see, and"
                    f" a short note of at most {SHORT_NOTE_MAX} characters per language if any",
                )
            )
            continue
        changes.append(
            LegalChange(
                id=change_id or date, date=date, terms=terms, see=see, note=note, short=short
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
    if not decodable(path):
        return None, [
            Problem(shown_name(path), 1, "the file name is not valid UTF-8; rename the file")
        ]
    text, problem = read_text(path)
    if problem:
        return None, [problem]
    return parse_document(path, text or "")


def load_knowledge(directory: Path, progress: Progress = SILENT) -> Knowledge:
    """Load a knowledge folder, skipping (and reporting) anything broken.

    Args:
        directory: The knowledge folder.
        progress: Shows the files read (``python -m bot index`` in a terminal).

    Returns:
        The usable documents and data files plus every problem found.
    """
    if not directory.is_dir():
        return assemble_knowledge(directory, [])
    paths = progress.track(document_paths(directory), "files read", unit="file")
    return assemble_knowledge(directory, ((path, *read_document(path)) for path in paths))


def assemble_knowledge(
    directory: Path,
    parsed: Iterable[tuple[Path | str, Document | None, list[Problem]]],
    *,
    whole: bool = True,
) -> Knowledge:
    """Put parsed documents together with the folder's data files, as :func:`load_knowledge`.

    Args:
        directory: The knowledge folder (its glossary, topics, legal changes and sources
            register are read).
        parsed: ``(path, document or None, problems)`` of each document file, in
            :func:`document_paths` order.
        whole: Whether the documents carry their bodies. Stand-ins without one (the stored
            corpus) skip the checks that read passages: links, references and anchors, which
            ``check`` and ``/reload`` run on the whole documents.

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
    register = load_sources(directory / "sources.yaml", problems)
    if whole:
        for document in documents:
            problems.extend(link_problems(document, register))
        problems.extend(reference_problems(documents))
        if any(concept.defined_in for concept in concepts):
            passages = [passage for document in documents for passage in split_passages(document)]
            problems.extend(anchor_problems(concepts, passages, directory / "glossary.yaml"))
    known_topics = {topic.id for topic in topics}
    if known_topics:
        for document in documents:
            for topic in document.topics:
                if topic not in known_topics:
                    problems.append(Problem(document.path, 1, f"unknown topic '{topic}'"))
    return Knowledge(
        tuple(documents),
        concepts,
        topics,
        changes,
        tuple(problems),
        tuple((register or {}).values()),
    )


def reference_problems(documents: list[Document]) -> list[Problem]:
    """Report passage references (``doc-id#anchor``) that name no passage."""
    passages = {document.id: split_passages(document) for document in documents}
    problems = []
    for document in documents:
        for passage in passages[document.id]:
            for reference in passage.refs:
                if resolve(reference, passages) is None:
                    problems.append(
                        Problem(
                            document.path,
                            passage.line,
                            f"reference '{reference}' names no passage (a heading slug or "
                            "passage number of a loaded document)",
                        )
                    )
    return problems


def knowledge_files(directory: Path) -> Iterable[Path]:
    """Return every file whose content defines the knowledge (documents and data files)."""
    yield from document_paths(directory)
    for name in DATA_FILES:
        if (directory / name).exists() or (directory / name).is_symlink():
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
        digest.update(os.fsencode(path.name) + b"\0")
        # The same checks as loading: no device, nothing outside the folder, nothing huge.
        raw, problem = read_bytes(path)
        digest.update(raw if raw is not None else str(problem).encode("utf-8", "replace"))
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def anchor_problems(
    concepts: Sequence[Concept], passages: Sequence[Passage], glossary: Path
) -> list[Problem]:
    """Report every ``defined_in`` anchor of the glossary that names no passage.

    Args:
        concepts: Glossary concepts.
        passages: All passages of the knowledge.
        glossary: The glossary file (problems name it, with the anchor's line).

    Returns:
        One problem per anchor that does not resolve.
    """
    try:
        lines = glossary.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    problems = []
    for concept in concepts:
        for anchor in concept.defined_in:
            if resolve_anchor(passages, anchor) is None:
                line = next((n for n, text in enumerate(lines, 1) if anchor in text), 1)
                problems.append(
                    Problem(
                        str(glossary),
                        line,
                        f"concept '{concept.id}': defined_in '{anchor}' names no passage",
                    )
                )
    return problems
