"""Documents in, passages out: read and validate the knowledge folder, cache it, split passages.

Offers :func:`load_knowledge`, :class:`Knowledge` (with :class:`Concept`, :class:`LegalChange`,
:class:`Problem`, :class:`Source`), :func:`load_knowledge_cached`, :func:`split_passages`,
:func:`content_digest`, :func:`knowledge_files`, and passage anchors (:func:`slug`,
:func:`resolve`, :func:`resolve_anchor`, :func:`anchor_problems`); file importers live in
:mod:`bot.knowledge.importers`.
"""

from bot.knowledge.anchors import (
    heading_slug,
    is_reference,
    resolve,
    resolve_anchor,
    slug,
)
from bot.knowledge.cache import load_knowledge_cached
from bot.knowledge.load import (
    Concept,
    Knowledge,
    LegalChange,
    Problem,
    Source,
    anchor_problems,
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
    "anchor_problems",
    "content_digest",
    "heading_slug",
    "is_reference",
    "knowledge_files",
    "load_knowledge",
    "load_knowledge_cached",
    "resolve",
    "resolve_anchor",
    "slug",
    "split_passages",
]
