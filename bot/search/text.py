"""Unicode clean-up shared by the analyzer, the question handling and the views."""

from __future__ import annotations

import re
import unicodedata

# Control and format characters (zero-width space/joiner, bidi overrides, BOM, NUL …) carry no
# meaning in a question and can hide text from the reader, so they are removed; \n and \t stay.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    # Lone surrogates (from undecodable command-line bytes) cannot be printed or stored.
    "\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# The masks that bot.store.redact puts in place of personal data: not words of the question.
_MASKS = re.compile(r"\[(?:personnummer|samordningsnummer|cpr|e-post|telefon)\]")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})


def clean(text: str) -> str:
    """Remove invisible characters, normalise to NFC and collapse runs of spaces.

    Args:
        text: Any text, possibly with control or zero-width characters.

    Returns:
        The text in NFC with invisible characters removed and spaces collapsed.
    """
    # Invisible characters go first: one between a letter and its accent would otherwise
    # keep the pair from composing.
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text).strip()


def drop_masks(text: str) -> str:
    """Remove the masks of redacted personal data (``[telefon]``, ``[e-post]`` …).

    Args:
        text: A question, possibly redacted.

    Returns:
        The text with each mask replaced by a space, so no mask becomes a search term.
    """
    return _MASKS.sub(" ", text)


def fold(word: str) -> str:
    """Strip diacritics so that unaccented input ("overenskommelse") can be matched.

    Args:
        word: A lower-case word.

    Returns:
        The word with accents removed and æ/ø spelled out in ASCII.
    """
    decomposed = unicodedata.normalize("NFD", word.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
