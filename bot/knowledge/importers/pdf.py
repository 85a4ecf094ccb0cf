"""Read a PDF: metadata, then lines regrouped into paragraphs with page furniture removed."""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.knowledge.importers.common import (
    TITLE_MAX,
    Extracted,
    ImportFailed,
    author_or_blank,
    clean,
    require,
    title_or_blank,
)
from bot.progress import SILENT, Progress

logger = logging.getLogger(__name__)

# A hyphen before one of these keeps its space: "sjuk- och hälsovård".
_CONJUNCTIONS = frozenset({"och", "eller", "samt", "respektive", "resp", "og", "and", "or"})
_PAGE_NUMBER = re.compile(
    r"(?:sida|side|page|s\.|p\.)?\s*[-–—(]?\s*(?:\d{1,3}|(?-i:[ivx]{1,5}))"
    r"\s*(?:(?:/|av|af|of)\s*\d{1,4})?\s*[-–—)]?",
    re.IGNORECASE,
)
_BULLET = re.compile(r"[•●▪■◦·*–-]\s|\d{1,2}[.)]\s|[a-z]\)\s|§\s?\d")
_TERMINAL = (".", "!", "?", ":", ";")
_PDF_EXTRACT = 16
"""The "copy text" bit of a PDF's permission flags (``UserAccessPermissions.EXTRACT``)."""


@dataclass
class _Line:
    """One extracted PDF line with its baseline height and font size when pypdf reports them."""

    text: str
    y: float | None = None
    size: float = 0.0


def read_pdf(data: bytes, name: str, progress: Progress = SILENT) -> Extracted:
    """Read a PDF's metadata and text; refuse encrypted or damaged files.

    ``progress`` shows the pages read: a long report takes a while.
    """
    pypdf = require("pypdf", "pypdf")
    notes: list[str] = []
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            if not reader.decrypt(""):
                raise ImportFailed(f"{name}: the PDF is encrypted")
            permissions = reader.user_access_permissions
            if permissions is not None and not permissions & _PDF_EXTRACT:
                notes.append("the PDF's permissions forbid copying text; check the right to quote")
        title, author, published = _pdf_metadata(reader)
        pages = [
            _pdf_page_lines(page)
            for page in progress.track(reader.pages, "pages read", unit="page")
        ]
        if not title and pages and (title := _largest_text(pages[0])):
            notes.append("the file states no title; the largest text on page 1 was used")
    except ImportFailed:
        raise
    except pypdf.errors.DependencyError:
        raise ImportFailed(
            f"{name}: the PDF is encrypted with AES, which needs the 'cryptography' package"
        ) from None
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        logger.debug("pypdf failed on %s", name, exc_info=exc)
        raise ImportFailed(f"{name}: the PDF is damaged or cannot be read") from None
    blocks = _pdf_blocks(_drop_running_lines(pages))
    return Extracted(blocks, title=title, author=author, published=published, notes=notes)


def _pdf_metadata(reader: Any) -> tuple[str, str, str]:
    """Title, author and creation date from the document info, else from XMP."""
    title = author = published = ""
    try:
        info = reader.metadata
        if info is not None:
            title = title_or_blank(info.title)
            author = author_or_blank(info.author)
            published = _pdf_date(info.creation_date_raw)
        xmp = None if title and author else reader.xmp_metadata
        if xmp is not None:
            titles = xmp.dc_title or {}
            dc_title = titles.get("x-default") or next(iter(titles.values()), "")
            title = title or title_or_blank(dc_title)
            author = author or author_or_blank(", ".join(xmp.dc_creator or []))
    except Exception as exc:  # damaged metadata costs the metadata, not the text
        logger.debug("unreadable PDF metadata", exc_info=exc)
    return title, author, published


def _pdf_date(value: object) -> str:
    """Turn a PDF date (``D:YYYYMMDDHHmmSS...``) into ISO, keeping only the stated precision."""
    match = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", str(value or "").strip())
    if not match:
        return ""
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return ""
    return "-".join(part for part in (year, month, day) if part)


def _pdf_page_lines(page: Any) -> list[_Line]:
    """Extract a page's lines, with heights from pypdf's text visitor when they line up."""
    pieces: list[tuple[str, float | None, float]] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], _: Any, size: float) -> None:
        if not text:
            return
        m = [
            tm[0] * cm[0] + tm[1] * cm[2],
            tm[0] * cm[1] + tm[1] * cm[3],
            tm[2] * cm[0] + tm[3] * cm[2],
            tm[2] * cm[1] + tm[3] * cm[3],
        ]
        upright = abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[3] > 0
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5] if upright else None
        pieces.append((text, y, float(size or 0) * math.hypot(m[2], m[3])))

    text = page.extract_text(visitor_text=visit)
    if "".join(piece[0] for piece in pieces) != text:
        return [_Line(clean(line)) for line in text.split("\n")]
    lines = [_Line("")]
    for chunk, y, size in pieces:
        for index, part in enumerate(clean(chunk).split("\n")):
            if index:
                lines.append(_Line(""))
            line = lines[-1]
            if part.strip() and line.y is None:
                line.y = y
            if part.strip():
                line.size = max(line.size, size)
            line.text += part
    return lines


def _largest_text(page: list[_Line]) -> str:
    """The first run of lines in the page's largest font, when that font stands out."""
    sized = [line for line in page if line.text.strip() and line.size]
    if len(sized) < 2:
        return ""
    largest = max(line.size for line in sized)
    if largest < 1.3 * statistics.median(line.size for line in sized):
        return ""
    start = next(i for i, line in enumerate(sized) if line.size == largest)
    run = itertools.takewhile(lambda line: line.size == largest, sized[start:])
    title = " ".join(" ".join(line.text.split()) for line in run)
    return title_or_blank(title) if len(title) <= TITLE_MAX else ""


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop page numbers and lines repeated at the top or bottom of most pages."""
    edge = 2

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", " ".join(line.text.casefold().split()))

    for page in pages:
        for line in page:
            line.text = " ".join(line.text.split())
    counts: Counter[str] = Counter()
    for page in pages:
        filled = [line for line in page if line.text]
        counts.update({key(line) for line in filled[:edge] + filled[-edge:]})
    needed = max(2, math.ceil(len(pages) / 2))
    running = {text for text, count in counts.items() if count >= needed}
    cleaned = []
    for page in pages:
        filled = [line for line in page if line.text]
        edges = {id(line) for line in filled[:edge] + filled[-edge:]}
        cleaned.append(
            [
                line
                for line in page
                if id(line) not in edges
                or not (key(line) in running or _PAGE_NUMBER.fullmatch(line.text))
            ]
        )
    return cleaned


def _pdf_blocks(pages: list[list[_Line]]) -> list[str]:
    """Group lines into paragraphs using vertical gaps, font sizes and line lengths."""
    lines = [line for page in pages for line in page if line.text]
    if not lines:
        return []
    lengths = sorted(len(line.text) for line in lines)
    typical = lengths[math.ceil(0.9 * (len(lengths) - 1))]
    sizes = [line.size for line in lines if line.size]
    body_size = statistics.median(sizes) if sizes else 0.0
    ratios = []
    for page in pages:
        placed = [line for line in page if line.text and line.y is not None and line.size]
        for upper, lower in itertools.pairwise(placed):
            gap = (upper.y or 0) - (lower.y or 0)
            if gap > 0:
                ratios.append(gap / lower.size)
    # The lower quartile, not the median: in short texts paragraph gaps are a good share;
    # with only a few gaps, one of them may be a paragraph gap, so assume at most 1.5 lines.
    pitch = sorted(ratios)[len(ratios) // 4] if ratios else 0.0
    if len(ratios) < 4:
        pitch = min(pitch, 1.5)

    groups: list[list[_Line]] = []
    previous: _Line | None = None
    for page in pages:
        page_start = True
        for line in page:
            if not line.text:
                previous = None
                continue
            if previous is None or _breaks(previous, line, page_start, pitch, typical):
                groups.append([line])
            else:
                groups[-1].append(line)
            previous, page_start = line, False
    return [_pdf_paragraph(group, body_size) for group in groups]


def _breaks(upper: _Line, lower: _Line, page_start: bool, pitch: float, typical: int) -> bool:
    """Decide whether ``lower`` starts a new paragraph after ``upper``."""
    text, following = upper.text, lower.text
    if _BULLET.match(following):
        return True
    if page_start:  # a paragraph runs on over a page break only mid-sentence
        mid_sentence = not text.endswith(_TERMINAL) and following[:1].islower()
        return not (text.endswith("-") or mid_sentence)
    sizes = (upper.size, lower.size)
    if min(sizes) and max(sizes) - min(sizes) > 0.15 * max(sizes):
        return True
    if pitch and upper.y is not None and lower.y is not None and lower.size:
        gap = (upper.y - lower.y) / lower.size
        if gap < 0 or gap > 1.3 * pitch:
            return True
    starts_sentence = following[:1].isupper() or following[:1].isdigit()
    return len(text) < 0.6 * typical and (text.endswith(_TERMINAL) or starts_sentence)


def _pdf_paragraph(group: list[_Line], body_size: float) -> str:
    """Join a paragraph's lines, undoing line-end hyphenation where it is safe."""
    text = group[0].text
    for line in group[1:]:
        following = line.text
        next_word = following.split(" ", 1)[0].casefold().strip(",.")
        fragment = re.search(r"([^\W\d_]*)-$", text)
        if text.endswith("\u00ad"):
            text = text[:-1] + following
        elif fragment and next_word in _CONJUNCTIONS:
            text += " " + following  # "sjuk- och hälsovård"
        elif (
            fragment
            and len(fragment.group(1)) >= 2
            and fragment.group(1)[-1].islower()
            and following[:1].islower()
        ):
            text = text[:-1] + following  # "sam-" + "verkan"
        elif re.search(r"\w-$", text):
            text += following  # "IOP-" + "avtal", "2023-" + "2024"
        else:
            text += " " + following
    text = text.replace("\u00ad", "")
    sizes = [line.size for line in group]
    heading = (
        body_size
        and min(sizes) >= 1.15 * body_size
        and len(text.split()) <= 15
        and not text.endswith((".", ",", ";"))
    )
    return f"## {text}" if heading else text
