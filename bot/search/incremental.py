"""Derive a new stored version from the previous one when a few knowledge files changed.

Only the changed files are read and analysed. Their old passages are taken out of the index
and their new ones put in (:func:`~bot.search.index.splice.splice`); the text store keeps
the unchanged records where they are (hard-linked segments) and adds one segment; the word
table's counts say which words appeared or vanished, and so which compound-lexicon stems and
rarities changed. A changed lexicon can change how a word elsewhere splits into compound
parts: every word that contains a changed stem's first four letters is analysed with the old
and the new lexicon, and the passages of the words whose terms differ are re-analysed too.
The result is the version a full rebuild would write, array for array.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge.load import DATA_FILES, Problem, assemble_knowledge, read_document
from bot.knowledge.manifest import Manifest
from bot.knowledge.passages import split_passages
from bot.models import Document, Passage
from bot.search.analysis import Analyzer, FrozenLexicon, span_texts, stem_overrides
from bot.search.full import light
from bot.search.index import SearchIndex
from bot.search.index.splice import Spliced, splice
from bot.search.index.strings import SortedStrings
from bot.search.indexer import Stopwatch, passage_index_text
from bot.search.stored import (
    INDEX_DIR,
    FileRecord,
    StoredVersion,
    VersionContent,
    link_file,
    link_segment,
    new_version_dir,
    write_version,
)
from bot.search.texts import (
    PASSAGE_ARRAYS,
    SegmentWriter,
    TextStore,
    TextTables,
    add_document,
    save_tables,
)
from bot.search.words import (
    EVERYDAY_DIR,
    SEPARATOR,
    EverydayTable,
    WordTable,
    everyday_zipf,
    key,
    rarities,
    split_key,
)

MAX_CHANGED_SHARE = 0.2
"""Above this share of changed passages a full rebuild is about as fast, and simpler."""
STAGE_DIR = ".postings"
"""Where the update writes the new postings files before the index links them."""
MAX_SEGMENTS = 32
"""More segments than this (many updates in a row): rebuild, which also drops dead text."""


def update(
    directory: Path,
    cache_dir: Path,
    manifest: Manifest,
    salt: str,
    version: str,
    previous: StoredVersion,
) -> Path | None:
    """Write the version of ``manifest`` derived from ``previous``.

    Returns:
        The version directory, or None when a full rebuild is the better choice.

    Raises:
        StoreError: When the previous version cannot be read.
    """
    old_manifest = previous.manifest()
    if old_manifest is None or len(previous.segments) >= MAX_SEGMENTS:
        return None
    old_records = previous.files()
    texts = previous.texts
    index = previous.index
    old_digest = old_manifest.digest_of()
    names = [name for name in manifest.names if name not in DATA_FILES]
    new_digest = manifest.digest_of()

    # Old rows: records with a document have one, in order (a duplicate id has none).
    old_row: dict[str, int] = {}
    old_record = {record.name: record for record in old_records}
    seen: set[str] = set()
    for record in old_records:
        if record.doc_id is not None and record.doc_id not in seen:
            seen.add(record.doc_id)
            old_row[record.name] = len(old_row)
    if len(old_row) != texts.document_count:
        return None
    changed = [n for n in names if n not in old_digest or old_digest[n] != new_digest[n]]
    kept_names = set(names) - set(changed)
    dropped = [n for n in old_record if n not in kept_names]
    touched = sum(texts.passage_range(old_row[n])[1] for n in dropped if n in old_row)
    if touched > MAX_CHANGED_SHARE * max(index.size, 1):
        return None

    parsed_new: dict[str, tuple[Document | None, list[Problem]]] = {
        name: read_document(directory / name) for name in changed
    }
    tmp = new_version_dir(cache_dir)
    try:
        return _write(
            directory,
            tmp,
            manifest,
            salt,
            version,
            previous,
            names,
            old_row,
            old_record,
            parsed_new,
            dropped,
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _old_passages(texts: TextStore, rows: Sequence[int]) -> list[int]:
    positions: list[int] = []
    for row in rows:
        first, count = texts.passage_range(row)
        positions.extend(range(first, first + count))
    return positions


def _write(
    directory: Path,
    tmp: Path,
    manifest: Manifest,
    salt: str,
    version: str,
    previous: StoredVersion,
    names: list[str],
    old_row: dict[str, int],
    old_record: dict[str, FileRecord],
    parsed_new: dict[str, tuple[Document | None, list[Problem]]],
    dropped: list[str],
) -> Path:
    texts = previous.texts
    index = previous.index
    segment_number = len(previous.segments)
    segments = [*previous.segments, f"seg-{segment_number}.txt"]
    for name in previous.segments:
        link_segment(previous.directory / name, tmp / name)
    writer = SegmentWriter(tmp / segments[-1], segment_number)

    clock = Stopwatch("incremental update")
    # The new document order: each row is an old row (>= 0) or a new document (-1).
    files: list[FileRecord] = []
    parsed: list[tuple[Path | str, Document | None, list[Problem]]] = []
    plan: list[tuple[int, Document | None, list[Passage]]] = []
    doc_ids: list[str] = []
    languages: set[str] = set()
    seen: set[str] = set()
    folder = str(directory)
    prefix = folder if folder.endswith(os.sep) else folder + os.sep  # os.path.join, faster
    for name in names:
        path = prefix + name  # as str(directory / name), without a Path a file
        if name in parsed_new:
            document, problems = parsed_new[name]
            found = tuple((p.line, p.message) for p in problems)
            language = document.language if document else ""
            record = FileRecord(
                name,
                document.id if document else None,
                document.topics if document else (),
                found,
                language,
            )
            stand_in = light(document) if document is not None else None
        else:
            record = old_record[name]
            problems = [Problem(path, line, message) for line, message in record.problems]
            document = None
            stand_in = record.document(path)
        files.append(record)
        parsed.append((path, stand_in, problems))
        if record.doc_id is None or record.doc_id in seen:
            continue
        seen.add(record.doc_id)
        doc_ids.append(record.doc_id)
        languages.add(record.language)
        if document is not None:
            plan.append((-1, document, split_passages(document)))
        else:
            plan.append((old_row[name], None, []))

    clock.lap("plan")
    # Where each new passage comes from, and the text tables.
    old_rows = np.array([row for row, _, _ in plan], dtype=np.int64)
    is_old = old_rows >= 0
    first_col = texts.column("d_first")
    count_col = texts.column("d_count").tolist()  # a memory map is slow to index one by one
    counts = np.array(
        [int(count_col[row]) if row >= 0 else len(passages) for row, _, passages in plan],
        dtype=np.int64,
    )
    new_first = np.cumsum(counts) - counts
    new_size = int(counts.sum())
    old_first = np.where(is_old, first_col[np.maximum(old_rows, 0)], 0).astype(np.int64)
    source = np.arange(new_size, dtype=np.int64) + np.repeat(old_first - new_first, counts)
    source[~np.repeat(is_old, counts)] = -1
    old_to_new = np.full(index.size, -1, dtype=np.int64)
    from_old = np.flatnonzero(source >= 0)
    old_to_new[source[from_old]] = from_old

    new_tables = TextTables()
    new_passages: list[tuple[int, Document, Passage]] = []
    for row_number, (row, document, passages) in enumerate(plan):
        if row >= 0:
            continue
        assert document is not None
        position = int(new_first[row_number])
        new_passages.extend((position + i, document, p) for i, p in enumerate(passages))
        add_document(writer, new_tables, document, passages)
    writer.close()
    columns = _columns(texts, new_tables, old_rows, source, counts, new_first)

    clock.lap("text tables")
    # Word counts: the removed passages' words go, the new passages' words come.
    kept_rows = set(old_rows[is_old].tolist())
    removed_rows = [row for row in old_row.values() if row not in kept_rows]
    delta: Counter[str] = Counter()
    for position in _old_passages(texts, sorted(set(removed_rows))):
        passage = texts.passage_at(position)
        document = texts.document_at(texts.document_of(position))
        _count(delta, passage_index_text(document, passage), document.language, -1)
    for _, document, passage in new_passages:
        _count(delta, passage_index_text(document, passage), document.language, +1)
    old_words = previous.words()
    change = old_words.updated(delta, Analyzer(), _everyday(previous.directory, tmp))
    words = change.table
    before = Analyzer(StemLexicon(old_words.stems))
    analyzer = Analyzer(StemLexicon(words.stems))

    clock.lap("words")
    # Passages whose words now split differently are re-analysed as well.
    again = _resplit(words, change.added | change.removed, before, analyzer, index, old_to_new)
    inserted: list[tuple[int, list[str]]] = [
        (position, analyzer.terms(passage_index_text(document, passage), document.language))
        for position, document, passage in new_passages
    ]

    def tokens_of(position: int) -> list[str]:
        old_position = int(source[position])
        passage = texts.passage_at(old_position)
        document = texts.document_at(texts.document_of(old_position))
        return analyzer.terms(passage_index_text(document, passage), document.language)

    for old_position in sorted(again):
        position = int(old_to_new[old_position])
        inserted.append((position, tokens_of(position)))
        old_to_new[old_position] = -1
    clock.lap("analysis")

    def old_tokens(old_position: int) -> list[str]:
        passage = texts.passage_at(old_position)
        document = texts.document_at(texts.document_of(old_position))
        return before.terms(passage_index_text(document, passage), document.language)

    stage = tmp / STAGE_DIR
    postings_files = (previous.directory / INDEX_DIR, stage)
    spliced = splice(index, old_to_new, new_size, inserted, tokens_of, old_tokens, postings_files)
    clock.lap("splice")
    flags = _flags(previous.flags, spliced, change.added | change.removed, analyzer.lexicon)

    save_tables(tmp, columns, doc_ids)
    knowledge = assemble_knowledge(directory, parsed, whole=False)
    clock.lap("flags, tables, knowledge")
    content = VersionContent(
        version=version,
        salt=salt,
        folder=str(directory.resolve()),
        manifest=manifest,
        files=files,
        knowledge=knowledge,
        index=spliced.index,
        flags=flags,
        rarity=rarities(analyzer, words.common_words()),
        everyday=previous.rarity()[1],
        words=words,
        languages=frozenset(languages),
        folded=previous.folded.updated(spliced.index.terms, spliced.term_map),
        starts=_starts(previous.starts(), change.added),
    )
    written = write_version(tmp, content, segments)
    shutil.rmtree(written / STAGE_DIR, ignore_errors=True)  # its files are linked in place
    clock.lap("write")
    return written


def _everyday(old: Path, new: Path) -> Callable[[str], float]:
    """Return how new words are rated: the stored table (shared with the new version)."""
    try:
        table = EverydayTable(old / EVERYDAY_DIR)
        (new / EVERYDAY_DIR).mkdir()
        for path in (old / EVERYDAY_DIR).iterdir():
            link_file(path, new / EVERYDAY_DIR / path.name)
    except (OSError, ValueError):
        shutil.rmtree(new / EVERYDAY_DIR, ignore_errors=True)
        return everyday_zipf  # a version built in one process has no table
    return table.zipf


class StemLexicon(FrozenLexicon):
    """A compound lexicon read from a word table's stems, looked up without loading them."""

    def __init__(self, stems: SortedStrings) -> None:
        self._stems = stems

    def __contains__(self, stem: object) -> bool:
        return isinstance(stem, str) and self._stems.index_of(stem) >= 0

    def __len__(self) -> int:
        return len(self._stems)

    def __iter__(self) -> Iterator[str]:
        return iter(self._stems)


def _starts(
    old: dict[str, list[str] | None], added: frozenset[str]
) -> dict[str, list[str] | None]:
    """Add the new stems' first letters to the stored ones.

    Those of removed stems stay: a wider table changes no compound split.
    """
    result: dict[str, list[str] | None] = {}
    for width in (3, 4):
        known = old.get(str(width))
        if known is None or any(len(stem) < width for stem in added):
            result[str(width)] = None
        else:
            result[str(width)] = sorted({*known, *(stem[:width] for stem in added)})
    return result


def _flags(
    old: npt.NDArray[np.uint8],
    spliced: Spliced,
    changed: frozenset[str],
    lexicon: Collection[str],
) -> npt.NDArray[np.uint8]:
    """Carry each term's lexicon flag over; look up new terms and changed stems."""
    terms = spliced.index.terms
    flags = np.zeros(len(terms), dtype=np.uint8)
    kept = np.flatnonzero(spliced.term_map >= 0)
    flags[spliced.term_map[kept]] = old[kept]
    known = np.zeros(len(terms), dtype=bool)
    known[spliced.term_map[kept]] = True
    for position in np.flatnonzero(~known).tolist():
        flags[position] = terms[position] in lexicon
    for stem in changed:
        position = terms.index_of(stem)
        if position >= 0:
            flags[position] = stem in lexicon
    return flags


def _columns(
    texts: TextStore,
    new_tables: TextTables,
    old_rows: npt.NDArray[np.int64],
    source: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    new_first: npt.NDArray[np.int64],
) -> dict[str, npt.NDArray[np.int64]]:
    """Return the new text arrays: old rows copied, new documents' rows filled in."""
    fresh = new_tables.arrays()
    is_old = old_rows >= 0
    columns: dict[str, npt.NDArray[np.int64]] = {}
    for name in ("d_seg", "d_off", "d_len"):
        column = np.zeros(len(old_rows), dtype=np.int64)
        column[is_old] = texts.column(name)[old_rows[is_old]]
        column[~is_old] = fresh[name]
        columns[name] = column
    columns["d_first"] = new_first
    columns["d_count"] = counts
    kept = source >= 0
    for name in PASSAGE_ARRAYS:
        column = np.zeros(len(source), dtype=np.int64)
        column[kept] = texts.column(name)[source[kept]]
        column[~kept] = fresh[name]
        columns[name] = column
    columns["p_doc"] = np.repeat(np.arange(len(old_rows), dtype=np.int64), counts)
    return columns


def _count(delta: Counter[str], text: str, language: str, sign: int) -> None:
    for span in span_texts(text):
        if isinstance(span, str):
            delta[key(language, span.casefold())] += sign


def _resplit(
    words: WordTable,
    changed: frozenset[str],
    before: Analyzer,
    after: Analyzer,
    index: SearchIndex,
    old_to_new: npt.NDArray[np.int64],
) -> set[int]:
    """Return the kept passages (old positions) with a word whose compound parts changed.

    Compound splitting looks up stems of substrings of a word. Swedish and Danish stems are
    prefixes of what they stem, so only a word that contains a changed stem can split
    differently; English stems keep their first three letters. Those candidates are
    analysed with the old and the new lexicon.
    """
    if not changed:
        return set()
    needles = set(changed)
    for mapping in stem_overrides().values():
        needles.update(word for word, stem in mapping.items() if stem in changed)
    blob = bytes(words.keys.arrays()["blob"])
    offsets = words.keys.arrays()["offsets"]
    pattern = re.compile(b"|".join(re.escape(n.encode("utf-8")) for n in sorted(needles)))
    starts = [match.start() for match in pattern.finditer(blob)]
    candidates = set((np.searchsorted(offsets, starts, side="right") - 1).tolist())
    english = words.keys.insertion_point("en" + SEPARATOR), words.keys.insertion_point("en\x20")
    if english[1] > english[0]:
        short = re.compile(b"|".join(re.escape(s[:3].encode("utf-8")) for s in sorted(changed)))
        lo, hi = int(offsets[english[0]]), int(offsets[english[1]])
        found = [lo + match.start() for match in short.finditer(blob[lo:hi])]
        candidates.update((np.searchsorted(offsets, found, side="right") - 1).tolist())
    passages: set[int] = set()
    for position in sorted(candidates):
        language, word = split_key(words.keys[position])
        old_terms = before.word_terms(word, language)
        if not old_terms or old_terms == after.word_terms(word, language):
            continue
        # Every passage with the word has each of its terms: the rarest term narrows it most.
        rarest = min(old_terms, key=index.term_df)
        docs, _ = index.postings_of(rarest)
        found_docs = np.asarray(docs, dtype=np.int64)
        passages.update(found_docs[old_to_new[found_docs] >= 0].tolist())
    return passages
