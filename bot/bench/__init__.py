"""Benchmarks of the sparse index against rank_bm25 on synthetic knowledge bases.

Offers :func:`main` (``python -m bot bench`` and ``python -m bot.bench``).
"""

from bot.bench.run import main

__all__ = ["main"]
