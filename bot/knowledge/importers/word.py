"""Read a DOCX with python-docx: core properties, paragraphs, lists and tables in order."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from bot.knowledge.importers.common import (
    MAX_ARCHIVE_MEMBERS,
    MAX_INFLATED_BYTES,
    Extracted,
    ImportFailed,
    author_or_blank,
    clean,
    require,
    title_or_blank,
)

logger = logging.getLogger(__name__)


def read_docx(data: bytes, name: str) -> Extracted:
    """Read a DOCX's core properties and its text in document order."""
    docx = require("docx", "python-docx")
    _check_archive(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        props = document.core_properties
        created = props.created
        published = created.date().isoformat() if created and created.year >= 1980 else ""
        blocks = list(_docx_blocks(document))
        tracked = bool(document.element.body.xpath(".//w:ins | .//w:del"))
    except Exception as exc:  # python-docx and zipfile raise many kinds of errors
        logger.debug("python-docx failed on %s", name, exc_info=exc)
        raise ImportFailed(f"{name}: the DOCX is damaged or not a Word document") from None
    notes = ["the file has tracked changes; only unchanged text was imported"] if tracked else []
    return Extracted(
        blocks,
        title=title_or_blank(props.title),
        author=author_or_blank(props.author),
        published=published,
        notes=notes,
    )


def _docx_blocks(document: Any) -> Iterator[str]:
    """Yield paragraphs in document order; headings as ``##``, list runs as one block."""
    from docx.table import Table

    items: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            yield from _flush(items)
            yield from _table_rows(item)
            continue
        text = " ".join(clean(item.text).split())
        if not text:
            continue
        style = str(item.style.name if item.style is not None else "")
        heading = re.fullmatch(r"Title|Heading (\d)", style)
        p_pr = item._p.pPr
        if heading:
            yield from _flush(items)
            yield ("###" if int(heading.group(1) or 1) > 1 else "##") + " " + text
        elif style.startswith("List") or (p_pr is not None and p_pr.numPr is not None):
            items.append(f"- {text}")
        else:
            yield from _flush(items)
            yield text
    yield from _flush(items)


def _flush(items: list[str]) -> Iterator[str]:
    if items:
        yield "\n".join(items)
        items.clear()


def _table_rows(table: Any) -> Iterable[str]:
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats for every column it spans
                continue
            seen.add(id(cell._tc))
            text = " ".join(clean(cell.text).split())
            if text:
                cells.append(text)
        if cells:
            yield " | ".join(cells)


def _check_archive(data: bytes, name: str) -> None:
    """Refuse a zip bomb: too many members, or more than the cap once unpacked.

    The sizes come from the archive's directory; Python's zipfile never unpacks a member past
    its stated size (and fails its checksum instead), so a lying directory cannot get round it.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFailed(f"{name}: the DOCX is damaged or not a Word document") from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ImportFailed(f"{name}: the DOCX holds more than {MAX_ARCHIVE_MEMBERS} files")
    inflated = sum(member.file_size for member in members)
    if inflated > MAX_INFLATED_BYTES:
        raise ImportFailed(
            f"{name}: the DOCX unpacks to {inflated // 1_000_000} MB, more than "
            f"{MAX_INFLATED_BYTES // 1_000_000} MB (a zip bomb?); not imported"
        )
