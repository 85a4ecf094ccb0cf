"""Bring the stored corpus up to date with a knowledge folder: reuse, update or rebuild.

:func:`refresh` checks the folder cheaply against the newest stored version (sizes and
modification times; hashes only for changed files). Unchanged: that version is used.
Changed: the new version is derived from it (:mod:`bot.search.incremental`), so an edit to
one file re-analyses that file only; a first build, a new analyzer, or a change to more than
a fifth of the passages rebuilds everything (:func:`build_full`).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from bot.knowledge import Knowledge
from bot.knowledge.manifest import scan, write_manifest
from bot.progress import SILENT, Progress
from bot.search.analysis import ANALYZER_VERSION
from bot.search.full import build_full
from bot.search.incremental import update
from bot.search.indexer import INDEX_RECIPE
from bot.search.stored import (
    FORMAT_VERSION,
    StoredVersion,
    StoreError,
    prune,
    stored_versions,
)
from bot.search.texts import StoredDocuments

logger = logging.getLogger(__name__)


def salt_for(directory: Path) -> str:
    """Return everything besides the files that shapes a stored version of ``directory``."""
    return (
        f"analyzer={ANALYZER_VERSION};{INDEX_RECIPE};store={FORMAT_VERSION};"
        f"folder={directory.resolve()}"
    )


@dataclass(frozen=True)
class Refreshed:
    """The version a folder's knowledge is stored in, and how it was obtained."""

    stored: StoredVersion
    how: str
    """"unchanged", "incremental" or "full"."""


def refresh(
    directory: Path, cache_dir: Path, *, full: bool = False, progress: Progress = SILENT
) -> Refreshed:
    """Return the stored version of ``directory``'s current content, building it if needed.

    Args:
        directory: The knowledge folder.
        cache_dir: Where versions are stored.
        full: Rebuild from scratch even when a version could be updated.
        progress: Shows the files checked (``python -m bot index`` in a terminal).

    Returns:
        The stored version and how it was obtained.

    Raises:
        EmptyIndexError: When no document has any text.
        OSError: When the version cannot be written.
    """
    salt = salt_for(directory)
    previous = stored_versions(cache_dir, str(directory.resolve()), salt)
    latest = previous[0] if previous else None
    known = latest.manifest() if latest is not None else None
    manifest = scan(directory, known, progress)
    version = manifest.version(salt)
    for stored in previous:
        if stored.version == version and not full:
            if stored is latest and manifest is not known:
                # Same content, new times (a touched file, or one no longer too new to trust):
                # record them, so the next start need not hash those files again.
                with contextlib.suppress(OSError):
                    write_manifest(stored.directory, manifest)
            return Refreshed(stored, "unchanged")
    built = None
    how = "full"
    if latest is not None and not full:
        try:
            built = update(directory, cache_dir, manifest, salt, version, latest)
        except StoreError as exc:
            logger.warning("cannot update stored version %s (%s); rebuilding", latest, exc)
        how = "incremental"
    if built is None:
        built = build_full(directory, cache_dir, manifest, salt, version, replace_existing=full)
        how = "full"
    prune(cache_dir, keep=built.name)
    return Refreshed(StoredVersion(built), how)


def stored_knowledge(stored: StoredVersion) -> Knowledge:
    """Return the knowledge of a stored version, its documents read on demand."""
    extras = stored.knowledge()
    return replace(extras, documents=StoredDocuments(stored.texts).in_order())  # type: ignore[arg-type]
