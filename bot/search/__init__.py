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
from bot.search.query import QUERY_TABLES_VERSION, Query, QueryBuilder, Unit
from bot.search.questions import country_hint, country_of
from bot.search.text import clean, drop_masks, fold
from bot.search.update import Refreshed, refresh

__all__ = [
    "QUERY_TABLES_VERSION",
    "Analyzer",
    "Corpus",
    "Query",
    "QueryBuilder",
    "Refreshed",
    "Unit",
    "build_corpus",
    "clean",
    "country_hint",
    "country_of",
    "detect_language",
    "drop_masks",
    "fold",
    "knowledge_version",
    "load_corpus",
    "passage_index_text",
    "refresh",
]
