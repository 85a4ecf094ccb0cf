"""Typed, frozen value objects shared by every layer: documents, passages and answers.

Nothing here knows about Telegram, the terminal or JSON; views render these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("sv", "da", "en")


@dataclass(frozen=True)
class Document:
    """One knowledge document: YAML front matter plus a verbatim Markdown body."""

    id: str
    title: str
    author: str
    publisher: str
    published: str
    """ISO date ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` when only that is shown; "" if none."""
    language: str
    kind: str
    url: str
    topics: tuple[str, ...]
    body: str
    path: str = ""
    body_line: int = 1
    """Line of the file where the body starts, for ``file:line`` messages."""
    sources: tuple[str, ...] = ()
    reviewed: str = ""
    law_as_of: str = ""
    valid_from: str = ""
    superseded_by: str = ""
    audience: tuple[str, ...] = ()
    identifier: str = ""
    """For laws: the official number, e.g. "SFS 2016:1145"."""
    version: str = ""
    """For laws: the wording's version when the sections carry no amendment note of their own,
    e.g. "Lag (2022:901)"."""
    short_title: str = ""
    """A short name for one-line source lines on a phone, e.g. "Reserverade kontrakt"."""


@dataclass(frozen=True)
class Passage:
    """A quotable piece of a document with a stable id ``<doc-id>#<n>``."""

    id: str
    doc_id: str
    number: int
    text: str
    heading: str = ""
    language: str = "sv"
    line: int = 1
    """Line in the document file where the passage starts."""
    sources: tuple[str, ...] = ()
    """Source URLs that back this passage (reference texts); empty for articles."""
    refs: tuple[str, ...] = ()
    """Knowledge passages that back this passage, as ``<doc-id>#<anchor>`` (a law section
    it explains, an article it retells); resolved with :mod:`bot.knowledge.anchors`."""


@dataclass(frozen=True)
class Link:
    """A titled pointer to what backs a passage: a web page, or another knowledge passage."""

    title: str
    url: str = ""
    publisher: str = ""
    passage_id: str = ""
    """Set when the link points to a passage of the knowledge base (a law section, an article)."""

    @property
    def label(self) -> str:
        """Return "Publisher: Title", or the title alone when the publisher is unknown."""
        return f"{self.publisher}: {self.title}" if self.publisher else self.title


@dataclass(frozen=True)
class Citation:
    """Where a quoted passage comes from, and what backs it.

    A guide is our explanation, so its citation leads with ``links`` (the authorities' pages
    behind the paragraph) and ``law`` (the statute sections it explains), and names the guide
    as ``explainer`` with its ``reviewed`` date. A law passage carries its ``section``,
    ``identifier`` and ``version``; an article its author and publisher.
    """

    title: str
    author: str
    publisher: str
    published: str
    kind: str
    url: str
    passage_id: str
    doc_id: str
    sources: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    """What backs the passage, best first: titled web pages and cited knowledge articles."""
    law: tuple[Link, ...] = ()
    """Statute sections the passage explains ("Lagtext: 19 kap. 25 a § LOU")."""
    explainer: str = ""
    """Who wrote the explanation (guides), e.g. "Samverkansboten"."""
    reviewed: str = ""
    """When the explanation was last checked against its sources (guides)."""
    section: str = ""
    """For law passages: the section, e.g. "19 kap. 25 a § LOU"."""
    identifier: str = ""
    """For law passages: e.g. "SFS 2016:1145"."""
    version: str = ""
    """For law passages: the amendment that gave the wording, e.g. "Lag (2022:902)"."""
    short_title: str = ""
    """The document's short name (its ``short_title``), for one-line source lines."""


@dataclass(frozen=True)
class Excerpt:
    """Verbatim sentences of a passage that best match the question.

    ``text`` holds the source's exact words; "…" marks where sentences were left out.
    ``marks`` are ``(start, end)`` character spans in ``text`` of the matched words.
    """

    text: str
    marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class DatedNote:
    """A rule changed after the quoted text was written, and where the newer text is."""

    short: str
    """One short line in the answer's language ("Regeln ändrades 1 januari 2023.")."""
    text: str
    """The whole note, as in :attr:`Result.notes`."""
    see: str = ""
    """Passage id of the newer text, when the knowledge holds one."""
    url: str = ""
    """Link to the newer text, when it has one."""


@dataclass(frozen=True)
class Result:
    """One ranked passage in an answer."""

    rank: int
    passage: Passage
    score: float
    excerpt: Excerpt
    citation: Citation
    notes: tuple[str, ...] = ()
    """Short notes in the answer's language, e.g. that the passage may be outdated."""
    dated: tuple[DatedNote, ...] = ()
    """The legal changes among ``notes``, short and pointing to the newer text."""


@dataclass(frozen=True)
class Suggestion:
    """A topic the bot covers, offered when it cannot answer."""

    topic_id: str
    label: str
    question: str
    short: str = ""
    """The topic's short label, for a button on a phone."""


COVERAGES = ("full", "partial", "none")


@dataclass(frozen=True)
class Answer:
    """The channel-free answer to one question; every view renders this object."""

    question: str
    language: str
    answered: bool
    results: tuple[Result, ...] = ()
    """All results worth showing, best first; views show ``page_size`` at a time."""
    suggestions: tuple[Suggestion, ...] = ()
    notices: tuple[str, ...] = ()
    """Notes about the question itself, e.g. that it was shortened."""
    page_size: int = 3
    coverage: str = ""
    """"full" (answered), "partial" (some topical words are nowhere in the documents; the
    results are related reading, not the answer) or "none"; derived from ``answered`` when
    left empty."""
    missing: tuple[str, ...] = ()
    """The question's topical words the documents do not cover, as typed."""
    searched_for: str = ""
    """The question as searched, when typos or spelling were corrected; empty otherwise."""

    def __post_init__(self) -> None:
        if not self.coverage:
            object.__setattr__(self, "coverage", "full" if self.answered else "none")
        if self.coverage not in COVERAGES:
            raise ValueError(f"coverage must be one of {COVERAGES}, not {self.coverage!r}")

    def page(self, number: int) -> tuple[Result, ...]:
        """Return the results on page ``number`` (0-based)."""
        start = number * self.page_size
        return self.results[start : start + self.page_size]

    @property
    def page_count(self) -> int:
        """Number of pages of results (0 when nothing was found)."""
        return -(-len(self.results) // self.page_size) if self.results else 0


@dataclass(frozen=True)
class Topic:
    """A topic the bot offers, with labels and starter questions per language."""

    id: str
    labels: dict[str, str] = field(hash=False)
    questions: dict[str, tuple[str, ...]] = field(hash=False)
    shorts: dict[str, str] = field(default_factory=dict, hash=False)
    """Short labels for buttons on a phone, per language (``short`` in topics.yaml)."""

    def label(self, language: str) -> str:
        """Return the label in ``language``, falling back to Swedish, then the id."""
        return self.labels.get(language) or self.labels.get("sv") or self.id

    def short_label(self, language: str) -> str:
        """Return the short label in ``language``, else the (long) label."""
        return self.shorts.get(language) or self.shorts.get("sv") or self.label(language)

    def starters(self, language: str) -> tuple[str, ...]:
        """Return the starter questions in ``language``, falling back to Swedish."""
        return self.questions.get(language) or self.questions.get("sv") or ()
