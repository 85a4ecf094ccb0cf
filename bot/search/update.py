"""Bring the stored corpus up to date with a knowledge folder: reuse, update or rebuild.

:func:`refresh` checks the folder cheaply against the newest stored version (sizes and
modification times; hashes only for changed files). Unchanged: that version is used.
Changed: the new version is derived from it (:mod:`bot.search.incremental`), so an edit to
one file re-analyses that file only; a first build, a new analyzer, or a change to more than
a fifth of the passages rebuilds everything (:func:`build_full`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from bot.knowledge import Knowledge
from bot.knowledge.load import Problem, assemble_knowledge, document_paths, read_document
from bot.knowledge.manifest import Manifest, scan
from bot.models import Document, Passage
from bot.search.analysis import ANALYZER_VERSION, Analyzer
from bot.search.indexer import INDEX_RECIPE, Entries, Spans, analyse, read_passages
from bot.search.stored import (
    FORMAT_VERSION,
    FileRecord,
    StoredVersion,
    StoreError,
    VersionContent,
    new_version_dir,
    prune,
    stored_versions,
    write_version,
)
from bot.search.texts import SegmentWriter, TextTables, add_document
from bot.search.words import everyday_stems

logger = logging.getLogger(__name__)


def salt_for(directory: Path) -> str:
    """Return everything besides the files that shapes a stored version of ``directory``."""
    return (
        f"analyzer={ANALYZER_VERSION};{INDEX_RECIPE};store={FORMAT_VERSION};"
        f"folder={directory.resolve()}"
    )


def light(document: Document) -> Document:
    """Return the document without its body (what assembling the knowledge needs)."""
    return replace(document, body="")


@dataclass(frozen=True)
class Refreshed:
    """The version a folder's knowledge is stored in, and how it was obtained."""

    stored: StoredVersion
    how: str
    """"unchanged", "incremental" or "full"."""


def refresh(directory: Path, cache_dir: Path, *, full: bool = False) -> Refreshed:
    """Return the stored version of ``directory``'s current content, building it if needed.

    Args:
        directory: The knowledge folder.
        cache_dir: Where versions are stored.
        full: Rebuild from scratch even when a version could be updated.

    Returns:
        The stored version and how it was obtained.

    Raises:
        EmptyIndexError: When no document has any text.
        OSError: When the version cannot be written.
    """
    salt = salt_for(directory)
    previous = stored_versions(cache_dir, str(directory.resolve()), salt)
    latest = previous[0] if previous else None
    manifest = scan(directory, latest.manifest() if latest is not None else None)
    version = manifest.version(salt)
    for stored in previous:
        if stored.version == version and not full:
            return Refreshed(stored, "unchanged")
    built = None
    how = "full"
    if latest is not None and not full:
        from bot.search.incremental import update

        try:
            built = update(directory, cache_dir, manifest, salt, version, latest)
        except StoreError as exc:
            logger.warning("cannot update stored version %s (%s); rebuilding", latest, exc)
        how = "incremental"
    if built is None:
        built = build_full(directory, cache_dir, manifest, salt, version)
        how = "full"
    prune(cache_dir, keep=built.name)
    return Refreshed(StoredVersion(built), how)


def build_full(
    directory: Path, cache_dir: Path, manifest: Manifest, salt: str, version: str
) -> Path:
    """Read, analyse and store every document of ``directory`` as a new version.

    Returns:
        The version directory.
    """
    tmp = new_version_dir(cache_dir)
    try:
        writer = SegmentWriter(tmp / "seg-0.txt", 0)
        tables = TextTables()
        files: list[FileRecord] = []
        parsed: list[tuple[Path, Document | None, list[Problem]]] = []

        def documents() -> Iterator[Document]:
            seen: set[str] = set()
            for path in document_paths(directory):
                document, problems = read_document(path)
                found = tuple((p.line, p.message) for p in problems)
                parsed.append((path, light(document) if document else None, problems))
                if document is None:
                    files.append(FileRecord(path.name, None, (), found))
                    continue
                files.append(
                    FileRecord(path.name, document.id, document.topics, found, document.language)
                )
                if document.id in seen:
                    continue  # assemble_knowledge reports the duplicate
                seen.add(document.id)
                yield document

        def store(document: Document, passages: list[Passage]) -> None:
            add_document(writer, tables, document, passages)

        entries, spans = Entries(), Spans()
        read_passages(documents(), entries, spans, store)
        writer.close()
        analysed = analyse(entries, spans)
        tables.save(tmp)
        knowledge = assemble_knowledge(directory, parsed)
        content = VersionContent(
            version=version,
            salt=salt,
            folder=str(directory.resolve()),
            manifest=manifest,
            files=files,
            knowledge=knowledge,
            index=analysed.index,
            flags=analysed.flags,
            rarity=analysed.rarity,
            everyday=everyday_stems(Analyzer()),
            words=analysed.words,
            languages=frozenset(tables.languages),
        )
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return write_version(tmp, content, ["seg-0.txt"])


def stored_knowledge(stored: StoredVersion) -> Knowledge:
    """Return the knowledge of a stored version, its documents read on demand."""
    from bot.search.texts import StoredDocuments

    extras = stored.knowledge()
    return replace(extras, documents=StoredDocuments(stored.texts).in_order())  # type: ignore[arg-type]
