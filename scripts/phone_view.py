"""Show an answer as a phone user sees it in Telegram, and measure it.

Usage (from the repo root)::

    .venv/bin/python scripts/phone_view.py "Får kommunen reservera en upphandling för …?"
    .venv/bin/python scripts/phone_view.py --page 1 --width 38 "Vad är IOP?"

The answer is rendered exactly as the bot sends it (``QAService.ask`` + ``render_answer``
over the bundled knowledge). A phone line holds about ``--width`` characters (38 on a
common phone in portrait). Text is word-wrapped to that width; an expandable quote shows
its first three lines when collapsed (Telegram's collapsed height) and all of them when
expanded. The figures printed:

- characters: visible characters of each message (tags stripped, entities decoded);
- lines collapsed / expanded: phone lines with every quote collapsed / expanded;
- source lines: phone lines taken by the numbered source lines.

A measuring script, not a test; it asserts nothing.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.service import QAService
from bot.telegram.render import render_answer

COLLAPSED_LINES = 3
_BLOCK = re.compile(r"<blockquote( expandable)?>(.*?)</blockquote>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _plain(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment))


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


def phone_lines(message_html: str, width: int) -> tuple[list[str], list[str], int]:
    """Return (collapsed lines, expanded lines, source-line lines) of one message.

    A line break right before or after a quote is the quote's own edge, not a blank line.
    """
    collapsed: list[str] = []
    expanded: list[str] = []
    position = 0
    after_quote = False
    for match in _BLOCK.finditer(message_html):
        text = _plain(message_html[position : match.start()])
        text = text.removeprefix("\n") if after_quote else text
        text = text.removesuffix("\n")
        lines = _wrap(text, width) if text else []
        quote = [f"┃ {line}" for line in _wrap(_plain(match[2]).strip(), width - 2)]
        collapsed += lines + (quote[:COLLAPSED_LINES] if match[1] else quote)
        expanded += lines + quote
        position = match.end()
        after_quote = True
    text = _plain(message_html[position:])
    text = text.removeprefix("\n") if after_quote else text
    tail = _wrap(text, width) if text else []
    return collapsed + tail, expanded + tail, _source_lines(message_html, width)


def _source_lines(message_html: str, width: int) -> int:
    """Phone lines of the numbered source lines ("[n] …") of a message."""
    text = _plain(_BLOCK.sub("", message_html))
    return sum(
        len(_wrap(line, width)) for line in text.split("\n") if re.match(r"^\[\d+\] ", line)
    )


def main(argv: list[str] | None = None) -> int:
    """Render one answer page and print it with its phone figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("question")
    parser.add_argument("--page", type=int, default=0, help="page, 0-based (default: 0)")
    parser.add_argument("--width", type=int, default=38, help="characters a line (default: 38)")
    parser.add_argument("--knowledge", type=Path, default=Path("knowledge"))
    parser.add_argument("--quiet", action="store_true", help="figures only")
    args = parser.parse_args(argv)
    service = QAService.open(args.knowledge)
    answer = service.ask(args.question)
    chunks = render_answer(answer, args.page, "QID1")
    for number, chunk in enumerate(chunks, 1):
        collapsed, expanded, sources = phone_lines(chunk.text, args.width)
        if not args.quiet:
            print("\n".join(collapsed))
            if chunk.keyboard is not None:
                for row in chunk.keyboard.inline_keyboard:
                    print(" ".join(f"[{button.text}]" for button in row))
            print("-" * args.width)
        visible = len(_plain(chunk.text))
        print(
            f"message {number}: {visible} characters, {len(collapsed)} lines collapsed, "
            f"{len(expanded)} expanded, source lines {sources} (width {args.width})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
