"""Views of one Answer: plain text for the terminal and the ``ask --json`` object.

Offers :func:`answer_text`, :func:`result_text`, :func:`citation_line` and :func:`answer_json`.
"""

from bot.views.json import answer_json
from bot.views.terminal import answer_text, citation_line, result_text

__all__ = ["answer_json", "answer_text", "citation_line", "result_text"]
