"""Read an HTML page with trafilatura: the main text and the metadata the markup states."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from bot.knowledge.importers.common import (
    DATE,
    Extracted,
    ImportFailed,
    author_or_blank,
    one_line,
    paragraphs,
    require,
    title_or_blank,
)

logger = logging.getLogger(__name__)


def read_html(data: bytes, name: str) -> Extracted:
    """Extract an HTML page's main text and stated metadata with trafilatura."""
    trafilatura = require("trafilatura", "trafilatura")
    settings = require("trafilatura.settings", "trafilatura")
    html = _decode_html(data)
    config = settings.use_config()
    # Free-text date guessing turns "© 2021" into a publication date; markup only.
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    try:
        xml = trafilatura.extract(
            html,
            output_format="xml",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            config=config,
        )
        root = ET.fromstring(xml) if xml else None
    except Exception as exc:  # lxml and trafilatura raise many kinds of errors
        logger.debug("trafilatura failed on %s", name, exc_info=exc)
        raise ImportFailed(f"{name}: the HTML cannot be read") from None
    if root is None:
        raise ImportFailed(f"{name}: no text found")
    main = root.find("main")
    blocks = list(_html_blocks(main)) if main is not None else []
    title_tag = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    fallback = _unescape(title_tag.group(1)) if title_tag else ""
    notes = []
    if root.get("url"):
        notes.append(f"the page gives its address as {root.get('url')}; check it for url")
    return Extracted(
        blocks,
        title=title_or_blank(root.get("title")) or title_or_blank(fallback),
        author=author_or_blank(root.get("author")),
        published=_stated_date(root.get("date") or "", html),
        notes=notes,
    )


def _decode_html(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"charset=[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return data.decode("cp1252", errors="replace")


def _unescape(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _stated_date(found: str, html: str) -> str:
    """Keep the part of trafilatura's date that the page states: it pads "2023-05" to a day."""
    if not DATE.fullmatch(found):
        return ""
    for candidate in (found, found[:7]):
        variants = (candidate, candidate.replace("-", "/"), candidate.replace("-", ""))
        if len(candidate) > 4 and any(variant in html for variant in variants):
            return candidate
    return found[:4] if found[:4] in html else ""


def _html_blocks(main: ET.Element) -> Iterator[str]:
    if main.text and main.text.strip():
        yield from paragraphs(main.text)
    for element in main:
        if element.tag == "head":
            level = re.fullmatch(r"h(\d)", element.get("rend") or "")
            text = one_line(_xml_text(element))
            if text:
                yield ("###" if level and int(level.group(1)) > 2 else "##") + " " + text
        elif element.tag == "list":
            items = [one_line(_xml_text(item)) for item in element.findall("item")]
            block = "\n".join(f"- {item}" for item in items if item)
            if block:
                yield block
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [one_line(_xml_text(cell)) for cell in row.iter("cell")]
                if any(cells):
                    yield " | ".join(cell for cell in cells if cell)
        else:
            yield from paragraphs(_xml_text(element))


def _xml_text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _xml_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
