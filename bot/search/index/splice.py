"""Update an index in place of a rebuild: remove some passages, insert others, renumber the rest.

An edit to one file of a large knowledge folder changes a handful of passages, but a rebuild
would re-sort every posting. :func:`splice` instead copies the kept postings once (renumbering
their passages), inserts the new passages' postings at their places and recomputes the idf,
so the result equals, array for array, the index :func:`~bot.search.index.build.build_arrays`
would build from the new corpus. That works because the index stores term frequencies and
passage lengths, not precomputed scores: a changed passage count or average length touches
no posting.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.index.build import EmptyIndexError, first_key, okapi_idf, tf_dtype
from bot.search.index.sparse import SearchIndex
from bot.search.index.strings import SortedStrings

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Spliced:
    """The updated index and where each old term went."""

    index: SearchIndex
    term_map: npt.NDArray[np.int64]
    """New id of each old term, -1 for a term no passage has any more."""


def splice(
    index: SearchIndex,
    old_to_new: npt.ArrayLike,
    new_size: int,
    inserted: Sequence[tuple[int, Sequence[str]]],
    tokens_of: Callable[[int], Sequence[str]],
    removed_tokens: Callable[[int], Sequence[str]] | None = None,
    files: tuple[Path, Path] | None = None,
) -> Spliced:
    """Return the index of a corpus made from ``index``'s by removing and inserting passages.

    When one run of passages is replaced by another at the same place (an edited file) and
    ``removed_tokens`` is given, only the terms of those passages are rebuilt; every other
    term's postings are copied in runs. Otherwise every posting is renumbered.

    Args:
        index: The current index.
        old_to_new: For each current passage, its position in the new corpus, or -1 when it
            is removed; kept passages keep their relative order.
        new_size: Number of passages of the new corpus.
        inserted: ``(new position, tokens)`` of every passage that is not a kept one.
        tokens_of: Returns the tokens of a kept passage by its new position (needed only
            when a term's first occurrence moves to it).
        removed_tokens: Returns the tokens of a removed passage by its current position.
        files: The directory ``index`` was loaded from and an empty one for the new
            postings. When the replaced run keeps its length, the new ``doc_ids.npy`` and
            ``tfs.npy`` are written there, the untouched runs copied file to file by the
            kernel, and the new index maps them (saving it then links them).

    Returns:
        The new index (equal to one built from the new corpus's token lists) and the new id
        of every old term.

    Raises:
        EmptyIndexError: If the new corpus has no passages.
        ValueError: If the positions do not describe a corpus of ``new_size`` passages.
    """
    if new_size < 1:
        raise EmptyIndexError("cannot index an empty corpus: there are no passages")
    mapping = np.asarray(old_to_new, dtype=np.int64)
    if len(mapping) != index.size:
        raise ValueError("old_to_new needs one entry per current passage")
    kept_positions = mapping[mapping >= 0]
    inserted_positions = np.array([pos for pos, _ in inserted], dtype=np.int64)
    every = np.concatenate([kept_positions, inserted_positions])
    if (
        np.any(np.diff(kept_positions) <= 0)
        or len(every) != new_size
        or not np.array_equal(np.sort(every), np.arange(new_size))
    ):
        raise ValueError("kept and inserted positions must cover the new corpus exactly once")

    postings, firsts = _inserted_postings(inserted)
    layout = None
    if removed_tokens is not None:
        layout = _replace_run(index, mapping, inserted_positions, postings, removed_tokens, files)
    if layout is None:
        layout = _renumber(index, mapping, postings)
    terms, new_id_of_old, new_indptr, doc_ids, tfs = layout
    arrays = index.arrays()

    doc_len = np.zeros(new_size, dtype=np.int32)
    doc_len[kept_positions] = arrays["doc_len"][mapping >= 0]
    for position, tokens in inserted:
        doc_len[position] = len(tokens)

    first_off = _first_offsets(
        index, mapping, new_id_of_old, terms, new_indptr, doc_ids, firsts, tokens_of
    )
    first_doc = doc_ids[new_indptr[:-1]]
    df = np.diff(new_indptr)
    idf, average_idf = okapi_idf(df, new_size, index.epsilon, first_key(first_doc, first_off))
    spliced = SearchIndex(
        terms=terms,
        indptr=new_indptr,
        doc_ids=doc_ids,
        tfs=tfs,
        doc_len=doc_len,
        first_off=first_off,
        idf=idf,
        size=new_size,
        # rank_bm25: avgdl = num_doc / corpus_size with Python ints.
        avgdl=int(doc_len.sum(dtype=np.int64)) / new_size,
        k1=index.k1,
        b=index.b,
        epsilon=index.epsilon,
        average_idf=average_idf,
    )
    return Spliced(spliced, new_id_of_old)


Layout = tuple[
    SortedStrings,
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int32],
    npt.NDArray[Any],
]
"""The new terms, each old term's new id, and the new postings (indptr, doc_ids, tfs)."""


def _renumber(
    index: SearchIndex,
    mapping: IntArray,
    postings: dict[str, list[tuple[int, int]]],
) -> Layout:
    """Renumber every posting through ``mapping`` and insert the new passages' postings."""
    arrays = index.arrays()
    old_terms = index.terms
    indptr = arrays["indptr"]
    n_old_terms = len(old_terms)

    # The postings of kept passages, renumbered; still ordered by term, then passage.
    mapped = mapping.astype(np.int32)[arrays["doc_ids"]]  # int32: 4 bytes a posting
    keep = mapped >= 0
    removed_rows = np.flatnonzero(~keep)
    removed_terms = np.searchsorted(indptr, removed_rows, side="right") - 1
    kept_df = np.diff(indptr) - np.bincount(removed_terms, minlength=n_old_terms)
    kept_docs = mapped[keep]
    kept_tfs = arrays["tfs"][keep]
    del mapped, keep

    # The new vocabulary: old terms still used plus the inserted passages' new terms.
    old_ids = {term: old_terms.index_of(term) for term in postings}
    fresh = sorted(term for term, found in old_ids.items() if found < 0)
    revived = {found for found in old_ids.values() if found >= 0}
    dropped = np.flatnonzero(kept_df <= 0)
    dropped = dropped[~np.isin(dropped, np.fromiter(revived, dtype=np.int64))]
    terms = old_terms.merged(fresh, dropped) if len(fresh) or len(dropped) else old_terms
    gone = np.zeros(n_old_terms, dtype=np.int64)
    gone[dropped] = 1
    insert_at = np.array([old_terms.insertion_point(term) for term in fresh], dtype=np.int64)
    fresh_before = np.searchsorted(insert_at, np.arange(n_old_terms), side="right")
    new_id_of_old = np.arange(n_old_terms) - (np.cumsum(gone) - gone) + fresh_before
    new_id_of_old[dropped] = -1
    used_old = np.flatnonzero(kept_df > 0)
    n_terms = len(terms)

    df = np.zeros(n_terms, dtype=np.int64)
    df[new_id_of_old[used_old]] = kept_df[used_old]
    kept_start = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=kept_start[1:])
    insert_rows: list[IntArray] = []
    insert_docs: list[IntArray] = []
    insert_tfs: list[IntArray] = []
    id_of = {term: terms.index_of(term) for term in postings}
    for term in sorted(postings, key=id_of.__getitem__):
        term_id = id_of[term]
        docs = np.array([pos for pos, _ in postings[term]], dtype=np.int64)
        lo, hi = int(kept_start[term_id]), int(kept_start[term_id + 1])
        insert_rows.append(lo + np.searchsorted(kept_docs[lo:hi], docs))
        insert_docs.append(docs)
        insert_tfs.append(np.array([tf for _, tf in postings[term]], dtype=np.int64))
        df[term_id] += len(docs)
    rows = np.concatenate(insert_rows) if insert_rows else np.zeros(0, dtype=np.int64)
    new_docs = np.concatenate(insert_docs) if insert_docs else np.zeros(0, dtype=np.int64)
    new_tfs = np.concatenate(insert_tfs) if insert_tfs else np.zeros(0, dtype=np.int64)
    max_tf = max(int(kept_tfs.max()) if len(kept_tfs) else 0, int(new_tfs.max(initial=0)))
    dtype = tf_dtype(max_tf)
    doc_ids = np.insert(kept_docs, rows, new_docs.astype(np.int32))
    tfs = np.insert(kept_tfs.astype(dtype, copy=False), rows, new_tfs.astype(dtype))
    del kept_docs, kept_tfs
    new_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=new_indptr[1:])
    return terms, new_id_of_old, new_indptr, doc_ids, tfs


class _NotARun(Exception):
    """The change is not one run of passages replaced in place (or does not check out)."""


def _replace_run(
    index: SearchIndex,
    mapping: IntArray,
    inserted_positions: IntArray,
    postings: dict[str, list[tuple[int, int]]],
    removed_tokens: Callable[[int], Sequence[str]],
    files: tuple[Path, Path] | None,
) -> Layout | None:
    """Rebuild only the terms of one replaced run of passages; None when that does not apply.

    The passages ``a..b-1`` are replaced by ``n`` new ones at ``a``; later ones move by
    ``n - (b - a)``. A term none of those passages has keeps its postings, copied in runs
    with the others (renumbered only when the count changed).
    """
    try:
        return _replace_run_checked(
            index, mapping, inserted_positions, postings, removed_tokens, files
        )
    except _NotARun:
        return None


def _replace_run_checked(
    index: SearchIndex,
    mapping: IntArray,
    inserted_positions: IntArray,
    postings: dict[str, list[tuple[int, int]]],
    removed_tokens: Callable[[int], Sequence[str]],
    files: tuple[Path, Path] | None,
) -> Layout:
    removed = np.flatnonzero(mapping < 0)
    inserted = np.sort(inserted_positions)
    if len(removed):
        a, b = int(removed[0]), int(removed[-1]) + 1
    else:
        a = b = int(inserted[0]) if len(inserted) else 0
    n = len(inserted)
    shift = n - (b - a)
    scattered: IntArray | None = None
    if len(removed) != b - a or (n and not np.array_equal(inserted, np.arange(a, a + n))):
        # Passages here and there replaced where they are (re-analysed after a lexicon
        # change, say): nothing moves, so the same copying applies.
        kept = np.flatnonzero(mapping >= 0)
        if not (np.array_equal(removed, inserted) and np.array_equal(mapping[kept], kept)):
            raise _NotARun
        scattered, shift = removed, 0
    old_size = len(mapping)
    if scattered is None and not (
        np.array_equal(mapping[:a], np.arange(a))
        and np.array_equal(mapping[b:], np.arange(b, old_size) + shift)
    ):
        raise _NotARun

    arrays = index.arrays()
    old_terms, indptr = index.terms, arrays["indptr"]
    old_ids, old_tfs, doc_len = arrays["doc_ids"], arrays["tfs"], arrays["doc_len"]
    # The removed passages' terms, checked against the lengths the index stored.
    removed_count: dict[int, int] = {}
    for position in removed.tolist():
        tokens = removed_tokens(position)
        if len(tokens) != int(doc_len[position]):
            raise _NotARun
        for term in set(tokens):
            term_id = old_terms.index_of(term)
            if term_id < 0:
                raise _NotARun
            removed_count[term_id] = removed_count.get(term_id, 0) + 1

    df_old = np.diff(indptr)
    revived = {found for term in postings if (found := old_terms.index_of(term)) >= 0}
    fresh = sorted(term for term in postings if old_terms.index_of(term) < 0)
    dropped = np.array(
        sorted(t for t, count in removed_count.items() if count == df_old[t] and t not in revived),
        dtype=np.int64,
    )
    terms = old_terms.merged(fresh, dropped) if fresh or len(dropped) else old_terms
    n_old_terms = len(old_terms)
    gone = np.zeros(n_old_terms, dtype=np.int64)
    gone[dropped] = 1
    insert_at = np.array([old_terms.insertion_point(term) for term in fresh], dtype=np.int64)
    fresh_before = np.searchsorted(insert_at, np.arange(n_old_terms), side="right")
    new_id_of_old = np.arange(n_old_terms) - (np.cumsum(gone) - gone) + fresh_before
    new_id_of_old[dropped] = -1

    n_terms = len(terms)
    alive = np.flatnonzero(new_id_of_old >= 0)
    df = np.zeros(n_terms, dtype=np.int64)
    df[new_id_of_old[alive]] = df_old[alive]
    for term_id, count in removed_count.items():
        if new_id_of_old[term_id] >= 0:
            df[new_id_of_old[term_id]] -= count
    new_of_term = {term: terms.index_of(term) for term in postings}
    for term, entries in postings.items():
        df[new_of_term[term]] += len(entries)
    new_indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=new_indptr[1:])

    max_tf = max([int(old_tfs.max()) if len(old_tfs) else 0] + [
        tf for found in postings.values() for _, tf in found
    ])  # fmt: skip
    total = int(new_indptr[-1])
    dtype = tf_dtype(max_tf)
    copier = None
    doc_ids: npt.NDArray[np.int32]
    tfs: npt.NDArray[Any]
    if files is not None and shift == 0 and old_tfs.dtype == dtype:
        copier = _FileCopier(files[0], files[1], total, dtype)
        doc_ids, tfs = copier.doc_ids, copier.tfs
    else:
        doc_ids = np.empty(total, dtype=np.int32)
        tfs = np.empty(total, dtype=dtype)
    old_of_new = np.full(n_terms, -1, dtype=np.int64)
    old_of_new[new_id_of_old[alive]] = alive
    special = {int(new_id_of_old[t]) for t in removed_count if new_id_of_old[t] >= 0}
    special.update(new_of_term.values())
    # Runs of untouched terms: consecutive old ids with nothing rebuilt in between.
    cut = np.zeros(n_terms + 1, dtype=bool)
    cut[0] = cut[-1] = True
    cut[1:-1] = np.diff(old_of_new) != 1
    for term_id in special:
        cut[term_id] = cut[term_id + 1] = True
    bounds = np.flatnonzero(cut).tolist()
    try:
        for lo, hi in pairwise(bounds):
            dest = slice(int(new_indptr[lo]), int(new_indptr[hi]))
            if lo in special:  # one rebuilt term
                doc_ids[dest], tfs[dest] = _rebuilt(
                    int(old_of_new[lo]), indptr, old_ids, old_tfs, a, b, shift,
                    postings.get(terms[lo], []), scattered,
                )  # fmt: skip
                continue
            first, last = int(old_of_new[lo]), int(old_of_new[hi - 1])
            source = slice(int(indptr[first]), int(indptr[last + 1]))
            if copier is not None:
                copier.copy(source.start, dest.start, source.stop - source.start)
                continue
            doc_ids[dest] = old_ids[source]
            tfs[dest] = old_tfs[source]
            if shift:
                run = doc_ids[dest]
                np.add(run, shift, out=run, where=run >= b)
        if copier is not None:
            doc_ids, tfs = copier.finish()
    except BaseException:
        if copier is not None:
            copier.close()
        raise
    return terms, new_id_of_old, new_indptr, doc_ids, tfs


class _FileCopier:
    """Writes new postings files whose untouched runs are copied from the old files.

    ``os.copy_file_range`` copies inside the kernel: no pass through this process's memory
    and no page faults on the old memory-mapped arrays, which at a million passages took
    longer than everything else an update does to the index.
    """

    def __init__(self, source: Path, stage: Path, total: int, dtype: np.dtype[Any]) -> None:
        stage.mkdir(parents=True, exist_ok=True)
        self.paths = (stage / "doc_ids.npy", stage / "tfs.npy")
        old = [np.load(source / path.name, mmap_mode="r") for path in self.paths]
        new = [
            np.lib.format.open_memmap(path, mode="w+", dtype=kind, shape=(total,))
            for path, kind in zip(self.paths, (np.dtype(np.int32), dtype), strict=True)
        ]
        self._maps = new
        self.doc_ids: npt.NDArray[Any] = new[0]
        self.tfs: npt.NDArray[Any] = new[1]
        self._items = [array.dtype.itemsize for array in new]
        self._offsets = [(int(o.offset), int(n.offset)) for o, n in zip(old, new, strict=True)]
        self._fds = [
            (os.open(source / path.name, os.O_RDONLY), os.open(path, os.O_RDWR))
            for path in self.paths
        ]

    def copy(self, source: int, target: int, count: int) -> None:
        """Copy ``count`` postings from position ``source`` of the old files to ``target``."""
        for (src, dst), (src_base, dst_base), item in zip(
            self._fds, self._offsets, self._items, strict=True
        ):
            src_off, dst_off, left = (
                src_base + source * item,
                dst_base + target * item,
                count * item,
            )
            while left > 0:
                done = _copy_range(src, dst, left, src_off, dst_off)
                if done <= 0:
                    raise OSError(f"short copy into {self.paths[0].parent}")
                src_off, dst_off, left = src_off + done, dst_off + done, left - done

    def close(self) -> None:
        """Close the files."""
        for src, dst in self._fds:
            os.close(src)
            os.close(dst)
        self._fds = []

    def finish(self) -> tuple[npt.NDArray[np.int32], npt.NDArray[Any]]:
        """Flush the files to disk and return them, memory-mapped read-only."""
        for written in self._maps:
            written.flush()
        for _, dst in self._fds:
            os.fsync(dst)
        self.close()
        del self.doc_ids, self.tfs, self._maps
        doc_ids, tfs = (np.load(path, mmap_mode="r") for path in self.paths)
        return doc_ids, tfs


def _copy_range(src: int, dst: int, count: int, src_off: int, dst_off: int) -> int:
    """Copy bytes between files inside the kernel where it can, else through a buffer."""
    copy = getattr(os, "copy_file_range", None)  # Linux only
    if copy is not None:
        try:
            return int(copy(src, dst, count, src_off, dst_off))
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                raise
    data = os.pread(src, min(count, 1 << 24), src_off)
    return os.pwrite(dst, data, dst_off) if data else 0


def _rebuilt(
    old_id: int,
    indptr: IntArray,
    old_ids: npt.NDArray[np.int32],
    old_tfs: npt.NDArray[Any],
    a: int,
    b: int,
    shift: int,
    added: list[tuple[int, int]],
    scattered: IntArray | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return one term's postings: before the run, the run's new ones, after it (moved).

    With ``scattered`` (the replaced positions; nothing moves) the old postings of those
    positions are dropped and the new ones put in their places.
    """
    new_docs = np.array([pos for pos, _ in added], dtype=np.int64)
    new_tfs = np.array([tf for _, tf in added], dtype=np.int64)
    if old_id < 0:
        return new_docs, new_tfs
    lo, hi = int(indptr[old_id]), int(indptr[old_id + 1])
    ids, tf = old_ids[lo:hi], old_tfs[lo:hi]
    if scattered is not None:
        at = np.searchsorted(ids, scattered)
        found = at[(at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == scattered)]
        kept_ids = np.delete(ids, found).astype(np.int64)
        kept_tfs = np.delete(tf, found).astype(np.int64)
        where = np.searchsorted(kept_ids, new_docs)
        return np.insert(kept_ids, where, new_docs), np.insert(kept_tfs, where, new_tfs)
    start, end = np.searchsorted(ids, [a, b])
    docs = np.concatenate([ids[:start], new_docs, ids[end:].astype(np.int64) + shift])
    return docs, np.concatenate([tf[:start], new_tfs, tf[end:]])


def _inserted_postings(
    inserted: Sequence[tuple[int, Sequence[str]]],
) -> tuple[dict[str, list[tuple[int, int]]], dict[tuple[str, int], int]]:
    """Return term -> [(position, tf)] ascending, and (term, position) -> first offset."""
    postings: dict[str, list[tuple[int, int]]] = {}
    firsts: dict[tuple[str, int], int] = {}
    for position, tokens in sorted(inserted, key=lambda item: item[0]):
        counts: dict[str, int] = {}
        for offset, token in enumerate(tokens):
            if token not in counts:
                counts[token] = 0
                firsts[(token, position)] = offset
            counts[token] += 1
        for token, tf in counts.items():
            postings.setdefault(token, []).append((position, tf))
    return postings, firsts


def _first_offsets(
    index: SearchIndex,
    mapping: IntArray,
    new_id_of_old: IntArray,
    terms: SortedStrings,
    indptr: IntArray,
    doc_ids: npt.NDArray[np.int32],
    firsts: dict[tuple[str, int], int],
    tokens_of: Callable[[int], Sequence[str]],
) -> npt.NDArray[np.uint32]:
    """Return where each term first occurs within its first passage of the new corpus."""
    arrays: dict[str, Any] = index.arrays()
    n_terms = len(terms)
    first_off = np.zeros(n_terms, dtype=np.uint32)
    known = np.zeros(n_terms, dtype=bool)
    old_indptr = arrays["indptr"]
    old_first = mapping[arrays["doc_ids"][old_indptr[:-1]]] if len(old_indptr) > 1 else None
    if old_first is not None:
        new_first = np.full(len(new_id_of_old), -1, dtype=np.int64)
        alive = np.flatnonzero(np.diff(old_indptr) > 0)
        candidates = alive[old_first[alive] >= 0]
        targets = new_id_of_old[candidates]
        in_range = (targets >= 0) & (targets < n_terms)
        candidates, targets = candidates[in_range], targets[in_range]
        new_first[candidates] = doc_ids[indptr[targets]]
        same = old_first[candidates] == new_first[candidates]
        first_off[targets[same]] = arrays["first_off"][candidates[same]]
        known[targets[same]] = True
    missing = np.flatnonzero(~known)
    by_passage: dict[int, list[int]] = {}
    for term_id in missing.tolist():
        position = int(doc_ids[indptr[term_id]])
        term = terms[term_id]
        offset = firsts.get((term, position))
        if offset is None:
            by_passage.setdefault(position, []).append(term_id)
        else:
            first_off[term_id] = offset
    for position, term_ids in by_passage.items():
        tokens = list(tokens_of(position))
        for term_id in term_ids:
            first_off[term_id] = tokens.index(terms[term_id])
    return first_off
