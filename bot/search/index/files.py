"""On-disk format of a :class:`bot.search.index.sparse.SearchIndex`: writing and reading its files.

The postings are stored by term (CSR): ``indptr.npy`` (int64, one entry per term plus one),
``doc_ids.npy`` (int32, ascending within a term) and ``impacts.npy`` (float64: float32 would
lose the 1e-9 agreement with rank_bm25), plus ``idf.npy`` (float64), the terms in
``vocabulary.json`` and the facts in ``meta.json`` (format, version, sizes, BM25 parameters).
That is 12 bytes per distinct (term, passage) pair, about 0.86 GB on disk for a million
80-token passages (72M pairs). :func:`write` fills a temporary sibling directory and renames
it into place; :func:`read` checks every file's shape and type (with ``verify``, every
posting) before the index is used.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT = "samverkansboten-bm25-impact-index"
FORMAT_VERSION = 1

META_FILE = "meta.json"
VOCAB_FILE = "vocabulary.json"
ARRAY_FILES = {
    "indptr": np.dtype(np.int64),
    "doc_ids": np.dtype(np.int32),
    "impacts": np.dtype(np.float64),
    "idf": np.dtype(np.float64),
}
FACTS = ("size", "avgdl", "k1", "b", "epsilon", "average_idf")
"""The ``SearchIndex`` properties stored in ``meta.json`` besides the format and the counts."""


class IndexLoadError(Exception):
    """A saved index is missing, incomplete or corrupt."""


def write(
    directory: Path,
    arrays: Mapping[str, npt.NDArray[Any]],
    vocabulary: list[str],
    facts: Mapping[str, Any],
) -> None:
    """Write an index to ``directory`` (created or replaced), atomically by renaming.

    Args:
        directory: Target directory; its parent is created if needed.
        arrays: The ``.npy`` arrays by name (the keys of :data:`ARRAY_FILES`).
        vocabulary: The terms in id order.
        facts: The sizes and BM25 parameters for ``meta.json`` (terms and postings are added).
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = _sibling_dir(directory, ".tmp")
    try:
        os.chmod(tmp, 0o755)
        for name, array in arrays.items():
            _write_file(tmp / f"{name}.npy", functools.partial(_save_npy, array=array))
        _write_file(tmp / VOCAB_FILE, lambda f: f.write(_json_bytes(vocabulary)))
        meta = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            **facts,
            "terms": len(vocabulary),
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


def read(directory: Path, *, mmap: bool, verify: bool) -> tuple[list[str], dict[str, Any]]:
    """Read and check the files written by :func:`write`.

    Returns:
        The vocabulary, and the other ``SearchIndex`` constructor arguments: the arrays
        (memory-mapped with ``mmap``), the size and the BM25 figures from ``meta.json``.

    Raises:
        IndexLoadError: If a file is missing, unreadable or inconsistent.
    """
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        vocabulary = json.loads((directory / VOCAB_FILE).read_text(encoding="utf-8"))
        arrays = {
            name: np.load(directory / f"{name}.npy", mmap_mode="r" if mmap else None)
            for name in ARRAY_FILES
        }
    except (OSError, ValueError, EOFError) as exc:
        raise IndexLoadError(f"cannot read index in {directory}: {exc}") from exc
    _check_saved(directory, meta, vocabulary, arrays, verify=verify)
    plain = {name: array.view(np.ndarray) for name, array in arrays.items()}
    floats = {key: float(meta[key]) for key in FACTS if key != "size"}
    return vocabulary, {**plain, "size": meta["size"], **floats}


def _sibling_dir(directory: Path, suffix: str) -> Path:
    """Create a fresh hidden directory next to ``directory`` (same file system, for renames)."""
    parent = directory.parent
    return Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=suffix, dir=parent))


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
    vocabulary: Any,
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
    n_terms, n_postings = meta["terms"], meta["postings"]
    if not isinstance(vocabulary, list) or not set(map(type, vocabulary)) <= {str}:
        raise fail(f"{VOCAB_FILE} is not a list of strings")
    if len(vocabulary) != n_terms:
        raise fail(f"{VOCAB_FILE} has {len(vocabulary)} terms, not {n_terms}")
    expected_shapes = {
        "indptr": (n_terms + 1,),
        "doc_ids": (n_postings,),
        "impacts": (n_postings,),
        "idf": (n_terms,),
    }
    for name, dtype in ARRAY_FILES.items():
        array = arrays[name]
        if array.dtype != dtype or array.shape != expected_shapes[name]:
            raise fail(
                f"{name}.npy is {array.dtype}{list(array.shape)}, "
                f"expected {dtype}{list(expected_shapes[name])}"
            )
    indptr = arrays["indptr"]
    if indptr[0] != 0 or indptr[-1] != n_postings or np.any(np.diff(indptr) < 0):
        raise fail("indptr.npy is not a valid postings offset table")
    if verify and n_postings:
        doc_ids = arrays["doc_ids"]
        if int(doc_ids.min()) < 0 or int(doc_ids.max()) >= meta["size"]:
            raise fail("doc_ids.npy has passage numbers out of range")
        if not np.all(np.isfinite(arrays["impacts"])):
            raise fail("impacts.npy has non-finite values")
