"""The question-answering service every channel uses: load knowledge once, answer questions."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from bot.answer import AbstainPolicy, Composer
from bot.knowledge import Knowledge, load_knowledge
from bot.models import Answer, Citation, Document, Passage, Suggestion, Topic
from bot.search import (
    QUERY_TABLES_VERSION,
    Corpus,
    Query,
    QueryBuilder,
    clean,
    detect_language,
    drop_masks,
    load_corpus,
)
from bot.search.index import EmptyIndexError
from bot.search.language import LANGUAGE_CODES, domain_words

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
_SHORTENED = {
    "sv": "Frågan var lång och har kortats till de första {n} tecknen.",
    "da": "Spørgsmålet var langt og er forkortet til de første {n} tegn.",
    "en": "The question was long and has been cut to its first {n} characters.",
}


_PREPARED_FILE = f"query-tables-v{QUERY_TABLES_VERSION}.json"


def _read_json(path: Path | None) -> dict[str, Any] | None:
    """Read a cached JSON object; None when absent or unreadable (it is then rebuilt)."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write a cache file atomically; a failure only costs speed next time."""
    try:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        logger.info("could not cache %s: %s", path, exc)


class EmptyQuestion(ValueError):
    """The question is empty once invisible characters and spaces are removed."""


class KnowledgeUnavailable(Exception):
    """No usable knowledge: the folder is missing, empty or every document is broken."""


def prepare_question(question: str) -> tuple[str, bool]:
    """Clean a question (masks of redacted personal data are no words) and cut it.

    Args:
        question: Raw user input.

    Returns:
        The cleaned question and whether it was shortened.

    Raises:
        EmptyQuestion: When nothing is left.
    """
    text = clean(drop_masks(question))
    if not text:
        raise EmptyQuestion("the question is empty")
    if len(text) <= MAX_QUESTION_CHARS:
        return text, False
    cut = text[:MAX_QUESTION_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_QUESTION_CHARS * 0.8 else cut).rstrip() + " …", True


class QAService:
    """Answers questions from one knowledge folder.

    Build it with :meth:`open`. The object is immutable after construction, so a reload
    builds a new service and swaps it in.
    """

    def __init__(
        self,
        knowledge: Knowledge,
        corpus: Corpus,
        policy: AbstainPolicy | None = None,
        cache: Path | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.corpus = corpus
        self.composer = Composer(
            corpus,
            knowledge.topics,
            knowledge.changes,
            policy,
            sources=knowledge.sources,
            concepts=knowledge.concepts,
        )
        prepared_file = cache / corpus.version / _PREPARED_FILE if cache else None
        self.queries = QueryBuilder(
            corpus.analyzer,
            knowledge.concepts,
            corpus.index.vocabulary,
            corpus.languages,
            prepared=_read_json(prepared_file),
            rarity=corpus.word_rarity,
            folded=corpus.folded,
            frequency=corpus.index.term_df,
            zipf=corpus.zipf,
        )
        self.domain_words = domain_words(
            {
                language: [
                    term for concept in knowledge.concepts for term in concept.terms[language]
                ]
                for language in LANGUAGE_CODES
            }
        )
        if prepared_file is not None and not prepared_file.is_file():
            _write_json(prepared_file, self.queries.prepared())

    @classmethod
    def open(
        cls,
        knowledge_dir: Path,
        cache_dir: Path | None = None,
        policy: AbstainPolicy | None = None,
    ) -> QAService:
        """Load knowledge and its index (from the cache when unchanged).

        Broken documents are skipped; their problems are in :attr:`warnings`.

        Args:
            knowledge_dir: The knowledge folder.
            cache_dir: Index cache folder; None builds in memory only.
            policy: Abstention thresholds (defaults when None).

        Returns:
            The service.

        Raises:
            KnowledgeUnavailable: When no document can be used.
        """
        try:
            knowledge, corpus = load_corpus(knowledge_dir, cache_dir)
        except EmptyIndexError:
            knowledge = load_knowledge(knowledge_dir)
            if knowledge.documents:
                reason = f"{knowledge_dir}: the documents contain no text"
            elif knowledge.problems:
                reason = str(knowledge.problems[0])
            else:
                reason = f"{knowledge_dir}: no documents"
            raise KnowledgeUnavailable(reason) from None
        reported: set[str] = set()
        for problem in knowledge.problems:
            if problem.path not in reported:
                reported.add(problem.path)
                logger.info("skipped %s", problem)
        return cls(knowledge, corpus, policy, cache_dir)

    @property
    def version(self) -> str:
        """Content hash of the knowledge the index was built from."""
        return self.corpus.version

    @property
    def warnings(self) -> tuple[str, ...]:
        """Problems found while loading, as ``file:line: message``."""
        return tuple(str(problem) for problem in self.knowledge.problems)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Topics the bot offers."""
        return self.knowledge.topics

    @property
    def documents(self) -> tuple[Document, ...]:
        """Documents in the index."""
        return self.knowledge.documents

    def document(self, doc_id: str) -> Document | None:
        """Return a document by id."""
        return self.corpus.documents.get(doc_id)

    def passage(self, passage_id: str) -> Passage | None:
        """Return a passage by its id ``<doc-id>#<n>``."""
        return self.corpus.passage(passage_id)

    def cite(self, passage_id: str) -> Citation | None:
        """Return the citation of a passage by id, or None when there is no such passage."""
        passage = self.corpus.passage(passage_id)
        return self.composer.citer.cite(passage) if passage is not None else None

    def browse(self, question: str, *, language: str | None = None) -> Answer:
        """Return the best passages for a question without deciding whether they answer it.

        For inline mode, where a few words ("IOP", "§ 18") are a search, not a question; the
        results are ranked and excerpted as in :meth:`ask`.

        Raises:
            EmptyQuestion: When the question is empty after cleaning.
        """
        text, _ = prepare_question(question)
        detected = self.detect_language(text)
        query = self.queries.build(text, detected)
        reply_language = language if language in _SHORTENED else detected
        return self.composer.compose(query, text, (), reply_language, AbstainPolicy.always())

    def nearest(self, question: str) -> tuple[str, float] | None:
        """Return the closest passage to a question, with no abstention (for gap reports).

        Args:
            question: Any question, answered or not.

        Returns:
            ``(passage_id, score)``, or None when nothing matches or the question is empty.
        """
        try:
            query = self.query(question)
        except EmptyQuestion:
            return None
        hits = self.composer.ranked(query)
        if not hits:
            return None
        position, score = hits[0]
        return self.corpus.passages[position].id, score

    def suggestions(self, language: str) -> tuple[Suggestion, ...]:
        """Return topic suggestions in ``language``."""
        return self.composer.suggestions(language)

    def detect_language(self, text: str, default: str = "sv") -> str:
        """Guess a question's language, with the glossary's domain words as one signal."""
        return detect_language(text, default, self.domain_words)

    def query(self, question: str, language: str | None = None) -> Query:
        """Analyse a question without searching (for diagnostics and evaluation)."""
        text, _ = prepare_question(question)
        return self.queries.build(text, language or self.detect_language(text))

    def ask(self, question: str, *, language: str | None = None) -> Answer:
        """Answer a question with cited passages, or say it is not covered.

        Args:
            question: The user's question in Swedish, Danish or English.
            language: Force the answer language; detected from the question when None.

        Returns:
            The answer.

        Raises:
            EmptyQuestion: When the question is empty after cleaning.
        """
        text, shortened = prepare_question(question)
        detected = self.detect_language(text)
        reply_language = language if language in _SHORTENED else detected
        notices = (_SHORTENED[reply_language].format(n=MAX_QUESTION_CHARS),) if shortened else ()
        query = self.queries.build(text, detected)
        return self.composer.compose(query, text, notices, reply_language)
