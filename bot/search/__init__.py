"""Question and passages in, ranked hits out: clean-up, language, analysis, query terms, BM25.

Offers :class:`Analyzer`, :func:`detect_language`, :class:`Query` / :class:`QueryBuilder`,
:func:`clean`, :class:`Corpus` (:func:`load_corpus`, :func:`knowledge_version`), the stored
corpus (:func:`refresh`) and the index package :mod:`bot.search.index`.
"""

from bot.search.analysis import Analyzer
from bot.search.corpus import (
    Corpus,
    build_corpus,
    knowledge_version,
    load_corpus,
    passage_index_text,
)
from bot.search.language import detect_language
from bot.search.query import Query, QueryBuilder, country_hint
from bot.search.text import clean, fold
from bot.search.update import Refreshed, refresh

__all__ = [
    "Analyzer",
    "Corpus",
    "Query",
    "QueryBuilder",
    "Refreshed",
    "build_corpus",
    "clean",
    "country_hint",
    "detect_language",
    "fold",
    "knowledge_version",
    "load_corpus",
    "passage_index_text",
    "refresh",
]
