"""Telegram HTML building blocks: escaping, measuring, quotes, links, and packing into messages.

Every document- or user-derived string goes through :func:`html.escape`; the only tags are
our own (``b``, ``i``, ``a href``, ``blockquote``, ``code``). Messages hold at most
:data:`MAX_VISIBLE` visible characters (UTF-16 code units, Telegram's measure), and every
message is a sequence of whole, balanced blocks.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from telegram import ForceReply, InlineKeyboardMarkup
from telegram.constants import MessageLimit

MAX_VISIBLE = MessageLimit.MAX_TEXT_LENGTH - 196
"""Visible characters per message: Telegram's 4096 less a safety margin."""
MAX_ENTITIES = 90
"""Formatting entities per message; Telegram shows about 100 at most."""
QUOTE_PIECE = 3000
"""Longest blockquote, in visible characters; longer excerpts become several quotes."""
MAX_MARKS = 30
"""Highlighted spans per blockquote."""
_TAG = re.compile(r"<[^>]*>")
_OPEN_TAG = re.compile(r"<[a-z]")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Chunk:
    """One Telegram message: HTML text and an optional inline keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | ForceReply | None = None


@dataclass(frozen=True)
class _Block:
    """An indivisible, balanced HTML fragment with its visible size."""

    html: str
    visible: int
    entities: int


def utf16_length(value: str) -> int:
    """Return the length of ``value`` in UTF-16 code units, as Telegram counts."""
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def visible_length(html_text: str) -> int:
    """Return the visible length of our Telegram HTML after entity parsing."""
    return utf16_length(html.unescape(_TAG.sub("", html_text)))


def clean(value: str) -> str:
    """Normalise line breaks and drop characters Telegram cannot take (controls, surrogates)."""
    return _UNSAFE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def escape(value: str) -> str:
    """Return ``value`` cleaned and escaped for Telegram HTML text."""
    return html.escape(clean(value), quote=False)


def truncate(value: str, limit: int) -> str:
    """Shorten ``value`` to at most ``limit`` characters, marking a cut with "…"."""
    value = " ".join(clean(value).split()) if "\n" in value else clean(value).strip()
    if len(value) <= limit:
        return value
    return value[: max(0, limit - 1)].rstrip() + "…"


def shorten(value: str, limit: int) -> str:
    """Shorten ``value`` to at most ``limit`` characters at a word boundary, marking the cut."""
    value = " ".join(clean(value).split())
    if len(value) <= limit:
        return value
    cut = value[: max(0, limit - 1)]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,:;–-&") + "…"


def _block(html_text: str) -> _Block:
    return _Block(html_text, visible_length(html_text), len(_OPEN_TAG.findall(html_text)))


def _spans(marks: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Clip, sort and merge highlight spans; keep at most :data:`MAX_MARKS`."""
    clipped = sorted(
        (max(0, int(start)), min(length, int(end)))
        for start, end in marks
        if min(length, int(end)) > max(0, int(start))
    )
    merged: list[tuple[int, int]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def marked(value: str, marks: Iterable[tuple[int, int]] = ()) -> str:
    """Return ``value`` escaped, with the character spans ``marks`` wrapped in ``<b>``.

    Spans separated only by spaces become one (fewer entities); at most :data:`MAX_MARKS`.
    """
    spans: list[tuple[int, int]] = []
    for start, end in _spans(marks, len(value)):
        if spans and value[spans[-1][1] : start].isspace():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    out: list[str] = []
    position = 0
    for start, end in spans[:MAX_MARKS]:
        out.append(escape(value[position:start]))
        inner = escape(value[start:end])
        out.append(f"<b>{inner}</b>" if inner.strip() else inner)
        position = end
    out.append(escape(value[position:]))
    return "".join(out)


def _split_points(value: str, limit: int) -> list[int]:
    """Return cut positions that keep each piece of ``value`` within ``limit`` UTF-16 units."""
    cuts: list[int] = []
    start = 0
    while utf16_length(value[start:]) > limit:
        end = start + limit
        while utf16_length(value[start:end]) > limit:
            end -= max(1, (utf16_length(value[start:end]) - limit + 1) // 2)
        window = value[start:end]
        floor = len(window) * 4 // 5
        space = max((m.start() for m in _SPACE.finditer(window, floor)), default=-1)
        end = start + space + 1 if space > 0 else end
        cuts.append(end)
        start = end
    return cuts


def _quotes(
    value: str,
    marks: Sequence[tuple[int, int]] = (),
    *,
    expandable: bool = True,
    limit: int = QUOTE_PIECE,
) -> list[_Block]:
    """Render ``value`` as one or more blockquotes of at most ``limit`` visible characters."""
    opening = "<blockquote expandable>" if expandable else "<blockquote>"
    bounds = [0, *_split_points(value, limit), len(value)]
    blocks = []
    for start, end in itertools.pairwise(bounds):
        piece_marks = [(s - start, e - start) for s, e in marks if e > start and s < end]
        body = marked(value[start:end], piece_marks).strip()
        if body:
            blocks.append(_block(f"{opening}{body}</blockquote>"))
    return blocks


def safe_url(url: str) -> str | None:
    """Return ``url`` percent-encoded if it is a plausible http(s) link, else None."""
    url = clean(url).strip()
    if not url or len(url) > 2000 or any(ch.isspace() for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def link(url: str, label: str) -> str:
    """Return an ``<a href>`` tag, or the escaped label alone when the URL is unusable."""
    target = safe_url(url)
    if target is None:
        return escape(label)
    return f'<a href="{html.escape(target, quote=True)}">{escape(label)}</a>'


def _pack(groups: Sequence[Sequence[_Block]], gap: int = 2) -> list[str]:
    """Join groups of blocks into messages, starting a new message at group boundaries.

    Blocks within a group are joined by one line break, groups by ``gap`` line breaks.
    """
    chunks: list[str] = []
    parts: list[str] = []
    visible = entities = 0

    def fits(size: int, count: int, separator: int) -> bool:
        return visible + separator + size <= MAX_VISIBLE and entities + count <= MAX_ENTITIES

    def flush() -> None:
        nonlocal visible, entities
        if parts:
            chunks.append("".join(parts))
        parts.clear()
        visible = entities = 0

    for group in groups:
        if not group:
            continue
        size = sum(block.visible for block in group) + len(group) - 1
        count = sum(block.entities for block in group)
        if not fits(size, count, gap if parts else 0):
            flush()
        for index, block in enumerate(group):
            separator = 0 if not parts else 1 if index else gap
            if not fits(block.visible, block.entities, separator):
                flush()
                separator = 0
            parts.append("\n" * separator + block.html)
            visible += separator + block.visible
            entities += block.entities
    flush()
    return chunks


def _chunks(texts: list[str], keyboard: InlineKeyboardMarkup | None) -> list[Chunk]:
    if not texts:
        return []
    return [Chunk(t) for t in texts[:-1]] + [Chunk(texts[-1], keyboard)]
