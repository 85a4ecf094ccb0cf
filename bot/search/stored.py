"""One stored corpus version: its directory layout, writing it atomically, opening it lazily.

A version directory ``<cache>/<version>/`` holds everything a process needs to answer from a
knowledge folder without reading that folder again:

- ``store.json``: format, the folder, the salt (analyzer and index recipe), the segments;
- ``files-*``: the :class:`~bot.knowledge.manifest.Manifest` (sizes, times, hashes);
- ``parsed.json``: per document file its id, topics and problems (for incremental updates);
- ``knowledge.json``: glossary, topics, legal changes and every problem, parsed;
- ``bm25/``: the :class:`~bot.search.index.SearchIndex`; ``lexicon.npy``: which of its terms
  are compound-lexicon stems; ``rarity.json``: everyday-word rarities;
- ``seg-*.txt`` and ``p_*.npy``/``d_*.npy``: the passages and documents
  (:mod:`bot.search.texts`); ``words/``: the :class:`~bot.search.words.WordTable`.

Opening memory-maps the arrays and parses only the small JSON files.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.knowledge import Knowledge
from bot.knowledge.cache import from_json, to_json
from bot.knowledge.manifest import Manifest, read_manifest, write_manifest
from bot.models import Document
from bot.search.analysis import FrozenLexicon
from bot.search.folded import FoldedTerms
from bot.search.index import IndexLoadError, SearchIndex
from bot.search.index.strings import SortedStrings
from bot.search.texts import TextStore, TextStoreError, segment_files
from bot.search.words import WordTable

logger = logging.getLogger(__name__)

FORMAT = "samverkansboten-corpus"
FORMAT_VERSION = 3
META_FILE = "store.json"
PARSED_FILE = "parsed.json"
KNOWLEDGE_FILE = "knowledge.json"
RARITY_FILE = "rarity.json"
LEXICON_FILE = "lexicon.npy"
STARTS_FILE = "lexicon-starts.json"
INDEX_DIR = "bm25"
WORDS_DIR = "words"
KEEP_VERSIONS = 3


class StoreError(Exception):
    """A stored version is missing, incomplete or written by another format."""


class LexiconView(FrozenLexicon):
    """The compound lexicon as flags over the index terms: nothing to load at start-up."""

    def __init__(
        self, terms: SortedStrings, flags: npt.NDArray[np.uint8], starts: Path | None = None
    ) -> None:
        self._terms = terms
        self._flags = flags
        self._size = int(np.count_nonzero(flags))
        self._starts_file = starts
        self._starts: dict[str, frozenset[str] | None] | None = None

    def part_starts(self, width: int) -> frozenset[str] | None:
        """Return the entries' first letters, as stored with the version."""
        if self._starts is None:
            self._starts = {}
            try:
                data = _json(self._starts_file) if self._starts_file else {}
                for key, values in data.items():
                    self._starts[str(key)] = None if values is None else frozenset(values)
            except (OSError, ValueError, AttributeError, TypeError):
                self._starts = {}
        return self._starts.get(str(width))

    def __contains__(self, stem: object) -> bool:
        if not isinstance(stem, str):
            return False
        position = self._terms.index_of(stem)
        return position >= 0 and bool(self._flags[position])

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[str]:
        flags = self._flags.tolist()
        return (term for term, flag in zip(self._terms.to_list(), flags, strict=True) if flag)


_STAND_IN = {f.name: f.default for f in fields(Document) if f.default is not MISSING} | {
    name: "" for name in ("title", "author", "publisher", "published", "kind", "url", "body")
}


@dataclass(frozen=True)
class FileRecord:
    """What one document file gave: its document's id and topics, and its problems."""

    name: str
    doc_id: str | None
    topics: tuple[str, ...]
    problems: tuple[tuple[int, str], ...]
    language: str = ""

    def document(self, path: str) -> Document | None:
        """Return a stand-in document with what assembling the knowledge reads (id, topics)."""
        if self.doc_id is None:
            return None
        # Made without __init__: an update of 100,000 files makes one per file.
        stand_in = object.__new__(Document)
        stand_in.__dict__.update(_STAND_IN, id=self.doc_id, language=self.language)
        stand_in.__dict__.update(topics=self.topics, path=path)
        return stand_in


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


class StoredVersion:
    """A version directory, opened: the cheap parts now, the rest when first used.

    Raises:
        StoreError: When the directory is not a complete version of this format.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        try:
            meta = _json(directory / META_FILE)
        except (OSError, ValueError) as exc:
            raise StoreError(f"no stored corpus in {directory}: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise StoreError(f"{directory} is not a stored corpus")
        if meta.get("version") != FORMAT_VERSION:
            raise StoreError(f"{directory} has format version {meta.get('version')!r}")
        self.meta: dict[str, Any] = meta

    @property
    def version(self) -> str:
        """The knowledge version this directory holds."""
        return str(self.meta["knowledge_version"])

    @property
    def salt(self) -> str:
        """The analyzer and index recipe it was built with."""
        return str(self.meta["salt"])

    @property
    def folder(self) -> str:
        """The knowledge folder it was built from (resolved)."""
        return str(self.meta["folder"])

    @property
    def segments(self) -> list[str]:
        """The text segment files, in segment-number order."""
        return [str(name) for name in self.meta["segments"]]

    @property
    def languages(self) -> frozenset[str]:
        """Languages of the documents."""
        return frozenset(self.meta["languages"])

    def manifest(self) -> Manifest | None:
        """Return the manifest of the files it was built from."""
        return read_manifest(self.directory)

    @cached_property
    def index(self) -> SearchIndex:
        """The BM25 index (memory-mapped)."""
        try:
            return SearchIndex.load(self.directory / INDEX_DIR)
        except IndexLoadError as exc:
            raise StoreError(str(exc)) from exc

    @cached_property
    def texts(self) -> TextStore:
        """The documents and passages."""
        try:
            return TextStore(self.directory, [self.directory / s for s in self.segments])
        except TextStoreError as exc:
            raise StoreError(str(exc)) from exc

    @cached_property
    def flags(self) -> npt.NDArray[np.uint8]:
        """Lexicon membership of each index term."""
        try:
            flags: npt.NDArray[np.uint8] = np.load(self.directory / LEXICON_FILE, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {LEXICON_FILE}: {exc}") from exc
        if flags.dtype != np.uint8 or len(flags) != len(self.index.terms):
            raise StoreError(f"{LEXICON_FILE} does not fit the index")
        return flags

    @cached_property
    def folded(self) -> FoldedTerms:
        """The index terms' accent-free spellings."""
        try:
            return FoldedTerms.load(self.directory, self.index.terms)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the folded spellings: {exc}") from exc

    def lexicon(self) -> LexiconView:
        """Return the compound lexicon."""
        return LexiconView(self.index.terms, self.flags, self.directory / STARTS_FILE)

    def starts(self) -> dict[str, list[str] | None]:
        """Return the lexicon entries' first letters by width (empty when unreadable)."""
        try:
            data = _json(self.directory / STARTS_FILE)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def rarity(self) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """Return the term rarities and the everyday stems per language."""
        try:
            data = _json(self.directory / RARITY_FILE)
            return dict(data["terms"]), {k: dict(v) for k, v in data["everyday"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(f"cannot read {RARITY_FILE}: {exc}") from exc

    def knowledge(self) -> Knowledge:
        """Return glossary, topics, changes and problems; documents stay empty here."""
        try:
            return from_json(_json(self.directory / KNOWLEDGE_FILE))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"cannot read {KNOWLEDGE_FILE}: {exc}") from exc

    def files(self) -> list[FileRecord]:
        """Return what each document file gave, in folder order."""
        try:
            data = _json(self.directory / PARSED_FILE)
            names, ids, languages = data["names"], data["ids"], data["languages"]
            topics = [tuple(map(str, t)) for t in data["topics"]]
            problems: dict[int, tuple[tuple[int, str], ...]] = {
                int(k): tuple((int(line), str(message)) for line, message in v)
                for k, v in data["problems"].items()
            }
            return [
                FileRecord(names[i], ids[i], topics[i], problems.get(i, ()), languages[i])
                for i in range(len(names))
            ]
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            raise StoreError(f"cannot read {PARSED_FILE}: {exc}") from exc

    def words(self) -> WordTable:
        """Return the word table (read in full: for updates only)."""
        try:
            return WordTable.load(self.directory / WORDS_DIR)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the word table: {exc}") from exc


@dataclass(frozen=True)
class VersionContent:
    """What :func:`write_version` writes besides the text store and segments."""

    version: str
    salt: str
    folder: str
    manifest: Manifest
    files: list[FileRecord]
    knowledge: Knowledge
    index: SearchIndex
    flags: npt.NDArray[np.uint8]
    rarity: dict[str, float]
    everyday: dict[str, dict[str, float]]
    words: WordTable
    languages: frozenset[str]
    folded: FoldedTerms
    starts: dict[str, list[str] | None]
    """First letters of the lexicon entries by width (for compound splitting)."""


def new_version_dir(cache_dir: Path) -> Path:
    """Create a temporary directory in ``cache_dir`` to build a version in."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".build-", dir=cache_dir))


def link_segment(source: Path, target: Path) -> None:
    """Share an unchanged segment with a new version (hard links, or copies)."""
    for old, new in zip(segment_files(source), segment_files(target), strict=True):
        link_file(old, new)


def link_file(source: Path, target: Path) -> None:
    """Share an unchanged file with a new version (a hard link, or a copy)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_version(
    tmp: Path, content: VersionContent, segments: list[str], *, replace_existing: bool = False
) -> Path:
    """Write everything but the text store into ``tmp`` and move it into place.

    Args:
        tmp: A directory from :func:`new_version_dir` that already holds the text store.
        content: The version's data.
        segments: The segment file names, in segment-number order.
        replace_existing: Replace a directory of the same version (a rebuild of a broken
            one); otherwise another process's copy that got there first is kept.

    Returns:
        The version directory.
    """
    try:
        content.index.save(tmp / INDEX_DIR)
        np.save(tmp / LEXICON_FILE, content.flags.astype(np.uint8), allow_pickle=False)
        content.words.save(tmp / WORDS_DIR)
        content.folded.save(tmp)
        write_manifest(tmp, content.manifest)
        _write_json(
            tmp / PARSED_FILE,
            {
                # Columns: a folder of 100,000 files is written and read at every update.
                "names": [f.name for f in content.files],
                "ids": [f.doc_id for f in content.files],
                "topics": [f.topics for f in content.files],
                "languages": [f.language for f in content.files],
                "problems": {
                    str(i): [list(p) for p in f.problems]
                    for i, f in enumerate(content.files)
                    if f.problems
                },
            },
        )
        extras = replace(content.knowledge, documents=())
        _write_json(tmp / KNOWLEDGE_FILE, to_json(extras))
        _write_json(tmp / RARITY_FILE, {"terms": content.rarity, "everyday": content.everyday})
        _write_json(tmp / STARTS_FILE, content.starts)
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "knowledge_version": content.version,
            "salt": content.salt,
            "folder": content.folder,
            "segments": segments,
            "languages": sorted(content.languages),
            "passages": content.index.size,
            "created": time.time(),
        }
        _write_json(tmp / META_FILE, meta)
        target = tmp.parent / content.version
        if replace_existing and target.exists():
            old = Path(tempfile.mkdtemp(prefix=".old-", dir=tmp.parent))
            os.replace(target, old / "version")
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / META_FILE).is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # built concurrently: keep theirs
        return target
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def stored_versions(cache_dir: Path, folder: str, salt: str) -> list[StoredVersion]:
    """Return the complete versions of one folder and recipe, newest first."""
    found = []
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            stored = StoredVersion(Path(entry.path))
        except StoreError:
            continue
        if stored.folder == folder and stored.salt == salt:
            found.append(stored)
    return sorted(found, key=lambda s: float(s.meta.get("created", 0)), reverse=True)


def prune(cache_dir: Path, keep: str) -> None:
    """Remove all but the newest few version directories (never ``keep``)."""
    try:
        entries = [
            Path(entry.path)
            for entry in os.scandir(cache_dir)
            if entry.is_dir() and entry.name != keep
        ]
    except OSError:
        return
    now = time.time()
    stale = []
    for path in entries:
        if path.name.startswith(".build-"):
            # An abandoned build (a killed process); a running one is younger than a day.
            if now - path.stat().st_mtime > 86_400:
                stale.append(path)
            continue
        if not path.name.startswith("."):
            stale.append(path)
    ordered = sorted(
        (p for p in stale if not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    remove = ordered[KEEP_VERSIONS - 1 :] + [p for p in stale if p.name.startswith(".")]
    for path in remove:
        shutil.rmtree(path, ignore_errors=True)
