"""Turn answers into what the templates show, and render the page and its fragments.

The templates (``bot/web/templates``) are Jinja2 with autoescaping on: every document- or
user-derived string is escaped there. This module prepares plain values for them: excerpt
segments with the matched words flagged, source lines, links that are safe to follow, and
the short text the page's live region reads out when an answer arrives.

A *fragment* is the piece of the page a form post changes (one answer, the next results, the
feedback form); the page's script asks for fragments, and without the script the browser
gets the whole page with the same pieces in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.models import LANGUAGES, Answer, Citation, Result, Topic
from bot.web.texts import LANGUAGE_NAMES, kind_label, text

TEMPLATES = Path(__file__).parent / "templates"
MAX_LINKS = 3
"""Source links shown under an excerpt whose document has no URL of its own."""
MAX_EXAMPLES = 8
"""Starter questions on the empty page."""


@dataclass(frozen=True)
class Segment:
    """A run of excerpt text, marked when it is one of the question's words."""

    text: str
    marked: bool = False


@dataclass(frozen=True)
class Link:
    """A followable http(s) link."""

    url: str
    label: str


@dataclass(frozen=True)
class ResultView:
    """One cited excerpt as the page shows it."""

    rank: int
    dom_id: str
    excerpt: tuple[Segment, ...]
    language: str
    """Language of the quoted document (for ``lang`` attributes)."""
    title: str
    title_url: str | None
    details: tuple[str, ...]
    """Author or publisher, and the kind of document, as words."""
    published: str
    links: tuple[Link, ...]
    notes: tuple[str, ...]
    passage_id: str
    passage_heading: str
    passage_text: str


@dataclass(frozen=True)
class Suggestion:
    """A question the bot can answer, offered as a button."""

    label: str
    question: str


@dataclass(frozen=True)
class AnswerView:
    """One answer as the page shows it: the first ``shown`` results and the controls."""

    key: str
    language: str
    interface: str
    question: str
    notices: tuple[str, ...]
    searched_for: str
    coverage: str
    missing: tuple[str, ...]
    results: tuple[ResultView, ...]
    total: int
    next_page: int | None
    remaining: int
    suggestions: tuple[Suggestion, ...]
    voted: int = 0
    announce: str = ""

    @property
    def dom_id(self) -> str:
        """The answer's element id."""
        return f"a-{self.key}"

    @property
    def next_rank(self) -> int:
        """Rank of the first result the 'more' button shows."""
        return self.results[-1].rank + 1 if self.results else 1


@dataclass(frozen=True)
class MessageView:
    """A question the bot did not search (rate limit, identity number, empty, expired)."""

    language: str
    question: str
    message: str


def segments(value: str, marks: Iterable[tuple[int, int]]) -> tuple[Segment, ...]:
    """Split ``value`` into runs, flagging the character spans ``marks``.

    Spans are clipped to the text, sorted and merged; spans separated only by spaces become
    one, so "civil society" is one marked run.
    """
    spans: list[tuple[int, int]] = []
    for start, end in sorted((max(0, s), min(len(value), e)) for s, e in marks):
        if end <= start:
            continue
        if spans and (start <= spans[-1][1] or value[spans[-1][1] : start].isspace()):
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    out: list[Segment] = []
    position = 0
    for start, end in spans:
        if start > position:
            out.append(Segment(value[position:start]))
        out.append(Segment(value[start:end], marked=True))
        position = end
    if position < len(value):
        out.append(Segment(value[position:]))
    return tuple(out)


def safe_url(url: str) -> str | None:
    """Return ``url`` if it is a plausible http(s) link without spaces, else None."""
    url = url.strip()
    if not url or len(url) > 2000 or any(char.isspace() for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def source_links(sources: Sequence[str]) -> tuple[Link, ...]:
    """Return links to up to :data:`MAX_LINKS` sources, labelled by their domain."""
    links: list[Link] = []
    domains: list[str] = []
    for source in sources:
        url = safe_url(source)
        if url is None:
            continue
        domain = urlsplit(url).netloc.removeprefix("www.")[:60]
        domains.append(domain)
        count = domains.count(domain)
        links.append(Link(url, domain if count == 1 else f"{domain} ({count})"))
        if len(links) == MAX_LINKS:
            break
    return tuple(links)


def _details(citation: Citation, language: str) -> tuple[str, ...]:
    who = ", ".join(
        dict.fromkeys(part.strip() for part in (citation.author, citation.publisher) if part)
    )
    kind = kind_label(language, citation.kind) if citation.kind else ""
    return tuple(part for part in (who, kind) if part)


def result_view(result: Result, key: str, language: str) -> ResultView:
    """Prepare one result of the answer under ``key``, its labels in ``language``."""
    citation = result.citation
    passage = result.passage
    title_url = safe_url(citation.url)
    return ResultView(
        rank=result.rank,
        dom_id=f"a-{key}-r{result.rank}",
        excerpt=segments(result.excerpt.text, result.excerpt.marks),
        language=passage.language if passage.language in LANGUAGES else language,
        title=citation.title or citation.doc_id,
        title_url=title_url,
        details=_details(citation, language),
        published=citation.published,
        links=() if title_url else source_links(citation.sources),
        notes=tuple(note for note in result.notes if note.strip()),
        passage_id=passage.id,
        passage_heading=passage.heading,
        passage_text=passage.text,
    )


def _announce(answer: Answer, shown: Sequence[ResultView]) -> str:
    """The words the live region reads when the answer arrives."""
    language = answer.language
    parts = [text(language, "announce", question=answer.question)]
    parts += list(answer.notices)
    if answer.coverage == "partial":
        parts.append(text(language, "partial_label"))
        if answer.missing:
            parts.append(text(language, "partial_missing", missing=", ".join(answer.missing)))
    if shown and answer.coverage != "none":
        parts.append(_count(language, len(answer.results)) + ".")
        first = shown[0]
        parts.append(f"[{first.rank}] " + "".join(segment.text for segment in first.excerpt))
        parts.append(first.title)
    else:
        parts.append(text(language, "no_answer").rsplit(".", 1)[0] + ".")
    return " ".join(part.strip() for part in parts if part.strip())


def _count(language: str, total: int) -> str:
    return text(language, "count_one") if total == 1 else text(language, "count", total=total)


def answer_view(
    answer: Answer, key: str, interface: str, *, pages: int = 1, voted: int = 0
) -> AnswerView:
    """Prepare an answer for the page, showing its first ``pages`` pages of results.

    Args:
        answer: The answer.
        key: Its key in the answer cache (for the 'more' and feedback forms).
        interface: The page's language (kept in the forms).
        pages: How many pages of results to show (at least 1).
        voted: The client's vote on this answer so far (+1, -1 or 0).

    Returns:
        What the templates need.
    """
    results = answer.results if answer.coverage != "none" else ()
    shown_count = max(1, pages) * answer.page_size
    shown = tuple(result_view(r, key, answer.language) for r in results[:shown_count])
    remaining = max(0, len(results) - len(shown))
    return AnswerView(
        key=key,
        language=answer.language,
        interface=interface,
        question=answer.question,
        notices=answer.notices,
        searched_for=answer.searched_for,
        coverage=answer.coverage if results else "none",
        missing=answer.missing,
        results=shown,
        total=len(results),
        next_page=max(1, pages) if remaining else None,
        remaining=remaining,
        suggestions=tuple(Suggestion(s.label, s.question) for s in answer.suggestions),
        voted=voted,
        announce=_announce(answer, shown),
    )


def page_results(answer: Answer, key: str, page: int) -> tuple[ResultView, ...]:
    """Return the results on ``page`` (0-based) of an answer, for the 'more' fragment."""
    return tuple(result_view(r, key, answer.language) for r in answer.page(page))


def examples(topics: Sequence[Topic], language: str) -> tuple[Suggestion, ...]:
    """Return one starter question per topic for the empty page."""
    found = []
    for topic in topics:
        starters = topic.starters(language)
        if starters:
            found.append(Suggestion(topic.label(language), starters[0]))
    return tuple(found[:MAX_EXAMPLES])


_ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENVIRONMENT.globals.update(text=text, count=_count, LANGUAGE_NAMES=LANGUAGE_NAMES)


def render(template: str, **values: object) -> str:
    """Render a template of ``bot/web/templates`` with ``values``."""
    return _ENVIRONMENT.get_template(template).render(**values)


def fragment(name: str, *values: object) -> str:
    """Render one macro of ``answer.html`` (``answer``, ``message``, ``more_results`` …)."""
    macro = getattr(_ENVIRONMENT.get_template("answer.html").module, name)
    return str(macro(*values))
