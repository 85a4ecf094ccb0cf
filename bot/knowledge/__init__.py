"""Documents in, passages out: read and validate the knowledge folder, cache it, split passages.

Offers :func:`load_knowledge`, :class:`Knowledge` (with :class:`Concept`, :class:`LegalChange`,
:class:`Problem`), :func:`load_knowledge_cached`, :func:`split_passages`, :func:`content_digest`
and :func:`knowledge_files`; file importers live in :mod:`bot.knowledge.importers`.
"""

from bot.knowledge.anchors import is_reference, resolve, slug
from bot.knowledge.cache import load_knowledge_cached
from bot.knowledge.load import (
    Concept,
    Knowledge,
    LegalChange,
    Problem,
    Source,
    content_digest,
    knowledge_files,
    load_knowledge,
)
from bot.knowledge.passages import split_passages

__all__ = [
    "Concept",
    "Knowledge",
    "LegalChange",
    "Problem",
    "Source",
    "content_digest",
    "is_reference",
    "knowledge_files",
    "load_knowledge",
    "load_knowledge_cached",
    "resolve",
    "slug",
    "split_passages",
]
