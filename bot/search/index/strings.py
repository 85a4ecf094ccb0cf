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
        if any(b"\0" in item for item in encoded):
            raise ValueError("strings must not contain NUL characters")
        if any(a >= b for a, b in pairwise(encoded)):
            raise ValueError("strings must be distinct and sorted")
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        blob = b"".join(encoded)
        return cls(blob, offsets, prefix_keys(encoded))

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


def prefix_keys(encoded: Sequence[bytes]) -> npt.NDArray[np.uint64]:
    """Return each byte string's first eight bytes as a big-endian uint64, zero padded."""
    padded = b"".join(item[:PREFIX_BYTES].ljust(PREFIX_BYTES, b"\0") for item in encoded)
    return np.frombuffer(padded, dtype=">u8").astype(np.uint64)
