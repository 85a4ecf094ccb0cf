"""Turn a PDF, DOCX, HTML or TXT file into a knowledge document for an editor to finish.

Only what the file itself states goes into the front matter: title, author and date from its
metadata, the language guessed from its words. Everything else (kind, url, topics, publisher)
is left empty for the editor. The body keeps the file's exact words; only layout is undone
(page headers and numbers, line-end hyphens, hard line breaks inside paragraphs).

Usage from the command line: ``python -m bot import FILE [--id ID] [--force]``.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import os
import re
import secrets
import statistics
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

logger = logging.getLogger(__name__)

KINDS = ("opinion", "column", "news", "guide", "law", "agreement", "contract", "report")
MAX_BYTES = 100_000_000
"""Files larger than this are refused rather than read into memory."""

_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt"}
_UNSUPPORTED = "unsupported file type (use PDF, DOCX, HTML or TXT)"
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_TITLE_MAX = 150
_SLUG_MAX = 60


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that are frequent in one language and rare in the other two; "for", "at" and the
# words Swedish and Danish share ("som", "med", "det", ...) would not tell them apart.
_STOPWORDS = {
    "sv": _words(
        "och att är inte för av till ett också från ska skall detta denna dessa när hur vara"
        " mellan genom vid där utan mot sina även enligt bör oss vad hade"
    ),
    "da": _words(
        "og er ikke af til et også fra skal dette disse når hvordan være mellem gennem ved"
        " der uden mod sine hvis hvor hvad jeg blev bliver meget havde os"
    ),
    "en": _words(
        "the and of to in is that with on are be this by as it not or from which an was"
        " have has will should their these"
    ),
}
# A hyphen before one of these keeps its space: "sjuk- och hälsovård".
_CONJUNCTIONS = _words("och eller samt respektive resp og and or")
_JUNK_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - |untitled$|namnlös$|dokument\d*$|document\d*$)"
    r"|\.(?:docx?|pdf|odt|rtf|txt|indd|pptx?|xlsx?)$",
    re.IGNORECASE,
)
_JUNK_AUTHORS = frozenset(
    {"python-docx", "microsoft office user", "windows user", "windows-användare", "användare",
     "user", "admin", "administrator", "author", "unknown", "owner"}
)
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st",
                            "ﬆ": "st", "\u00a0": " ", "\t": " "})
_SLUG_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ð": "d", "þ": "th",
                               "ł": "l", "đ": "d"})
_PAGE_NUMBER = re.compile(
    r"(?:sida|side|page|s\.|p\.)?\s*[-–—(]?\s*(?:\d{1,3}|(?-i:[ivx]{1,5}))"
    r"\s*(?:(?:/|av|af|of)\s*\d{1,4})?\s*[-–—)]?",
    re.IGNORECASE,
)
_BULLET = re.compile(r"[•●▪■◦·*–-]\s|\d{1,2}[.)]\s|[a-z]\)\s|§\s?\d")
_TERMINAL = (".", "!", "?", ":", ";")
_RULE = re.compile(r"[-=_*~]{3,}")
_PDF_EXTRACT = 16
"""The "copy text" bit of a PDF's permission flags (``UserAccessPermissions.EXTRACT``)."""


class ImportFailed(Exception):
    """A file could not be turned into a knowledge document."""


@dataclass(frozen=True)
class ImportedDocument:
    """Text and metadata taken from one file; what the file does not state is ""."""

    id: str
    title: str
    author: str
    published: str
    """ISO date, or ``YYYY-MM`` / ``YYYY`` when only that is stated; "" when not stated."""
    language: str
    body: str
    """Markdown paragraphs separated by blank lines; headings as ``##``/``###``."""
    source_name: str
    notes: tuple[str, ...] = ()
    """Short remarks for the editor, e.g. that a title was taken from the first line."""


@dataclass
class _Extracted:
    """What a format reader found, before titles, ids and language are settled."""

    blocks: list[str]
    title: str = ""
    author: str = ""
    published: str = ""
    notes: list[str] = field(default_factory=list)


def extract(path: Path) -> ImportedDocument:
    """Read a PDF, DOCX, HTML or TXT file into an :class:`ImportedDocument`.

    The format is chosen by the file suffix and confirmed by the file's first bytes, so a
    login page saved as ``report.pdf`` is reported instead of parsed.

    Args:
        path: The file to read.

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
    readers = {"pdf": _read_pdf, "docx": _read_docx, "html": _read_html, "txt": _read_txt}
    found = readers[fmt](data, name)
    return _finish(found, name, hint=" (scanned pages need OCR first)" if fmt == "pdf" else "")


def to_markdown(doc: ImportedDocument, *, kind: str = "") -> str:
    """Render a document as a knowledge file: YAML front matter, ``# title`` and the body.

    Fields the file did not state stay empty for the editor; ``url`` is never guessed.

    Args:
        doc: The extracted document.
        kind: One of :data:`KINDS`, or "" to leave it for the editor.

    Returns:
        The file text, ending with a newline.

    Raises:
        ValueError: ``kind`` is not one of :data:`KINDS`.
    """
    if kind and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    title = _one_line(doc.title)
    published = _one_line(doc.published)
    lines = [
        "---",
        f"id: {_plain_or_quoted(doc.id)}",
        f"title: {_quoted(title)}",
        f"author: {_quoted(_one_line(doc.author))}",
        'publisher: ""',
        # Unquoted like the format's own example, so YAML reads a full date as a date.
        f"published: {published if _DATE.fullmatch(published) else _quoted(published)}",
        f"language: {_plain_or_quoted(doc.language)}",
        f"kind: {kind or _quoted('')}",
        'url: ""',
        "topics: []",
        "---",
        "",
        f"# {title}",
        "",
        _clean(doc.body).strip(),
    ]
    return "\n".join(lines) + "\n"


def import_file(
    path: Path,
    knowledge_dir: Path,
    *,
    doc_id: str | None = None,
    force: bool = False,
    kind: str = "",
) -> Path:
    """Extract ``path`` and write it as ``<knowledge_dir>/<id>.md``.

    The file is written to a temporary name and moved into place, so a failure never leaves
    a half-written document; an existing document is only replaced when ``force`` is set.

    Args:
        path: The PDF, DOCX, HTML or TXT file to import.
        knowledge_dir: The existing knowledge folder.
        doc_id: The document id; by default made from the title or the file name.
        force: Replace an existing document with the same id.
        kind: The document kind, or "" to leave it for the editor.

    Returns:
        The path of the written document.

    Raises:
        ImportFailed: The file cannot be imported or the target cannot be written.
    """
    if kind and kind not in KINDS:
        raise ImportFailed(f"unknown kind {kind!r} (use {', '.join(KINDS)})")
    if not knowledge_dir.is_dir():
        raise ImportFailed(f"{knowledge_dir}: knowledge folder not found")
    doc = extract(path)
    if doc_id is None and not doc.id:
        raise ImportFailed(f"{path.name}: cannot make an id from the title; use --id")
    new_id = doc.id if doc_id is None else doc_id
    if not _ID.fullmatch(new_id):
        raise ImportFailed(f"invalid id {new_id!r} (use a-z, 0-9 and -, not starting with -)")
    doc = replace(doc, id=new_id)
    target = knowledge_dir / f"{new_id}.md"
    if target.exists() and not force:
        raise ImportFailed(f"{target} already exists; use --force to replace it")
    _write_atomically(target, to_markdown(doc, kind=kind), overwrite=force)
    return target


def slugify(text: str) -> str:
    """Make an id from ``text``: lower case ``a-z``, ``0-9`` and ``-``, at most 60 characters.

    Args:
        text: A title or file name.

    Returns:
        The slug; "" when ``text`` has no Latin letters or digits.
    """
    text = unicodedata.normalize("NFKD", text.casefold().translate(_SLUG_LETTERS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > _SLUG_MAX:
        cut = slug[: _SLUG_MAX + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:_SLUG_MAX]
    return slug


def guess_language(text: str) -> str:
    """Guess ``sv``, ``da`` or ``en`` from stopword counts; ``sv`` when nothing decides.

    Args:
        text: Running text, ideally a few sentences or more.

    Returns:
        The language code.
    """
    words = re.findall(r"[^\W\d_]+", text.casefold())[:5000]
    scores = {lang: sum(word in stop for word in words) for lang, stop in _STOPWORDS.items()}
    # Letters only one of the Nordic languages uses settle short texts.
    scores["sv"] += sum(("ä" in word or "ö" in word) for word in words)
    scores["da"] += sum(("æ" in word or "ø" in word) for word in words)
    best = max(scores, key=lambda lang: (scores[lang], lang == "sv"))
    return best if scores[best] else "sv"


# Format detection ----------------------------------------------------------------------


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


def _require(module: str, package: str) -> ModuleType:
    try:
        return import_module(module)
    except ImportError:
        raise ImportFailed(
            f"{package} is not installed; run: pip install 'samverkansboten[import]'"
        ) from None


# Shared text helpers ---------------------------------------------------------------------


def _clean(text: str) -> str:
    """Drop control, private-use and invisible characters; unify line ends and ligatures."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    return "".join(
        char
        for char in text
        if char == "\n"
        or (unicodedata.category(char) not in ("Cc", "Cs", "Co", "Cn")
            and char not in "\ufeff\u200b\u2060")
    )


def _one_line(text: str) -> str:
    return " ".join(_clean(text).replace("\u00ad", "").split())


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plain_or_quoted(value: str) -> str:
    """Write ids and codes bare, as the format does, unless YAML would read them as non-text."""
    value = _one_line(value)
    if re.fullmatch(r"[a-z][a-z0-9-]*", value) and value not in ("yes", "no", "on", "off",
                                                                  "true", "false", "null"):
        return value
    return _quoted(value)


def _meta(value: object) -> str:
    return _one_line(str(value)) if value else ""


def _title_or_blank(value: object) -> str:
    title = _meta(value)
    return "" if _JUNK_TITLE.search(title) or not re.search(r"[^\W\d_]", title) else title


def _author_or_blank(value: object) -> str:
    author = _meta(value)
    return "" if author.casefold() in _JUNK_AUTHORS else author


def _paragraphs(text: str) -> list[str]:
    """Split plain text on blank lines, keeping single line breaks inside a paragraph."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", _clean(text)):
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    return blocks


def _finish(found: _Extracted, name: str, *, hint: str = "") -> ImportedDocument:
    """Settle title, id and language, and refuse documents without text."""
    # Rules like "-----" are layout, and a bare "---" line would end the front matter early.
    blocks = [
        "\n".join(line for line in block.split("\n") if not _RULE.fullmatch(line.strip()))
        for block in found.blocks
    ]
    blocks = [block for block in blocks if block.strip()]
    if not blocks:
        raise ImportFailed(f"{name}: no text found{hint}")
    notes = list(found.notes)
    title = found.title
    first = blocks[0].lstrip("#").strip()
    if title:
        if _same_text(first, title) and len(blocks) > 1:
            blocks.pop(0)
    elif len(first) <= _TITLE_MAX and "\n" not in first:
        title = first
        if len(blocks) > 1:
            blocks.pop(0)
        notes.append("the file states no title; its first line was used")
    else:
        title = re.sub(r"[-_]+", " ", Path(name).stem).strip() or name
        notes.append("no title found; the file name was used")
    body = "\n\n".join(blocks)
    return ImportedDocument(
        id=slugify(title) or slugify(Path(name).stem),
        title=title,
        author=found.author,
        published=found.published,
        language=guess_language(f"{title}\n{body}"),
        body=body,
        source_name=name,
        notes=tuple(notes),
    )


def _same_text(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return " ".join(text.casefold().split()).rstrip(".:")

    return key(a) == key(b)


def _write_atomically(target: Path, text: str, *, overwrite: bool) -> None:
    """Write via a temporary file in the same folder; never clobber unless ``overwrite``."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask decide, like any other file the editor creates.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # atomic and fails if the target appeared meanwhile
        except FileExistsError:
            raise ImportFailed(f"{target} already exists; use --force to replace it") from None
        except OSError:  # file systems without hard links
            if target.exists():
                raise ImportFailed(f"{target} already exists; use --force to replace it") from None
            os.replace(tmp, target)
    except OSError as exc:
        raise ImportFailed(f"{target}: cannot be written ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)


# PDF ---------------------------------------------------------------------------------------


@dataclass
class _Line:
    """One extracted PDF line with its baseline height and font size when pypdf reports them."""

    text: str
    y: float | None = None
    size: float = 0.0


def _read_pdf(data: bytes, name: str) -> _Extracted:
    pypdf = _require("pypdf", "pypdf")
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
        pages = [_pdf_page_lines(page) for page in reader.pages]
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
    return _Extracted(blocks, title=title, author=author, published=published, notes=notes)


def _pdf_metadata(reader: Any) -> tuple[str, str, str]:
    """Title, author and creation date from the document info, else from XMP."""
    title = author = published = ""
    try:
        info = reader.metadata
        if info is not None:
            title = _title_or_blank(info.title)
            author = _author_or_blank(info.author)
            published = _pdf_date(info.creation_date_raw)
        xmp = None if title and author else reader.xmp_metadata
        if xmp is not None:
            titles = xmp.dc_title or {}
            dc_title = titles.get("x-default") or next(iter(titles.values()), "")
            title = title or _title_or_blank(dc_title)
            author = author or _author_or_blank(", ".join(xmp.dc_creator or []))
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
        m = [tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
             tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]]
        upright = abs(m[1]) < 1e-6 and abs(m[2]) < 1e-6 and m[3] > 0
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5] if upright else None
        pieces.append((text, y, float(size or 0) * math.hypot(m[2], m[3])))

    text = page.extract_text(visitor_text=visit)
    if "".join(piece[0] for piece in pieces) != text:
        return [_Line(_clean(line)) for line in text.split("\n")]
    lines = [_Line("")]
    for chunk, y, size in pieces:
        for index, part in enumerate(_clean(chunk).split("\n")):
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
    return _title_or_blank(title) if len(title) <= _TITLE_MAX else ""


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
        cleaned.append([
            line for line in page
            if id(line) not in edges
            or not (key(line) in running or _PAGE_NUMBER.fullmatch(line.text))
        ])
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
        elif (fragment and len(fragment.group(1)) >= 2 and fragment.group(1)[-1].islower()
              and following[:1].islower()):
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


# DOCX --------------------------------------------------------------------------------------


def _read_docx(data: bytes, name: str) -> _Extracted:
    docx = _require("docx", "python-docx")
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
    return _Extracted(
        blocks,
        title=_title_or_blank(props.title),
        author=_author_or_blank(props.author),
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
        text = " ".join(_clean(item.text).split())
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
            text = " ".join(_clean(cell.text).split())
            if text:
                cells.append(text)
        if cells:
            yield " | ".join(cells)


# HTML --------------------------------------------------------------------------------------


def _read_html(data: bytes, name: str) -> _Extracted:
    trafilatura = _require("trafilatura", "trafilatura")
    settings = _require("trafilatura.settings", "trafilatura")
    html = _decode_html(data)
    config = settings.use_config()
    # Free-text date guessing turns "© 2021" into a publication date; markup only.
    config.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    try:
        xml = trafilatura.extract(
            html, output_format="xml", with_metadata=True, include_comments=False,
            include_tables=True, config=config,
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
    return _Extracted(
        blocks,
        title=_title_or_blank(root.get("title")) or _title_or_blank(fallback),
        author=_author_or_blank(root.get("author")),
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
    if not _DATE.fullmatch(found):
        return ""
    for candidate in (found, found[:7]):
        variants = (candidate, candidate.replace("-", "/"), candidate.replace("-", ""))
        if len(candidate) > 4 and any(variant in html for variant in variants):
            return candidate
    return found[:4] if found[:4] in html else ""


def _html_blocks(main: ET.Element) -> Iterator[str]:
    if main.text and main.text.strip():
        yield from _paragraphs(main.text)
    for element in main:
        if element.tag == "head":
            level = re.fullmatch(r"h(\d)", element.get("rend") or "")
            text = _one_line(_xml_text(element))
            if text:
                yield ("###" if level and int(level.group(1)) > 2 else "##") + " " + text
        elif element.tag == "list":
            items = [_one_line(_xml_text(item)) for item in element.findall("item")]
            block = "\n".join(f"- {item}" for item in items if item)
            if block:
                yield block
        elif element.tag == "table":
            for row in element.iter("row"):
                cells = [_one_line(_xml_text(cell)) for cell in row.iter("cell")]
                if any(cells):
                    yield " | ".join(cell for cell in cells if cell)
        else:
            yield from _paragraphs(_xml_text(element))


def _xml_text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _xml_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# TXT ---------------------------------------------------------------------------------------


def _read_txt(data: bytes, name: str) -> _Extracted:
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
    blocks = _paragraphs(text)
    if not blocks:
        raise ImportFailed(f"{name}: no text found")
    first, _, rest = blocks[0].partition("\n")
    title = first.lstrip("#").strip()  # Markdown saved as .txt
    if len(title) > _TITLE_MAX or not title:
        return _Extracted(blocks, notes=notes)
    blocks = ([rest] if rest else []) + blocks[1:]
    if not blocks:  # a single line is both title and text
        blocks = [title]
    return _Extracted(blocks, title=title, notes=notes)
