"""Render answers, passages, topics and sources as Telegram HTML messages with keyboards.

An answer page is one phone screen: a header, up to three expandable quotes, each with a
one-line source (:mod:`bot.telegram.citations`), and buttons (:mod:`bot.telegram.keyboards`).
Output is split into messages at result boundaries when it must be
(:mod:`bot.telegram.markup`); the building blocks are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.answer import citation_text, kind_label
from bot.models import Answer, Citation, DatedNote, Document, Passage, Result, Topic
from bot.telegram.callback_data import starter_data
from bot.telegram.citations import (
    LINKS_IN_ANSWER,
    MAX_LINK_TITLE,
    meta_details,
    short_source,
    source_line,
    titled,
)
from bot.telegram.keyboards import (
    MAX_BUTTON_LABEL,
    Votes,
    _button,
    answer_keyboard,
    language_keyboard,
    topics_keyboard,
    with_votes,
)
from bot.telegram.markup import (
    MAX_ENTITIES,
    MAX_MARKS,
    MAX_VISIBLE,
    QUOTE_PIECE,
    Chunk,
    _Block,
    _block,
    _chunks,
    _pack,
    _quotes,
    clean,
    escape,
    link,
    marked,
    safe_url,
    shorten,
    truncate,
    utf16_length,
    visible_length,
)
from bot.telegram.texts import plain, text

__all__ = [
    "LINKS_IN_ANSWER",
    "MAX_BUTTON_LABEL",
    "MAX_ENTITIES",
    "MAX_LINK_TITLE",
    "MAX_MARKS",
    "MAX_VISIBLE",
    "QUOTE_PIECE",
    "Chunk",
    "Votes",
    "answer_keyboard",
    "clean",
    "escape",
    "language_keyboard",
    "link",
    "marked",
    "render_answer",
    "render_inline",
    "render_newer",
    "render_no_answer",
    "render_passage",
    "render_sources",
    "render_text",
    "render_topic",
    "safe_url",
    "short_source",
    "shorten",
    "source_line",
    "titled",
    "topics_keyboard",
    "truncate",
    "utf16_length",
    "visible_length",
    "with_votes",
]


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
            details = meta_details(document.author, document.publisher, document.published)
            details.append(escape(kind_label(language, document.kind)))
        title = truncate(document.title or document.id, 300)
        # A guide's pages are cited paragraph by paragraph in its answers, not listed here.
        line = f"• {link(document.url, title)}" if safe_url(document.url) else f"• {escape(title)}"
        groups.append([_block(f"{line} — {', '.join(details)}" if details else line)])
    return _chunks(_pack(groups, gap=1), None)
