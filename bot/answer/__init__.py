"""Ranked hits in, one channel-free Answer out: decide, excerpt, cite, date notes, suggestions.

Offers :class:`Composer` and :class:`AbstainPolicy`, and :func:`make_excerpt`.
"""

from bot.answer.compose import AbstainPolicy, Composer
from bot.answer.excerpt import make_excerpt

__all__ = ["AbstainPolicy", "Composer", "make_excerpt"]
