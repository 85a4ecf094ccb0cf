"""Ranked hits in, one channel-free Answer out: decide, excerpt, cite, date notes, suggestions.

Offers :class:`Composer`, the decision (:class:`AbstainPolicy`, :class:`Decision`, coverage
:data:`FULL` / :data:`PARTIAL` / :data:`NONE`), :func:`make_excerpt`, and the citation words
every channel shows (:func:`citation_text`, :func:`kind_label`).
"""

from bot.answer.cite import citation_text, kind_label
from bot.answer.compose import Composer
from bot.answer.decide import FULL, NONE, PARTIAL, AbstainPolicy, Decision
from bot.answer.excerpt import make_excerpt

__all__ = [
    "FULL",
    "NONE",
    "PARTIAL",
    "AbstainPolicy",
    "Composer",
    "Decision",
    "citation_text",
    "kind_label",
    "make_excerpt",
]
