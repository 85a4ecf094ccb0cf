"""Accent-free spellings of the index terms, stored with the index and looked up in place.

:func:`bot.search.analysis.folded_variants` maps "overenskommelse" to "överenskommelse" for
questions typed without accents. For a million terms that mapping is a JSON file of 20 MB
that every start would parse; stored as a sorted table of spellings pointing at term ids, it
is opened, and a question reads the few entries it looks up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.index.strings import SortedStrings
from bot.search.text import fold

NAMES = ("blob", "offsets", "prefixes")


class FoldedTerms(Mapping[str, tuple[str, ...]]):
    """``fold(term)`` → the index terms it stands for, where folding changes something.

    Args:
        keys: The folded spellings.
        pointers: ``len(keys) + 1`` offsets into ``ids``.
        ids: Term ids (positions in ``terms``), ascending within a spelling.
        terms: The index terms.
    """

    def __init__(
        self,
        keys: SortedStrings,
        pointers: npt.NDArray[np.int64],
        ids: npt.NDArray[np.int32],
        terms: SortedStrings,
    ) -> None:
        self._keys = keys
        self._pointers = pointers
        self._ids = ids
        self._terms = terms

    @classmethod
    def build(cls, terms: SortedStrings) -> FoldedTerms:
        """Fold every index term (as ``folded_variants`` does) and tabulate the changed ones."""
        arrays = terms.arrays()
        blob, offsets = arrays["blob"], arrays["offsets"]
        high = np.zeros(len(blob) + 1, dtype=np.int64)
        np.cumsum(blob >= 0x80, out=high[1:])
        accented = np.flatnonzero(high[offsets[1:]] > high[offsets[:-1]])
        words = [terms[int(i)] for i in accented]
        table = {ord(char): fold(char) for char in set("".join(words)) if not char.isascii()}
        pairs = [
            (folded, int(position))
            for word, position in zip(words, accented.tolist(), strict=True)
            if (folded := word.translate(table)) != word
        ]
        pairs.sort()
        keys = sorted({folded for folded, _ in pairs})
        counts = np.zeros(len(keys), dtype=np.int64)
        index = {key: number for number, key in enumerate(keys)}
        for folded, _ in pairs:
            counts[index[folded]] += 1
        pointers = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(counts, out=pointers[1:])
        ids = np.asarray([position for _, position in pairs], dtype=np.int32)
        return cls(SortedStrings.from_sorted(keys), pointers, ids, terms)

    def updated(self, terms: SortedStrings, term_map: npt.NDArray[np.int64]) -> FoldedTerms:
        """Return the table of an updated index, folding only the terms that are new.

        Args:
            terms: The new index terms.
            term_map: New id of each old term, -1 for a term that went.

        Returns:
            The same table :meth:`build` would make from ``terms``.
        """
        old_keys = self._keys
        n_keys = len(old_keys)
        key_of = np.repeat(np.arange(n_keys, dtype=np.int64), np.diff(self._pointers))
        new_ids = term_map[np.asarray(self._ids, dtype=np.int64)]
        keep = new_ids >= 0
        covered = np.zeros(len(terms), dtype=bool)
        covered[term_map[term_map >= 0]] = True
        fresh: list[tuple[str, int]] = []
        for position in np.flatnonzero(~covered).tolist():
            term = terms[position]
            if not term.isascii() and (folded := fold(term)) != term:
                fresh.append((folded, position))
        alive = np.bincount(key_of[keep], minlength=n_keys) > 0
        reused = np.array(
            [found for key, _ in fresh if (found := old_keys.index_of(key)) >= 0], dtype=np.int64
        )
        dead = np.flatnonzero(~alive)
        dead = dead[~np.isin(dead, reused)]
        added = sorted({key for key, _ in fresh if old_keys.index_of(key) < 0})
        keys = old_keys.merged(added, dead) if added or len(dead) else old_keys
        gone = np.zeros(n_keys, dtype=np.int64)
        gone[dead] = 1
        at = np.array([old_keys.insertion_point(key) for key in added], dtype=np.int64)
        shift = np.searchsorted(at, np.arange(n_keys), side="right") - (np.cumsum(gone) - gone)
        new_key_of_old = np.arange(n_keys) + shift
        entry_keys = np.concatenate(
            [new_key_of_old[key_of[keep]], [keys.index_of(key) for key, _ in fresh]]
        ).astype(np.int64)
        entry_ids = np.concatenate([new_ids[keep], [position for _, position in fresh]])
        order = np.lexsort((entry_ids, entry_keys))
        pointers = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(entry_keys, minlength=len(keys)), out=pointers[1:])
        return FoldedTerms(keys, pointers, entry_ids[order].astype(np.int32), terms)

    def save(self, directory: Path) -> None:
        """Write the table's arrays into ``directory``."""
        for name, values in self._keys.arrays().items():
            np.save(directory / f"folded_{name}.npy", values, allow_pickle=False)
        np.save(directory / "folded_pointers.npy", self._pointers, allow_pickle=False)
        np.save(directory / "folded_ids.npy", self._ids, allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, terms: SortedStrings) -> FoldedTerms:
        """Open a table written by :meth:`save` (memory-mapped).

        Raises:
            OSError, ValueError: When the files are missing or do not fit together.
        """
        parts: dict[str, Any] = {
            name: np.load(directory / f"folded_{name}.npy", mmap_mode="r") for name in NAMES
        }
        keys = SortedStrings.from_arrays(parts)
        pointers = np.load(directory / "folded_pointers.npy", mmap_mode="r")
        ids = np.load(directory / "folded_ids.npy", mmap_mode="r")
        if len(pointers) != len(keys) + 1 or int(pointers[-1]) != len(ids):
            raise ValueError(f"the folded spellings in {directory} do not fit together")
        if len(ids) and int(ids.max()) >= len(terms):
            raise ValueError(f"the folded spellings in {directory} name unknown terms")
        return cls(keys, pointers, ids, terms)

    def __getitem__(self, key: str) -> tuple[str, ...]:
        position = self._keys.index_of(key) if isinstance(key, str) else -1
        if position < 0:
            raise KeyError(key)
        lo, hi = int(self._pointers[position]), int(self._pointers[position + 1])
        return tuple(self._terms[int(i)] for i in self._ids[lo:hi])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._keys.index_of(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
