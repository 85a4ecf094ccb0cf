"""Which knowledge files exist and what they contain, checked cheaply.

Hashing every file at every start costs 0.16 s for 10,000 files. A :class:`Manifest` records
each file's size, modification time and content hash; the next :func:`scan` stats the files
and hashes only those whose size or time changed. A file modified within
:data:`RACY_SECONDS` of being recorded could change again within the file system's time
resolution without its time changing, so it is recorded as unknown and hashed next time
(git's "racily clean" entries).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from bot.knowledge.load import DATA_FILES, document_paths
from bot.knowledge.reading import read_bytes
from bot.progress import SILENT, Progress

RACY_SECONDS = 2.0
UNKNOWN_TIME = -1
NAMES_FILE = "files-names.txt"
DIGESTS_FILE = "files-digests.txt"
STAT_FILE = "files-stat.npy"


@dataclass(frozen=True)
class FileState:
    """One knowledge file: name, size, modification time (ns) and content hash."""

    name: str
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True)
class Manifest:
    """Every file that defines a knowledge folder: documents in order, then data files.

    Kept as columns: a folder of 100,000 files is compared at every start.
    """

    names: tuple[str, ...]
    sizes: tuple[int, ...]
    mtimes: tuple[int, ...]
    digests: tuple[str, ...]

    @classmethod
    def of(cls, files: Iterable[FileState]) -> Manifest:
        """Build a manifest from file states."""
        states = list(files)
        return cls(
            tuple(s.name for s in states),
            tuple(s.size for s in states),
            tuple(s.mtime_ns for s in states),
            tuple(s.digest for s in states),
        )

    @property
    def files(self) -> tuple[FileState, ...]:
        """The files as :class:`FileState` rows."""
        return tuple(map(FileState, self.names, self.sizes, self.mtimes, self.digests))

    def version(self, salt: str = "") -> str:
        """Return a short hex digest of the names and contents, after ``salt``.

        Args:
            salt: Text hashed first, e.g. the versions of whatever is derived from the files.

        Returns:
            A digest that changes whenever any file's name or content changes.
        """
        digest = hashlib.sha256(salt.encode("utf-8"))
        digest.update(
            "".join(f"{n}\0{d}\0" for n, d in zip(self.names, self.digests, strict=True)).encode(
                "utf-8",
                "surrogateescape",  # an undecodable file name still counts
            )
        )
        return digest.hexdigest()[:16]

    def digest_of(self) -> dict[str, str]:
        """Return each file's content hash by name."""
        return dict(zip(self.names, self.digests, strict=True))

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "names": list(self.names),
            "sizes": list(self.sizes),
            "mtimes": list(self.mtimes),
            "digests": list(self.digests),
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Rebuild a manifest from :meth:`to_json` data.

        Raises:
            KeyError, TypeError, ValueError: When the data does not fit.
        """
        columns = (data["names"], data["sizes"], data["mtimes"], data["digests"])
        if len({len(column) for column in columns}) != 1:
            raise ValueError("manifest columns differ in length")
        if not all(isinstance(item, str) for item in (*columns[0], *columns[3])) or not all(
            type(item) is int for item in (*columns[1], *columns[2])
        ):
            raise TypeError("manifest columns hold the wrong types")
        return cls(*(tuple(column) for column in columns))


def read_manifest(path: Path) -> Manifest | None:
    """Read a manifest written by :func:`write_manifest`; None when missing or unreadable."""
    try:
        names = (path / NAMES_FILE).read_text("utf-8", "surrogateescape").split("\0")
        digests = (path / DIGESTS_FILE).read_text(encoding="ascii").split("\0")
        stat = np.load(path / STAT_FILE)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if names == [""]:
        names, digests = [], []
    if stat.dtype != np.int64 or stat.shape != (len(names), 2) or len(digests) != len(names):
        return None
    sizes, mtimes = stat[:, 0].tolist(), stat[:, 1].tolist()
    return Manifest(tuple(names), tuple(sizes), tuple(mtimes), tuple(digests))


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write a manifest into the directory ``path`` (names, hashes, sizes and times)."""
    path.mkdir(parents=True, exist_ok=True)
    stat = np.array([manifest.sizes, manifest.mtimes], dtype=np.int64).T.reshape(-1, 2)
    parts: dict[str, Callable[[BinaryIO], object]] = {
        NAMES_FILE: lambda f: f.write(
            "\0".join(manifest.names).encode("utf-8", "surrogateescape")
        ),
        DIGESTS_FILE: lambda f: f.write("\0".join(manifest.digests).encode("ascii")),
        STAT_FILE: lambda f: np.save(f, np.ascontiguousarray(stat), allow_pickle=False),
    }
    for name, write in parts.items():
        # Each file is replaced whole: a reader sees the old one or the new one.
        tmp = path / f".{name}.{os.getpid()}.tmp"
        with tmp.open("wb") as file:
            write(file)
        tmp.replace(path / name)


def knowledge_paths(directory: Path) -> list[Path]:
    """Return the files that define the knowledge: documents in order, then data files."""
    paths = document_paths(directory)
    paths.extend(directory / name for name in DATA_FILES if (directory / name).is_file())
    return paths


def _listing(directory: Path) -> list[str]:
    """Return the names :func:`knowledge_paths` lists, from one directory read."""
    try:
        found = os.listdir(directory)
    except OSError:
        return []
    names = sorted(n for n in found if n.endswith(".md") and not n.startswith((".", "_")))
    present = set(found)
    names.extend(n for n in DATA_FILES if n in present and (directory / n).is_file())
    return names


def _stat(directory_fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=directory_fd)
    except OSError:
        return None


def scan(
    directory: Path, previous: Manifest | None = None, progress: Progress = SILENT
) -> Manifest:
    """Describe the knowledge files, hashing only those that changed since ``previous``.

    Args:
        directory: The knowledge folder.
        previous: An earlier manifest of the same folder, or None to hash every file.
        progress: Shows the files checked (``python -m bot index`` in a terminal).

    Returns:
        The manifest; an unreadable file gets the digest ``"unreadable"``.
    """
    names = _listing(directory)
    try:
        directory_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return Manifest((), (), (), ())
    try:
        checked = progress.track(names, "files checked", unit="file")
        stats = [_stat(directory_fd, name) for name in checked]
    finally:
        os.close(directory_fd)
    sizes = [s.st_size if s is not None else -1 for s in stats]
    mtimes = [s.st_mtime_ns if s is not None else UNKNOWN_TIME for s in stats]
    if (
        previous is not None
        and tuple(names) == previous.names
        and tuple(sizes) == previous.sizes
        and tuple(mtimes) == previous.mtimes
        and UNKNOWN_TIME not in previous.mtimes
    ):
        return previous  # the common case: nothing changed, nothing to read
    known: dict[str, tuple[int, int, str]] = {}
    if previous is not None:
        known = dict(
            zip(
                previous.names,
                zip(previous.sizes, previous.mtimes, previous.digests, strict=True),
                strict=True,
            )
        )
    racy_after = time.time_ns() - int(RACY_SECONDS * 1e9)
    digests: list[str] = []
    for number, name in enumerate(names):
        old = known.get(name)
        size, mtime = sizes[number], mtimes[number]
        if stats[number] is None:
            digests.append("unreadable")
        elif old is not None and old[1] != UNKNOWN_TIME and old[:2] == (size, mtime):
            digests.append(old[2])
        else:
            digests.append(_hash_file(directory / name))
            if mtime >= racy_after:
                mtimes[number] = UNKNOWN_TIME
    return Manifest(tuple(names), tuple(sizes), tuple(mtimes), tuple(digests))


def _hash_file(path: Path) -> str:
    """Return the sha256 of a file's bytes, or "unreadable".

    The bytes are read as every knowledge file is (:func:`bot.knowledge.reading.read_bytes`):
    a regular file inside the folder, of bounded size, so a link to ``/dev/zero`` cannot
    exhaust memory here either.
    """
    raw, _ = read_bytes(path)
    return hashlib.sha256(raw).hexdigest() if raw is not None else "unreadable"
