"""A plain BM25 baseline: rank_bm25 over the same passages and stemmer, nothing else.

No glossary, no rescoring, no language preference, no refusals: any machinery of the bot
that does worse than this on a class of questions shows at once in ``eval``.
"""

from __future__ import annotations

from rank_bm25 import BM25Okapi

from bot.search import Corpus, detect_language, passage_index_text


class PlainBM25:
    """rank_bm25's ``BM25Okapi`` over the corpus's passages, analysed as the bot does.

    Args:
        corpus: The bot's corpus (passages and analyzer).
    """

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        analyzer = corpus.analyzer
        tokens = [
            analyzer.terms(passage_index_text(corpus.documents[p.doc_id], p), p.language)
            or ["<empty>"]
            for p in corpus.passages
        ]
        self.bm25 = BM25Okapi(tokens)

    def ranked(self, question: str, k: int = 10) -> list[int]:
        """Return the positions of the ``k`` best passages for a question."""
        terms = self.corpus.analyzer.terms(question, detect_language(question))
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [i for i in order[:k] if scores[i] > 0]
