"""Analysed passages and their BM25 index, cached on disk by the knowledge content."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge import Knowledge, load_knowledge
from bot.knowledge.manifest import scan
from bot.models import Document, Passage
from bot.progress import SILENT, Progress
from bot.search.analysis import Analyzer
from bot.search.index import SearchIndex
from bot.search.indexer import (
    INDEX_RECIPE,
    K1,
    B,
    Entries,
    Spans,
    analyse,
    passage_index_text,
    read_passages,
)
from bot.search.stored import StoredVersion, StoreError
from bot.search.texts import (
    LAW_FLAG,
    LAW_KIND,
    REFS_FLAG,
    StoredDocuments,
    StoredPassages,
)
from bot.search.update import refresh, salt_for, stored_knowledge
from bot.search.words import (
    EVERYDAY_DIR,
    EVERYDAY_WORDS,
    RARITY_FLOOR,
    everyday_lookup,
    everyday_stems,
    everyday_zipf,
    rarity_of,
)

__all__ = [
    "EVERYDAY_WORDS",
    "INDEX_RECIPE",
    "K1",
    "NUMBER_WEIGHT",
    "RARITY_FLOOR",
    "B",
    "Corpus",
    "build_corpus",
    "everyday_stems",
    "knowledge_version",
    "load_corpus",
    "passage_index_text",
    "rarity_of",
    "stored_corpus",
]

logger = logging.getLogger(__name__)

NUMBER_WEIGHT = 0.3


@dataclass(frozen=True)
class Corpus:
    """Documents, their passages (index position = list position) and the BM25 index.

    ``documents`` and ``passages`` are a dict and a tuple for a corpus built in memory; for a
    stored one they are a mapping and a sequence that decode a record when it is accessed.
    """

    documents: Mapping[str, Document]
    passages: Sequence[Passage]
    index: SearchIndex
    analyzer: Analyzer
    version: str
    rarity: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    """Term → how rare its words are in everyday language (1 = rare, low = everyday word)."""
    everyday: dict[str, dict[str, float]] = field(default_factory=dict, hash=False, compare=False)
    """Language → stem → rarity of frequent everyday words, including ones not in the corpus."""
    languages: frozenset[str] = field(default=frozenset(), hash=False, compare=False)
    """Languages the passages are written in (from the passages when not given)."""
    folded: Mapping[str, tuple[str, ...]] | None = field(default=None, hash=False, compare=False)
    """The terms' accent-free spellings, when stored (otherwise the query side computes them)."""
    zipf: Callable[[str], float] = field(default=everyday_zipf, hash=False, compare=False)
    """A word's everyday frequency (:func:`everyday_zipf`), from the version's stored table
    when the build wrote one."""

    def __post_init__(self) -> None:
        if not self.languages:
            found = frozenset(passage.language for passage in self.passages)
            object.__setattr__(self, "languages", found)

    def passage(self, passage_id: str) -> Passage | None:
        """Return a passage by its id ``<doc-id>#<n>``, or None."""
        if isinstance(self.passages, StoredPassages):
            return self.passages.by_id(passage_id)
        by_id: dict[str, Passage] | None = self.__dict__.get("_by_id")
        if by_id is None:
            by_id = {passage.id: passage for passage in self.passages}
            object.__setattr__(self, "_by_id", by_id)
        return by_id.get(passage_id)

    def document_positions(self, doc_id: str) -> Sequence[int]:
        """Return the index positions of one document's passages, in order."""
        if isinstance(self.passages, StoredPassages):
            return self.passages.positions_of(doc_id)
        positions: dict[str, list[int]] | None = self.__dict__.get("_positions")
        if positions is None:
            positions = {}
            for number, passage in enumerate(self.passages):
                positions.setdefault(passage.doc_id, []).append(number)
            object.__setattr__(self, "_positions", positions)
        return positions.get(doc_id, [])

    def law_positions(self) -> Sequence[int]:
        """Return the positions of the statutes' passages (documents of kind "law")."""
        return self._flagged(LAW_FLAG)

    def referring_positions(self) -> Sequence[int]:
        """Return the positions of the passages that name other passages (``refs``)."""
        return self._flagged(REFS_FLAG)

    def _flagged(self, flag: int) -> Sequence[int]:
        # A stored corpus keeps these as a column: walking a million passages would cost
        # every start seconds.
        if isinstance(self.passages, StoredPassages):
            return self.passages.flagged(flag)
        found: dict[int, list[int]] | None = self.__dict__.get("_flagged_positions")
        if found is None:
            found = {LAW_FLAG: [], REFS_FLAG: []}
            for position, passage in enumerate(self.passages):
                if self.documents[passage.doc_id].kind == LAW_KIND:
                    found[LAW_FLAG].append(position)
                if passage.refs:
                    found[REFS_FLAG].append(position)
            object.__setattr__(self, "_flagged_positions", found)
        return found[flag]

    def by_document(self) -> Mapping[str, Sequence[Passage]]:
        """Return each document's passages by document id, read when asked for."""
        return _PassagesByDocument(self)

    def idf(self, term: str) -> float:
        """Return a positive, Lucene-style idf used for excerpts and abstention."""
        df = self.index.term_df(term)
        size = max(self.index.size, 1)
        return math.log(1 + (size - df + 0.5) / (df + 0.5))

    def specificity(self, term: str) -> float:
        """Return the term's idf as a share of the largest possible idf (a term in one passage).

        Unlike raw idf this does not grow with the corpus, so abstention thresholds hold for
        a knowledge base of ten passages as well as one of a million.
        """
        size = max(self.index.size, 1)
        ceiling = math.log(1 + (size - 0.5) / 1.5)
        return self.idf(term) / ceiling if ceiling > 0 else 1.0

    def weight(self, term: str) -> float:
        """Return how much a matched term says about the topic: corpus specificity times rarity.

        A small knowledge base makes everyday words look specific ("nyt", "kostar" occur in
        few passages); their frequency in everyday language corrects that.
        """
        if term.isdigit():
            # A bare number ("2025", "18") supports an answer but is no topic of its own;
            # legal references keep their own terms ("§18", "2022:900").
            return self.specificity(term) * NUMBER_WEIGHT
        return self.specificity(term) * self.rarity.get(term, 1.0)

    def word_rarity(self, term: str, language: str) -> float:
        """Return how rare a typed word's stem is in everyday language (1 = rare or unknown).

        Stems in the corpus are rated from the corpus's own words; others from the most
        frequent words of ``language``.
        """
        if term in self.index:
            return self.rarity.get(term, 1.0)
        return self.everyday_rarity(term, language)

    def everyday_rarity(self, term: str, language: str) -> float:
        """Return the rarity of a term the corpus lacks; everyday words ("use") are low."""
        return self.everyday.get(language, {}).get(term, 1.0)


class _PassagesByDocument(Mapping[str, Sequence[Passage]]):
    """A corpus's passages grouped by document, without grouping them all up front."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus

    def __getitem__(self, doc_id: str) -> Sequence[Passage]:
        positions = self._corpus.document_positions(doc_id)
        if not positions:
            raise KeyError(doc_id)
        passages = self._corpus.passages
        return [passages[position] for position in positions]

    def __iter__(self) -> Iterator[str]:
        return iter(self._corpus.documents)

    def __len__(self) -> int:
        return len(self._corpus.documents)


def knowledge_version(directory: Path) -> str:
    """Hash every knowledge file (name and bytes), the analyzer and the index recipe.

    Args:
        directory: The knowledge folder.

    Returns:
        A short hex digest that changes whenever any knowledge file changes.
    """
    return scan(directory).version(salt_for(directory))


def build_corpus(knowledge: Knowledge, version: str = "", progress: Progress = SILENT) -> Corpus:
    """Analyse every passage and build the index in memory (no cache).

    Args:
        knowledge: Loaded knowledge.
        version: The knowledge version to stamp on the corpus.
        progress: Where to show how far the build has come (silent by default).

    Returns:
        The corpus.

    Raises:
        EmptyIndexError: When there are no passages.
    """
    documents: dict[str, Document] = {}
    passages: list[Passage] = []

    def keep(document: Document, found: list[Passage]) -> None:
        documents[document.id] = document
        passages.extend(found)

    entries, spans = Entries(), Spans()
    with progress.step("passages analysed"):
        read_passages(knowledge.documents, entries, spans, keep)
    with progress.step("index built"):
        analysed = analyse(entries, spans)
    return Corpus(
        documents,
        tuple(passages),
        analysed.index,
        Analyzer(analysed.lexicon),
        version,
        analysed.rarity,
        everyday_stems(Analyzer()),
    )


def load_corpus(directory: Path, cache_dir: Path | None) -> tuple[Knowledge, Corpus]:
    """Return the knowledge of a folder and its corpus, from the store when it is current.

    With a cache the folder is checked cheaply (sizes and times) against the newest stored
    version, which is updated or rebuilt when something changed (:func:`bot.search.update.
    refresh`); passages and documents are then read on demand. Without one, everything is
    built in memory.

    Args:
        directory: The knowledge folder.
        cache_dir: Where stored versions live; None builds in memory.

    Returns:
        The knowledge and the corpus.

    Raises:
        EmptyIndexError: When no passage has any text.
    """
    if cache_dir is not None and directory.is_dir():
        try:
            stored = refresh(directory, cache_dir).stored
            try:
                return stored_knowledge(stored), stored_corpus(stored)
            except StoreError as exc:
                logger.warning("stored index %s is broken (%s); rebuilding", stored.directory, exc)
                stored = refresh(directory, cache_dir, full=True).stored
                return stored_knowledge(stored), stored_corpus(stored)
        except OSError as exc:
            logger.warning("could not store the index in %s: %s", cache_dir, exc)
    knowledge = load_knowledge(directory)
    if not knowledge.documents:
        return knowledge, build_corpus(knowledge)  # raises EmptyIndexError
    return knowledge, build_corpus(knowledge, knowledge_version(directory))


def stored_corpus(stored: StoredVersion) -> Corpus:
    """Return the corpus of a stored version; passages and documents are read on demand."""
    rarity, everyday = stored.rarity()
    return Corpus(
        StoredDocuments(stored.texts),
        StoredPassages(stored.texts),
        stored.index,
        Analyzer(stored.lexicon()),
        stored.version,
        rarity,
        everyday,
        stored.languages,
        stored.folded,
        everyday_lookup(stored.directory / EVERYDAY_DIR),
    )
