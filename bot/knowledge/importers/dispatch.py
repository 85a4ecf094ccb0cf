"""Read any supported file: refuse what is too big or mislabelled, then pick the reader."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.importers.common import MAX_BYTES, ImportedDocument, ImportFailed
from bot.knowledge.importers.finish import finish
from bot.knowledge.importers.pdf import read_pdf
from bot.knowledge.importers.plain import read_txt
from bot.knowledge.importers.web import read_html
from bot.knowledge.importers.word import read_docx
from bot.progress import SILENT, Progress

_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt"}
_UNSUPPORTED = "unsupported file type (use PDF, DOCX, HTML or TXT)"


def extract(path: Path, progress: Progress = SILENT) -> ImportedDocument:
    """Read a PDF, DOCX, HTML or TXT file into an :class:`ImportedDocument`.

    The format is chosen by the file suffix and confirmed by the file's first bytes, so a
    login page saved as ``report.pdf`` is reported instead of parsed.

    Args:
        path: The file to read.
        progress: Shows the pages read of a PDF (``python -m bot import`` in a terminal).

    Returns:
        The document, with metadata only where the file states it.

    Raises:
        ImportFailed: The file is missing, unsupported, encrypted, damaged or has no text.
    """
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ImportFailed(f"{name}: the file is larger than {MAX_BYTES // 1_000_000} MB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailed(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ImportFailed(f"{name}: is a folder, not a file") from None
    except OSError as exc:
        raise ImportFailed(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise ImportFailed(f"{name}: the file is empty")
    fmt = _detect_format(name, data)
    if fmt == "pdf":
        found = read_pdf(data, name, progress)
    else:
        readers = {"docx": read_docx, "html": read_html, "txt": read_txt}
        found = readers[fmt](data, name)
    return finish(found, name, hint=" (scanned pages need OCR first)" if fmt == "pdf" else "")


def _sniff(data: bytes) -> str:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    lowered = head.lower()
    if any(tag in lowered for tag in (b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    return ""


def _detect_format(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    sniffed = _sniff(data)
    fmt = _SUFFIXES.get(suffix)
    if fmt is None:
        if suffix == "" and sniffed in ("pdf", "html", "zip"):
            return "docx" if sniffed == "zip" else sniffed
        raise ImportFailed(f"{name}: {_UNSUPPORTED}")
    if fmt == "pdf" and sniffed != "pdf":
        why = " (it is an HTML page, perhaps a failed download)" if sniffed == "html" else ""
        raise ImportFailed(f"{name}: not a valid PDF{why}")
    if fmt == "docx" and sniffed == "ole":
        raise ImportFailed(f"{name}: encrypted or old-style Word file; save it as a plain .docx")
    if fmt == "docx" and sniffed != "zip":
        raise ImportFailed(f"{name}: not a valid DOCX")
    if fmt in ("html", "txt") and sniffed in ("pdf", "zip", "ole"):
        label = {"pdf": "a PDF", "zip": "a ZIP or Office file", "ole": "an old Office file"}
        raise ImportFailed(f"{name}: the file is {label[sniffed]}, not {fmt.upper()}")
    return fmt
