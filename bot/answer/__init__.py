"""Ranked hits in, one channel-free Answer out: decide, excerpt, cite, date notes, suggestions.

Offers :class:`Composer` and :class:`AbstainPolicy`, :func:`make_excerpt`, and the citation
words every channel shows (:func:`citation_text`, :func:`kind_label`).
"""

from bot.answer.cite import citation_text, kind_label
from bot.answer.compose import AbstainPolicy, Composer
from bot.answer.excerpt import make_excerpt

__all__ = ["AbstainPolicy", "Composer", "citation_text", "kind_label", "make_excerpt"]
