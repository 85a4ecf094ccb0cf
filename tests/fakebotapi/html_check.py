"""Telegram's HTML parse mode, reimplemented as pure functions.

The parser follows the tag grammar of tdlib's ``parse_html`` (the code behind the Bot API's
``parse_mode=HTML``) and reproduces its error strings, for example
``Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 3``.
Byte offsets count UTF-8 bytes and entity offsets count UTF-16 code units, as in Telegram.

Deliberate differences from tdlib (the fake is stricter, never more lenient):

* A ``&`` that does not start ``&lt;``, ``&gt;``, ``&amp;``, ``&quot;`` or a numeric reference
  is an error (``Unescaped "&" at byte offset N``); tdlib would pass it through literally.
* A ``<blockquote>`` inside another one is an error (``Nested blockquote at byte offset N``).

Usage::

    assert check_telegram_html(rendered) is None
    assert visible_length(rendered) <= 4096
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ENTITY_ERROR_PREFIX",
    "Entity",
    "ParsedText",
    "TelegramHtmlError",
    "check_telegram_html",
    "parse_telegram_html",
    "strip_html",
    "utf16_length",
    "visible_length",
]

ENTITY_ERROR_PREFIX = "Bad Request: can't parse entities: "

_SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "tg-spoiler", "span", "tg-emoji", "tg-time", "code", "pre", "blockquote",
    }
)  # fmt: skip
_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SPACES = " \t\r\n\v\f"
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MAX_CODE_POINT = 0x10FFFF


class TelegramHtmlError(ValueError):
    """Text is not valid Telegram HTML; ``description`` is the Bot API error text."""

    def __init__(self, detail: str) -> None:
        super().__init__(ENTITY_ERROR_PREFIX + detail)
        self.description = ENTITY_ERROR_PREFIX + detail


@dataclass(frozen=True)
class Entity:
    """A message entity in Bot API terms (offsets in UTF-16 code units)."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the entity as the JSON object Telegram sends."""
        data: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        for key in ("url", "language", "custom_emoji_id"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class ParsedText:
    """Visible text plus entities, after parsing and whitespace trimming."""

    text: str
    entities: tuple[Entity, ...] = ()


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    char_pos: int
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as Telegram counts."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, char_pos: int) -> int:
    return len(text[:char_pos].encode("utf-8", "surrogatepass"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``text[pos] == '&'`` like tdlib (the ``;`` is optional).

    Returns:
        The decoded character and the position after the entity, or None if invalid.
    """
    end = pos + 1
    if end < len(text) and text[end] == "#":
        end += 1
        is_hex = end < len(text) and text[end] == "x"
        if is_hex:
            end += 1
        digits = "0123456789abcdefABCDEF" if is_hex else "0123456789"
        start = end
        while end < len(text) and text[end] in digits and end - pos < 10:
            end += 1
        if end == start or end - pos >= 10:
            return None
        code = int(text[start:end], 16 if is_hex else 10)
        if code == 0 or code >= _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < len(text) and text[end] == ";":
        end += 1
    return char, end


class _Parser:
    """One pass over the HTML source, building visible text and entities."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def error(self, detail: str) -> TelegramHtmlError:
        return TelegramHtmlError(detail)

    def byte(self, char_pos: int) -> int:
        return _byte_offset(self.src, char_pos)

    def peek(self) -> str:
        return self.src[self.pos] if self.pos < len(self.src) else ""

    def skip_spaces(self) -> None:
        while self.peek() and self.peek() in _SPACES:
            self.pos += 1

    def emit(self, char: str) -> None:
        self.out.append(char)
        self.utf16 += 2 if ord(char) > 0xFFFF else 1

    def run(self) -> ParsedText:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&":
                self.entity_reference()
            elif char == "<":
                self.tag()
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        return _trim("".join(self.out), self.entities)

    def entity_reference(self) -> None:
        decoded = _decode_entity(self.src, self.pos)
        if decoded is None:
            raise self.error(f'Unescaped "&" at byte offset {self.byte(self.pos)}')
        char, self.pos = decoded
        self.emit(char)

    def tag(self) -> None:
        begin = self.pos
        self.pos += 1
        if self.peek() == "/":
            self.end_tag(begin)
        else:
            self.start_tag(begin)

    def start_tag(self, begin: int) -> None:
        while self.peek() and self.peek() not in _SPACES and self.peek() != ">":
            self.pos += 1
        if not self.peek():
            raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
        name = self.src[begin + 1 : self.pos].lower()
        if name not in _SUPPORTED_TAGS:
            raise self.error(f'Unsupported start tag "{name}" at byte offset {self.byte(begin)}')
        opened = _OpenTag(name=name, argument="", utf16_start=self.utf16, char_pos=begin)
        self.attributes(opened, begin)
        self.pos += 1  # the closing '>'
        self.validate_start(opened, begin)
        self.stack.append(opened)

    def attributes(self, opened: _OpenTag, begin: int) -> None:
        name = opened.name
        while self.peek() != ">":
            self.skip_spaces()
            if self.peek() == ">":
                break
            attr_begin = self.pos
            while self.peek() and self.peek() not in _SPACES and self.peek() not in "=>":
                self.pos += 1
            attr = self.src[attr_begin : self.pos].lower()
            if not attr:
                if not self.peek():
                    raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
                raise self.error(
                    f'Empty attribute name in the tag "{name}" at byte offset {self.byte(begin)}'
                )
            self.skip_spaces()
            if self.peek() != "=":
                if name == "blockquote" and attr == "expandable":
                    opened.argument = "expandable"
                    continue
                if not self.peek():
                    raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
                raise self.error(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {self.byte(begin)}'
                )
            self.pos += 1
            self.skip_spaces()
            if not self.peek():
                raise self.error(f'Unclosed start tag "{name}" at byte offset {self.byte(begin)}')
            value = self.attribute_value(begin)
            self.store_attribute(opened, attr, value)

    def attribute_value(self, begin: int) -> str:
        quote = self.peek()
        if quote not in "'\"":
            token_begin = self.pos
            while self.peek() and (self.peek().isalnum() or self.peek() in ".-"):
                self.pos += 1
            if not self.peek():
                raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
            if self.peek() not in _SPACES and self.peek() != ">":
                raise self.error(
                    f"Unexpected end of name token at byte offset {self.byte(token_begin)}"
                )
            return self.src[token_begin : self.pos].lower()
        self.pos += 1
        chars: list[str] = []
        while self.peek() and self.peek() != quote:
            if self.peek() == "&":
                decoded = _decode_entity(self.src, self.pos)
                if decoded is not None:
                    chars.append(decoded[0])
                    self.pos = decoded[1]
                    continue
            chars.append(self.peek())
            self.pos += 1
        if not self.peek():
            raise self.error(f"Unclosed start tag at byte offset {self.byte(begin)}")
        self.pos += 1
        return "".join(chars)

    @staticmethod
    def store_attribute(opened: _OpenTag, attr: str, value: str) -> None:
        name = opened.name
        if name == "a" and attr == "href":
            opened.argument = value
        elif name == "code" and attr == "class" and value.startswith("language-"):
            opened.argument = value.removeprefix("language-")
        elif name == "span" and attr == "class" and value.startswith("tg-"):
            opened.argument = value.removeprefix("tg-")
        elif name == "tg-emoji" and attr == "emoji-id":
            opened.argument = value
        elif name == "tg-time":
            opened.extra[attr] = value

    def validate_start(self, opened: _OpenTag, begin: int) -> None:
        if opened.name == "span" and opened.argument != "spoiler":
            raise self.error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte(begin)}'
            )
        if opened.name == "blockquote" and any(t.name == "blockquote" for t in self.stack):
            raise self.error(f"Nested blockquote at byte offset {self.byte(begin)}")

    def end_tag(self, begin: int) -> None:
        if not self.stack:
            raise self.error(f"Unexpected end tag at byte offset {self.byte(begin)}")
        self.pos += 1  # the '/'
        name_begin = self.pos
        while self.peek() and self.peek() not in _SPACES and self.peek() != ">":
            self.pos += 1
        end_name = self.src[name_begin : self.pos].lower()
        self.skip_spaces()
        if self.peek() != ">":
            raise self.error(f"Unclosed end tag at byte offset {self.byte(begin)}")
        self.pos += 1
        opened = self.stack[-1]
        if end_name and end_name != opened.name:
            raise self.error(
                f"Unmatched end tag at byte offset {self.byte(begin)}, "
                f'expected "</{opened.name}>", found "</{end_name}>"'
            )
        self.stack.pop()
        self.close(opened)

    def close(self, opened: _OpenTag) -> None:
        length = self.utf16 - opened.utf16_start
        entity = self.entity_for(opened, length)
        if entity is not None and length > 0:
            self.entities.append(entity)

    def entity_for(self, opened: _OpenTag, length: int) -> Entity | None:
        start = opened.utf16_start
        name = opened.name
        if name == "code" and self.stack and self.stack[-1].name == "pre":
            parent = self.stack[-1]
            if opened.argument and parent.utf16_start == start:
                parent.language = opened.argument
                return None
        if name in _ENTITY_TYPES:
            language = opened.language if name == "pre" else None
            return Entity(_ENTITY_TYPES[name], start, length, language=language)
        if name == "a":
            if not opened.argument:
                return None
            return Entity("text_link", start, length, url=opened.argument)
        if name == "blockquote":
            kind = "expandable_blockquote" if opened.argument else "blockquote"
            return Entity(kind, start, length)
        if name == "tg-emoji":
            if not opened.argument.isdigit():
                raise self.error("Invalid custom emoji identifier specified")
            return Entity("custom_emoji", start, length, custom_emoji_id=opened.argument)
        return None  # tg-time: accepted, no entity modelled


def _trim(text: str, entities: list[Entity]) -> ParsedText:
    """Strip leading/trailing whitespace as Telegram does and shift entities to match."""
    stripped_left = text.lstrip()
    shift = utf16_length(text) - utf16_length(stripped_left)
    trimmed = stripped_left.rstrip()
    limit = utf16_length(trimmed)
    kept: list[Entity] = []
    for entity in entities:
        start = max(entity.offset - shift, 0)
        end = min(entity.offset + entity.length - shift, limit)
        if end > start:
            kept.append(
                Entity(
                    entity.type,
                    start,
                    end - start,
                    entity.url,
                    entity.language,
                    entity.custom_emoji_id,
                )
            )
    kept.sort(key=lambda e: (e.offset, -e.length))
    return ParsedText(trimmed, tuple(kept))


def parse_telegram_html(text: str) -> ParsedText:
    """Parse Telegram HTML into visible text and entities.

    Args:
        text: Message text as sent with ``parse_mode=HTML``.

    Returns:
        The visible (trimmed) text and its entities.

    Raises:
        TelegramHtmlError: If Telegram would refuse the text; ``description`` holds the
            Bot API error text.
    """
    return _Parser(text).run()


def check_telegram_html(text: str) -> str | None:
    """Return None if Telegram accepts ``text`` as HTML, else the Bot API error description.

    Only the markup is checked here, not the 1-4096 length rule (see :func:`visible_length`).
    """
    try:
        parse_telegram_html(text)
    except TelegramHtmlError as exc:
        return exc.description
    return None


_TAG_RE = re.compile(r"<[^>]*>")


def strip_html(text: str) -> str:
    """Return the visible text of Telegram HTML (best effort if the markup is invalid)."""
    try:
        return parse_telegram_html(text).text
    except TelegramHtmlError:
        return html.unescape(_TAG_RE.sub("", text)).strip()


def visible_length(text: str) -> int:
    """Return the length Telegram checks against 4096: visible text, UTF-16 code units.

    Tags are removed, entities decoded and surrounding whitespace trimmed first.
    """
    return utf16_length(strip_html(text))
