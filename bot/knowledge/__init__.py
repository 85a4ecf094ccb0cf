"""Documents in, passages out: read and validate the knowledge folder, cache it, split passages.

Offers :func:`load_knowledge`, :class:`Knowledge` (with :class:`Concept`, :class:`LegalChange`,
:class:`Problem`), :func:`load_knowledge_cached`, :func:`split_passages`, :func:`content_digest`
and :func:`knowledge_files`; file importers live in :mod:`bot.knowledge.importers`.
"""

from bot.knowledge.cache import load_knowledge_cached
from bot.knowledge.load import (
    Concept,
    Knowledge,
    LegalChange,
    Problem,
    content_digest,
    knowledge_files,
    load_knowledge,
)
from bot.knowledge.passages import (
    anchor_problems,
    heading_slug,
    resolve_anchor,
    split_passages,
)

__all__ = [
    "Concept",
    "Knowledge",
    "LegalChange",
    "Problem",
    "anchor_problems",
    "content_digest",
    "heading_slug",
    "knowledge_files",
    "load_knowledge",
    "load_knowledge_cached",
    "resolve_anchor",
    "split_passages",
]
