"""Build a stored version from scratch; a large folder is read and analysed on every core.

The document files are cut into runs; each run is read, split into passages and numbered
(:class:`~bot.search.indexer.Entries`) by a worker process, which also writes the run's
passages to a text segment of its own. The runs are then merged in folder order (their word
numbers mapped onto one table) and pass B (:func:`~bot.search.indexer.analyse`) spreads the
per-word work over the same workers. With one worker, or a small folder, everything runs in
this process. ``BOT_INDEX_WORKERS`` sets the number of workers (default: the usable cores).
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge.load import DATA_FILES, Problem, assemble_knowledge, read_document
from bot.knowledge.manifest import Manifest
from bot.knowledge.passages import split_passages
from bot.models import Document
from bot.search.analysis import Analyzer, part_starts
from bot.search.folded import FoldedTerms
from bot.search.indexer import (
    Entries,
    Mapper,
    Spans,
    Stopwatch,
    analyse,
    passage_index_text,
)
from bot.search.stored import FileRecord, VersionContent, new_version_dir, write_version
from bot.search.texts import (
    DOCUMENT_ARRAYS,
    SegmentWriter,
    TextTables,
    add_document,
    segment_files,
)
from bot.search.words import EVERYDAY_DIR, everyday_stems, save_everyday_table

logger = logging.getLogger(__name__)

WORKERS_ENV = "BOT_INDEX_WORKERS"
PARALLEL_BYTES = 4_000_000
"""Below this much Markdown, starting worker processes costs more than it saves."""
RUNS_PER_WORKER = 4


def worker_count(markdown_bytes: int) -> int:
    """Return how many worker processes to use for a folder of this size (1: none)."""
    configured = os.environ.get(WORKERS_ENV, "")
    if configured.strip().isdigit():
        return max(1, int(configured))
    if markdown_bytes < PARALLEL_BYTES:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def mapper(workers: int) -> Iterator[Mapper]:
    """Yield a :class:`Mapper` with ``workers`` processes (none for one worker)."""
    if workers <= 1:
        yield Mapper(None)
        return
    # spawn, not fork: the bot may have threads running (a reload while serving).
    import multiprocessing  # only a large build spawns workers

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield Mapper(pool, workers)


@dataclass
class Run:
    """What one worker read from a run of document files."""

    records: list[FileRecord] = field(default_factory=list)
    parsed: list[tuple[str, Document | None, list[Problem]]] = field(default_factory=list)
    entry_languages: list[str] = field(default_factory=list)
    entry_texts: list[str | tuple[str, ...]] = field(default_factory=list)
    span_ids: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    span_counts: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    columns: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    doc_ids: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)


def read_run(directory: str, names: list[str], segment: str, number: int) -> Run:
    """Read, split and number one run of document files; write their texts to a segment.

    Args:
        directory: The knowledge folder.
        names: The run's document file names, in folder order.
        segment: The segment file to write.
        number: The segment's number.

    Returns:
        The run's records, words and text tables.
    """
    run = Run()
    writer = SegmentWriter(Path(segment), number)
    tables = TextTables()
    entries, spans = Entries(), Spans()
    seen: set[str] = set()
    for name in names:
        path = Path(directory) / name
        document, problems = read_document(path)
        found = tuple((p.line, p.message) for p in problems)
        run.parsed.append((str(path), light(document) if document else None, problems))
        if document is None:
            run.records.append(FileRecord(name, None, (), found))
            continue
        run.records.append(
            FileRecord(name, document.id, document.topics, found, document.language)
        )
        if document.id in seen:
            continue  # assemble_knowledge reports the duplicate
        seen.add(document.id)
        passages = split_passages(document)
        for passage in passages:
            spans.add(entries.number(passage_index_text(document, passage), document.language))
        add_document(writer, tables, document, passages)
    writer.close()
    run.entry_languages, run.entry_texts = entries.languages, entries.texts
    run.span_ids = np.frombuffer(spans.ids, dtype=np.int32).copy()
    run.span_counts = np.frombuffer(spans.counts, dtype=np.int64).copy()
    run.columns = tables.arrays()
    run.doc_ids = tables.doc_ids
    run.languages = tables.languages
    return run


def lexicon_starts(lexicon: Collection[str]) -> dict[str, list[str] | None]:
    """Return the first three and four letters of the lexicon entries, for storing."""
    result: dict[str, list[str] | None] = {}
    for width in (3, 4):
        found = part_starts(lexicon, width)
        result[str(width)] = None if found is None else sorted(found)
    return result


def light(document: Document) -> Document:
    """Return the document without its body (what assembling the knowledge needs)."""
    return replace(document, body="")


def _runs(names: list[str], sizes: list[int], count: int) -> list[list[str]]:
    """Cut the names into ``count`` consecutive runs of about equal bytes."""
    if count <= 1 or len(names) <= count:
        return [names] if names else []
    bounds = np.cumsum(sizes)
    cuts = np.searchsorted(bounds, bounds[-1] * np.arange(1, count) / count)
    edges = [0, *sorted({int(c) for c in cuts}), len(names)]
    return [names[a:b] for a, b in pairwise(edges) if b > a]


def build_full(
    directory: Path,
    cache_dir: Path,
    manifest: Manifest,
    salt: str,
    version: str,
    *,
    replace_existing: bool = False,
) -> Path:
    """Read, analyse and store every document of ``directory`` as a new version.

    Returns:
        The version directory.

    Raises:
        EmptyIndexError: When no document has any text.
    """
    sizes = [
        size
        for name, size in zip(manifest.names, manifest.sizes, strict=True)
        if name not in DATA_FILES
    ]
    workers = worker_count(sum(max(size, 0) for size in sizes))
    if workers > 1:
        try:
            return _build(directory, cache_dir, manifest, salt, version, workers, replace_existing)
        except BrokenProcessPool as exc:
            # A worker died: out of memory, or a main script that starts the bot again when
            # imported (no ``if __name__ == "__main__"``). One process still works.
            logger.warning("index workers failed (%s); building in one process", exc)
    return _build(directory, cache_dir, manifest, salt, version, 1, replace_existing)


def _build(
    directory: Path,
    cache_dir: Path,
    manifest: Manifest,
    salt: str,
    version: str,
    workers: int,
    replace_existing: bool,
) -> Path:
    states = [state for state in manifest.files if state.name not in DATA_FILES]
    names = [state.name for state in states]  # once per rebuild: rows are fine here
    tmp = new_version_dir(cache_dir)
    clock = Stopwatch(f"full build ({workers} workers)")
    try:
        with mapper(workers) as pool:
            clock.lap("start workers")
            runs = _runs(names, [max(s.size, 1) for s in states], workers * RUNS_PER_WORKER)
            segments = [f"seg-{number}.txt" for number in range(max(len(runs), 1))]
            results: list[Run] = pool.starmap(
                read_run,
                [
                    (str(directory), run, str(tmp / segments[number]), number)
                    for number, run in enumerate(runs)
                ],
            )
            if not results:
                for path in segment_files(tmp / segments[0]):
                    path.touch()
            clock.lap("read and split")
            entries, spans, columns, doc_ids, records, parsed, languages = _merge(results)
            clock.lap("merge")
            # Wordfreq's plain words for later updates, made while the workers are idle.
            everyday = (save_everyday_table, (str(tmp / EVERYDAY_DIR),))
            analysed = analyse(entries, spans, pool, everyday)
            clock.lap("pass B")
        from bot.search.texts import save_tables

        save_tables(tmp, columns, doc_ids)
        knowledge = assemble_knowledge(
            directory, [(Path(p), d, f) for p, d, f in parsed], whole=False
        )
        content = VersionContent(
            version=version,
            salt=salt,
            folder=str(directory.resolve()),
            manifest=manifest,
            files=records,
            knowledge=knowledge,
            index=analysed.index,
            flags=analysed.flags,
            rarity=analysed.rarity,
            everyday=everyday_stems(Analyzer()),
            words=analysed.words,
            languages=frozenset(languages),
            folded=FoldedTerms.build(analysed.index.terms),
            starts=lexicon_starts(analysed.lexicon),
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    clock.lap("tables and knowledge")
    written = write_version(tmp, content, segments, replace_existing=replace_existing)
    clock.lap("write")
    return written


def _merge(
    results: list[Run],
) -> tuple[
    Entries,
    Spans,
    dict[str, npt.NDArray[np.int64]],
    list[str],
    list[FileRecord],
    list[tuple[str, Document | None, list[Problem]]],
    set[str],
]:
    """Join the runs in order: one word table, one span list, one set of text tables."""
    entries = Entries()
    spans = Spans()
    pieces: dict[str, list[npt.NDArray[np.int64]]] = {}
    doc_ids: list[str] = []
    records: list[FileRecord] = []
    parsed: list[tuple[str, Document | None, list[Problem]]] = []
    languages: set[str] = set()
    id_arrays = []
    passages = 0
    seen: set[str] = set()
    for run in results:
        remap = np.fromiter(
            (
                entries.add(language, text)
                for language, text in zip(run.entry_languages, run.entry_texts, strict=True)
            ),
            dtype=np.int32,
            count=len(run.entry_texts),
        )
        id_arrays.append(remap[run.span_ids] if len(run.span_ids) else run.span_ids)
        spans.counts.extend(run.span_counts.tolist())
        columns = dict(run.columns)
        columns["d_first"] = columns["d_first"] + passages
        columns["p_doc"] = columns["p_doc"] + len(doc_ids)
        for name, column in columns.items():
            pieces.setdefault(name, []).append(column)
        passages += len(columns["p_doc"])
        if seen.intersection(run.doc_ids):
            raise ValueError("the same document id in two files")  # file names are unique
        seen.update(run.doc_ids)
        doc_ids.extend(run.doc_ids)
        records.extend(run.records)
        parsed.extend(run.parsed)
        languages |= run.languages
    ids = np.concatenate(id_arrays) if id_arrays else np.zeros(0, np.int32)
    spans.ids.frombytes(ids.astype(np.int32).tobytes())
    names = [*DOCUMENT_ARRAYS[:-1], *(n for n in pieces if n.startswith("p_"))]
    columns = {
        name: np.concatenate(pieces[name]) if name in pieces else np.zeros(0, np.int64)
        for name in names
    }
    return entries, spans, columns, doc_ids, records, parsed, languages
