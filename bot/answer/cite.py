"""Build the citation of a passage: who wrote the words, and what backs them.

- A guide is our explanation. Its citation leads with what backs the paragraph: the
  authorities' pages from its sources comment (titled from ``sources.yaml``), the knowledge
  articles it retells, and the statute sections it explains ("Lagtext: 19 kap. 25 a § LOU").
  The guide itself is named as the explainer, with its review date.
- A statute passage is cited by its section, the act's number and the amendment that gave
  the wording ("Lag (2022:902)", the note that ends an amended section in the consolidated
  text; the document's ``version`` when the section has none).
- An article keeps its author, publisher and date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.knowledge import Source, resolve
from bot.models import Citation, Document, Link, Passage
from bot.search import Corpus

EXPLAINED_KINDS = ("guide",)
_VERSION_NOTE = re.compile(r"(Lag \(\d{4}:\d+\))\.?\s*$")


def version_note(passage: Passage, document: Document) -> str:
    """Return the amendment note ending the section ("Lag (2022:902)"), else the document's."""
    match = _VERSION_NOTE.search(passage.text)
    return match.group(1) if match else document.version


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


class Citer:
    """Cites passages of one corpus.

    Args:
        corpus: Passages and documents.
        sources: Titled pages from ``sources.yaml``.
    """

    def __init__(self, corpus: Corpus, sources: Sequence[Source] = ()) -> None:
        self.corpus = corpus
        self.sources = {source.url: source for source in sources}
        self._by_doc = corpus.by_document()

    def link(self, url: str) -> Link:
        """Return a titled link for a URL; the domain stands in for a missing title."""
        source = self.sources.get(url)
        if source is None:
            return Link(_domain(url), url)
        return Link(source.title, url, source.publisher)

    def _references(self, passage: Passage) -> tuple[list[Link], list[Link]]:
        """Return (statute sections, other knowledge passages) the passage names."""
        law: list[Link] = []
        backing: list[Link] = []
        for reference in passage.refs:
            target = resolve(reference, self._by_doc)
            if target is None:
                continue
            document = self.corpus.documents[target.doc_id]
            if document.kind == "law":
                law.append(Link(target.heading, document.url, document.identifier, target.id))
            elif all(link.passage_id.split("#")[0] != document.id for link in backing):
                # One link per article, however many of its paragraphs are retold.
                who = ", ".join(part for part in (document.author, document.publisher) if part)
                backing.append(Link(document.title, document.url, who, target.id))
        return law, backing

    def cite(self, passage: Passage) -> Citation:
        """Return the citation of one passage."""
        document = self.corpus.documents[passage.doc_id]
        law, backing = self._references(passage)
        pages = [self.link(url) for url in passage.sources if url != document.url]
        links = tuple(backing + pages)
        explained = document.kind in EXPLAINED_KINDS
        is_law = document.kind == "law"
        return Citation(
            title=document.title,
            author=document.author,
            publisher=document.publisher,
            published=document.published,
            kind=document.kind,
            url=document.url,
            passage_id=passage.id,
            doc_id=document.id,
            sources=passage.sources,
            links=links,
            law=tuple(law),
            explainer=(document.publisher or document.author) if explained else "",
            reviewed=document.reviewed if explained else "",
            section=passage.heading if is_law else "",
            identifier=document.identifier if is_law else "",
            version=version_note(passage, document) if is_law else "",
            short_title=document.short_title,
        )


CITATION_TEXTS = {
    "sv": {
        "explained": "förklarat av {who}",
        "reviewed": "granskad {date}",
        "law": "Lagtext",
        "wording": "lydelse enligt {version}",
        "sources": "Källor",
        "kinds": {
            "opinion": "debattartikel",
            "column": "krönika",
            "news": "nyhet",
            "guide": "guide",
            "law": "lagtext",
            "agreement": "överenskommelse",
            "contract": "avtal",
            "report": "rapport",
        },
    },
    "da": {
        "explained": "forklaret af {who}",
        "reviewed": "gennemgået {date}",
        "law": "Lovtekst",
        "wording": "affattet ved {version}",
        "sources": "Kilder",
        "kinds": {
            "opinion": "debatindlæg",
            "column": "klumme",
            "news": "nyhed",
            "guide": "vejledning",
            "law": "lovtekst",
            "agreement": "aftale",
            "contract": "kontrakt",
            "report": "rapport",
        },
    },
    "en": {
        "explained": "explained by {who}",
        "reviewed": "reviewed {date}",
        "law": "Statute",
        "wording": "as worded by {version}",
        "sources": "Sources",
        "kinds": {
            "opinion": "opinion",
            "column": "column",
            "news": "news",
            "guide": "guide",
            "law": "statute",
            "agreement": "agreement",
            "contract": "contract",
            "report": "report",
        },
    },
}
"""Words every channel uses around a citation, in the answer's language."""


def citation_text(language: str, key: str, **values: str) -> str:
    """Return a citation word or phrase in ``language`` (Swedish when unknown)."""
    texts = CITATION_TEXTS.get(language, CITATION_TEXTS["sv"])
    template = texts[key]
    assert isinstance(template, str)
    return template.format(**values) if values else template


def kind_label(language: str, kind: str) -> str:
    """Return the reader's word for a document kind ("opinion" → "debattartikel")."""
    kinds = CITATION_TEXTS.get(language, CITATION_TEXTS["sv"])["kinds"]
    assert isinstance(kinds, dict)
    return str(kinds.get(kind, kind))
