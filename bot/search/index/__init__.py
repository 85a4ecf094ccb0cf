"""The sparse BM25 impact index: rank_bm25 ``BM25Okapi`` scores without scanning every passage.

Offers :class:`SearchIndex`, :class:`EmptyIndexError` and :class:`IndexLoadError`.
"""

from bot.search.index.sparse import EmptyIndexError, IndexLoadError, SearchIndex

__all__ = ["EmptyIndexError", "IndexLoadError", "SearchIndex"]
