"""Documents and passages stored with the index, opened rather than parsed.

Splitting 100,000 documents into passages at every start took 55% of a cold ``ask``. Here
every passage and document is a JSON record in an append-only text *segment*, found through
memory-mapped arrays (segment, offset, length, document, number, line); a record is decoded
only when a passage is shown. A new version of the corpus writes one new segment with the
records of what changed and hard-links the segments it keeps, so an edit to one file does not
rewrite the others' text.

:class:`StoredPassages` (a sequence) and :class:`StoredDocuments` (a mapping by id) behave
like the tuple and dict of an in-memory corpus.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from bot.models import Document, Passage
from bot.search.index.strings import SortedStrings

PASSAGE_ARRAYS = ("p_doc", "p_number", "p_line", "p_seg", "p_off", "p_len", "p_flags")
DOCUMENT_ARRAYS = ("d_seg", "d_off", "d_len", "d_first", "d_count", "d_order")
_DTYPES = {
    "p_doc": np.int32,
    "p_number": np.int32,
    "p_line": np.int32,
    "p_seg": np.uint16,
    "p_off": np.int64,
    "p_len": np.int64,
    "p_flags": np.uint8,
    "d_seg": np.uint16,
    "d_off": np.int64,
    "d_len": np.int64,
    "d_first": np.int32,
    "d_count": np.int32,
    "d_order": np.int32,
}
_TUPLE_FIELDS = tuple(
    f.name for f in fields(Document) if f.name in ("topics", "sources", "audience")
)


_RECENT = 2048

LAW_FLAG = 1
"""``p_flags`` bit: the passage belongs to a statute (a document of kind "law")."""
REFS_FLAG = 2
"""``p_flags`` bit: the passage names other knowledge passages (``refs``)."""
LAW_KIND = "law"


class TextStoreError(Exception):
    """The stored texts are missing or do not fit their arrays."""


BODY_SUFFIX = ".body"
"""A segment's document bodies are in a file of their own: answers need a document's title
and dates, not its body, and passages read together then share disk pages."""


def segment_files(path: Path) -> tuple[Path, Path]:
    """Return a segment's record file and its bodies file."""
    return path, path.with_suffix(BODY_SUFFIX)


def document_record(document: Document, body: tuple[int, int]) -> bytes:
    """Return a document's stored record: JSON of every field, the body as (offset, length)."""
    data = asdict(document)
    data["body"] = list(body)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class StoredDocument(Document):
    """A :class:`Document` from the store whose body is decoded when first read.

    It equals a :class:`Document` with the same fields.
    """

    def _get_body(self) -> str:
        body = self.__dict__.get("_body")
        if body is None:
            body = self.__dict__["_body"] = self.__dict__["_load_body"]()
        return str(body)

    def _set_body(self, value: str | None) -> None:
        self.__dict__["_body"] = value

    body = property(_get_body, _set_body)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Document):
            return all(getattr(self, f.name) == getattr(other, f.name) for f in fields(Document))
        return NotImplemented

    __hash__ = Document.__hash__


def passage_record(passage: Passage) -> bytes:
    """Return a passage's stored record (JSON of its text, heading, sources and references)."""
    data = [passage.text, passage.heading, list(passage.sources), list(passage.refs)]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class SegmentRef:
    """Where a record is: segment number, byte offset and length."""

    segment: int
    offset: int
    length: int


class SegmentWriter:
    """Appends records to one new segment file.

    Args:
        path: The segment file to create.
        number: Its number in the version's segment list.
    """

    def __init__(self, path: Path, number: int) -> None:
        self.path = path
        self.number = number
        records, bodies = segment_files(path)
        self._file = records.open("wb")
        self._bodies = bodies.open("wb")
        self._size = 0
        self._body_size = 0

    def add(self, record: bytes) -> SegmentRef:
        """Append one record and return where it is."""
        self._file.write(record)
        ref = SegmentRef(self.number, self._size, len(record))
        self._size += len(record)
        return ref

    def add_document(self, document: Document) -> SegmentRef:
        """Append a document's body and record; return where the record is."""
        body = document.body.encode("utf-8")
        self._bodies.write(body)
        place = (self._body_size, len(body))
        self._body_size += len(body)
        return self.add(document_record(document, place))

    def close(self) -> None:
        """Flush the segment to disk."""
        for file in (self._file, self._bodies):
            file.flush()
            os.fsync(file.fileno())
            file.close()


class TextTables:
    """The arrays of a text store being built: one row per passage and per document."""

    def __init__(self) -> None:
        self.columns: dict[str, array[int]] = {
            name: array("q") for name in (*PASSAGE_ARRAYS, *DOCUMENT_ARRAYS[:-1])
        }
        self.doc_ids: list[str] = []
        self.languages: set[str] = set()

    def add_document(self, document: Document, ref: SegmentRef, first: int, count: int) -> int:
        """Add a document row; return its number."""
        columns = self.columns
        columns["d_seg"].append(ref.segment)
        columns["d_off"].append(ref.offset)
        columns["d_len"].append(ref.length)
        columns["d_first"].append(first)
        columns["d_count"].append(count)
        self.doc_ids.append(document.id)
        self.languages.add(document.language)
        return len(self.doc_ids) - 1

    def add_passage(
        self, document: int, number: int, line: int, ref: SegmentRef, flags: int = 0
    ) -> None:
        """Add a passage row (``flags``: :data:`LAW_FLAG` and :data:`REFS_FLAG` bits)."""
        columns = self.columns
        columns["p_flags"].append(flags)
        columns["p_doc"].append(document)
        columns["p_number"].append(number)
        columns["p_line"].append(line)
        columns["p_seg"].append(ref.segment)
        columns["p_off"].append(ref.offset)
        columns["p_len"].append(ref.length)

    @property
    def passages(self) -> int:
        """Number of passage rows."""
        return len(self.columns["p_doc"])

    def arrays(self) -> dict[str, npt.NDArray[np.int64]]:
        """Return the columns as arrays."""
        return {
            name: np.frombuffer(column, dtype=np.int64) if len(column) else np.zeros(0, np.int64)
            for name, column in self.columns.items()
        }

    def save(self, directory: Path) -> None:
        """Write the arrays and the sorted document ids into ``directory``."""
        save_tables(directory, self.arrays(), self.doc_ids)


def save_tables(
    directory: Path, columns: dict[str, npt.NDArray[Any]], doc_ids: Sequence[str]
) -> None:
    """Write a text store's arrays (all but ``d_order``) and its document ids.

    Args:
        directory: The version directory.
        columns: The arrays of :data:`PASSAGE_ARRAYS` and :data:`DOCUMENT_ARRAYS` but
            ``d_order``, which is made here from ``doc_ids``.
        doc_ids: The id of each document row.
    """
    for name, column in columns.items():
        np.save(directory / f"{name}.npy", column.astype(_DTYPES[name]), allow_pickle=False)
    order = sorted(range(len(doc_ids)), key=doc_ids.__getitem__)
    ids = SortedStrings.from_sorted([doc_ids[i] for i in order])
    np.save(directory / "d_order.npy", np.asarray(order, dtype=np.int32), allow_pickle=False)
    for name, values in ids.arrays().items():
        np.save(directory / f"d_ids_{name}.npy", values, allow_pickle=False)


def add_document(
    writer: SegmentWriter, tables: TextTables, document: Document, passages: list[Passage]
) -> None:
    """Append a document and its passages to a text store being built."""
    ref = writer.add_document(document)
    row = tables.add_document(document, ref, tables.passages, len(passages))
    law = LAW_FLAG if document.kind == LAW_KIND else 0
    for passage in passages:
        record = writer.add(passage_record(passage))
        flags = law | (REFS_FLAG if passage.refs else 0)
        tables.add_passage(row, passage.number, passage.line, record, flags)


class TextStore:
    """Read access to the documents and passages of one stored corpus version.

    Args:
        directory: The version directory holding the arrays.
        segments: The segment files, in segment-number order.
    """

    def __init__(self, directory: Path, segments: Sequence[Path]) -> None:
        try:
            self._arrays = {
                name: np.load(directory / f"{name}.npy", mmap_mode="r")
                for name in (*PASSAGE_ARRAYS, *DOCUMENT_ARRAYS)
            }
            ids = {
                name: np.load(directory / f"d_ids_{name}.npy", mmap_mode="r")
                for name in ("blob", "offsets", "prefixes")
            }
            self._segments = [_map(path) for path in segments]
            self._bodies = [_map(segment_files(path)[1]) for path in segments]
        except (OSError, ValueError) as exc:
            raise TextStoreError(f"cannot read stored texts in {directory}: {exc}") from exc
        self._ids = SortedStrings.from_arrays(ids)
        self._check(directory)
        self.document_at = lru_cache(maxsize=4096)(self._document_at)
        self.passage_at = lru_cache(maxsize=4096)(self._passage_at)

    def _check(self, directory: Path) -> None:
        arrays = self._arrays
        n_passages = len(arrays["p_doc"])
        n_docs = len(arrays["d_seg"])
        lengths = {len(arrays[name]) for name in PASSAGE_ARRAYS}
        lengths_d = {len(arrays[name]) for name in DOCUMENT_ARRAYS} | {len(self._ids)}
        if len(lengths) != 1 or len(lengths_d) != 1:
            raise TextStoreError(f"stored texts in {directory} have arrays of different lengths")
        for prefix, count in (("p", n_passages), ("d", n_docs)):
            if not count:
                continue
            segs = arrays[f"{prefix}_seg"]
            if int(segs.max()) >= len(self._segments):
                raise TextStoreError(f"stored texts in {directory} name a missing segment")
        if n_passages and int(arrays["p_doc"].max()) >= n_docs:
            raise TextStoreError(f"stored texts in {directory} name a missing document")
        ends = [len(segment) for segment in self._segments]
        for prefix in ("p", "d"):
            if not len(arrays[f"{prefix}_seg"]):
                continue
            limit = np.asarray(ends, dtype=np.int64)[arrays[f"{prefix}_seg"]]
            if np.any(arrays[f"{prefix}_off"] + arrays[f"{prefix}_len"] > limit):
                raise TextStoreError(f"stored texts in {directory} point past a segment's end")

    @property
    def passage_count(self) -> int:
        """Number of passages."""
        return len(self._arrays["p_doc"])

    @property
    def document_count(self) -> int:
        """Number of documents."""
        return len(self._arrays["d_seg"])

    def _record(self, prefix: str, row: int) -> Any:
        arrays = self._arrays
        segment = self._segments[int(arrays[f"{prefix}_seg"][row])]
        start = int(arrays[f"{prefix}_off"][row])
        end = start + int(arrays[f"{prefix}_len"][row])
        return json.loads(bytes(segment[start:end]).decode("utf-8"))

    def _document_at(self, row: int) -> Document:
        data = self._record("d", row)
        for name in _TUPLE_FIELDS:
            data[name] = tuple(data[name])
        bodies = self._bodies[int(self._arrays["d_seg"][row])]
        start, length = (int(value) for value in data.pop("body"))
        if start < 0 or start + length > len(bodies):
            raise TextStoreError(f"document {data.get('id')!r} points past its bodies file")
        document = StoredDocument(**data, body=None)  # type: ignore[arg-type]
        document.__dict__["_load_body"] = lambda: bytes(bodies[start : start + length]).decode(
            "utf-8"
        )
        return document

    def _passage_at(self, position: int) -> Passage:
        arrays = self._arrays
        document = self.document_at(int(arrays["p_doc"][position]))
        text, heading, sources, refs = self._record("p", position)
        number = int(arrays["p_number"][position])
        return Passage(
            id=f"{document.id}#{number}",
            doc_id=document.id,
            number=number,
            text=text,
            heading=heading,
            language=document.language,
            line=int(arrays["p_line"][position]),
            sources=tuple(sources),
            refs=tuple(refs),
        )

    def document_row(self, doc_id: str) -> int:
        """Return a document's row by id, or -1."""
        position = self._ids.index_of(doc_id)
        return -1 if position < 0 else int(self._arrays["d_order"][position])

    def passage_range(self, row: int) -> tuple[int, int]:
        """Return the first passage position of a document and how many it has."""
        return int(self._arrays["d_first"][row]), int(self._arrays["d_count"][row])

    def document_of(self, position: int) -> int:
        """Return the document row of a passage."""
        return int(self._arrays["p_doc"][position])

    def ref(self, prefix: str, row: int) -> SegmentRef:
        """Return where a passage ("p") or document ("d") record is."""
        arrays = self._arrays
        return SegmentRef(
            int(arrays[f"{prefix}_seg"][row]),
            int(arrays[f"{prefix}_off"][row]),
            int(arrays[f"{prefix}_len"][row]),
        )

    def column(self, name: str) -> npt.NDArray[Any]:
        """Return one of the arrays (memory-mapped)."""
        return self._arrays[name]


class _Reader:
    """Reads byte ranges of a segment file.

    With ``pread`` rather than a memory map: a map counts every page a record touched (and
    the neighbours the kernel maps with it) in the process's resident memory, which at a
    million passages grew by a gigabyte over a thousand questions.
    """

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        self._size = os.fstat(self._fd).st_size
        self._map: mmap.mmap | None = None
        if not hasattr(os, "pread") and self._size:  # pragma: no cover - not POSIX
            self._map = mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, span: slice) -> bytes:
        start, stop = int(span.start), int(span.stop)
        if self._map is not None:  # pragma: no cover - not POSIX
            return self._map[start:stop]
        return os.pread(self._fd, stop - start, start)

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self._fd)


def _map(path: Path) -> _Reader:
    return _Reader(path)


class StoredPassages(Sequence[Passage]):
    """The passages of a :class:`TextStore` in index order, decoded when accessed."""

    def __init__(self, store: TextStore) -> None:
        self._store = store
        self._recent: dict[int, Passage] = {}

    def __len__(self) -> int:
        return self._store.passage_count

    @overload
    def __getitem__(self, position: int) -> Passage: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Passage]: ...

    def __getitem__(self, position: int | slice) -> Passage | Sequence[Passage]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        found = self._recent.get(position)
        if found is not None:
            return found
        size = len(self)
        if not -size <= position < size:
            raise IndexError(position)
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        found = self._recent[position] = self._store.passage_at(position % size)
        return found

    def __iter__(self) -> Iterator[Passage]:
        return (self._store.passage_at(i) for i in range(len(self)))

    def flagged(self, flag: int) -> list[int]:
        """Return the positions of the passages with a ``p_flags`` bit set, in order."""
        return np.flatnonzero(self._store.column("p_flags") & flag).tolist()

    def positions_of(self, doc_id: str) -> range:
        """Return the index positions of one document's passages (empty when unknown)."""
        row = self._store.document_row(doc_id)
        if row < 0:
            return range(0)
        first, count = self._store.passage_range(row)
        return range(first, first + count)

    def by_id(self, passage_id: str) -> Passage | None:
        """Return a passage by its id ``<doc-id>#<n>``, or None."""
        doc_id, _, number = passage_id.rpartition("#")
        row = self._store.document_row(doc_id)
        if row < 0 or not number.isdigit():
            return None
        first, count = self._store.passage_range(row)
        if not 1 <= int(number) <= count:
            return None
        passage = self._store.passage_at(first + int(number) - 1)
        return passage if passage.id == passage_id else None


class StoredDocuments(Mapping[str, Document]):
    """The documents of a :class:`TextStore` by id, decoded when accessed."""

    def __init__(self, store: TextStore) -> None:
        self._store = store
        self._recent: dict[str, Document] = {}

    def __getitem__(self, doc_id: str) -> Document:
        # Answers look the same few documents up hundreds of times (dates, titles).
        found = self._recent.get(doc_id)
        if found is not None:
            return found
        row = self._store.document_row(doc_id) if isinstance(doc_id, str) else -1
        if row < 0:
            raise KeyError(doc_id)
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        found = self._recent[doc_id] = self._store.document_at(row)
        return found

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._store.document_row(doc_id) >= 0

    def __iter__(self) -> Iterator[str]:
        return (self._store.document_at(row).id for row in range(len(self)))

    def __len__(self) -> int:
        return self._store.document_count

    def in_order(self) -> DocumentSequence:
        """Return the documents in knowledge-folder order."""
        return DocumentSequence(self._store)


class DocumentSequence(Sequence[Document]):
    """The documents of a :class:`TextStore` in knowledge-folder order."""

    def __init__(self, store: TextStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return self._store.document_count

    @overload
    def __getitem__(self, row: int) -> Document: ...

    @overload
    def __getitem__(self, row: slice) -> Sequence[Document]: ...

    def __getitem__(self, row: int | slice) -> Document | Sequence[Document]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        size = len(self)
        if not -size <= row < size:
            raise IndexError(row)
        return self._store.document_at(row % size)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
