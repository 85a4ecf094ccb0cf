"""Source lines under quotes: one short line per source in answers, the full citation on 📄.

A phone shows about 38 characters a line, so an answer names each source in one line
(:func:`short_source`); the whole passage (📄) shows the full citation (:func:`source_line`)
with every page behind it.
"""

from __future__ import annotations

import re

from bot.answer import citation_text, kind_label
from bot.models import Citation, Link
from bot.telegram.markup import escape, link, safe_url, shorten, truncate

MAX_LINK_TITLE = 90
"""Longest link title in a source line, in characters."""
LINKS_IN_ANSWER = 2
"""Backing pages named in an answer's source line; the full passage (📄) lists them all."""


def meta_details(author: str, publisher: str, published: str) -> list[str]:
    """Return the distinct, escaped author, publisher and date of a source, those given."""
    parts = (author.strip(), publisher.strip(), published.strip())
    return [escape(truncate(part, 200)) for part in dict.fromkeys(parts) if part]


def titled(item: Link) -> str:
    """Return a link titled "Publisher: Title" (the label alone when it has no usable URL)."""
    return link(item.url, truncate(item.label, MAX_LINK_TITLE))


def source_line(
    rank: int | None, citation: Citation, language: str, *, links: int = LINKS_IN_ANSWER
) -> str:
    """Return the numbered source line: what backs the quote, as titled links.

    A statute: ``[n] 19 kap. 25 a § LOU — SFS 2016:1145, lydelse enligt Lag (2022:902)``
    with the section linked to the official text. A guide: the pages behind the paragraph
    (``Upphandlingsmyndigheten: …``), then "förklarat av Samverkansboten, granskad 2026-11"
    and "Lagtext: 19 kap. 25 a § LOU" for the sections it explains. An article: title,
    author, publisher, date and kind (``debattartikel``).

    Args:
        rank: The result number, or None for an unnumbered line.
        citation: The citation.
        language: Interface language.
        links: How many backing pages to name.

    Returns:
        One line of Telegram HTML.
    """
    number = "" if rank is None else f"[{rank}] "
    if citation.section:
        details = [escape(citation.identifier)] if citation.identifier else []
        if citation.version:
            details.append(escape(citation_text(language, "wording", version=citation.version)))
        head = link(citation.url, citation.section) if citation.url else escape(citation.section)
        return f"{number}{head}" + (f" — {', '.join(details)}" if details else "")
    if citation.explainer:
        parts = [titled(item) for item in citation.links[:links]]
        if parts and len(citation.links) > links:
            parts[-1] += f" (+{len(citation.links) - links})"
        explained = citation_text(language, "explained", who=citation.explainer)
        if citation.reviewed:
            explained += ", " + citation_text(language, "reviewed", date=citation.reviewed)
        own = truncate(citation.title or citation.doc_id, 300)
        own = link(citation.url, own) if safe_url(citation.url) else escape(own)
        line = number + (", ".join(parts) if parts else own)
        line += f" — {escape(explained)}"
        if citation.law:
            sections = ", ".join(escape(item.title) for item in citation.law)
            line += f" · {escape(citation_text(language, 'law'))}: {sections}"
        return line
    title = escape(truncate(citation.title or citation.doc_id, 300))
    if safe_url(citation.url):
        title = link(citation.url, truncate(citation.title or citation.doc_id, 300))
    details = meta_details(citation.author, citation.publisher, citation.published)
    details.append(escape(kind_label(language, citation.kind)))
    return f"{number}{title} — {', '.join(details)}"


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _year(*dates: str) -> str:
    """Return the first four-digit year found in ``dates`` ("Lag (2022:902)" gives 2022)."""
    for value in dates:
        match = _YEAR.search(value or "")
        if match:
            return match.group(1)
    return ""


def short_source(rank: int | None, citation: Citation, language: str) -> str:
    """Return the one-line source under a quote: short title, year, and a link.

    A statute: ``[1] 19 kap. 25 a § LOU, 2022`` (the section linked to the official text,
    the year of the wording). A guide, which is our explanation: ``[1] Reserverad
    upphandling, 2026 · Upphandlingsmyndigheten``, the authority behind the paragraph linked
    to its page. An article: ``[2] Våga starta en dialog, 2018 · Ingalill Söderberg,
    debattartikel``. The full citation is one tap away (📄).

    Args:
        rank: The result number, or None for an unnumbered line.
        citation: The citation.
        language: Interface language.

    Returns:
        One line of Telegram HTML.
    """
    number = "" if rank is None else f"[{rank}] "
    if citation.section:
        year = _year(citation.version, citation.published)
        head = link(citation.url, citation.section) if citation.url else escape(citation.section)
        return f"{number}{head}" + (f", {year}" if year else "")
    short = shorten(citation.short_title or citation.title or citation.doc_id, MAX_SHORT)
    if citation.explainer:
        year = _year(citation.reviewed, citation.published)
        line = number + escape(short) + (f", {year}" if year else "")
        page = next((item for item in citation.links if safe_url(item.url)), None)
        if page is not None:
            who = page.publisher or page.title
            line += " · " + link(page.url, shorten(who, MAX_SHORT))
        return line
    year = _year(citation.published)
    head = link(citation.url, short) if safe_url(citation.url) else escape(short)
    details = [
        escape(truncate(who, MAX_SHORT)) for who in (citation.author or citation.publisher,)
    ]
    details = [part for part in details if part]
    details.append(escape(kind_label(language, citation.kind)))
    return f"{number}{head}" + (f", {year}" if year else "") + " · " + ", ".join(details)


MAX_SHORT = 30
"""Longest short title or publisher in a one-line source."""
