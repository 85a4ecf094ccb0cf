"""Render an Answer for the terminal as plain text."""

from __future__ import annotations

import textwrap

from bot.models import Answer, Citation, Result

TEXTS = {
    "sv": {
        "not_covered": "Det här täcker mina dokument inte, så jag vill inte gissa.",
        "try": "Jag kan svara på frågor om:",
        "source": "Källa",
        "sources": "Underlag",
        "no_date": "odaterad",
        "more": "{n} svar till finns (skriv 'mer').",
        "passage": "stycke",
    },
    "da": {
        "not_covered": "Det dækker mine dokumenter ikke, så jeg vil ikke gætte.",
        "try": "Jeg kan svare på spørgsmål om:",
        "source": "Kilde",
        "sources": "Grundlag",
        "no_date": "udateret",
        "more": "{n} svar mere (skriv 'mer').",
        "passage": "afsnit",
    },
    "en": {
        "not_covered": "My documents do not cover this, so I will not guess.",
        "try": "I can answer questions about:",
        "source": "Source",
        "sources": "Based on",
        "no_date": "undated",
        "more": "{n} more results (type 'more').",
        "passage": "passage",
    },
}


def texts(language: str) -> dict[str, str]:
    """Return the interface strings for ``language`` (Swedish when unknown)."""
    return TEXTS.get(language, TEXTS["sv"])


def citation_line(citation: Citation, language: str) -> str:
    """Format a citation as "title — author, publisher, date (kind), url".

    Args:
        citation: The citation.
        language: Interface language for the "undated" word.

    Returns:
        One line; empty fields are left out, never guessed.
    """
    who = ", ".join(part for part in (citation.author, citation.publisher) if part)
    date = citation.published or texts(language)["no_date"]
    parts = [citation.title]
    details = ", ".join(part for part in (who, date) if part)
    parts.append(f"— {details} ({citation.kind})")
    if citation.url:
        parts.append(citation.url)
    return " ".join(parts)


def result_text(result: Result, language: str, width: int = 88) -> str:
    """Render one result: excerpt (matched words in *stars*), citation and notes."""
    excerpt = result.excerpt
    marked = []
    last = 0
    for start, end in excerpt.marks:
        marked.append(excerpt.text[last:start])
        marked.append(f"*{excerpt.text[start:end]}*")
        last = end
    marked.append(excerpt.text[last:])
    body = "".join(marked)
    lines = [f"[{result.rank}] "]
    quoted = "\n".join(
        textwrap.fill(paragraph, width=width, initial_indent="    » ", subsequent_indent="      ")
        for paragraph in body.split("\n")
        if paragraph.strip()
    )
    lines[0] += citation_line(result.citation, language)
    lines.append(quoted)
    lines.append(f"    {texts(language)['passage']} {result.citation.passage_id}")
    if result.citation.sources:
        lines.append(f"    {texts(language)['sources']}: " + ", ".join(result.citation.sources))
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
    if not answer.answered:
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
