"""Settle what a reader found into a document: its title, id and language."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bot.knowledge.importers.common import TITLE_MAX, Extracted, ImportedDocument, ImportFailed

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
_SLUG_LETTERS = str.maketrans(
    {"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ð": "d", "þ": "th", "ł": "l", "đ": "d"}
)
_RULE = re.compile(r"[-=_*~]{3,}")


def finish(found: Extracted, name: str, *, hint: str = "") -> ImportedDocument:
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
    elif len(first) <= TITLE_MAX and "\n" not in first:
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
