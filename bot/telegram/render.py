"""Render answers, passages, topics and sources as Telegram HTML messages with keyboards.

Every document- or user-derived string goes through :func:`html.escape`; the only tags are
our own (``b``, ``i``, ``a href``, ``blockquote``). Output is split into messages of at most
:data:`MAX_VISIBLE` visible characters (UTF-16 code units, Telegram's measure), at result
boundaries where possible, and every message is a sequence of whole, balanced blocks.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.answer import citation_text, kind_label
from bot.models import (
    LANGUAGES,
    Answer,
    Citation,
    DatedNote,
    Document,
    Link,
    Passage,
    Result,
    Suggestion,
    Topic,
)
from bot.telegram.callback_data import (
    feedback_data,
    full_data,
    language_data,
    more_data,
    newer_data,
    starter_data,
    topic_data,
)
from bot.telegram.texts import LANGUAGE_NAMES, plain, text

MAX_VISIBLE = MessageLimit.MAX_TEXT_LENGTH - 196
"""Visible characters per message: Telegram's 4096 less a safety margin."""
MAX_ENTITIES = 90
"""Formatting entities per message; Telegram shows about 100 at most."""
QUOTE_PIECE = 3000
"""Longest blockquote, in visible characters; longer excerpts become several quotes."""
MAX_MARKS = 30
"""Highlighted spans per blockquote."""
MAX_BUTTON_LABEL = 30
"""Longest button label: what a phone shows without cutting it."""

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


MAX_LINK_TITLE = 90
"""Longest link title in a source line, in characters."""
LINKS_IN_ANSWER = 2
"""Backing pages named in an answer's source line; the full passage (📄) lists them all."""


def _meta(author: str, publisher: str, published: str) -> list[str]:
    parts = (author.strip(), publisher.strip(), published.strip())
    return [escape(truncate(part, 200)) for part in dict.fromkeys(parts) if part]


def titled(item: Link) -> str:
    """Return a link titled "Publisher: Title" (the label alone when it has no usable URL)."""
    return link(item.url, truncate(item.label, MAX_LINK_TITLE))


def source_line(
    rank: int | None, citation: Citation, language: str, *, links: int = LINKS_IN_ANSWER
) -> str:
    """Return the numbered source line: what backs the quote, as titled links.

    A statute: ``[n] 19 kap. 25 a § LOU — SFS 2016:1145, lydelse enligt Lag (2022:902)``
    with the section linked to the official text. A guide: the pages behind the paragraph
    (``Upphandlingsmyndigheten: …``), then "förklarat av Samverkansboten, granskad 2026-11"
    and "Lagtext: 19 kap. 25 a § LOU" for the sections it explains. An article: title,
    author, publisher, date and kind (``debattartikel``).

    Args:
        rank: The result number, or None for an unnumbered line.
        citation: The citation.
        language: Interface language.
        links: How many backing pages to name.

    Returns:
        One line of Telegram HTML.
    """
    number = "" if rank is None else f"[{rank}] "
    if citation.section:
        details = [escape(citation.identifier)] if citation.identifier else []
        if citation.version:
            details.append(escape(citation_text(language, "wording", version=citation.version)))
        head = link(citation.url, citation.section) if citation.url else escape(citation.section)
        return f"{number}{head}" + (f" — {', '.join(details)}" if details else "")
    if citation.explainer:
        parts = [titled(item) for item in citation.links[:links]]
        if parts and len(citation.links) > links:
            parts[-1] += f" (+{len(citation.links) - links})"
        explained = citation_text(language, "explained", who=citation.explainer)
        if citation.reviewed:
            explained += ", " + citation_text(language, "reviewed", date=citation.reviewed)
        own = truncate(citation.title or citation.doc_id, 300)
        own = link(citation.url, own) if safe_url(citation.url) else escape(own)
        line = number + (", ".join(parts) if parts else own)
        line += f" — {escape(explained)}"
        if citation.law:
            sections = ", ".join(escape(item.title) for item in citation.law)
            line += f" · {escape(citation_text(language, 'law'))}: {sections}"
        return line
    title = escape(truncate(citation.title or citation.doc_id, 300))
    if safe_url(citation.url):
        title = link(citation.url, truncate(citation.title or citation.doc_id, 300))
    details = _meta(citation.author, citation.publisher, citation.published)
    details.append(escape(kind_label(language, citation.kind)))
    return f"{number}{title} — {', '.join(details)}"


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def _year(*dates: str) -> str:
    """Return the first four-digit year found in ``dates`` ("Lag (2022:902)" gives 2022)."""
    for value in dates:
        match = _YEAR.search(value or "")
        if match:
            return match.group(1)
    return ""


def short_source(rank: int | None, citation: Citation, language: str) -> str:
    """Return the one-line source under a quote: short title, year, and a link.

    A statute: ``[1] 19 kap. 25 a § LOU, 2022`` (the section linked to the official text,
    the year of the wording). A guide, which is our explanation: ``[1] Reserverad
    upphandling, 2026 · Upphandlingsmyndigheten``, the authority behind the paragraph linked
    to its page. An article: ``[2] Våga starta en dialog, 2018 · Ingalill Söderberg,
    debattartikel``. The full citation is one tap away (📄).

    Args:
        rank: The result number, or None for an unnumbered line.
        citation: The citation.
        language: Interface language.

    Returns:
        One line of Telegram HTML.
    """
    number = "" if rank is None else f"[{rank}] "
    if citation.section:
        year = _year(citation.version, citation.published)
        head = link(citation.url, citation.section) if citation.url else escape(citation.section)
        return f"{number}{head}" + (f", {year}" if year else "")
    short = shorten(citation.short_title or citation.title or citation.doc_id, MAX_SHORT)
    if citation.explainer:
        year = _year(citation.reviewed, citation.published)
        line = number + escape(short) + (f", {year}" if year else "")
        page = next((item for item in citation.links if safe_url(item.url)), None)
        if page is not None:
            who = page.publisher or page.title
            line += " · " + link(page.url, shorten(who, MAX_SHORT))
        return line
    year = _year(citation.published)
    head = link(citation.url, short) if safe_url(citation.url) else escape(short)
    details = [
        escape(truncate(who, MAX_SHORT)) for who in (citation.author or citation.publisher,)
    ]
    details = [part for part in details if part]
    details.append(escape(kind_label(language, citation.kind)))
    return f"{number}{head}" + (f", {year}" if year else "") + " · " + ", ".join(details)


MAX_SHORT = 30
"""Longest short title or publisher in a one-line source."""


def _notes(notes: Sequence[str]) -> list[_Block]:
    return [_block(f"<i>{escape(truncate(note, 400))}</i>") for note in notes[:3] if note.strip()]


def _dated(result: Result, language: str) -> list[_Block]:
    """Return one short line naming the legal changes the quote mentions.

    The "newer" button (or a link, when the newer text is only on the web) leads further.
    """
    if not result.dated:
        return []
    notes = "; ".join(truncate(note.short, 120).rstrip(".") for note in result.dated[:2]) + "."
    line = text(language, "dated", note=notes)
    url = next((note.url for note in result.dated if note.url and not note.see), "")
    if url:
        line += " " + link(url, "→")
    return [_block(line)]


def _result_group(result: Result, language: str, previous: str = "") -> list[_Block]:
    """Render one result: its quote, its notes and its one-line source.

    A source that repeats the one above (``previous``, without its number) is written
    "[n] ↑ same source", which saves a phone line or two.
    """
    group = _quotes(result.excerpt.text, result.excerpt.marks)
    if result.dated:
        dated = {note.text for note in result.dated}
        group += _dated(result, language)
        group += _notes(
            [note for note in result.notes if not any(note.startswith(d) for d in dated)]
        )
    else:
        group += _notes(result.notes)
    line = short_source(None, result.citation, language)
    if line == previous:
        line = f"↑ {escape(plain(language, 'same_source'))}"
    group.append(_block(f"[{result.rank}] {line}"))
    return group


def _result_groups(results: Sequence[Result], language: str) -> list[list[_Block]]:
    groups = []
    previous = ""
    for result in results:
        groups.append(_result_group(result, language, previous))
        previous = short_source(None, result.citation, language)
    return groups


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


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(truncate(label, MAX_BUTTON_LABEL) or "…", callback_data=data)


@dataclass(frozen=True)
class Votes:
    """The 👍/👎 state an answer's keyboard shows.

    In a private chat the keyboard marks the reader's own vote (``mine``); in a group, where
    everyone sees one keyboard, it counts the votes (``counts``).
    """

    up: int = 0
    down: int = 0
    mine: int = 0
    counts: bool = False

    def labels(self) -> tuple[str, str]:
        """Return the labels of the 👍 and 👎 buttons."""
        if self.counts:
            return (f"👍 {self.up}" if self.up else "👍", f"👎 {self.down}" if self.down else "👎")
        return ("👍 ✓" if self.mine > 0 else "👍", "👎 ✓" if self.mine < 0 else "👎")


def answer_keyboard(
    answer: Answer, page: int, qid: str, votes: Votes | None = None
) -> InlineKeyboardMarkup:
    """Return the buttons under a page of results: full passages, newer texts, votes, paging.

    Paging (◂ ▸) edits the same message, so the chat keeps one message per answer.
    """
    language = answer.language
    results = answer.page(page)
    full = [
        _button(plain(language, "full", rank=result.rank), full_data(qid, result.rank))
        for result in results
    ]
    newer = [
        _button(plain(language, "newer", rank=result.rank), newer_data(qid, result.rank))
        for result in results
        if any(note.see for note in result.dated)
    ]
    up, down = (votes or Votes()).labels()
    last = [_button(up, feedback_data(qid, True)), _button(down, feedback_data(qid, False))]
    if page > 0:
        last.append(_button(plain(language, "previous"), more_data(qid, page - 1)))
    if page + 1 < answer.page_count:
        last.append(_button(plain(language, "more"), more_data(qid, page + 1)))
    return InlineKeyboardMarkup([row for row in (full, newer, last) if row])


def with_votes(markup: InlineKeyboardMarkup, qid: str, votes: Votes) -> InlineKeyboardMarkup:
    """Return ``markup`` with the 👍/👎 buttons of answer ``qid`` relabelled for ``votes``."""
    up, down = votes.labels()
    labels = {feedback_data(qid, True): up, feedback_data(qid, False): down}
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    labels[button.callback_data], callback_data=button.callback_data
                )
                if button.callback_data in labels
                else button
                for button in row
            ]
            for row in markup.inline_keyboard
        ]
    )


def topics_keyboard(
    topics: Sequence[Topic] | Sequence[Suggestion], language: str
) -> InlineKeyboardMarkup | None:
    """Return one button per topic (or suggestion), one per row; None when there are none."""
    rows = []
    seen = set()
    for item in topics[:20]:
        if isinstance(item, Topic):
            topic_id, label = item.id, item.short_label(language)
        else:
            topic_id, label = item.topic_id, item.short or item.label
        if topic_id in seen:
            continue
        seen.add(topic_id)
        rows.append([_button(label, topic_data(topic_id))])
    return InlineKeyboardMarkup(rows) if rows else None


def language_keyboard() -> InlineKeyboardMarkup:
    """Return the /lang buttons."""
    return InlineKeyboardMarkup(
        [[_button(LANGUAGE_NAMES[code], language_data(code)) for code in LANGUAGES]]
    )


def render_answer(
    answer: Answer, page: int, qid: str, *, heading: str = "", votes: Votes | None = None
) -> list[Chunk]:
    """Render one page of an answer (0-based) as messages; the last one carries the buttons.

    A page is one message in practice (three short quotes, one-line sources), so that ◂ ▸
    can turn it in place; a page too long for one message is split at result boundaries.

    Args:
        answer: The answer to show.
        page: Which page of ``answer.results``.
        qid: The answer's key in the answer cache, for the buttons.
        heading: A line shown in bold on top of every page, e.g. the question when the
            user picked it from a button rather than typing it.
        votes: The 👍/👎 state to show on the buttons.

    Returns:
        One or more messages; results are numbered by rank, so page 2 starts at [4].
    """
    language = answer.language
    partial = answer.coverage == "partial" and bool(answer.results)
    if (not answer.answered and not partial) or not answer.results:
        return render_no_answer(answer, heading=heading) if page == 0 else []
    results = answer.page(page)
    if not results:
        return []
    header: list[_Block] = _heading(heading)
    if page == 0:
        header += _notes(answer.notices) + _searched(answer)
        if partial:
            header += [*_missing(answer), _block(text(language, "partial"))]
            header += _foreign(answer)
            groups = [header, *_result_groups(results, language)]
            keyboard = topics_keyboard(answer.suggestions, language)
            return _chunks(_pack(groups), keyboard if answer.suggestions else None)
    documents = len({result.citation.doc_id for result in answer.results})
    count = text(language, "documents" if documents != 1 else "document", count=documents)
    pages = answer.page_count
    where = text(language, "page", page=page + 1, pages=pages) if pages > 1 else ""
    header.append(_block(text(language, "header", count=count, pages=where)))
    header += _foreign(answer)
    groups = [header, *_result_groups(results, language)]
    return _chunks(_pack(groups), answer_keyboard(answer, page, qid, votes))


def _foreign(answer: Answer) -> list[_Block]:
    """Tell an English reader that the quotes stay in Swedish or Danish."""
    return [_block(text("en", "quotes_untranslated"))] if answer.language == "en" else []


def _heading(heading: str) -> list[_Block]:
    return [_block(f"<b>{escape(truncate(heading, 300))}</b>")] if heading.strip() else []


def _searched(answer: Answer) -> list[_Block]:
    """Say what was searched for when typos or spelling were corrected."""
    if not answer.searched_for:
        return []
    searched = truncate(answer.searched_for, 300)
    return [_block(text(answer.language, "searched", text=searched))]


def _missing(answer: Answer) -> list[_Block]:
    """Say plainly which words of the question the sources do not cover."""
    if not answer.missing:
        return []
    words = truncate(", ".join(answer.missing), 300)
    return [_block(text(answer.language, "missing", words=words))]


def render_no_answer(answer: Answer, *, heading: str = "") -> list[Chunk]:
    """Render the honest, short no-answer reply with topic buttons."""
    blocks = _heading(heading) + _notes(answer.notices) + _searched(answer) + _missing(answer)
    blocks.append(_block(text(answer.language, "no_answer")))
    return _chunks(_pack([blocks]), topics_keyboard(answer.suggestions, answer.language))


def render_passage(result: Result, language: str) -> list[Chunk]:
    """Render the whole passage behind a result, with its heading and source line."""
    group: list[_Block] = []
    if result.passage.heading.strip():
        group.append(_block(f"<b>{escape(truncate(result.passage.heading, 300))}</b>"))
    group += _quotes(result.passage.text, expandable=False)
    citation = result.citation
    group.append(_block(source_line(result.rank, citation, language, links=0)))
    for item in citation.law:
        label = f"{citation_text(language, 'law')}: {item.title}"
        group.append(_block(f"• {link(item.url, label)}" if item.url else f"• {escape(label)}"))
    group.extend(_block(f"• {titled(item)}") for item in citation.links[:20])
    return _chunks(_pack([group]), None)


def render_newer(
    notes: Sequence[DatedNote], passage: Passage | None, citation: Citation | None, language: str
) -> list[Chunk]:
    """Render what changed (the whole notes) and the newer text that says so."""
    group = [_block(f"⚠️ <i>{escape(truncate(note.text, 600))}</i>") for note in notes]
    if passage is not None:
        if passage.heading.strip():
            group.append(_block(f"<b>{escape(truncate(passage.heading, 300))}</b>"))
        group += _quotes(passage.text, expandable=False)
        if citation is not None:
            group.append(_block(short_source(None, citation, language)))
    else:
        group += [_block(link(note.url, note.url)) for note in notes if safe_url(note.url)]
    return _chunks(_pack([group]), None)


def render_inline(result: Result, language: str) -> str:
    """Render one result as a single shareable message (heading, excerpt and citation)."""
    group: list[_Block] = []
    if result.passage.heading.strip():
        group.append(_block(f"<b>{escape(truncate(result.passage.heading, 200))}</b>"))
    group += _quotes(result.excerpt.text, result.excerpt.marks)[:1]
    group += _dated(result, language)
    group.append(_block(short_source(None, result.citation, language)))
    return "\n".join(block.html for block in group)


def render_text(html_text: str, keyboard: InlineKeyboardMarkup | None = None) -> list[Chunk]:
    """Wrap an interface string (already safe HTML) as a message."""
    return [Chunk(html_text, keyboard)]


def render_topic(topic: Topic, language: str) -> Chunk:
    """Render a topic: its starter questions as a numbered list, and a button per number.

    A question on a button is cut on a phone; a numbered list shows it whole.
    """
    starters = topic.starters(language)[:8]
    lines = [
        f"{index}. {escape(truncate(question, 300))}" for index, question in enumerate(starters, 1)
    ]
    buttons = [
        _button(str(index), starter_data(topic.id, index - 1))
        for index in range(1, len(starters) + 1)
    ]
    body = text(language, "topic", label=truncate(topic.label(language), 300))
    if lines:
        body += "\n" + "\n".join(lines)
    return Chunk(body, InlineKeyboardMarkup([buttons]) if buttons else None)


def render_sources(documents: Sequence[Document], language: str) -> list[Chunk]:
    """Render the list of documents with dates and links, split into messages."""
    if not documents:
        return [Chunk(text(language, "no_sources"))]
    groups = [[_block(text(language, "sources", count=len(documents)))]]
    for document in sorted(documents, key=lambda d: (d.title.casefold(), d.id)):
        if document.kind == "guide":
            # Our explanation: name it as such, dated by its review, not as an author.
            who = document.publisher or document.author
            explained = citation_text(language, "explained", who=who) if who else ""
            if document.reviewed:
                reviewed = citation_text(language, "reviewed", date=document.reviewed)
                explained = f"{explained}, {reviewed}" if explained else reviewed
            details = [escape(explained)] if explained else []
        else:
            details = _meta(document.author, document.publisher, document.published)
            details.append(escape(kind_label(language, document.kind)))
        title = truncate(document.title or document.id, 300)
        # A guide's pages are cited paragraph by paragraph in its answers, not listed here.
        line = f"• {link(document.url, title)}" if safe_url(document.url) else f"• {escape(title)}"
        groups.append([_block(f"{line} — {', '.join(details)}" if details else line)])
    return _chunks(_pack(groups, gap=1), None)
