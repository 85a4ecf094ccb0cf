"""Render an Answer for the terminal as plain text."""

from __future__ import annotations

import textwrap

from bot.answer import citation_text, kind_label
from bot.models import Answer, Citation, Link, Result

TEXTS = {
    "sv": {
        "not_covered": "Det här täcker mina dokument inte, så jag vill inte gissa.",
        "try": "Jag kan svara på frågor om:",
        "source": "Källa",
        "sources": "Underlag",
        "no_date": "odaterad",
        "more": "{n} svar till finns (skriv 'mer').",
        "passage": "stycke",
        "partial": "Källorna svarar bara delvis. Närliggande läsning, inte ett svar:",
        "missing": "Källorna säger inget om: {words}",
        "searched": "Sökte efter: {text}",
    },
    "da": {
        "not_covered": "Det dækker mine dokumenter ikke, så jeg vil ikke gætte.",
        "try": "Jeg kan svare på spørgsmål om:",
        "source": "Kilde",
        "sources": "Grundlag",
        "no_date": "udateret",
        "more": "{n} svar mere (skriv 'mer').",
        "passage": "afsnit",
        "partial": "Kilderne svarer kun delvist. Beslægtet læsning, ikke et svar:",
        "missing": "Kilderne siger intet om: {words}",
        "searched": "Søgte efter: {text}",
    },
    "en": {
        "not_covered": "My documents do not cover this, so I will not guess.",
        "try": "I can answer questions about:",
        "source": "Source",
        "sources": "Based on",
        "no_date": "undated",
        "more": "{n} more results (type 'more').",
        "passage": "passage",
        "partial": "The sources answer only in part. Related reading, not an answer:",
        "missing": "The sources say nothing about: {words}",
        "searched": "Searched for: {text}",
    },
}


def texts(language: str) -> dict[str, str]:
    """Return the interface strings for ``language`` (Swedish when unknown)."""
    return TEXTS.get(language, TEXTS["sv"])


def link_line(link: Link) -> str:
    """Format a titled link as "Publisher: Title — URL" on one line (no URL when it has none)."""
    return f"{link.label} — {link.url}" if link.url else link.label


def _dated(citation: Citation, language: str) -> str:
    who = ", ".join(part for part in (citation.author, citation.publisher) if part)
    date = citation.published or texts(language)["no_date"]
    return ", ".join(part for part in (who, date) if part)


def citation_line(citation: Citation, language: str) -> str:
    """Format the head of a citation: what backs the quote, titled and linked, on one line.

    A statute is cited by its section, number and wording ("19 kap. 25 a § LOU — SFS
    2016:1145, lydelse enligt Lag (2022:902) (lagtext) — URL"); a guide by the first page
    that backs the paragraph, with the guide named as explainer and its review date; an
    article by its title, author, publisher and date. Empty fields are left out, never guessed.

    Args:
        citation: The citation.
        language: Interface language.

    Returns:
        One line.
    """
    kind = kind_label(language, citation.kind)
    if citation.section:
        details = [citation.identifier]
        if citation.version:
            details.append(citation_text(language, "wording", version=citation.version))
        head = f"{citation.section} — {', '.join(d for d in details if d)} ({kind})"
        return f"{head} — {citation.url}" if citation.url else head
    if citation.explainer:
        explained = citation_text(language, "explained", who=citation.explainer)
        if citation.reviewed:
            explained += ", " + citation_text(language, "reviewed", date=citation.reviewed)
        if citation.links:
            return link_line(citation.links[0])
        head = f"{citation.title} — {explained} ({kind})"
        return f"{head} — {citation.url}" if citation.url else head
    head = f"{citation.title} — {_dated(citation, language)} ({kind})"
    return f"{head} — {citation.url}" if citation.url else head


def result_text(result: Result, language: str, width: int = 88) -> str:
    """Render one result: citation head, excerpt (matched words in *stars*), law and sources."""
    excerpt = result.excerpt
    marked = []
    last = 0
    for start, end in excerpt.marks:
        marked.append(excerpt.text[last:start])
        marked.append(f"*{excerpt.text[start:end]}*")
        last = end
    marked.append(excerpt.text[last:])
    body = "".join(marked)
    quoted = "\n".join(
        textwrap.fill(paragraph, width=width, initial_indent="    » ", subsequent_indent="      ")
        for paragraph in body.split("\n")
        if paragraph.strip()
    )
    citation = result.citation
    lines = [f"[{result.rank}] {citation_line(citation, language)}", quoted]
    for law in citation.law:
        label = f"{law.title} ({law.publisher})" if law.publisher else law.title
        lines.append(f"    {citation_text(language, 'law')}: {label} · {law.passage_id}")
    passage = f"{texts(language)['passage']} {citation.passage_id}"
    if citation.explainer:
        explained = citation_text(language, "explained", who=citation.explainer)
        if citation.reviewed:
            explained += ", " + citation_text(language, "reviewed", date=citation.reviewed)
        kind = kind_label(language, citation.kind)
        if citation.links:
            lines.append(f"    {explained} ({kind}: {citation.title}) · {passage}")
        else:
            lines.append(f"    {passage}")
        more = citation.links[1:]
    else:
        lines.append(f"    {passage}")
        more = citation.links
    if more:
        lines.append(f"    {texts(language)['sources']}:")
        lines.extend(f"      {link_line(link)}" for link in more)
    lines.extend(f"    ! {note}" for note in result.notes)
    return "\n".join(lines)


def answer_text(answer: Answer, page: int = 0) -> str:
    """Render an answer for the terminal, one page of results at a time.

    Args:
        answer: The answer.
        page: Which page of results (0-based).

    Returns:
        Plain text.
    """
    t = texts(answer.language)
    lines = [f"({notice})" for notice in answer.notices]
    if answer.searched_for:
        lines.append(t["searched"].format(text=answer.searched_for))
    if answer.coverage == "partial":
        lines.append(t["missing"].format(words=", ".join(answer.missing)))
        lines.append(t["partial"])
        lines.extend(result_text(result, answer.language) for result in answer.page(page))
        return "\n\n".join(lines)
    if not answer.answered:
        if answer.missing:
            lines.append(t["missing"].format(words=", ".join(answer.missing)))
        lines.append(t["not_covered"])
        lines.append(t["try"])
        for suggestion in answer.suggestions:
            lines.append(f"  • {suggestion.label}: {suggestion.question}")
        return "\n".join(lines)
    lines.extend(result_text(result, answer.language) for result in answer.page(page))
    remaining = len(answer.results) - (page + 1) * answer.page_size
    if remaining > 0:
        lines.append(t["more"].format(n=remaining))
    return "\n\n".join(lines)
