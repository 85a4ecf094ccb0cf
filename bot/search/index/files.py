"""On-disk format of a :class:`bot.search.index.sparse.SearchIndex`: writing and reading its files.

The postings are stored by term (CSR): ``indptr.npy`` (int64, one entry per term plus one),
``doc_ids.npy`` (int32, ascending within a term) and ``tfs.npy`` (the term frequency in the
smallest unsigned type that holds it, uint8 for ordinary text). ``doc_len.npy`` (int32) holds
each passage's length; the BM25 arithmetic is done at query time from these, in float64, so
the scores stay rank_bm25's exactly. ``idf.npy`` (float64) and ``first_off.npy`` (uint32, where
in its first passage a term first occurs: the order rank_bm25 sums the idfs in) have one entry
per term; the terms themselves are a :class:`~bot.search.index.strings.SortedStrings` in
``terms_blob.npy``, ``terms_offsets.npy`` and ``terms_prefixes.npy``, opened without parsing.
``meta.json`` has the format, version, sizes and BM25 parameters. That is 5 bytes per
distinct (term, passage) pair, about 0.36 GB on disk for a million 80-token passages (72M
pairs), against 12 bytes with precomputed float64 impacts. :func:`write` fills a temporary
sibling directory and renames it into place; :func:`read` checks every file's shape and
type (with ``verify``, every posting) before the index is used.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT = "samverkansboten-bm25-impact-index"
FORMAT_VERSION = 2

META_FILE = "meta.json"
ARRAY_FILES: dict[str, np.dtype[Any] | None] = {
    "indptr": np.dtype(np.int64),
    "doc_ids": np.dtype(np.int32),
    "tfs": None,
    "doc_len": np.dtype(np.int32),
    "idf": np.dtype(np.float64),
    "first_off": np.dtype(np.uint32),
    "terms_blob": np.dtype(np.uint8),
    "terms_offsets": np.dtype(np.int64),
    "terms_prefixes": np.dtype(np.uint64),
}
"""Array files and their types (None: ``tfs`` is uint8, uint16 or uint32)."""
TF_TYPES = (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.uint32))
FACTS = ("size", "avgdl", "k1", "b", "epsilon", "average_idf")
"""The ``SearchIndex`` properties stored in ``meta.json`` besides the format and the counts."""


class IndexLoadError(Exception):
    """A saved index is missing, incomplete or corrupt."""


def write(
    directory: Path,
    arrays: Mapping[str, npt.NDArray[Any]],
    facts: Mapping[str, Any],
) -> None:
    """Write an index to ``directory`` (created or replaced), atomically by renaming.

    Args:
        directory: Target directory; its parent is created if needed.
        arrays: The ``.npy`` arrays by name (the keys of :data:`ARRAY_FILES`).
        facts: The sizes and BM25 parameters for ``meta.json`` (terms and postings are added).
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling_dir(directory, ".tmp")
    try:
        os.chmod(tmp, 0o755)
        for name, array in arrays.items():
            written = _file_of(array)
            if written is not None:
                _link(written, tmp / f"{name}.npy")
            else:
                _write_file(tmp / f"{name}.npy", functools.partial(_save_npy, array=array))
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            **facts,
            "terms": len(arrays["idf"]),
            "postings": len(arrays["doc_ids"]),
        }
        _write_file(tmp / META_FILE, lambda f: f.write(_json_bytes(meta)))
        old: Path | None = None
        if directory.exists():
            old = _sibling_dir(directory, ".old")
            os.replace(directory, old)
        os.replace(tmp, directory)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read(directory: Path, *, mmap: bool, verify: bool) -> dict[str, Any]:
    """Read and check the files written by :func:`write`.

    Returns:
        The ``SearchIndex`` constructor arguments: the arrays (memory-mapped with ``mmap``),
        the size and the BM25 figures from ``meta.json``.

    Raises:
        IndexLoadError: If a file is missing, unreadable or inconsistent.
    """
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        arrays = {
            name: np.load(directory / f"{name}.npy", mmap_mode="r" if mmap else None)
            for name in ARRAY_FILES
        }
    except (OSError, ValueError, EOFError) as exc:
        raise IndexLoadError(f"cannot read index in {directory}: {exc}") from exc
    _check_saved(directory, meta, arrays, verify=verify)
    plain = {name: array.view(np.ndarray) for name, array in arrays.items()}
    floats = {key: float(meta[key]) for key in FACTS if key != "size"}
    return {**plain, "size": meta["size"], **floats}


def _sibling_dir(directory: Path, suffix: str) -> Path:
    """Create a fresh hidden directory next to ``directory`` (same file system, for renames)."""
    parent = directory.parent
    return Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=suffix, dir=parent))


def _file_of(array: npt.NDArray[Any]) -> Path | None:
    """Return the ``.npy`` file an array maps whole (written and flushed already), or None."""
    filename = getattr(array, "filename", None)
    if not isinstance(array, np.memmap) or filename is None or not array.flags.c_contiguous:
        return None
    path = Path(filename)
    try:
        whole = array.offset + array.nbytes == path.stat().st_size
    except OSError:
        return None
    return path if whole and path.suffix == ".npy" else None


def _link(source: Path, target: Path) -> None:
    """Put an already written file at ``target``: a hard link, or a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _save_npy(file: Any, *, array: npt.NDArray[Any]) -> None:
    """Write one array in ``.npy`` format, refusing Python objects."""
    np.save(file, array, allow_pickle=False)


def _json_bytes(value: object) -> bytes:
    """Serialise to compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write_file(path: Path, write: Any) -> None:
    """Create ``path``, fill it with ``write(file)`` and flush it to disk."""
    with path.open("wb") as file:
        write(file)
        file.flush()
        os.fsync(file.fileno())


def _check_saved(
    directory: Path,
    meta: Any,
    arrays: Mapping[str, npt.NDArray[Any]],
    *,
    verify: bool,
) -> None:
    """Raise IndexLoadError unless the loaded parts form a consistent index."""

    def fail(reason: str) -> IndexLoadError:
        return IndexLoadError(f"corrupt index in {directory}: {reason}")

    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise fail(f"{META_FILE} is not a {FORMAT} file")
    if meta.get("version") != FORMAT_VERSION:
        raise fail(f"format version {meta.get('version')!r}, expected {FORMAT_VERSION}")
    for key in ("size", "terms", "postings"):
        if not isinstance(meta.get(key), int) or meta[key] < 0:
            raise fail(f"{META_FILE} has no valid {key!r}")
    for key in ("avgdl", "k1", "b", "epsilon", "average_idf"):
        if not isinstance(meta.get(key), (int, float)):
            raise fail(f"{META_FILE} has no valid {key!r}")
    if meta["size"] < 1:
        raise fail("an index has at least one passage")
    n_terms, n_postings, size = meta["terms"], meta["postings"], meta["size"]
    expected_shapes = {
        "indptr": (n_terms + 1,),
        "doc_ids": (n_postings,),
        "tfs": (n_postings,),
        "doc_len": (size,),
        "idf": (n_terms,),
        "first_off": (n_terms,),
        "terms_offsets": (n_terms + 1,),
        "terms_prefixes": (n_terms,),
    }
    for name, dtype in ARRAY_FILES.items():
        array = arrays[name]
        allowed = TF_TYPES if dtype is None else (dtype,)
        shape = expected_shapes.get(name, array.shape)
        if array.dtype not in allowed or array.ndim != 1 or array.shape != shape:
            raise fail(
                f"{name}.npy is {array.dtype}{list(array.shape)}, "
                f"expected {'/'.join(map(str, allowed))}{list(shape)}"
            )
    indptr = arrays["indptr"]
    if indptr[0] != 0 or indptr[-1] != n_postings or np.any(np.diff(indptr) < 0):
        raise fail("indptr.npy is not a valid postings offset table")
    offsets = arrays["terms_offsets"]
    if offsets[0] != 0 or offsets[-1] != len(arrays["terms_blob"]):
        raise fail("terms_offsets.npy does not fit terms_blob.npy")
    if n_terms and np.any(np.diff(offsets) <= 0):
        raise fail("terms_offsets.npy has empty or unordered terms")
    prefixes = arrays["terms_prefixes"]
    if n_terms > 1 and np.any(prefixes[1:] < prefixes[:-1]):
        raise fail("terms_prefixes.npy is not sorted")
    if verify and n_postings:
        doc_ids = arrays["doc_ids"]
        if int(doc_ids.min()) < 0 or int(doc_ids.max()) >= size:
            raise fail("doc_ids.npy has passage numbers out of range")
        if int(arrays["tfs"].min()) < 1:
            raise fail("tfs.npy has zero term frequencies")
    if verify and n_terms:
        _check_terms(directory, arrays)


def _check_terms(directory: Path, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
    """Check that the terms are valid UTF-8, distinct and in code-point order."""
    blob = bytes(arrays["terms_blob"])
    bounds = arrays["terms_offsets"].tolist()
    try:
        terms = [blob[a:b] for a, b in pairwise(bounds)]
        for term in terms:
            term.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IndexLoadError(f"corrupt index in {directory}: terms are not UTF-8") from exc
    if any(a >= b for a, b in pairwise(terms)):
        raise IndexLoadError(f"corrupt index in {directory}: terms are not distinct and sorted")
