"""Keep a parsed copy of the knowledge folder next to its cached index.

Parsing the YAML of every document and the glossary is the slowest part of a cold
``python -m bot ask``; the parsed result is stored as JSON under the knowledge version (a hash
of every file), so any edit is picked up and an unchanged folder is read in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from bot.knowledge.load import (
    Concept,
    Knowledge,
    LegalChange,
    Problem,
    Source,
    content_digest,
    load_knowledge,
)
from bot.models import Document, Topic

logger = logging.getLogger(__name__)

CACHE_FILE = "knowledge-v4.json"
"""Bump the suffix when the parsed form changes."""


def _tuples(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON lists back into the tuples the frozen dataclasses hold."""
    result = dict(data)
    for item in fields(cls):
        if isinstance(result.get(item.name), list):
            result[item.name] = tuple(result[item.name])
    return result


def to_json(knowledge: Knowledge) -> dict[str, Any]:
    """Return the knowledge as JSON-ready data."""
    return {
        "documents": [asdict(d) for d in knowledge.documents],
        "concepts": [asdict(c) for c in knowledge.concepts],
        "topics": [asdict(t) for t in knowledge.topics],
        "changes": [asdict(c) for c in knowledge.changes],
        "problems": [asdict(p) for p in knowledge.problems],
        "sources": [asdict(s) for s in knowledge.sources],
    }


def from_json(data: dict[str, Any]) -> Knowledge:
    """Rebuild knowledge from :func:`to_json` data.

    Raises:
        KeyError, TypeError, ValueError: When the data does not fit (the cache is then ignored).
    """
    return Knowledge(
        documents=tuple(Document(**_tuples(Document, d)) for d in data["documents"]),
        concepts=tuple(
            Concept(
                c["id"],
                {k: tuple(v) for k, v in c["terms"].items()},
                tuple(c["not_in"]),
                bool(c["generic"]),
                tuple(c["defined_in"]),
                bool(c.get("amount", False)),
            )
            for c in data["concepts"]
        ),
        topics=tuple(
            Topic(
                t["id"],
                dict(t["labels"]),
                {k: tuple(v) for k, v in t["questions"].items()},
                dict(t.get("shorts") or {}),
            )
            for t in data["topics"]
        ),
        changes=tuple(LegalChange(**_tuples(LegalChange, c)) for c in data["changes"]),
        problems=tuple(Problem(**p) for p in data["problems"]),
        sources=tuple(Source(**s) for s in data["sources"]),
    )


def load_knowledge_cached(
    directory: Path, cache_dir: Path | None, version: str | None = None
) -> Knowledge:
    """Load a knowledge folder, from the parsed copy when its files are unchanged.

    Args:
        directory: The knowledge folder.
        cache_dir: Where cached indexes live; None always parses.
        version: The folder's digest (``knowledge_version``), when already computed.

    Returns:
        The knowledge, exactly as :func:`bot.knowledge.load.load_knowledge` would give it.
    """
    if cache_dir is None or not directory.is_dir():
        return load_knowledge(directory)
    # Problems and documents name their files, so the folder's own path is part of the key.
    where = hashlib.sha256(str(directory.resolve()).encode("utf-8")).hexdigest()[:12]
    path = cache_dir / (version or content_digest(directory)) / f"{where}-{CACHE_FILE}"
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    knowledge = load_knowledge(directory)
    if knowledge.documents:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(to_json(knowledge), ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            logger.info("could not cache the parsed knowledge in %s: %s", path, exc)
    return knowledge
