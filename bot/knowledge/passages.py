"""Split documents into quotable passages with stable ids ``<doc-id>#<n>``.

A passage is a paragraph (a list counts as one); short paragraphs are merged with the next
one in the same section and long ones are split between sentences, so passages stay roughly
40–150 words. Headings are kept as context, never as passages of their own.

A statute (``kind: law``) is split by section instead: everything under one heading (the
section, "19 kap. 25 a § LOU") is one passage, whatever its length, so a quote never runs
from one section into the next; only a section over :data:`LAW_MAX_WORDS` is split, between
its paragraphs (stycken).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.anchors import is_reference
from bot.knowledge.sentences import split_sentences
from bot.models import Document, Passage

MIN_WORDS = 40
MAX_WORDS = 150
LAW_MAX_WORDS = 400
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SOURCES = re.compile(r"^<!--\s*sources?:\s*(.*?)\s*-->\s*$", re.IGNORECASE)
_COMMENT = re.compile(r"^<!--.*-->\s*$")
_NOINDEX = re.compile(r"^<!--\s*noindex\s*-->\s*$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass
class _Block:
    text: str
    heading: str
    line: int
    sources: tuple[str, ...] | None = None
    """URLs from a sources comment; None when the paragraph has none (the document's apply)."""
    is_list: bool = False

    @property
    def words(self) -> int:
        return len(self.text.split())


def _blocks(document: Document) -> list[_Block]:
    """Group body lines into paragraph blocks with their heading and sources."""
    blocks: list[_Block] = []
    heading = ""
    section_sources: tuple[str, ...] | None = None
    current: list[str] = []
    start = 0
    last_was_heading = False
    skipping = False

    def flush() -> None:
        nonlocal current
        if current and not skipping:
            text = "\n".join(line.rstrip() for line in current).strip()
            if text:
                is_list = all(_LIST_ITEM.match(line) or not line.strip() for line in current[:1])
                blocks.append(_Block(text, heading, start, section_sources, is_list))
        current = []

    for offset, line in enumerate(document.body.split("\n")):
        number = document.body_line + offset
        stripped = line.strip()
        if _NOINDEX.match(stripped) and last_was_heading:
            # A section about the text itself (disclaimer, scope) lists every topic word and
            # would outrank real answers; it stays in the document but is not searched.
            skipping = True
            continue
        sources = _SOURCES.match(stripped)
        if sources and skipping:
            continue
        if sources:
            urls = tuple(url for url in re.split(r"[\s,]+", sources.group(1)) if url)
            if current:
                flush()
            if last_was_heading:
                section_sources = urls
            elif blocks:
                blocks[-1].sources = urls
            continue
        if _COMMENT.match(stripped):
            continue
        heading_match = _HEADING.match(stripped)
        if heading_match:
            flush()
            skipping = False
            heading = heading_match.group(2)
            section_sources = None
            last_was_heading = True
            continue
        if not stripped:
            # A blank line inside a list keeps the list together.
            if current and _LIST_ITEM.match(current[0]):
                continue
            flush()
            continue
        if (
            current
            and _LIST_ITEM.match(current[0])
            and not _LIST_ITEM.match(line)
            and not line[:1].isspace()
        ):
            flush()
        if not current:
            start = number
        current.append(line)
        last_was_heading = False
    flush()
    return blocks


def _union(
    first: tuple[str, ...] | None, second: tuple[str, ...] | None
) -> tuple[str, ...] | None:
    if first is None and second is None:
        return None
    return tuple(dict.fromkeys((*(first or ()), *(second or ()))))


def _split_long(block: _Block) -> list[_Block]:
    if block.words <= MAX_WORDS:
        return [block]
    sentences = split_sentences(block.text)
    chunks: list[list[str]] = [[]]
    for sentence in sentences:
        size = sum(len(s.split()) for s in chunks[-1])
        if chunks[-1] and size + len(sentence.split()) > MAX_WORDS * 0.8 and size >= MIN_WORDS:
            chunks.append([])
        chunks[-1].append(sentence)
    separator = "\n" if block.is_list else " "
    return [
        _Block(separator.join(chunk), block.heading, block.line, block.sources, block.is_list)
        for chunk in chunks
        if chunk
    ]


def _merge_short(blocks: list[_Block]) -> list[_Block]:
    merged: list[_Block] = []
    pending: _Block | None = None
    for block in blocks:
        if pending is not None:
            if pending.heading == block.heading and pending.words + block.words <= MAX_WORDS:
                sources = _union(pending.sources, block.sources)
                block = _Block(
                    f"{pending.text}\n\n{block.text}", block.heading, pending.line, sources
                )
            else:
                merged.append(pending)
            pending = None
        if block.words < MIN_WORDS:
            pending = block
        else:
            merged.append(block)
    if pending is not None:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.heading == pending.heading
            and last.words + pending.words <= MAX_WORDS
        ):
            sources = _union(last.sources, pending.sources)
            merged[-1] = _Block(f"{last.text}\n\n{pending.text}", last.heading, last.line, sources)
        else:
            merged.append(pending)
    return merged


def _sections(blocks: list[_Block]) -> list[_Block]:
    """Join the paragraphs under each heading of a statute into one block per section."""
    grouped: list[list[_Block]] = []
    for block in blocks:
        if grouped and grouped[-1][0].heading == block.heading:
            grouped[-1].append(block)
        else:
            grouped.append([block])
    sections: list[_Block] = []
    for group in grouped:
        if sum(block.words for block in group) > LAW_MAX_WORDS:
            sections.extend(group)
            continue
        sources: tuple[str, ...] | None = None
        for block in group:
            sources = _union(sources, block.sources)
        first = group[0]
        text = "\n\n".join(block.text for block in group)
        sections.append(_Block(text, first.heading, first.line, sources))
    return sections


def split_passages(document: Document) -> list[Passage]:
    """Split one document into passages.

    Args:
        document: A validated document.

    Returns:
        Passages numbered from 1 in document order.
    """
    if document.kind == "law":
        blocks = _sections(_blocks(document))
    else:
        blocks = [piece for block in _blocks(document) for piece in _split_long(block)]
        blocks = _merge_short(blocks)
    passages = []
    for number, block in enumerate(blocks, start=1):
        backing = document.sources if block.sources is None else block.sources
        passages.append(
            Passage(
                id=f"{document.id}#{number}",
                doc_id=document.id,
                number=number,
                text=block.text,
                heading=block.heading,
                language=document.language,
                line=block.line,
                sources=tuple(item for item in backing if not is_reference(item)),
                refs=tuple(item for item in backing if is_reference(item)),
            )
        )
    return passages
