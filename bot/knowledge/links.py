"""Links in the knowledge: every URL must open, and every cited page has a title.

``check`` runs :func:`link_problems` on each document: a URL with an elision mark ("…"),
whitespace, no http(s) scheme or no host cannot open and is reported with its line. The
register ``knowledge/sources.yaml`` gives each cited page its title and publisher, so answers
show "Upphandlingsmyndigheten: Reserverad upphandling …" as a link instead of a bare domain;
when the register exists, a cited URL missing from it is reported too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.knowledge.anchors import is_reference
from bot.knowledge.reading import Problem, line_containing, yaml_entries
from bot.models import Document

_SOURCES_COMMENT = re.compile(r"^<!--\s*sources?:\s*(.*?)\s*-->\s*$", re.IGNORECASE)
_ELISION = ("…", "%E2%80%A6", "%e2%80%a6", "...")


@dataclass(frozen=True)
class Source:
    """One cited web page: its address, title and publisher, as the page shows them."""

    url: str
    title: str
    publisher: str = ""


def url_problem(url: str) -> str | None:
    """Return why ``url`` cannot open, or None when it is a complete http(s) address."""
    if not url:
        return "empty URL"
    if any(mark in url for mark in _ELISION):
        return f"URL '{url}' is elided ('…'); give the full address"
    if any(ch.isspace() for ch in url):
        return f"URL '{url}' contains whitespace"
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"URL '{url}' cannot be parsed"
    if parts.scheme.lower() not in ("http", "https"):
        return f"URL '{url}' needs an http:// or https:// scheme"
    if not parts.hostname or "." not in parts.hostname:
        return f"URL '{url}' has no host"
    return None


def cited_urls(document: Document) -> Iterator[tuple[str, int]]:
    """Yield every URL a document cites with the file line it is on.

    The front matter's ``url`` and ``sources`` and each ``<!-- sources: … -->`` comment count;
    passage references (``doc-id#anchor``) are not URLs and are checked elsewhere.
    """
    path = Path(document.path)
    for url in (document.url, *document.sources):
        if url:
            yield url, line_containing(path, url) if document.path else 1
    for offset, line in enumerate(document.body.split("\n")):
        match = _SOURCES_COMMENT.match(line.strip())
        if not match:
            continue
        for token in re.split(r"[\s,]+", match.group(1)):
            if token and not is_reference(token):
                yield token, document.body_line + offset


def link_problems(document: Document, register: dict[str, Source] | None) -> list[Problem]:
    """Return the problems of the URLs a document cites.

    Args:
        document: A parsed document.
        register: Titled pages from ``sources.yaml``; None when the folder has no register.

    Returns:
        One problem per broken URL, and per URL missing from the register.
    """
    problems: list[Problem] = []
    seen: set[tuple[str, int]] = set()
    for url, line in cited_urls(document):
        if (url, line) in seen:
            continue
        seen.add((url, line))
        reason = url_problem(url)
        if reason:
            problems.append(Problem(document.path, line, reason))
        elif register is not None and url not in register:
            problems.append(
                Problem(document.path, line, f"URL '{url}' has no title in sources.yaml")
            )
    return problems


def load_sources(path: Path, problems: list[Problem]) -> dict[str, Source] | None:
    """Load the register of cited pages; None when the folder has none.

    Args:
        path: ``sources.yaml``.
        problems: Problems are appended here (broken URLs, missing titles, duplicates).

    Returns:
        URL → source.
    """
    if not path.is_file():
        return None
    register: dict[str, Source] = {}
    for entry in yaml_entries(path, "sources", problems):
        url = str(entry.get("url") or "").strip() if isinstance(entry, dict) else ""
        title = str(entry.get("title") or "").strip() if isinstance(entry, dict) else ""
        line = line_containing(path, url) if url else 1
        if not url or not title:
            problems.append(Problem(str(path), line, f"source {entry!r:.60} needs url and title"))
            continue
        reason = url_problem(url)
        if reason:
            problems.append(Problem(str(path), line, reason))
            continue
        if url in register:
            problems.append(Problem(str(path), line, f"duplicate source '{url}'"))
            continue
        register[url] = Source(url, title, str(entry.get("publisher") or "").strip())
    return register
