"""Read a plain text file, guessing its encoding; a short first line is the title."""

from __future__ import annotations

from bot.knowledge.importers.common import TITLE_MAX, Extracted, ImportFailed, paragraphs


def read_txt(data: bytes, name: str) -> Extracted:
    """Decode a text file (UTF-8, UTF-16 or Windows-1252) into paragraphs."""
    notes = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif b"\x00" in data[:4096]:
        raise ImportFailed(f"{name}: not a text file")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
            notes.append("the file is not UTF-8; it was read as Windows-1252, so check å, ä and ö")
    blocks = paragraphs(text)
    if not blocks:
        raise ImportFailed(f"{name}: no text found")
    first, _, rest = blocks[0].partition("\n")
    title = first.lstrip("#").strip()  # Markdown saved as .txt
    if len(title) > TITLE_MAX or not title:
        return Extracted(blocks, notes=notes)
    blocks = ([rest] if rest else []) + blocks[1:]
    if not blocks:  # a single line is both title and text
        blocks = [title]
    return Extracted(blocks, title=title, notes=notes)
