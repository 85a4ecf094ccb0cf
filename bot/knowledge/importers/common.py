"""What every importer shares: the document type, the error, settings and text clean-up."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType

KINDS = ("opinion", "column", "news", "guide", "law", "agreement", "contract", "report")
MAX_BYTES = 100_000_000
"""Files larger than this are refused rather than read into memory."""
MAX_INFLATED_BYTES = 200_000_000
"""Largest total a DOCX (a ZIP archive) may unpack to: more is a zip bomb, not a document."""
MAX_ARCHIVE_MEMBERS = 10_000
"""Most files a DOCX archive may hold."""
MAX_ID_CHARS = 100
"""Longest document id: it becomes a file name, and file names have limits."""
DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
"""A stated date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
TITLE_MAX = 150
"""Longer lines are text, not a title."""
_JUNK_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - |untitled$|namnlös$|dokument\d*$|document\d*$)"
    r"|\.(?:docx?|pdf|odt|rtf|txt|indd|pptx?|xlsx?)$",
    re.IGNORECASE,
)
_JUNK_AUTHORS = frozenset(
    {
        "python-docx",
        "microsoft office user",
        "windows user",
        "windows-användare",
        "användare",
        "user",
        "admin",
        "administrator",
        "author",
        "unknown",
        "owner",
    }
)
_LIGATURES = str.maketrans(
    {
        "ﬀ": "ff",
        "ﬁ": "fi",
        "ﬂ": "fl",
        "ﬃ": "ffi",
        "ﬄ": "ffl",
        "ﬅ": "st",
        "ﬆ": "st",
        "\u00a0": " ",
        "\t": " ",
    }
)


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
class Extracted:
    """What a format reader found, before titles, ids and language are settled."""

    blocks: list[str]
    title: str = ""
    author: str = ""
    published: str = ""
    notes: list[str] = field(default_factory=list)


def require(module: str, package: str) -> ModuleType:
    """Import an optional package, or fail with the command that installs it.

    When the package is there but cannot be imported (a dependency of it is missing or
    broken), the message says so and names the real error.
    """
    try:
        return import_module(module)
    except ImportError as exc:
        missing = getattr(exc, "name", None)
        if isinstance(exc, ModuleNotFoundError) and missing == module.split(".")[0]:
            raise ImportFailed(
                f"{package} is not installed; run: pip install 'samverkansboten[import]'"
            ) from None
        raise ImportFailed(
            f"{package} is installed but cannot be imported ({type(exc).__name__}: {exc}); "
            "run: pip install 'samverkansboten[import]'"
        ) from None


# Shared text helpers ---------------------------------------------------------------------


def clean(text: str) -> str:
    """Drop control, private-use and invisible characters; unify line ends and ligatures."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    return "".join(
        char
        for char in text
        if char == "\n"
        or (
            unicodedata.category(char) not in ("Cc", "Cs", "Co", "Cn")
            and char not in "\ufeff\u200b\u2060"
        )
    )


def one_line(text: str) -> str:
    """Clean ``text`` and collapse it to one line, dropping soft hyphens."""
    return " ".join(clean(text).replace("\u00ad", "").split())


def _meta(value: object) -> str:
    return one_line(str(value)) if value else ""


def title_or_blank(value: object) -> str:
    """A metadata title, or "" when it is a file name, a placeholder or has no letters."""
    title = _meta(value)
    return "" if _JUNK_TITLE.search(title) or not re.search(r"[^\W\d_]", title) else title


def author_or_blank(value: object) -> str:
    """A metadata author, or "" when it is a software or placeholder name."""
    author = _meta(value)
    return "" if author.casefold() in _JUNK_AUTHORS else author


def paragraphs(text: str) -> list[str]:
    """Split plain text on blank lines, keeping single line breaks inside a paragraph."""
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", clean(text)):
        lines = [" ".join(line.split()) for line in chunk.split("\n")]
        block = "\n".join(line for line in lines if line)
        if block:
            blocks.append(block)
    return blocks
