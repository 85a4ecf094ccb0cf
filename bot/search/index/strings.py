"""A sorted table of distinct strings that is opened, not parsed: one UTF-8 blob plus offsets.

A million index terms as a Python dict cost ~0.3 s and ~100 MB at every start. Stored sorted
(by code point, which is UTF-8 byte order), a string is found by binary search instead: a
``numpy.searchsorted`` over the first eight bytes of every string narrows the range, and a
few byte comparisons settle it. Nothing is decoded until asked for.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Iterator, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

PREFIX_BYTES = 8
_CACHE_LIMIT = 65_536


class SortedStrings(Collection[str]):
    """Distinct strings in code-point order, addressed by position.

    Args:
        blob: The strings' UTF-8 bytes, concatenated in order.
        offsets: ``len + 1`` int64 offsets into ``blob``.
        prefixes: The first eight bytes of each string as a big-endian uint64 (zero padded).
    """

    def __init__(
        self,
        blob: bytes | memoryview | npt.NDArray[np.uint8],
        offsets: npt.NDArray[np.int64],
        prefixes: npt.NDArray[np.uint64],
    ) -> None:
        self._blob: bytes | memoryview = (
            blob if isinstance(blob, bytes) else memoryview(blob).cast("B")  # type: ignore[arg-type]
        )
        self._offsets = offsets
        self._prefixes = prefixes
        self._cache: dict[str, int] = {}

    @classmethod
    def from_sorted(cls, strings: Sequence[str]) -> SortedStrings:
        """Build the table from distinct strings already in code-point order.

        Raises:
            ValueError: If the strings are not strictly ascending or contain NUL.
        """
        encoded = [s.encode("utf-8") for s in strings]
        blob = b"".join(encoded)
        if b"\0" in blob:
            raise ValueError("strings must not contain NUL characters")
        if any(a >= b for a, b in pairwise(encoded)):
            raise ValueError("strings must be distinct and sorted")
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(blob, offsets, _prefixes(np.frombuffer(blob, dtype=np.uint8), offsets))

    def merged(self, insert: Sequence[str], delete: npt.ArrayLike = ()) -> SortedStrings:
        """Return a copy without the strings at ``delete`` and with ``insert`` added.

        Costs one copy of the bytes, however many strings there are: an incremental update
        of a million-term vocabulary need not decode it.

        Args:
            insert: New strings (not in the table, distinct, in any order).
            delete: Positions of strings to leave out.

        Raises:
            ValueError: If a new string is already in the table or contains NUL.
        """
        fresh = sorted(insert)
        if any(a == b for a, b in pairwise(fresh)) or any(self.index_of(s) >= 0 for s in fresh):
            raise ValueError("inserted strings must be new and distinct")
        removed = np.zeros(len(self), dtype=bool)
        removed[np.asarray(delete, dtype=np.int64)] = True
        at = [self.insertion_point(s) for s in fresh]
        encoded = [s.encode("utf-8") for s in fresh]
        if any(b"\0" in item for item in encoded):
            raise ValueError("strings must not contain NUL characters")
        inserted: dict[int, list[bytes]] = {}
        for position, item in zip(at, encoded, strict=True):
            inserted.setdefault(position, []).append(item)
        # Runs of kept strings are copied whole; new strings go in front of their position.
        gone = np.flatnonzero(removed).tolist()
        cuts = sorted({0, len(self), *at, *gone, *(r + 1 for r in gone)})
        pieces: list[bytes] = []
        for lo, hi in pairwise(cuts):
            pieces.extend(inserted.get(lo, ()))
            if not removed[lo]:
                start, end = int(self._offsets[lo]), int(self._offsets[hi])
                pieces.append(bytes(self._blob[start:end]))
        pieces.extend(inserted.get(len(self), ()))
        new_blob = b"".join(pieces)
        lengths = np.diff(self._offsets)
        keep = np.flatnonzero(~removed)
        before = np.searchsorted(keep, at, side="left")
        new_lengths = np.insert(lengths[keep], before, [len(item) for item in encoded])
        offsets = np.zeros(len(new_lengths) + 1, dtype=np.int64)
        np.cumsum(new_lengths, out=offsets[1:])
        prefixes = np.insert(self._prefixes[keep], before, prefix_keys(encoded))
        return SortedStrings(new_blob, offsets, prefixes.astype(np.uint64))

    def insertion_point(self, text: str) -> int:
        """Return how many strings of the table sort before ``text``."""
        key = text.encode("utf-8", "surrogatepass")
        prefix = prefix_keys([key])[0]
        lo = int(np.searchsorted(self._prefixes, prefix, side="left"))
        hi = int(np.searchsorted(self._prefixes, prefix, side="right"))
        return bisect.bisect_left(_Slice(self, lo), key, 0, hi - lo) + lo

    def positions(self) -> Iterator[tuple[int, str]]:
        """Yield every ``(position, string)``, decoding the blob once."""
        return enumerate(self.to_list())

    @classmethod
    def build(cls, strings: Iterable[str]) -> SortedStrings:
        """Build the table from any strings (sorted and deduplicated here)."""
        return cls.from_sorted(sorted(set(strings)))

    # ------------------------------------------------------------------ arrays

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Return the arrays that :meth:`from_arrays` takes back (for saving)."""
        return {
            "blob": np.frombuffer(self._blob, dtype=np.uint8),
            "offsets": self._offsets,
            "prefixes": self._prefixes,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, npt.NDArray[Any]]) -> SortedStrings:
        """Wrap arrays written from :meth:`arrays` (possibly memory-mapped)."""
        blob = arrays["blob"]
        return cls(blob if len(blob) else b"", arrays["offsets"], arrays["prefixes"])

    # ------------------------------------------------------------------ lookup

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _bytes(self, position: int) -> bytes:
        start, end = self._offsets[position : position + 2].tolist()
        return bytes(self._blob[start:end])

    def char_lengths(self, lo: int, hi: int) -> npt.NDArray[np.int64]:
        """Return the length in characters of the strings at ``lo..hi-1``, decoding none."""
        if hi <= lo:
            return np.zeros(0, dtype=np.int64)
        start, end = int(self._offsets[lo]), int(self._offsets[hi])
        data = np.frombuffer(self._blob, dtype=np.uint8)[start:end]
        # UTF-8 continuation bytes are 10xxxxxx; every other byte starts a character.
        starts = np.zeros(end - start + 1, dtype=np.int64)
        np.cumsum((data & 0xC0) != 0x80, out=starts[1:])
        return np.diff(starts[np.asarray(self._offsets[lo : hi + 1]) - start])

    def __getitem__(self, position: int) -> str:
        if not -len(self) <= position < len(self):
            raise IndexError(position)
        return self._bytes(position % len(self)).decode("utf-8")

    def index_of(self, text: str) -> int:
        """Return the position of ``text``, or -1 when it is not in the table."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        key = text.encode("utf-8", "surrogatepass")
        prefix = prefix_keys([key])
        lo = int(np.searchsorted(self._prefixes, prefix[0], side="left"))
        hi = int(np.searchsorted(self._prefixes, prefix[0], side="right"))
        found = -1
        if hi > lo:
            position = bisect.bisect_left(_Slice(self, lo), key, 0, hi - lo) + lo
            if position < hi and self._bytes(position) == key:
                found = position
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = found
        return found

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.index_of(text) >= 0

    def to_list(self) -> list[str]:
        """Return every string (decodes the whole blob once)."""
        if not len(self):
            return []
        data = bytes(self._blob[: int(self._offsets[-1])])
        bounds = self._offsets.tolist()
        return [data[a:b].decode("utf-8") for a, b in pairwise(bounds)]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_list())


class _Slice(Sequence[bytes]):
    """The table's strings from ``start`` on, as bytes (for :func:`bisect.bisect_left`)."""

    def __init__(self, table: SortedStrings, start: int) -> None:
        self._table = table
        self._start = start

    def __len__(self) -> int:
        return len(self._table) - self._start

    def __getitem__(self, position: Any) -> Any:
        return self._table._bytes(self._start + position)


def _prefixes(
    blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """Return the first eight bytes of every string of a blob as big-endian uint64s."""
    starts = offsets[:-1]
    lengths = np.diff(offsets)
    table = np.zeros((len(starts), PREFIX_BYTES), dtype=np.uint8)
    for column in range(PREFIX_BYTES):
        present = lengths > column
        table[present, column] = blob[starts[present] + column]
    return table.view(">u8").reshape(-1).astype(np.uint64)


def prefix_keys(encoded: Sequence[bytes]) -> npt.NDArray[np.uint64]:
    """Return each byte string's first eight bytes as a big-endian uint64, zero padded."""
    padded = b"".join(item[:PREFIX_BYTES].ljust(PREFIX_BYTES, b"\0") for item in encoded)
    return np.frombuffer(padded, dtype=">u8").astype(np.uint64)
