"""Analysed passages and their BM25 index, cached on disk by the knowledge content."""

from __future__ import annotations

import json
import logging
import math
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge import Knowledge, content_digest, split_passages
from bot.models import Document, Passage
from bot.progress import SILENT, Progress
from bot.search.analysis import ANALYZER_VERSION, Analyzer
from bot.search.index import IndexLoadError, SearchIndex

logger = logging.getLogger(__name__)

_LEXICON_FILE = "lexicon.json"
_RARITY_FILE = "rarity.json"
_INDEX_DIR = "bm25"
_KEEP_CACHES = 3
NUMBER_WEIGHT = 0.3
K1 = 1.5
B = 0.75
INDEX_RECIPE = f"passage-text=author+heading*2+text;k1={K1};b={B};rarity=3"
"""Everything besides the analyzer that shapes the index; part of the cache key."""


@dataclass(frozen=True)
class Corpus:
    """Documents, their passages (index position = list position) and the BM25 index."""

    documents: dict[str, Document]
    passages: tuple[Passage, ...]
    index: SearchIndex
    analyzer: Analyzer
    version: str
    rarity: dict[str, float] = field(default_factory=dict, hash=False, compare=False)
    """Term → how rare its words are in everyday language (1 = rare, low = everyday word)."""
    everyday: dict[str, dict[str, float]] = field(default_factory=dict, hash=False, compare=False)
    """Language → stem → rarity of frequent everyday words, including ones not in the corpus."""

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


def passage_index_text(document: Document, passage: Passage) -> str:
    """Return the text indexed for a passage: its heading gives context, its author a name.

    The author makes "according to Trine Torp …" find every passage of her column. The
    document title is left out: repeated in every passage of a guide it cannot tell them
    apart, and it made the guide's generic passages (the disclaimer) rank with the answer.
    The heading counts twice: it names what the passage is about ("Vad är ett IOP?",
    "Kriterier för IOP"), a field weighted above the body.
    """
    return "\n".join(
        part for part in (document.author, passage.heading, passage.heading, passage.text) if part
    )


def knowledge_version(directory: Path) -> str:
    """Hash every knowledge file (name and bytes) and the analyzer version.

    Args:
        directory: The knowledge folder.

    Returns:
        A short hex digest that changes whenever any knowledge file changes.
    """
    return content_digest(directory, f"analyzer={ANALYZER_VERSION};{INDEX_RECIPE}")


def _split(knowledge: Knowledge) -> tuple[dict[str, Document], list[Passage]]:
    documents = {document.id: document for document in knowledge.documents}
    passages = [
        passage for document in knowledge.documents for passage in split_passages(document)
    ]
    return documents, passages


def _lexicon(
    documents: dict[str, Document], passages: Iterable[Passage], analyzer: Analyzer
) -> set[str]:
    """First pass: the stems of all words, which compound parts must belong to."""
    lexicon: set[str] = set()
    for passage in passages:
        text = passage_index_text(documents[passage.doc_id], passage)
        lexicon.update(
            t for t in analyzer.terms(text, passage.language) if t.isalpha() and len(t) >= 4
        )
    return lexicon


def build_corpus(knowledge: Knowledge, version: str = "", progress: Progress = SILENT) -> Corpus:
    """Analyse every passage and build the index (no cache).

    Args:
        knowledge: Loaded knowledge.
        version: The knowledge version to stamp on the corpus.
        progress: Shows the passes over the passages (``python -m bot index`` in a terminal).

    Returns:
        The corpus.

    Raises:
        EmptyIndexError: When there are no passages.
    """
    documents, passages = _split(knowledge)
    unit = "passage"
    compounds = progress.track(passages, "compound words", unit=unit)
    analyzer = Analyzer(_lexicon(documents, compounds, Analyzer()))
    tokens = [
        analyzer.terms(passage_index_text(documents[p.doc_id], p), p.language)
        for p in progress.track(passages, "passages analysed", unit=unit)
    ]
    with progress.step("index built"):
        index = SearchIndex.build(tokens, k1=K1, b=B)
    rarity = term_rarity(documents, progress.track(passages, "word rarity", unit=unit), analyzer)
    with progress.step("everyday words"):
        everyday = everyday_stems(analyzer)
    return Corpus(documents, tuple(passages), index, analyzer, version, rarity, everyday)


EVERYDAY_WORDS = 5000


def everyday_stems(analyzer: Analyzer) -> dict[str, dict[str, float]]:
    """Rate the stems of each language's most frequent words (wordfreq), for unknown query words.

    Args:
        analyzer: Provides the stemmers.

    Returns:
        Language → stem → rarity below 1.
    """
    try:
        from wordfreq import top_n_list, zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a declared dependency
        return {}
    result: dict[str, dict[str, float]] = {}
    for language in ("sv", "da", "en"):
        stems: dict[str, float] = {}
        for word in top_n_list(language, EVERYDAY_WORDS):
            if not word.isalpha():
                continue
            rarity = rarity_of(zipf_frequency(word, language))
            stem = analyzer.stem(word, language)
            stems[stem] = min(stems.get(stem, 1.0), rarity)
        result[language] = {stem: value for stem, value in stems.items() if value < 1.0}
    return result


def term_rarity(
    documents: dict[str, Document], passages: Iterable[Passage], analyzer: Analyzer
) -> dict[str, float]:
    """Rate each term by how common its words are in everyday language (wordfreq Zipf scale).

    Args:
        documents: Documents by id.
        passages: All passages.
        analyzer: The analyzer that produced the index terms.

    Returns:
        Term → rarity in [RARITY_FLOOR, 1]; terms of everyday words get low values.
    """
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a declared dependency
        return {}
    zipf: dict[str, float] = {}
    for passage in passages:
        text = passage_index_text(documents[passage.doc_id], passage)
        for span in analyzer.spans(text, passage.language):
            if not span.terms:
                continue
            word = text[span.start : span.end].casefold()
            # A word common in any of the three languages is generic: English questions meet
            # English fragments in the texts ("good practice", "public"), so all three count.
            frequency = (
                max(zipf_frequency(word, lang) for lang in ("sv", "da", "en"))
                if word.isalpha()
                else 0.0
            )
            for term in span.terms[:1]:
                zipf[term] = max(zipf.get(term, 0.0), frequency)
    return {term: rarity_of(value) for term, value in zipf.items() if rarity_of(value) < 1.0}


RARITY_FLOOR = 0.15


def rarity_of(zipf: float) -> float:
    """Map a Zipf frequency to a rarity: ≤3 (rare) → 1, 6 (very common) → the floor."""
    return min(1.0, max(RARITY_FLOOR, (6.0 - zipf) / 3.0))


def open_corpus(
    knowledge: Knowledge, directory: Path, cache_dir: Path | None, version: str | None = None
) -> Corpus:
    """Load the corpus from the cache when the knowledge is unchanged, else build and cache it.

    Args:
        knowledge: Loaded knowledge (passages are always re-split: that is cheap).
        directory: The knowledge folder (for the content hash).
        cache_dir: Where cached indexes live; None disables caching.
        version: :func:`knowledge_version` of ``directory``, when already computed.

    Returns:
        The corpus.
    """
    version = version or knowledge_version(directory)
    if cache_dir is None:
        return build_corpus(knowledge, version)
    target = cache_dir / version
    documents, passages = _split(knowledge)
    try:
        lexicon = json.loads((target / _LEXICON_FILE).read_text(encoding="utf-8"))
        rarity = json.loads((target / _RARITY_FILE).read_text(encoding="utf-8"))
        index = SearchIndex.load(target / _INDEX_DIR)
        if index.size == len(passages) and isinstance(lexicon, list) and isinstance(rarity, dict):
            return Corpus(
                documents,
                tuple(passages),
                index,
                Analyzer(lexicon),
                version,
                rarity.get("terms", {}),
                rarity.get("everyday", {}),
            )
        logger.warning("cached index %s does not fit the knowledge; rebuilding", target)
    except (OSError, ValueError, IndexLoadError):
        pass
    corpus = build_corpus(knowledge, version)
    try:
        save_corpus(corpus, target)
        _prune(cache_dir, keep=version)
    except OSError as exc:
        logger.warning("could not cache the index in %s: %s", cache_dir, exc)
    return corpus


def save_corpus(corpus: Corpus, target: Path) -> None:
    """Write the index and the compound lexicon to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    corpus.index.save(target / _INDEX_DIR)
    tmp = target / f"{_LEXICON_FILE}.tmp"
    tmp.write_text(
        json.dumps(sorted(corpus.analyzer.lexicon), ensure_ascii=False), encoding="utf-8"
    )
    tmp.replace(target / _LEXICON_FILE)
    tmp = target / f"{_RARITY_FILE}.tmp"
    data = {"terms": corpus.rarity, "everyday": corpus.everyday}
    tmp.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    tmp.replace(target / _RARITY_FILE)


def _prune(cache_dir: Path, keep: str) -> None:
    """Remove old cached versions, keeping the newest few."""
    versions = sorted(
        (path for path in cache_dir.iterdir() if path.is_dir() and path.name != keep),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for old in versions[_KEEP_CACHES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
