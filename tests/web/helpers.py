"""Shared constants and stand-ins for the web chat tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from bot.models import Answer, Document, Passage, Topic

ANSWERED = "Hur startar vi ett IOP?"
"""A Swedish question the bundled knowledge answers with more than one page of results."""
OFF_TOPIC = "Vad kostar en busskort i Göteborg?"
"""A question the bundled knowledge does not cover."""
PERSONNUMMER = "Min son 19850709-9805 behöver stöd, vad gäller?"
"""A question carrying a (test) personnummer."""


@dataclass
class FixedService:
    """A service stand-in that gives one prepared answer and records the questions."""

    answer: Answer
    real: object
    asked: list[str] = field(default_factory=list)

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self.real.topics

    @property
    def documents(self) -> tuple[Document, ...]:
        return self.real.documents

    @property
    def version(self) -> str:
        return "fixed"

    def ask(self, question: str, *, language: str | None = None) -> Answer:
        self.asked.append(question)
        return self.answer

    def passage(self, passage_id: str) -> Passage | None:
        return self.real.passage(passage_id)

    def document(self, doc_id: str) -> Document | None:
        return self.real.document(doc_id)


@dataclass
class Element:
    """One element of a parsed page: tag, attributes, and its content in order."""

    tag: str
    attrs: dict[str, str]
    content: list[str | Element] = field(default_factory=list)

    @property
    def children(self) -> list[Element]:
        """The child elements."""
        return [item for item in self.content if isinstance(item, Element)]

    @property
    def text(self) -> str:
        """All text inside, in order, whitespace collapsed."""
        return " ".join(self._raw().split())

    def _raw(self) -> str:
        return "".join(item if isinstance(item, str) else item._raw() for item in self.content)

    def find_all(self, tag: str = "", **attrs: str) -> list[Element]:
        """Return descendants with ``tag`` (any when empty) whose attributes contain ``attrs``
        (``class_`` matches one class among several)."""
        found = []
        for child in self.children:
            if (not tag or child.tag == tag) and all(
                value in child.attrs.get("class", "").split()
                if name == "class_"
                else child.attrs.get(name) == value
                for name, value in attrs.items()
            ):
                found.append(child)
            found += child.find_all(tag, **attrs)
        return found

    def find(self, tag: str = "", **attrs: str) -> Element:
        """Return the first match of :meth:`find_all`; fail when there is none."""
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]


_VOID = {"meta", "link", "input", "br", "img", "hr", "source", "wbr", "area", "base", "col"}


def parse_html(page: str) -> Element:
    """Parse HTML into :class:`Element` s (enough for our own, well-formed pages)."""
    root = Element("#root", {})
    stack = [root]

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            element = Element(tag, {name: value or "" for name, value in attrs})
            stack[-1].content.append(element)
            if tag not in _VOID:
                stack.append(element)

        def handle_endtag(self, tag):
            for index in range(len(stack) - 1, 0, -1):
                if stack[index].tag == tag:
                    del stack[index:]
                    return

        def handle_data(self, data):
            stack[-1].content.append(data)

    Parser(convert_charrefs=True).feed(page)
    return root
