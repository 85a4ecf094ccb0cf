"""Render an Answer for machines: the ``ask --json`` contract."""

from __future__ import annotations

from typing import Any

from bot.models import Answer


def answer_json(answer: Answer) -> dict[str, Any]:
    """Return the answer as a JSON-ready dict (the ``ask --json`` contract).

    Args:
        answer: The answer.

    Returns:
        ``{"question", "language", "answered", "results", "suggestions", "notices",
        "coverage", "missing", "searched_for"}``.
    """
    return {
        "question": answer.question,
        "language": answer.language,
        "answered": answer.answered,
        "results": [
            {
                "rank": result.rank,
                "doc_id": result.citation.doc_id,
                "passage_id": result.citation.passage_id,
                "title": result.citation.title,
                "author": result.citation.author,
                "publisher": result.citation.publisher,
                "published": result.citation.published,
                "kind": result.citation.kind,
                "url": result.citation.url,
                "score": result.score,
                "passage": result.passage.text,
                "excerpt": result.excerpt.text,
                "marks": [list(mark) for mark in result.excerpt.marks],
                "sources": list(result.citation.sources),
                "links": [
                    {
                        "title": link.title,
                        "publisher": link.publisher,
                        "url": link.url,
                        "passage_id": link.passage_id,
                    }
                    for link in result.citation.links
                ],
                "law": [
                    {"section": link.title, "url": link.url, "passage_id": link.passage_id}
                    for link in result.citation.law
                ],
                "explainer": result.citation.explainer,
                "reviewed": result.citation.reviewed,
                "section": result.citation.section,
                "identifier": result.citation.identifier,
                "version": result.citation.version,
                "notes": list(result.notes),
            }
            for result in answer.results
        ],
        "suggestions": [
            {"topic": s.topic_id, "label": s.label, "question": s.question}
            for s in answer.suggestions
        ],
        "notices": list(answer.notices),
        "coverage": answer.coverage,
        "missing": list(answer.missing),
        "searched_for": answer.searched_for,
    }
